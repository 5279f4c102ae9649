// Forward values of softmax, log_softmax, sum, mean and sum_all on
// hand-computed examples, including logits far outside exp's range.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"

namespace s2s::autograd {
namespace {

using Vec = std::vector<float>;

TEST(SoftmaxOps, MatchesHandComputedRows) {
  Graph g(false);
  Var x = g.input(Tensor::from_vector({0, 0, 0, 0, 1, 2}, {2, 3}));
  Vec p = softmax(x).value().to_vector();
  Vec lp = log_softmax(x).value().to_vector();
  double z = 1 + std::exp(1.0) + std::exp(2.0);
  Vec want{1.0f / 3, 1.0f / 3, 1.0f / 3, float(1 / z), float(std::exp(1.0) / z), float(std::exp(2.0) / z)};
  for (int k = 0; k < 6; ++k) {
    EXPECT_NEAR(p[k], want[k], 1e-6);
    EXPECT_NEAR(lp[k], std::log(want[k]), 1e-6);
  }
}

TEST(SoftmaxOps, LargeLogitsStayFinite) {
  Graph g(false);
  Var x = g.input(Tensor::from_vector({1000, 1000, -1000, 90, 89, -1e30f}, {2, 3}));
  Vec p = softmax(x).value().to_vector();
  Vec lp = log_softmax(x).value().to_vector();
  EXPECT_FLOAT_EQ(p[0], 0.5f);
  EXPECT_FLOAT_EQ(p[1], 0.5f);
  EXPECT_EQ(p[2], 0.0f);
  EXPECT_NEAR(p[3], 1 / (1 + std::exp(-1.0)), 1e-6);
  EXPECT_FLOAT_EQ(lp[0], -std::log(2.0f));
  EXPECT_NEAR(lp[2], -2000 - std::log(2.0), 1e-3);
  EXPECT_NEAR(lp[4], -1 - std::log(1 + std::exp(-1.0)), 1e-6);
  EXPECT_FLOAT_EQ(lp[5], -1e30f);
}

TEST(SoftmaxOps, RowsSumToOneOnWideRows) {
  Graph g(false);
  Tensor t = Tensor::empty({3, 1001});
  for (std::int64_t k = 0; k < t.numel(); ++k) t.f32()[k] = std::sin(0.37f * static_cast<float>(k)) * 8.0f;
  Vec p = softmax(g.input(t)).value().to_vector();
  for (int r = 0; r < 3; ++r) {
    double s = 0;
    for (int j = 0; j < 1001; ++j) s += p[r * 1001 + j];
    EXPECT_NEAR(s, 1.0, 1e-5);
  }
}

TEST(ReduceOps, SumAndMeanOverEachAxis) {
  Graph g(false);
  Var x = g.input(Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {2, 3, 2}));
  Var s0 = sum(x, 0), s1 = sum(x, 1, true), s2 = sum(x, -1), m1 = mean(x, 1);
  EXPECT_EQ(s0.shape(), (Shape{3, 2}));
  EXPECT_EQ(s0.value().to_vector(), (Vec{8, 10, 12, 14, 16, 18}));
  EXPECT_EQ(s1.shape(), (Shape{2, 1, 2}));
  EXPECT_EQ(s1.value().to_vector(), (Vec{9, 12, 27, 30}));
  EXPECT_EQ(s2.shape(), (Shape{2, 3}));
  EXPECT_EQ(s2.value().to_vector(), (Vec{3, 7, 11, 15, 19, 23}));
  EXPECT_EQ(m1.shape(), (Shape{2, 2}));
  EXPECT_EQ(m1.value().to_vector(), (Vec{3, 4, 9, 10}));
  Var v = g.input(Tensor::from_vector({1, 2, 3, 4}, {4}));
  EXPECT_EQ(sum(v, 0).shape(), (Shape{1}));
  EXPECT_EQ(mean(v, 0).value().to_vector(), (Vec{2.5f}));
  EXPECT_EQ(sum_all(x).shape(), (Shape{1}));
  EXPECT_EQ(sum_all(x).value().to_vector(), (Vec{78}));
  EXPECT_THROW(sum(x, 3), Error);
}

TEST(ReduceOps, WideAxesMatchDoubleSums) {
  // Columns > 64 and rows in the thousands exercise the blocked and parallel paths.
  Graph g(false);
  Tensor t = Tensor::empty({3, 700, 131});
  for (std::int64_t k = 0; k < t.numel(); ++k) t.f32()[k] = std::cos(0.01f * static_cast<float>(k));
  Var x = g.input(t);
  for (int axis = 0; axis < 3; ++axis) {
    SCOPED_TRACE(axis);
    Vec got = sum(x, axis).value().to_vector();
    std::int64_t outer = t.shape().outer(axis), d = t.dim(axis), inner = t.shape().inner(axis);
    for (std::int64_t o = 0; o < outer; ++o)
      for (std::int64_t i = 0; i < inner; ++i) {
        double want = 0;
        for (std::int64_t k = 0; k < d; ++k) want += t.f32()[(o * d + k) * inner + i];
        ASSERT_NEAR(got[o * inner + i], want, 1e-5 * d);
      }
  }
  double total = 0;
  for (float v : t.span()) total += v;
  EXPECT_NEAR(sum_all(x).value().f32()[0], total, 1e-2);
}

}  // namespace
}  // namespace s2s::autograd
