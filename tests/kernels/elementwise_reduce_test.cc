// Elementwise / reduction / softmax kernels on sizes large enough to run in
// parallel: results must match a naive reference and be bitwise identical
// whatever the thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "s2s/core/parallel.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/kernels/reduce.h"
#include "s2s/kernels/shape.h"
#include "s2s/kernels/softmax.h"
#include "support/random.h"

namespace s2s::kernels {
namespace {

// Runs fn with 1 and with 4 threads and returns both results.
std::pair<std::vector<float>, std::vector<float>> with_threads(const std::function<Tensor()>& fn) {
  int saved = num_threads();
  set_num_threads(1);
  std::vector<float> one = fn().to_vector();
  set_num_threads(4);
  std::vector<float> four = fn().to_vector();
  set_num_threads(saved);
  return {one, four};
}

TEST(KernelsDeterminism, BroadcastGradientsIndependentOfThreads) {
  Rng rng(5);
  Tensor g = testing::random_tensor(rng, {1003, 517});
  Tensor a = testing::random_tensor(rng, {1003, 517});
  for (Shape bs : {Shape{517}, Shape{1003, 1}, Shape{1}}) {
    SCOPED_TRACE(bs.str());
    Tensor b = testing::random_away_from_zero(rng, bs, 0.5f, 1.5f);
    auto [one, four] = with_threads([&] {
      Tensor gb = Tensor::zeros(bs);
      binary_backward_b(BinaryOp::Div, g, a, b, gb);
      return gb;
    });
    EXPECT_EQ(one, four);
    // Reference in double: d(a/b)/db = -a/b^2.
    std::int64_t cols = 517;
    std::vector<double> want(static_cast<std::size_t>(b.numel()), 0.0);
    for (std::int64_t i = 0; i < g.numel(); ++i) {
      std::int64_t j = bs.ndim() == 1 && bs[0] == 517 ? i % cols : (b.numel() == 1 ? 0 : i / cols);
      double bv = b.f32()[j];
      want[static_cast<std::size_t>(j)] -= static_cast<double>(g.f32()[i]) * a.f32()[i] / (bv * bv);
    }
    for (std::size_t j = 0; j < want.size(); ++j) ASSERT_NEAR(one[j], want[j], 1e-4 * (1 + std::abs(want[j]))) << j;
  }
}

TEST(KernelsDeterminism, SumsIndependentOfThreads) {
  Rng rng(6);
  Tensor x = testing::random_tensor(rng, {37, 611, 29});
  for (int axis = 0; axis < 3; ++axis) {
    auto [one, four] = with_threads([&] {
      Shape s = x.shape();
      Tensor out = Tensor::empty({s.outer(axis) * s.inner(axis)});
      sum_axis(x, axis, 1.0f, out);
      return out;
    });
    EXPECT_EQ(one, four) << axis;
  }
  auto [one, four] = with_threads([&] { return Tensor::full({1}, sum_all(x)); });
  EXPECT_EQ(one, four);
}

TEST(KernelsDeterminism, SoftmaxAndTransposeIndependentOfThreads) {
  Rng rng(7);
  Tensor x = testing::random_tensor(rng, {301, 1013}, -5.0f, 5.0f);
  auto [p1, p4] = with_threads([&] {
    Tensor y = Tensor::empty(x.shape());
    log_softmax(x, y);
    return y;
  });
  EXPECT_EQ(p1, p4);
  auto [t1, t4] = with_threads([&] {
    Tensor y = Tensor::empty({1013, 301});
    transpose(x, 0, 1, y, false);
    return y;
  });
  EXPECT_EQ(t1, t4);
  for (std::int64_t i = 0; i < 301; i += 7)
    for (std::int64_t j = 0; j < 1013; j += 11) ASSERT_EQ(t1[static_cast<std::size_t>(j * 301 + i)], x.f32()[i * 1013 + j]);
}

TEST(Elementwise, BinaryBroadcastMatchesNaive) {
  Rng rng(8);
  Tensor a = testing::random_tensor(rng, {211, 333});
  Tensor row = testing::random_tensor(rng, {1, 333});
  Tensor out = Tensor::empty(a.shape());
  binary(BinaryOp::Sub, a, row, out);
  for (std::int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(out.f32()[i], a.f32()[i] - row.f32()[i % 333]);
  binary(BinaryOp::Mul, a, a, a);  // in place
  for (std::int64_t i = 0; i < a.numel(); ++i) ASSERT_GE(a.f32()[i], 0.0f);
}

TEST(Elementwise, AffineAndAxpy) {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3});
  Tensor y = Tensor::empty({3});
  affine(x, 2.0f, 1.0f, y);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{3, 5, 7}));
  axpy(-1.0f, x, y);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{2, 3, 4}));
  add_constant(0.5f, y);
  EXPECT_EQ(y.to_vector(), (std::vector<float>{2.5f, 3.5f, 4.5f}));
}

}  // namespace
}  // namespace s2s::kernels
