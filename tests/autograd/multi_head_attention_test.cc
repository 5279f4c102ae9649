// The fused multi-head attention against the composition of primitive ops it
// replaces (split heads, bmm, relative-position lookups, scale, masked_fill,
// softmax, dropout, bmm, merge heads), values and gradients, for every mask
// and option; then the properties training and decoding rely on: dropout is
// a pure function of the rng state (not of the threads), and inference
// output is bit-identical for a sentence alone, in any batch, through a row
// map, and step by step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "s2s/autograd/ops.h"
#include "s2s/core/allocator.h"
#include "s2s/core/parallel.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using autograd::AttentionMasks;
using autograd::AttentionOptions;
using autograd::Graph;
using autograd::Var;

struct Config {
  const char* name;
  std::int64_t Tq, Tk, B, d, dvm;
  int H;
  std::vector<std::int32_t> lengths;  // empty: no key padding
  bool causal = false;
  std::int64_t K = -1;      // relative keys clip (-1: none)
  bool rel_values = false;  // relative values too (same K)
  bool time_major = true;
  float dropout = 0.0f;
};

struct Inputs {
  Tensor q, k, v, rk, rv;
};

Inputs make_inputs(const Config& c, std::uint64_t seed) {
  Rng r(seed);
  auto seq = [&](std::int64_t T, std::int64_t w) { return c.time_major ? Shape{T, c.B, w} : Shape{c.B, T, w}; };
  Inputs in{random_tensor(r, seq(c.Tq, c.d)), random_tensor(r, seq(c.Tk, c.d)), random_tensor(r, seq(c.Tk, c.dvm)), {}, {}};
  if (c.K >= 0) in.rk = random_tensor(r, {2 * c.K + 1, c.d / c.H});
  if (c.K >= 0 && c.rel_values) in.rv = random_tensor(r, {2 * c.K + 1, c.dvm / c.H});
  return in;
}

Tensor lengths_of(const Config& c) {
  return c.lengths.empty() ? Tensor() : Tensor::from_ids(c.lengths, Shape{static_cast<std::int64_t>(c.lengths.size())});
}

// [T, B, H w] (or [B, T, H w]) -> [B H, T, w]
Var split_heads(Var x, int H, bool time_major) {
  const std::int64_t d0 = x.dim(0), d1 = x.dim(1), w = x.dim(2) / H;
  Var t = autograd::reshape(x, Shape{d0, d1, H, w});
  if (time_major) t = autograd::transpose(t, 0, 1);  // [B, T, H, w]
  t = autograd::transpose(t, 1, 2);                  // [B, H, T, w]
  const std::int64_t B = time_major ? d1 : d0, T = time_major ? d0 : d1;
  return autograd::reshape(t, Shape{B * H, T, w});
}

// [B H, T, w] -> [T, B, H w] (or [B, T, H w])
Var merge_heads(Var x, std::int64_t B, int H, bool time_major) {
  const std::int64_t T = x.dim(1), w = x.dim(2);
  Var t = autograd::transpose(autograd::reshape(x, Shape{B, H, T, w}), 1, 2);  // [B, T, H, w]
  if (time_major) t = autograd::transpose(t, 0, 1);
  return autograd::reshape(t, time_major ? Shape{T, B, H * w} : Shape{B, T, H * w});
}

// Relative index r_ij = clip(j - (i + Tk - Tq), -K, K) + K, I32 [Tq, Tk].
Tensor relative_ids(std::int64_t Tq, std::int64_t Tk, std::int64_t K) {
  Tensor ids = Tensor::empty(Shape{Tq, Tk}, DType::I32);
  for (std::int64_t i = 0; i < Tq; ++i)
    for (std::int64_t j = 0; j < Tk; ++j)
      ids.i32()[i * Tk + j] = static_cast<std::int32_t>(std::clamp<std::int64_t>(j - (i + Tk - Tq), -K, K) + K);
  return ids;
}

