#include <cmath>

#include "autograd/gradcheck.h"
#include "s2s/autograd/coverage_attention.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

// keys [S, B, A], query [B, A], v [A], values [B, S, D].
auto attention_inputs(std::int64_t S, std::int64_t B, std::int64_t A, std::int64_t D) {
  return [=](Rng& r) {
    return std::vector{random_tensor(r, {S, B, A}), random_tensor(r, {B, A}), random_tensor(r, {A}),
                       random_tensor(r, {B, S, D})};
  };
}

// Row b is padded after lengths[b] positions.
Tensor mask_for(std::int64_t S, std::vector<std::int64_t> lengths) {
  const auto B = static_cast<std::int64_t>(lengths.size());
  Tensor m = Tensor::zeros(Shape{B, S});
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = lengths[static_cast<std::size_t>(b)]; s < S; ++s) m.f32()[b * S + s] = 1.0f;
  return m;
}

S2S_GRAD_CASE("additive_attention context, padded rows", attention_inputs(4, 3, 5, 6),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(4, {4, 2, 1})).context; });
S2S_GRAD_CASE("additive_attention weights", attention_inputs(4, 3, 5, 6),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(4, {3, 4, 2})).weights; });
S2S_GRAD_CASE("additive_attention no mask, A=9 D=17", attention_inputs(3, 2, 9, 17),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], Tensor()).context; });
S2S_GRAD_CASE("additive_attention S=1 B=1", attention_inputs(1, 1, 4, 3),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], Tensor()).context; });
// Both outputs feed the loss: context and weights gradients meet in one backward.
S2S_GRAD_CASE("additive_attention context and weights", attention_inputs(5, 2, 3, 4),
              [](Graph&, const V& x) {
                autograd::AttentionStep a = autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(5, {5, 3}));
                return autograd::concat({a.context, a.weights}, 1);
              });

// Coverage (See et al. 2017): keys, query, v, values, then coverage [B, S]
// (sums of earlier weights: 0 .. a few) and w_c [A]; both get gradients.
auto coverage_inputs(std::int64_t S, std::int64_t B, std::int64_t A, std::int64_t D) {
  return [=](Rng& r) {
    std::vector<Tensor> in = attention_inputs(S, B, A, D)(r);
    Tensor cov = random_tensor(r, {B, S});
    for (std::int64_t k = 0; k < cov.numel(); ++k) cov.f32()[k] = std::abs(cov.f32()[k]) * 1.5f;
    in.push_back(cov);
    in.push_back(random_tensor(r, {A}));
    return in;
  };
}

S2S_GRAD_CASE("additive_attention coverage, context and weights, padded rows", coverage_inputs(5, 3, 4, 3),
              [](Graph&, const V& x) {
                autograd::AttentionStep a = autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(5, {5, 3, 1}),
                                                                         Tensor(), x[4], x[5]);
                return autograd::concat({a.context, a.weights}, 1);
              });
S2S_GRAD_CASE("additive_attention coverage, no mask, A=9", coverage_inputs(3, 2, 9, 5),
              [](Graph&, const V& x) {
                return autograd::additive_attention(x[0], x[1], x[2], x[3], Tensor(), Tensor(), x[4], x[5]).context;
              });

}  // namespace
}  // namespace s2s::testing

