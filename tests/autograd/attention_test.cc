// The fused additive attention step against the primitive-op composition it
// replaces (nn::BahdanauAttention's original formulation), plus the
// properties decoding relies on: a row's result does not depend on the other
// rows or on the thread count.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/coverage_attention.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;

constexpr std::int64_t S = 7, B = 5, A = 12, D = 10;

struct Inputs {
  Tensor keys, query, v, values, mask;
  Tensor coverage, coverage_w;  // [B, S] (sums of earlier weights), [A]
};

Inputs make_inputs(std::uint64_t seed) {
  Rng r(seed);
  Inputs in{random_tensor(r, {S, B, A}), random_tensor(r, {B, A}), random_tensor(r, {A}), random_tensor(r, {B, S, D}),
            Tensor::zeros(Shape{B, S}), random_tensor(r, {B, S}), random_tensor(r, {A})};
  for (std::int64_t k = 0; k < in.coverage.numel(); ++k) in.coverage.f32()[k] = 2.0f * std::abs(in.coverage.f32()[k]);
  const std::int64_t lengths[B] = {7, 3, 1, 6, 7};
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = lengths[b]; s < S; ++s) in.mask.f32()[b * S + s] = 1.0f;
  return in;
}

// With coverage (x[4] [B, S], x[5] w_c [A]): keys + coverage^T w_c, broadcast over [S, B, A].
autograd::AttentionStep composed(const std::vector<Var>& x, const Tensor& mask) {
  Var keys = x[0];
  if (x.size() == 6)
    keys = autograd::add(keys, autograd::mul(autograd::reshape(autograd::transpose(x[4], 0, 1), Shape{S, B, 1}),
                                             autograd::reshape(x[5], Shape{1, 1, A})));
  Var hidden = autograd::tanh(autograd::add(autograd::reshape(keys, Shape{S, B * A}), autograd::reshape(x[1], Shape{B * A})));
  Var scores = autograd::matmul(autograd::reshape(hidden, Shape{S * B, A}), autograd::reshape(x[2], Shape{A, 1}));
  scores = autograd::transpose(autograd::reshape(scores, Shape{S, B}), 0, 1);
  Var weights = autograd::softmax(autograd::masked_fill(scores, mask, -1e30f));
  Var context = autograd::reshape(autograd::bmm(autograd::reshape(weights, Shape{B, 1, S}), x[3]), Shape{B, D});
  return {context, weights};
}

// Values of context and weights, then the gradients of keys, query, v, values
// (and coverage, w_c), for the loss sum(c * wc) + sum(weights * ww) with fixed random wc, ww.
std::vector<Tensor> run(const Inputs& in, bool fused, bool coverage = false) {
  Graph g;
  std::vector<Var> x;
  for (const Tensor* t : {&in.keys, &in.query, &in.v, &in.values}) x.push_back(g.input(t->clone(), true));
  if (coverage)
    for (const Tensor* t : {&in.coverage, &in.coverage_w}) x.push_back(g.input(t->clone(), true));
  autograd::AttentionStep a =
      !fused     ? composed(x, in.mask)
      : coverage ? autograd::additive_attention(x[0], x[1], x[2], x[3], in.mask, Tensor(), x[4], x[5])
                 : autograd::additive_attention(x[0], x[1], x[2], x[3], in.mask);
  Rng r(7);
  Var loss = autograd::add(autograd::sum_all(autograd::mul(a.context, g.input(random_tensor(r, {B, D})))),
                           autograd::sum_all(autograd::mul(a.weights, g.input(random_tensor(r, {B, S})))));
  std::vector<Tensor> out{a.context.value().clone(), a.weights.value().clone()};
  g.backward(loss);
  for (const Var& v : x) out.push_back(v.grad().clone());
  return out;
}

TEST(AdditiveAttention, MatchesTheComposition) {
  Inputs in = make_inputs(3);
  std::vector<Tensor> f = run(in, true), c = run(in, false);
  const char* names[] = {"context", "weights", "d keys", "d query", "d v", "d values"};
  for (std::size_t k = 0; k < f.size(); ++k) {
    ASSERT_EQ(f[k].shape(), c[k].shape()) << names[k];
    for (std::int64_t e = 0; e < f[k].numel(); ++e)
      ASSERT_NEAR(f[k].f32()[e], c[k].f32()[e], 1e-5 + 1e-5 * std::abs(c[k].f32()[e])) << names[k] << " element " << e;
  }
  // Padding gets exactly zero weight, and no gradient reaches its keys.
  EXPECT_EQ(f[1].f32()[2 * S + 1], 0.0f);
  for (std::int64_t a = 0; a < A; ++a) EXPECT_EQ(f[2].f32()[(4 * B + 2) * A + a], 0.0f);
}

TEST(AdditiveAttention, CoverageMatchesTheComposition) {
  Inputs in = make_inputs(13);
  std::vector<Tensor> f = run(in, true, true), c = run(in, false, true);
  const char* names[] = {"context", "weights", "d keys", "d query", "d v", "d values", "d coverage", "d w_c"};
  ASSERT_EQ(f.size(), 8u);
  for (std::size_t k = 0; k < f.size(); ++k) {
    ASSERT_EQ(f[k].shape(), c[k].shape()) << names[k];
    for (std::int64_t e = 0; e < f[k].numel(); ++e)
      ASSERT_NEAR(f[k].f32()[e], c[k].f32()[e], 1e-5 + 1e-5 * std::abs(c[k].f32()[e])) << names[k] << " element " << e;
  }
  // Coverage changes the weights, and padded positions get no coverage gradient.
  std::vector<Tensor> plain = run(in, true);
  EXPECT_GT(std::abs(plain[1].f32()[3] - f[1].f32()[3]), 1e-4f);
  EXPECT_EQ(f[6].f32()[2 * S + 1], 0.0f);
}