// F32 [B, 1, Tq, Tk], 1 at invisible keys.
Tensor invisible_mask(const Config& c) {
  Tensor m = Tensor::zeros(Shape{c.B, 1, c.Tq, c.Tk});
  for (std::int64_t b = 0; b < c.B; ++b)
    for (std::int64_t i = 0; i < c.Tq; ++i)
      for (std::int64_t j = 0; j < c.Tk; ++j) {
        const bool padded = !c.lengths.empty() && j >= c.lengths[static_cast<std::size_t>(b)];
        const bool future = c.causal && j > i + c.Tk - c.Tq;
        m.f32()[(b * c.Tq + i) * c.Tk + j] = padded || future ? 1.0f : 0.0f;
      }
  return m;
}

Var composed(const Config& c, Var q, Var k, Var v, Var rk, Var rv, Rng* rng) {
  const std::int64_t dh = c.d / c.H;
  Var Q = split_heads(q, c.H, c.time_major), Kh = split_heads(k, c.H, c.time_major), Vh = split_heads(v, c.H, c.time_major);
  Var scores = autograd::bmm(Q, Kh, false, true);  // [B H, Tq, Tk]
  if (rk.defined()) {
    Var a = autograd::embedding(rk, relative_ids(c.Tq, c.Tk, c.K));                                   // [Tq, Tk, dh]
    Var qa = autograd::bmm(autograd::transpose(Q, 0, 1), a, false, true);                             // [Tq, B H, Tk]
    scores = autograd::add(scores, autograd::transpose(qa, 0, 1));
  }
  scores = autograd::scale(scores, 1.0f / std::sqrt(static_cast<float>(dh)));
  Var p = autograd::reshape(scores, Shape{c.B, c.H, c.Tq, c.Tk});
  p = autograd::softmax(autograd::masked_fill(p, invisible_mask(c), -1e30f));
  if (c.dropout > 0.0f) p = autograd::dropout(p, c.dropout, *rng);
  p = autograd::reshape(p, Shape{c.B * c.H, c.Tq, c.Tk});
  Var o = autograd::bmm(p, Vh);
  if (rv.defined()) {
    Var a = autograd::embedding(rv, relative_ids(c.Tq, c.Tk, c.K));  // [Tq, Tk, dv]
    o = autograd::add(o, autograd::transpose(autograd::bmm(autograd::transpose(p, 0, 1), a), 0, 1));
  }
  return merge_heads(o, c.B, c.H, c.time_major);
}

Var fused(const Config& c, Var q, Var k, Var v, Var rk, Var rv, Rng* rng, Tensor* weights = nullptr) {
  AttentionOptions o;
  o.time_major = c.time_major;
  o.dropout = c.dropout;
  o.rng = rng;
  o.rel_keys = rk;
  o.rel_values = rv;
  o.weights_out = weights;
  return autograd::multi_head_attention(q, k, v, c.H, AttentionMasks{lengths_of(c), c.causal}, o);
}

// The output, then the gradients of q, k, v (and the tables) for sum(out * w).
std::vector<Tensor> run(const Config& c, const Inputs& in, bool use_fused, std::uint64_t rng_seed = 99) {
  Graph g;
  Var q = g.input(in.q.clone(), true), k = g.input(in.k.clone(), true), v = g.input(in.v.clone(), true);
  Var rk = in.rk.defined() ? g.input(in.rk.clone(), true) : Var();
  Var rv = in.rv.defined() ? g.input(in.rv.clone(), true) : Var();
  Rng rng(rng_seed);
  Var out = use_fused ? fused(c, q, k, v, rk, rv, &rng) : composed(c, q, k, v, rk, rv, &rng);
  Rng wr(5);
  std::vector<Tensor> result{out.value().clone()};
  g.backward(out, random_tensor(wr, out.shape()));
  for (Var x : {q, k, v, rk, rv})
    if (x.defined()) result.push_back(x.grad().clone());
  return result;
}