namespace s2s::testing {
namespace {

using autograd::AttentionMasks;
using autograd::AttentionOptions;
using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

// q [Tq, B, d], k [Tk, B, d], v [Tk, B, dvm] time-major (swapped to batch-major
// when asked), then relative key / value tables [2K + 1, d / H] and [2K + 1, dvm / H].
auto mha_inputs(std::int64_t Tq, std::int64_t Tk, std::int64_t B, std::int64_t d, std::int64_t dvm, int H,
                std::int64_t K_keys = -1, std::int64_t K_values = -1, bool time_major = true) {
  return [=](Rng& r) {
    auto seq = [&](std::int64_t T, std::int64_t w) { return time_major ? Shape{T, B, w} : Shape{B, T, w}; };
    std::vector<Tensor> in{random_tensor(r, seq(Tq, d)), random_tensor(r, seq(Tk, d)), random_tensor(r, seq(Tk, dvm))};
    if (K_keys >= 0) in.push_back(random_tensor(r, {2 * K_keys + 1, d / H}));
    if (K_values >= 0) in.push_back(random_tensor(r, {2 * K_values + 1, dvm / H}));
    return in;
  };
}

Tensor lengths(std::vector<std::int32_t> l) {
  const auto n = static_cast<std::int64_t>(l.size());
  return Tensor::from_ids(l, Shape{n});
}

S2S_GRAD_CASE("multi_head_attention self, no mask", mha_inputs(3, 3, 2, 4, 4, 2),
              [](Graph&, const V& x) { return autograd::multi_head_attention(x[0], x[1], x[2], 2); });
S2S_GRAD_CASE("multi_head_attention cross, key padding, dv != d", mha_inputs(2, 5, 3, 6, 9, 3),
              [](Graph&, const V& x) {
                return autograd::multi_head_attention(x[0], x[1], x[2], 3, AttentionMasks{lengths({5, 3, 1}), false});
              });
S2S_GRAD_CASE("multi_head_attention causal, padding, one head", mha_inputs(4, 4, 2, 5, 3, 1),
              [](Graph&, const V& x) {
                return autograd::multi_head_attention(x[0], x[1], x[2], 1, AttentionMasks{lengths({4, 2}), true});
              });
// A decoding step: one query at the last of the keys' positions.
S2S_GRAD_CASE("multi_head_attention causal step Tq=1", mha_inputs(1, 4, 2, 4, 4, 2),
              [](Graph&, const V& x) { return autograd::multi_head_attention(x[0], x[1], x[2], 2, AttentionMasks{Tensor(), true}); });
// Relative keys and values, K = 2 (clipping reached at distance 3), causal with padding.
S2S_GRAD_CASE("multi_head_attention relative keys and values", mha_inputs(5, 5, 2, 4, 6, 2, 2, 2),
              [](Graph&, const V& x) {
                AttentionOptions o;
                o.rel_keys = x[3];
                o.rel_values = x[4];
                return autograd::multi_head_attention(x[0], x[1], x[2], 2, AttentionMasks{lengths({5, 4}), true}, o);
              });
S2S_GRAD_CASE("multi_head_attention batch-major, relative keys K=1, cross", mha_inputs(3, 4, 2, 4, 4, 2, 1, -1, false),
              [](Graph&, const V& x) {
                AttentionOptions o;
                o.time_major = false;
                o.rel_keys = x[3];
                return autograd::multi_head_attention(x[0], x[1], x[2], 2, AttentionMasks{lengths({2, 4}), false}, o);
              });
S2S_GRAD_CASE("multi_head_attention relative values only, K=0", mha_inputs(3, 3, 1, 2, 2, 1, -1, 0),
              [](Graph&, const V& x) {
                AttentionOptions o;
                o.rel_values = x[3];
                return autograd::multi_head_attention(x[0], x[1], x[2], 1, {}, o);
              });
// Dropout: the same rng seed on every evaluation gives the same mask.
S2S_GRAD_CASE("multi_head_attention dropout 0.3", mha_inputs(4, 4, 2, 4, 4, 2, 1, 1),
              [](Graph&, const V& x) {
                Rng rng(77);
                AttentionOptions o;
                o.dropout = 0.3f;
                o.rng = &rng;
                o.rel_keys = x[3];
                o.rel_values = x[4];
                return autograd::multi_head_attention(x[0], x[1], x[2], 2, AttentionMasks{lengths({4, 3}), true}, o);
              });
// Self-attention on one Var: q, k and v gradients meet in one buffer.
S2S_GRAD_CASE("multi_head_attention q = k = v", [](Rng& r) { return std::vector{random_tensor(r, {3, 2, 4})}; },
              [](Graph&, const V& x) {
                return autograd::multi_head_attention(x[0], x[0], x[0], 2, AttentionMasks{lengths({3, 2}), true});
              });

}  // namespace
}  // namespace s2s::testing

namespace s2s::testing {
namespace {

using autograd::AttentionMasks;
using autograd::AttentionOptions;
using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

// Column windows: self-attention on one fused projection [T, B, 3d]; then
// cross-attention with q a middle window and k, v windows of one [S, B, 2d + 2].
S2S_GRAD_CASE("multi_head_attention fused qkv windows, causal, relative keys",
              [](Rng& r) { return std::vector{random_tensor(r, {4, 2, 12}), random_tensor(r, {5, 2})}; },
              [](Graph&, const V& x) {
                AttentionOptions o;
                o.q_cols = {0, 4};
                o.k_cols = {4, 4};
                o.v_cols = {8, 4};
                o.rel_keys = x[1];
                return autograd::multi_head_attention(x[0], x[0], x[0], 2,
                                                      AttentionMasks{Tensor::from_ids({4, 3}, {2}), true}, o);
              });
S2S_GRAD_CASE("multi_head_attention q and kv windows, batch-major",
              [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 7}), random_tensor(r, {2, 4, 10})}; },
              [](Graph&, const V& x) {
                AttentionOptions o;
                o.time_major = false;
                o.q_cols = {1, 4};
                o.k_cols = {0, 4};
                o.v_cols = {4, 6};
                return autograd::multi_head_attention(x[0], x[1], x[1], 2,
                                                      AttentionMasks{Tensor::from_ids({4, 2}, {2}), false}, o);
              });

}  // namespace
}  // namespace s2s::testing
