#include "s2s/kernels/gemm.h"

#include <gtest/gtest.h>

#include "support/random.h"

namespace s2s {
namespace {

// Naive reference in double.
std::vector<double> reference(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  std::int64_t m = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1), n = tb ? b.dim(0) : b.dim(1);
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j)
      for (std::int64_t p = 0; p < k; ++p) {
        double x = ta ? a.f32()[p * a.dim(1) + i] : a.f32()[i * a.dim(1) + p];
        double y = tb ? b.f32()[j * b.dim(1) + p] : b.f32()[p * b.dim(1) + j];
        c[static_cast<std::size_t>(i * n + j)] += x * y;
      }
  return c;
}

TEST(Gemm, AllTransposeCombinationsMatchReference) {
  Rng rng(3);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      std::int64_t m = 7, k = 13, n = 5;
      Tensor a = testing::random_tensor(rng, ta ? Shape{k, m} : Shape{m, k});
      Tensor b = testing::random_tensor(rng, tb ? Shape{n, k} : Shape{k, n});
      Tensor c = Tensor::full({m, n}, 1.0f);
      kernels::gemm(a, b, c, {ta != 0, tb != 0, 2.0f, 0.5f});
      auto ref = reference(a, b, ta, tb);
      for (std::int64_t i = 0; i < m * n; ++i) EXPECT_NEAR(c.f32()[i], 2.0 * ref[i] + 0.5, 1e-4);
    }
}

TEST(Gemm, BatchedWithSharedRightOperand) {
  Rng rng(4);
  Tensor a = testing::random_tensor(rng, {3, 2, 4});
  Tensor b = testing::random_tensor(rng, {4, 5});
  Tensor c = Tensor::empty({3, 2, 5});
  kernels::gemm_batched(a, b, c);
  for (int i = 0; i < 3; ++i) {
    Tensor ai = a.narrow0(i, 1).reshape({2, 4});
    auto ref = reference(ai, b, false, false);
    for (int j = 0; j < 10; ++j) EXPECT_NEAR(c.f32()[i * 10 + j], ref[j], 1e-5);
  }
}

// The build links the OpenMP OpenBLAS, so BLAS and our loops share one pool.
TEST(Gemm, OpenBlasIsTheOpenMpBuild) { EXPECT_EQ(kernels::blas_parallel_mode(), 2); }

TEST(Gemm, ShapeMismatchIsAnError) {
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({4, 5}), c = Tensor::zeros({2, 5});
  EXPECT_THROW(kernels::gemm(a, b, c), Error);
}

TEST(Gemm, ZeroInnerDimensionScalesC) {
  Tensor a = Tensor::zeros({2, 0}), b = Tensor::zeros({0, 3}), c = Tensor::full({2, 3}, 4.0f);
  kernels::gemm(a, b, c, {false, false, 1.0f, 0.5f});
  for (float v : c.span()) EXPECT_EQ(v, 2.0f);
}

}  // namespace
}  // namespace s2s