const Config kConfigs[] = {
    {"self, no mask", 4, 4, 3, 8, 8, 2, {}},
    {"cross, key padding, dv != d", 3, 6, 3, 6, 9, 3, {6, 2, 4}},
    {"causal with padding", 5, 5, 3, 8, 8, 4, {5, 3, 1}, true},
    {"causal step Tq=2 < Tk", 2, 5, 2, 4, 4, 2, {}, true},
    {"relative keys and values, causal", 6, 6, 2, 8, 12, 2, {6, 4}, true, 2, true},
    {"relative keys, batch-major cross", 3, 5, 2, 6, 6, 3, {3, 5}, false, 1, false, false},
    {"dropout with relative values", 5, 5, 2, 8, 8, 2, {5, 2}, true, 3, true, true, 0.25f},
    {"dropout, batch-major, wide", 7, 9, 2, 70, 70, 5, {9, 4}, false, -1, false, false, 0.4f},
};

TEST(MultiHeadAttention, MatchesTheCompositionOfPrimitiveOps) {
  for (const Config& c : kConfigs) {
    SCOPED_TRACE(c.name);
    Inputs in = make_inputs(c, 11);
    std::vector<Tensor> f = run(c, in, true), r = run(c, in, false);
    ASSERT_EQ(f.size(), r.size());
    const char* names[] = {"output", "d q", "d k", "d v", "d rel_keys", "d rel_values"};
    for (std::size_t t = 0; t < f.size(); ++t) {
      ASSERT_EQ(f[t].shape(), r[t].shape()) << names[t];
      for (std::int64_t e = 0; e < f[t].numel(); ++e)
        ASSERT_NEAR(f[t].f32()[e], r[t].f32()[e], 2e-5 + 2e-5 * std::abs(r[t].f32()[e])) << names[t] << " element " << e;
    }
  }
}

TEST(MultiHeadAttention, PaddedKeysGetNoWeightAndNoGradient) {
  const Config c{"pad", 3, 5, 2, 4, 4, 2, {5, 2}};
  Inputs in = make_inputs(c, 3);
  Graph g;
  Var k = g.input(in.k.clone(), true), v = g.input(in.v.clone(), true);
  Tensor w;
  Var out = fused(c, g.input(in.q), k, v, Var(), Var(), nullptr, &w);
  g.backward(out, Tensor::full(out.shape(), 1.0f));
  ASSERT_EQ(w.shape(), (Shape{2, 3, 5}));
  for (std::int64_t i = 0; i < 3; ++i) {
    double total = 0;
    for (std::int64_t j = 0; j < 5; ++j) total += w.f32()[(1 * 3 + i) * 5 + j];
    EXPECT_NEAR(total, 1.0, 1e-6);
    for (std::int64_t j = 2; j < 5; ++j) EXPECT_EQ(w.f32()[(1 * 3 + i) * 5 + j], 0.0f);
  }
  for (std::int64_t t = 2; t < 5; ++t)
    for (std::int64_t e = 0; e < 4; ++e) {
      EXPECT_EQ(k.grad().f32()[(t * 2 + 1) * 4 + e], 0.0f);
      EXPECT_EQ(v.grad().f32()[(t * 2 + 1) * 4 + e], 0.0f);
    }
}

// weights_out is the head average of the composition's softmax.
TEST(MultiHeadAttention, WeightsOutAveragesTheHeads) {
  const Config c{"w", 4, 6, 2, 6, 6, 3, {6, 3}, false, 2, true};
  Inputs in = make_inputs(c, 8);
  Graph g(false);
  Tensor w;
  fused(c, g.input(in.q), g.input(in.k), g.input(in.v), g.input(in.rk), g.input(in.rv), nullptr, &w);
  // Reference: recompute the composition's softmax and average it.
  Graph r(false);
  Var Q = split_heads(r.input(in.q), c.H, true), K = split_heads(r.input(in.k), c.H, true);
  Var s = autograd::bmm(Q, K, false, true);
  Var qa = autograd::bmm(autograd::transpose(Q, 0, 1), autograd::embedding(r.input(in.rk), relative_ids(c.Tq, c.Tk, c.K)),
                         false, true);
  s = autograd::scale(autograd::add(s, autograd::transpose(qa, 0, 1)), 1.0f / std::sqrt(2.0f));
  Var p = autograd::softmax(autograd::masked_fill(autograd::reshape(s, Shape{2, 3, 4, 6}), invisible_mask(c), -1e30f));
  Var mean = autograd::mean(p, 1);
  ASSERT_EQ(w.shape(), mean.shape());
  for (std::int64_t e = 0; e < w.numel(); ++e) EXPECT_NEAR(w.f32()[e], mean.value().f32()[e], 1e-6) << e;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.f32(), b.f32(), a.nbytes()) == 0;
}

