// Forward values of the elementwise ops on hand-computed examples, broadcast
// gradients on a case small enough to add up by hand, and shape errors.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"

namespace s2s::autograd {
namespace {

using Vec = std::vector<float>;

Tensor a23() { return Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}); }

Vec run(Var (*op)(Var, Var), const Tensor& b) {
  Graph g(false);
  return op(g.input(a23()), g.input(b)).value().to_vector();
}

TEST(ElementwiseOps, BinaryEachBroadcastLayout) {
  EXPECT_EQ(run(add, Tensor::from_vector({10, 20, 30, 40, 50, 60}, {2, 3})), (Vec{11, 22, 33, 44, 55, 66}));
  EXPECT_EQ(run(add, Tensor::from_vector({10, 20, 30}, {3})), (Vec{11, 22, 33, 14, 25, 36}));
  EXPECT_EQ(run(sub, Tensor::from_vector({1, 2, 3}, {1, 3})), (Vec{0, 0, 0, 3, 3, 3}));
  EXPECT_EQ(run(mul, Tensor::from_vector({2, -1}, {2, 1})), (Vec{2, 4, 6, -4, -5, -6}));
  EXPECT_EQ(run(div, Tensor::from_vector({2}, {1})), (Vec{0.5f, 1, 1.5f, 2, 2.5f, 3}));
  EXPECT_EQ(run(div, Tensor::from_vector({1, 2, 4}, {3})), (Vec{1, 1, 0.75f, 4, 2.5f, 1.5f}));
}

