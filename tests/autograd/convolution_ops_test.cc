// The convolution ops against what they replace: unfold_time + linear is a
// convolution over time (a plain loop), and unfold_time, glu and weight_norm
// give the values and gradients of their compositions of primitive ops
// (zero padding + slices + concat; slices + sigmoid + mul; mul + sum + exp/log
// for the square root + div).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "support/random.h"

namespace s2s::autograd {
namespace {

using Build = std::function<Var(Graph&, const std::vector<Var>&)>;

// Values and input gradients (of sum(w * out), w fixed) of `f` on `inputs`.
struct Result {
  Tensor value;
  std::vector<Tensor> grads;
};
Result run(const Build& f, const std::vector<Tensor>& inputs) {
  Graph g;
  std::vector<Var> leaves;
  for (const Tensor& t : inputs) leaves.push_back(g.input(t.clone(), true));
  Var out = f(g, leaves);
  Rng rng(99);
  Tensor w = testing::random_tensor(rng, out.shape());
  g.backward(sum_all(mul(out, g.input(w))));
  Result r{out.value().clone(), {}};
  for (const Var& l : leaves) r.grads.push_back(l.grad().clone());
  return r;
}

void expect_near(const Tensor& a, const Tensor& b, float tol, const char* what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  for (std::int64_t k = 0; k < a.numel(); ++k) ASSERT_NEAR(a.f32()[k], b.f32()[k], tol) << what << " element " << k;
}

void expect_same(const Build& op, const Build& composition, const std::vector<Tensor>& inputs, float tol) {
  Result a = run(op, inputs), b = run(composition, inputs);
  expect_near(a.value, b.value, tol, "value");
  for (std::size_t k = 0; k < inputs.size(); ++k) expect_near(a.grads[k], b.grads[k], tol, "gradient");
}

// unfold_time as slices of x padded with zeros, joined along the last axis.
Var unfold_composed(Graph& g, Var x, std::int64_t kernel, std::int64_t pad_left, std::int64_t steps) {
  const std::int64_t t_in = x.dim(0), batch = x.dim(1), c = x.dim(2);
  const std::int64_t pad_right = std::max<std::int64_t>(0, steps + kernel - 1 - pad_left - t_in);
  std::vector<Var> parts;
  if (pad_left > 0) parts.push_back(g.input(Tensor::zeros(Shape{pad_left, batch, c})));
  parts.push_back(x);
  if (pad_right > 0) parts.push_back(g.input(Tensor::zeros(Shape{pad_right, batch, c})));
  Var padded = concat(std::span<const Var>(parts), 0);
  std::vector<Var> windows;
  for (std::int64_t j = 0; j < kernel; ++j) windows.push_back(slice(padded, 0, j, steps));
  return concat(std::span<const Var>(windows), 2);
}

TEST(ConvolutionOps, UnfoldTimeEqualsPaddedSlices) {
  Rng rng(1);
  struct Case {
    std::int64_t t, b, c, kernel, pad_left, steps;
  };
  for (const Case& k : {Case{6, 3, 4, 3, 1, 6}, Case{5, 2, 3, 3, 2, 5}, Case{4, 1, 5, 4, 0, 1}, Case{2, 2, 3, 5, 2, 2},
                        Case{7, 2, 2, 1, 0, 7}}) {
    SCOPED_TRACE(k.kernel);
    expect_same([&](Graph&, const std::vector<Var>& x) { return unfold_time(x[0], k.kernel, k.pad_left, k.steps); },
                [&](Graph& g, const std::vector<Var>& x) { return unfold_composed(g, x[0], k.kernel, k.pad_left, k.steps); },
                {testing::random_tensor(rng, {k.t, k.b, k.c})}, 1e-6f);
  }
}

// A convolution written as loops: y[t, b, o] = bias[o] + sum_{j, c} w[o, j C + c] x[t + j - pad_left, b, c].
TEST(ConvolutionOps, UnfoldThenLinearIsAConvolution) {
  Rng rng(2);
  const std::int64_t T = 7, B = 2, C = 3, O = 4, K = 3;
  Tensor x = testing::random_tensor(rng, {T, B, C}), w = testing::random_tensor(rng, {O, K * C}),
         bias = testing::random_tensor(rng, {O});
  for (std::int64_t pad_left : {std::int64_t{1}, K - 1}) {
    Graph g(false);
    Tensor y = linear(unfold_time(g.input(x), K, pad_left, T), g.input(w), g.input(bias)).value();
    for (std::int64_t t = 0; t < T; ++t)
      for (std::int64_t b = 0; b < B; ++b)
        for (std::int64_t o = 0; o < O; ++o) {
          double want = bias.f32()[o];
          for (std::int64_t j = 0; j < K; ++j) {
            const std::int64_t s = t + j - pad_left;
            if (s < 0 || s >= T) continue;
            for (std::int64_t c = 0; c < C; ++c) want += w.f32()[o * K * C + j * C + c] * x.f32()[(s * B + b) * C + c];
          }
          EXPECT_NEAR(y.f32()[(t * B + b) * O + o], want, 1e-5) << "t " << t << " pad_left " << pad_left;
        }
  }
}

TEST(ConvolutionOps, GluEqualsSliceSigmoidMul) {
  Rng rng(3);
  expect_same([](Graph&, const std::vector<Var>& x) { return glu(x[0]); },
              [](Graph&, const std::vector<Var>& x) {
                const std::int64_t c = x[0].dim(-1) / 2;
                return mul(slice(x[0], -1, 0, c), sigmoid(slice(x[0], -1, c, c)));
              },
              {testing::random_tensor(rng, {4, 3, 14}, -4.0f, 4.0f)}, 1e-6f);
}

TEST(ConvolutionOps, WeightNormEqualsItsComposition) {
  Rng rng(4);
  expect_same([](Graph&, const std::vector<Var>& x) { return weight_norm(x[0], x[1]); },
              [](Graph&, const std::vector<Var>& x) {
                Var norm = exp(scale(log(sum(mul(x[0], x[0]), 1, true)), 0.5f));  // [out, 1]
                return mul(x[0], div(reshape(x[1], Shape{x[1].dim(0), 1}), norm));
              },
              {testing::random_tensor(rng, {5, 9}), testing::random_tensor(rng, {5})}, 1e-5f);
  // The norm is g: a fresh weight_norm (g = ||v||) gives back v.
  Graph g(false);
  Tensor v = testing::random_tensor(rng, {3, 4}), gain = Tensor::empty(Shape{3});
  for (std::int64_t o = 0; o < 3; ++o) {
    double sq = 0;
    for (std::int64_t k = 0; k < 4; ++k) sq += v.f32()[o * 4 + k] * v.f32()[o * 4 + k];
    gain.f32()[o] = static_cast<float>(std::sqrt(sq));
  }
  expect_near(weight_norm(g.input(v), g.input(gain)).value(), v, 1e-6f, "g = ||v||");
}

}  // namespace
}  // namespace s2s::autograd