// Same rng state, any thread count: the same mask, values and gradients;
// another seed draws another mask; the rng advances by B H Tq Tk.
TEST(MultiHeadAttention, DropoutIsAFunctionOfTheRngStateOnly) {
  const Config c{"dropout", 6, 6, 3, 8, 8, 2, {6, 4, 5}, true, 2, true, true, 0.3f};
  Inputs in = make_inputs(c, 21);
  const int threads = num_threads();
  set_num_threads(1);
  std::vector<Tensor> one = run(c, in, true, 1234);
  set_num_threads(4);
  std::vector<Tensor> four = run(c, in, true, 1234);
  std::vector<Tensor> other = run(c, in, true, 4321);
  set_num_threads(threads);
  for (std::size_t t = 0; t < one.size(); ++t) EXPECT_TRUE(same_bits(one[t], four[t])) << "tensor " << t;
  EXPECT_FALSE(same_bits(one[0], other[0]));

  Graph g;
  Rng rng(1);
  AttentionOptions o;
  o.dropout = 0.3f;
  o.rng = &rng;
  autograd::multi_head_attention(g.input(in.q), g.input(in.k), g.input(in.v), c.H, {}, o);
  EXPECT_EQ(rng.state().offset, static_cast<std::uint64_t>(c.B * c.H * c.Tq * c.Tk));
}

// Inference: a sentence alone gives the same bits as inside a padded batch
// (self-attention over its padded keys, causal or not, with relative
// positions), whatever the thread count.
TEST(MultiHeadAttention, InferenceIsBatchInvariant) {
  // T > 8 and a sentence of <= 8: the batch's products take the tiled gemm, the short sentence's the few-row one.
  const std::int64_t T = 10, B = 3, d = 16, H = 4, K = 2;
  const std::int32_t lens[B] = {10, 3, 9};
  Rng r(17);
  Tensor x = random_tensor(r, {T, B, d}), rk = random_tensor(r, {2 * K + 1, d / H}), rv = random_tensor(r, {2 * K + 1, d / H});
  for (bool causal : {false, true}) {
    SCOPED_TRACE(causal ? "causal" : "bidirectional");
    Graph g(false);
    AttentionOptions o;
    o.rel_keys = g.input(rk);
    o.rel_values = g.input(rv);
    Var xb = g.input(x);
    Tensor batch = autograd::multi_head_attention(xb, xb, xb, H, AttentionMasks{Tensor::from_ids({10, 3, 9}, {B}), causal}, o)
                       .value();
    for (int threads : {1, 3}) {
      const int saved = num_threads();
      set_num_threads(threads);
      for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t n = lens[b];
        Tensor alone_x = Tensor::empty(Shape{n, 1, d});
        for (std::int64_t t = 0; t < n; ++t) std::memcpy(alone_x.f32() + t * d, x.f32() + (t * B + b) * d, d * sizeof(float));
        Graph ga(false);
        AttentionOptions oa;
        oa.rel_keys = ga.input(rk);
        oa.rel_values = ga.input(rv);
        Var xa = ga.input(alone_x);
        Tensor alone = autograd::multi_head_attention(xa, xa, xa, H, AttentionMasks{Tensor(), causal}, oa).value();
        for (std::int64_t t = 0; t < n; ++t)
          EXPECT_EQ(std::memcmp(alone.f32() + t * d, batch.f32() + (t * B + b) * d, d * sizeof(float)), 0)
              << "sentence " << b << " position " << t << " threads " << threads;
      }
      set_num_threads(saved);
    }
  }
}