// At the first step the coverage is zero: the result is the plain one (to
// rounding: the two loops may be vectorised with their sums in another order).
TEST(AdditiveAttention, ZeroCoverageGivesThePlainResult) {
  Inputs in = make_inputs(14);
  Graph g(false);
  autograd::AttentionStep plain = autograd::additive_attention(g.input(in.keys), g.input(in.query), g.input(in.v),
                                                               g.input(in.values), in.mask);
  autograd::AttentionStep covered =
      autograd::additive_attention(g.input(in.keys), g.input(in.query), g.input(in.v), g.input(in.values), in.mask,
                                   Tensor(), g.input(Tensor::zeros(Shape{B, S})), g.input(in.coverage_w));
  for (auto [a, b] : {std::pair{plain.context, covered.context}, std::pair{plain.weights, covered.weights}})
    for (std::int64_t e = 0; e < a.value().numel(); ++e) ASSERT_NEAR(a.value().f32()[e], b.value().f32()[e], 1e-6f) << e;
}

TEST(AdditiveAttention, FullyMaskedRowGetsUniformWeights) {
  Inputs in = make_inputs(4);
  for (std::int64_t s = 0; s < S; ++s) in.mask.f32()[1 * S + s] = 1.0f;
  Graph g(false);
  autograd::AttentionStep a = autograd::additive_attention(g.input(in.keys), g.input(in.query), g.input(in.v),
                                                           g.input(in.values), in.mask);
  for (std::int64_t s = 0; s < S; ++s) EXPECT_FLOAT_EQ(a.weights.value().f32()[S + s], 1.0f / S);
}

// Row b alone (B = 1) gives bit-for-bit the batched row, at 1 and 2 threads.
TEST(AdditiveAttention, RowsDependNeitherOnTheBatchNorOnThreads) {
  Inputs in = make_inputs(5);
  Graph g(false);
  set_num_threads(1);
  Tensor batched = autograd::additive_attention(g.input(in.keys), g.input(in.query), g.input(in.v), g.input(in.values),
                                                in.mask).context.value().clone();
  set_num_threads(2);
  Tensor two = autograd::additive_attention(g.input(in.keys), g.input(in.query), g.input(in.v), g.input(in.values),
                                            in.mask).context.value().clone();
  set_num_threads(1);
  for (std::int64_t e = 0; e < batched.numel(); ++e) ASSERT_EQ(batched.f32()[e], two.f32()[e]);
  const std::int64_t b = 3;
  Tensor keys = Tensor::empty(Shape{S, 1, A});
  for (std::int64_t s = 0; s < S; ++s)
    for (std::int64_t a = 0; a < A; ++a) keys.f32()[s * A + a] = in.keys.f32()[(s * B + b) * A + a];
  Tensor ctx = autograd::additive_attention(g.input(keys), g.input(in.query.narrow0(b, 1)), g.input(in.v),
                                            g.input(in.values.narrow0(b, 1)), in.mask.narrow0(b, 1))
                   .context.value();
  for (std::int64_t j = 0; j < D; ++j) ASSERT_EQ(ctx.f32()[j], batched.f32()[b * D + j]);
}

// Beam search's layout: 12 query rows reading 5 sentences' memory through a
// row map give the bits of the same rows over gathered copies of the memory.
TEST(AdditiveAttention, RowMapEqualsGatheredMemory) {
  Inputs in = make_inputs(31);
  const std::vector<std::int32_t> map = {0, 0, 0, 1, 1, 2, 4, 4, 4, 4, 3, 0};
  const auto rows = static_cast<std::int64_t>(map.size());
  Rng r(32);
  Tensor query = random_tensor(r, {rows, A});
  Tensor keys = Tensor::empty({S, rows, A}), values = Tensor::empty({rows, S, D}), mask = Tensor::empty({rows, S});
  for (std::int64_t b = 0; b < rows; ++b) {
    const std::int64_t m = map[static_cast<std::size_t>(b)];
    for (std::int64_t s = 0; s < S; ++s) {
      std::copy_n(in.keys.f32() + (s * B + m) * A, A, keys.f32() + (s * rows + b) * A);
      std::copy_n(in.values.f32() + (m * S + s) * D, D, values.f32() + (b * S + s) * D);
      mask.f32()[b * S + s] = in.mask.f32()[m * S + s];
    }
  }
  Graph g(false);
  autograd::AttentionStep gathered =
      autograd::additive_attention(g.input(keys), g.input(query), g.input(in.v), g.input(values), mask);
  autograd::AttentionStep mapped = autograd::additive_attention(g.input(in.keys), g.input(query), g.input(in.v),
                                                                g.input(in.values), in.mask, Tensor::from_ids(map, {rows}));
  for (auto [a, b] : {std::pair{gathered.context, mapped.context}, std::pair{gathered.weights, mapped.weights}})
    for (std::int64_t e = 0; e < a.value().numel(); ++e) ASSERT_EQ(a.value().f32()[e], b.value().f32()[e]) << e;
  Graph train;
  EXPECT_THROW(autograd::additive_attention(train.input(in.keys), train.input(query), train.input(in.v),
                                            train.input(in.values), in.mask, Tensor::from_ids(map, {rows})),
               std::exception);
  EXPECT_THROW(autograd::additive_attention(g.input(in.keys), g.input(query), g.input(in.v), g.input(in.values), in.mask,
                                            Tensor::from_ids(std::vector<std::int32_t>(12, 5), {rows})),
               std::exception);
}

}  // namespace
}  // namespace s2s::testing