TEST(ElementwiseOps, BinaryKeepsTheFirstOperandsShape) {
  Graph g(false);
  Var x = g.input(Tensor::zeros({2, 3, 4}));
  EXPECT_EQ(add(x, g.input(Tensor::zeros({4}))).shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(mul(x, g.input(Tensor::zeros({2, 3, 1}))).shape(), (Shape{2, 3, 4}));
  EXPECT_EQ(mul(x, g.input(Tensor::zeros({6, 1}))).shape(), (Shape{2, 3, 4}));
}

TEST(ElementwiseOps, RejectsShapesThatDoNotBroadcast) {
  Graph g;
  Var a = g.input(a23(), true);
  EXPECT_THROW(add(a, g.input(Tensor::zeros({2}))), Error);
  EXPECT_THROW(sub(a, g.input(Tensor::zeros({3, 2}))), Error);
  EXPECT_THROW(mul(a, g.input(Tensor::zeros({3, 1}))), Error);
  EXPECT_THROW(div(a, g.input(Tensor::zeros({4, 2, 2}))), Error);  // 2 against 3 in the last dim
}

// NumPy's rule: shapes aligned at the right, each pair equal or 1; either
// operand may repeat, and the result takes the larger of each pair.
TEST(ElementwiseOps, BroadcastsByNumPysRule) {
  Graph g(false);
  Var col = g.input(Tensor::from_vector({1, 2}, {2, 1, 1}));      // [2, 1, 1]
  Var row = g.input(Tensor::from_vector({10, 20, 30}, {1, 3}));   // [1, 3]
  Var y = add(col, row);
  EXPECT_EQ(y.shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(y.value().to_vector(), (Vec{11, 21, 31, 12, 22, 32}));
  // a [3] repeats over b's leading dims.
  Var z = sub(g.input(Tensor::from_vector({1, 2, 3}, {3})), g.input(a23()));
  EXPECT_EQ(z.shape(), (Shape{2, 3}));
  EXPECT_EQ(z.value().to_vector(), (Vec{0, 0, 0, -3, -3, -3}));
  // Positions [T, 1, d] added to every batch row of [T, B, d].
  Var x = g.input(Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}));
  Var pe = g.input(Tensor::from_vector({100, 200, 300, 400}, {2, 1, 2}));
  EXPECT_EQ(mul(x, pe).value().to_vector(), (Vec{100, 400, 300, 800, 1500, 2400, 2100, 3200}));
  Var m = div(g.input(a23()), g.input(Tensor::from_vector({1, 2}, {2, 1, 1})));
  EXPECT_EQ(m.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(m.value().to_vector(), (Vec{1, 2, 3, 4, 5, 6, 0.5f, 1, 1.5f, 2, 2.5f, 3}));
}

// Both operands repeat: each gradient sums over the dims its operand repeats.
TEST(ElementwiseOps, NumPyBroadcastGradientsSumOverRepeatedDims) {
  Graph g;
  Var a = g.input(Tensor::from_vector({1, 2}, {2, 1}), true);       // repeats along columns
  Var b = g.input(Tensor::from_vector({3, 4, 5}, {1, 1, 3}), true);  // repeats along rows
  Var y = mul(a, b);                                                  // [1, 2, 3]
  ASSERT_EQ(y.shape(), (Shape{1, 2, 3}));
  g.backward(y, Tensor::from_vector({1, 1, 1, 1, 2, 3}, {1, 2, 3}));
  EXPECT_EQ(a.grad().to_vector(), (Vec{3 + 4 + 5, 3 + 8 + 15}));      // sum_j dy b
  EXPECT_EQ(b.grad().to_vector(), (Vec{1 + 2, 1 + 4, 1 + 6}));        // sum_i dy a
}

TEST(ElementwiseOps, BroadcastGradientsAreSummed) {
  Graph g;
  Var a = g.input(a23(), true);
  Var row = g.input(Tensor::from_vector({1, 2, 3}, {3}), true);
  Var col = g.input(Tensor::from_vector({2, 4}, {2, 1}), true);
  Var s = g.input(Tensor::from_vector({2}, {1}), true);
  // y = ((a * row) - col) / s
  Var y = div(sub(mul(a, row), col), s);
  g.backward(y, Tensor::full({2, 3}, 1.0f));
  EXPECT_EQ(a.grad().to_vector(), (Vec{0.5f, 1, 1.5f, 0.5f, 1, 1.5f}));           // row / s
  EXPECT_EQ(row.grad().to_vector(), (Vec{2.5f, 3.5f, 4.5f}));                      // sum_rows(a) / s
  EXPECT_EQ(col.grad().to_vector(), (Vec{-1.5f, -1.5f}));                          // -3 / s
  // -sum((a*row - col)) / s^2 = -((1+4+9-6) + (4+10+18-12)) / 4 = -7
  EXPECT_EQ(s.grad().to_vector(), (Vec{-7}));
}

TEST(ElementwiseOps, ScaleAndAddScalar) {
  Graph g;
  Var a = g.input(a23(), true);
  Var y = add_scalar(scale(a, -2.0f), 0.5f);
  EXPECT_EQ(y.value().to_vector(), (Vec{-1.5f, -3.5f, -5.5f, -7.5f, -9.5f, -11.5f}));
  g.backward(y, Tensor::from_vector({1, 1, 1, 2, 2, 2}, {2, 3}));
  EXPECT_EQ(a.grad().to_vector(), (Vec{-2, -2, -2, -4, -4, -4}));
}

TEST(ElementwiseOps, Activations) {
  Graph g(false);
  Tensor x = Tensor::from_vector({-2.0f, -0.5f, 0.0f, 0.25f, 3.0f}, {5});
  Var v = g.input(x);
  Vec t = tanh(v).value().to_vector(), s = sigmoid(v).value().to_vector(), e = exp(v).value().to_vector();
  for (int k = 0; k < 5; ++k) {
    double xv = x.f32()[k];
    EXPECT_NEAR(t[k], std::tanh(xv), 1e-6 * std::abs(std::tanh(xv)));
    EXPECT_NEAR(s[k], 1.0 / (1.0 + std::exp(-xv)), 1e-6);
    EXPECT_NEAR(e[k], std::exp(xv), 1e-6 * std::exp(xv));
  }
  EXPECT_EQ(relu(v).value().to_vector(), (Vec{0, 0, 0, 0.25f, 3}));
  Vec l = log(g.input(Tensor::from_vector({1.0f, 2.0f, 0.5f}, {3}))).value().to_vector();
  EXPECT_FLOAT_EQ(l[0], 0.0f);
  EXPECT_FLOAT_EQ(l[1], std::log(2.0f));
  EXPECT_FLOAT_EQ(l[2], std::log(0.5f));
}

TEST(ElementwiseOps, ActivationsSaturateWithoutNaN) {
  Graph g;
  constexpr float inf = std::numeric_limits<float>::infinity();
  Var x = g.input(Tensor::from_vector({-100.0f, -50.0f, 50.0f, 100.0f, -inf, inf}, {6}), true);
  EXPECT_EQ(tanh(x).value().to_vector(), (Vec{-1, -1, 1, 1, -1, 1}));
  Vec s = sigmoid(x).value().to_vector();
  EXPECT_LT(s[0], 1e-40f);
  EXPECT_EQ(s[3], 1.0f);
  EXPECT_EQ(s[4], 0.0f);
  EXPECT_EQ(s[5], 1.0f);
  Vec e = exp(x).value().to_vector();
  EXPECT_EQ(e[3], inf);
  EXPECT_EQ(e[4], 0.0f);
  // Saturated activations pass zero gradient, not NaN.
  Var y = tanh(x);
  g.backward(y, Tensor::full({6}, 1.0f));
  for (float v : x.grad().to_vector()) EXPECT_EQ(v, 0.0f);
  Vec lz = log(g.input(Tensor::from_vector({0.0f}, {1}))).value().to_vector();
  EXPECT_EQ(lz[0], -inf);
}

// A second identical step reuses cached storage: group A ops allocate
// nothing beyond their outputs and gradients.
TEST(ElementwiseOps, SteadyStateStepNeedsNoSystemAllocations) {
  Graph g;
  Tensor xa = Tensor::full({37, 70}, 0.5f), xb = Tensor::full({70}, 0.25f);
  auto step = [&] {
    Var a = g.input(xa, true), b = g.input(xb, true);
    Var h = tanh(add(a, b));
    Var parts = concat({slice(h, 1, 0, 33), sigmoid(slice(h, 1, 33, 37))}, 1);
    Var p = log_softmax(transpose(reshape(mul(parts, b), {37, 70, 1}), 0, 1));  // [70, 37, 1]
    Var q = mean(exp(reshape(p, {70, 37})), 1, true);                            // [70, 1]
    g.backward(sum_all(div(q, reshape(add_scalar(scale(relu(b), 2.0f), 1.0f), {70, 1}))));
    g.clear();
  };
  step();
  std::uint64_t before = Allocator::for_device(kCPU).stats().system_allocs;
  step();
  EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, before);
}

TEST(ElementwiseOps, NoGradGraphRecordsNoBackward) {
  Graph g(false);
  Var a = g.input(a23(), true);
  Var y = tanh(add(a, a));
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.node()->op, nullptr);
}

}  // namespace
}  // namespace s2s::autograd