// Decoding: step t (one query against the t + 1 keys so far) gives the same
// bits as row t of the causal pass over the whole sequence.
TEST(MultiHeadAttention, StepsEqualTheCausalPass) {
  const std::int64_t T = 6, B = 2, d = 8, H = 2, K = 3;
  Rng r(29);
  Tensor x = random_tensor(r, {T, B, d}), rk = random_tensor(r, {2 * K + 1, d / H}), rv = random_tensor(r, {2 * K + 1, d / H});
  Graph g(false);
  AttentionOptions o;
  o.rel_keys = g.input(rk);
  o.rel_values = g.input(rv);
  Var xv = g.input(x);
  Tensor full = autograd::multi_head_attention(xv, xv, xv, H, AttentionMasks{Tensor(), true}, o).value();
  for (std::int64_t t = 0; t < T; ++t) {
    Tensor keys = x.narrow0(0, t + 1), query = x.narrow0(t, 1);
    Var kv = g.input(keys);
    Tensor step = autograd::multi_head_attention(g.input(query), kv, kv, H, AttentionMasks{Tensor(), true}, o).value();
    EXPECT_EQ(std::memcmp(step.f32(), full.f32() + t * B * d, B * d * sizeof(float)), 0) << "step " << t;
  }
}

// Beams reading their sentence's keys through kv_rows equal beams reading gathered copies.
TEST(MultiHeadAttention, RowMapEqualsGatheredCopies) {
  const std::int64_t S = 5, M = 2, B = 4, d = 8, H = 2;
  const std::int32_t rows[B] = {1, 0, 1, 1};
  Rng r(31);
  Tensor mem = random_tensor(r, {S, M, d}), q = random_tensor(r, {1, B, d});
  Tensor gathered = Tensor::empty(Shape{S, B, d});
  for (std::int64_t s = 0; s < S; ++s)
    for (std::int64_t b = 0; b < B; ++b)
      std::memcpy(gathered.f32() + (s * B + b) * d, mem.f32() + (s * M + rows[b]) * d, d * sizeof(float));
  Graph g(false);
  AttentionOptions o;
  o.kv_rows = Tensor::from_ids({1, 0, 1, 1}, {B});
  Tensor w_map, w_copy;
  o.weights_out = &w_map;
  Var m = g.input(mem);
  Tensor mapped = autograd::multi_head_attention(g.input(q), m, m, H, AttentionMasks{Tensor::from_ids({5, 3}, {M}), false}, o)
                      .value();
  AttentionOptions oc;
  oc.weights_out = &w_copy;
  Var gv = g.input(gathered);
  Tensor copied =
      autograd::multi_head_attention(g.input(q), gv, gv, H, AttentionMasks{Tensor::from_ids({3, 5, 3, 3}, {B}), false}, oc)
          .value();
  EXPECT_TRUE(same_bits(mapped, copied));
  EXPECT_TRUE(same_bits(w_map, w_copy));
}

// q, k, v as column windows of one fused projection equal the same op on
// slices of it, values and gradients (the windows' gradients land in place).
TEST(MultiHeadAttention, ColumnWindowsEqualSlices) {
  const std::int64_t T = 5, B = 3, d = 8, H = 2;
  Rng r(41);
  Tensor x = random_tensor(r, {T, B, 3 * d}), w = random_tensor(r, {T, B, d});
  const Tensor lens = Tensor::from_ids({5, 2, 4}, {B});
  std::vector<Tensor> results[2];
  for (int windows = 0; windows < 2; ++windows) {
    Graph g;
    Var qkv = g.input(x.clone(), true);
    Var out;
    if (windows) {
      AttentionOptions o;
      o.q_cols = {0, d};
      o.k_cols = {d, d};
      o.v_cols = {2 * d, 0};  // width 0: to the end
      out = autograd::multi_head_attention(qkv, qkv, qkv, H, AttentionMasks{lens, true}, o);
    } else {
      std::vector<Var> parts = autograd::split(qkv, 2, std::vector<std::int64_t>{d, d, d});
      out = autograd::multi_head_attention(parts[0], parts[1], parts[2], H, AttentionMasks{lens, true});
    }
    g.backward(out, w);
    results[windows] = {out.value().clone(), qkv.grad().clone()};
  }
  for (int t = 0; t < 2; ++t)
    for (std::int64_t e = 0; e < results[0][t].numel(); ++e)
      ASSERT_NEAR(results[1][t].f32()[e], results[0][t].f32()[e], 1e-6) << (t ? "gradient " : "value ") << e;
  Graph g(false);
  AttentionOptions bad;
  bad.k_cols = {2 * d + 1, d};  // past the last column
  Var qkv = g.input(x);
  EXPECT_THROW(autograd::multi_head_attention(qkv, qkv, qkv, H, {}, bad), Error);
}

// Once a training step has run, repeating it takes every buffer (weights,
// per-chunk scratch, relative-table partials) from the allocator's cache.
TEST(MultiHeadAttention, SteadyStateTrainingStepAllocatesNothing) {
  const Config c{"steady", 6, 6, 3, 8, 8, 2, {6, 4, 5}, true, 2, true, true, 0.2f};
  Inputs in = make_inputs(c, 13);
  const Tensor pe = Tensor::full(Shape{c.Tq, 1, c.d}, 0.5f);
  Graph g;
  Rng rng(3);
  auto step = [&] {
    Var q = g.input(in.q, true), k = g.input(in.k, true), v = g.input(in.v, true);
    Var x = autograd::add(q, g.input(pe));  // broadcast positions [T, 1, d]
    Var out = fused(c, x, k, v, g.input(in.rk, true), g.input(in.rv, true), &rng);
    g.backward(out, Tensor::full(out.shape(), 1.0f));
    g.clear();
  };
  step();
  const std::uint64_t before = Allocator::for_device(kCPU).stats().system_allocs;
  step();
  EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, before);
}

TEST(MultiHeadAttention, RejectsInconsistentArguments) {
  Graph g;
  Rng r(1);
  Var q = g.input(random_tensor(r, {3, 2, 8}), true), k = g.input(random_tensor(r, {4, 2, 8}));
  auto mha = [&](Var qq, Var kk, int heads, AttentionMasks m = {}, AttentionOptions o = {}) {
    return autograd::multi_head_attention(qq, kk, kk, heads, m, o);
  };
  EXPECT_THROW(mha(q, k, 3), Error);                                                   // 8 not a multiple of 3
  EXPECT_THROW(mha(q, g.input(random_tensor(r, {4, 3, 8})), 2), Error);                // batch sizes differ
  EXPECT_THROW(mha(q, g.input(random_tensor(r, {4, 2, 6})), 2), Error);                // widths differ
  EXPECT_THROW(mha(q, k, 2, AttentionMasks{Tensor::from_ids({4, 0}, {2}), false}), Error);  // length 0
  EXPECT_THROW(mha(q, k, 2, AttentionMasks{Tensor::from_ids({4, 5}, {2}), false}), Error);  // length > Tk
  EXPECT_THROW(mha(k, q, 2, AttentionMasks{Tensor(), true}), Error);                   // causal with Tq > Tk
  AttentionOptions bad_table;
  bad_table.rel_keys = g.input(random_tensor(r, {4, 4}));  // even row count
  EXPECT_THROW(mha(q, k, 2, {}, bad_table), Error);
  AttentionOptions no_rng;
  no_rng.dropout = 0.1f;
  EXPECT_THROW(mha(q, k, 2, {}, no_rng), Error);
  AttentionOptions rows;
  rows.kv_rows = Tensor::from_ids({0, 1}, {2});
  EXPECT_THROW(mha(q, k, 2, {}, rows), Error);  // row maps are for inference
}

}  // namespace
}  // namespace s2s::testing
