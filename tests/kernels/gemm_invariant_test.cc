// Row-invariant gemm (inference): each row of C must be bit-identical to the
// same row computed alone, whatever m, the transposes and the thread count.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <vector>

#include "s2s/core/parallel.h"
#include "s2s/kernels/gemm.h"
#include "support/random.h"

namespace s2s {
namespace {

struct ThreadCount {
  explicit ThreadCount(int n) : saved_(num_threads()) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }
  int saved_;
};

// Row i of op(A) as its own operand, shaped as op(A) with m = 1.
Tensor row_of(const Tensor& a, bool ta, std::int64_t i) {
  std::int64_t k = ta ? a.dim(0) : a.dim(1), m = ta ? a.dim(1) : a.dim(0);
  Tensor r = Tensor::empty(ta ? Shape{k, 1} : Shape{1, k});
  for (std::int64_t p = 0; p < k; ++p) r.f32()[p] = ta ? a.f32()[p * m + i] : a.f32()[i * k + p];
  return r;
}

void expect_bits_equal(const float* x, const float* y, std::int64_t n, const std::string& what) {
  for (std::int64_t j = 0; j < n; ++j)
    ASSERT_EQ(std::bit_cast<std::uint32_t>(x[j]), std::bit_cast<std::uint32_t>(y[j])) << what << " column " << j;
}

TEST(GemmRowInvariant, EachRowEqualsTheRowAloneForAllTransposesSizesAndThreads) {
  Rng rng(11);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (std::int64_t k : {37, 300})
        for (std::int64_t n : {5, 77, 130}) {
          Tensor b = testing::random_tensor(rng, tb ? Shape{n, k} : Shape{k, n});
          for (std::int64_t m : {1, 2, 3, 7, 8, 33, 64}) {
            Tensor a = testing::random_tensor(rng, ta ? Shape{k, m} : Shape{m, k});
            Tensor c = Tensor::empty({m, n});
            {
              ThreadCount threads(2);
              kernels::gemm(a, b, c, {ta != 0, tb != 0, 1.0f, 0.0f, true});
            }
            ThreadCount threads(1);
            for (std::int64_t i = 0; i < m; ++i) {
              Tensor r = row_of(a, ta, i), c1 = Tensor::empty({1, n});
              kernels::gemm(r, b, c1, {ta != 0, tb != 0, 1.0f, 0.0f, true});
              expect_bits_equal(c.f32() + i * n, c1.f32(), n,
                                "ta " + std::to_string(ta) + " tb " + std::to_string(tb) + " k " + std::to_string(k) +
                                    " n " + std::to_string(n) + " m " + std::to_string(m) + " row " + std::to_string(i));
            }
          }
        }
}

TEST(GemmRowInvariant, MatchesDoubleReferenceWithAlphaAndBeta) {
  Rng rng(12);
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb)
      for (float beta : {0.0f, 1.0f, -0.5f}) {
        const std::int64_t m = 9, k = 301, n = 70;
        const float alpha = ta == tb ? 1.0f : 1.5f;
        Tensor a = testing::random_tensor(rng, ta ? Shape{k, m} : Shape{m, k});
        Tensor b = testing::random_tensor(rng, tb ? Shape{n, k} : Shape{k, n});
        Tensor c0 = testing::random_tensor(rng, {m, n});
        Tensor c = c0.clone();
        kernels::gemm(a, b, c, {ta != 0, tb != 0, alpha, beta, true});
        for (std::int64_t i = 0; i < m; ++i)
          for (std::int64_t j = 0; j < n; ++j) {
            double s = 0.0, s_abs = 0.0;
            for (std::int64_t p = 0; p < k; ++p) {
              double x = ta ? a.f32()[p * m + i] : a.f32()[i * k + p];
              double y = tb ? b.f32()[j * k + p] : b.f32()[p * n + j];
              s += x * y;
              s_abs += std::fabs(x * y);
            }
            double want = alpha * s + beta * c0.f32()[i * n + j];
            ASSERT_NEAR(c.f32()[i * n + j], want, 1e-5 * (std::fabs(alpha) * s_abs + 1.0)) << i << "," << j;
          }
      }
}

// Attention context = weights x values with padded source positions: the extra
// k-terms have zero weight and must leave every bit of the result unchanged.
TEST(GemmRowInvariant, ZeroWeightedExtraTermsLeaveTheProductUnchanged) {
  Rng rng(13);
  for (std::int64_t k = 1; k <= 40; k += 3) {
    const std::int64_t n = 21, pad = 11, batch = 3;
    Tensor w = testing::random_tensor(rng, {batch, 1, k});
    Tensor v = testing::random_tensor(rng, {batch, k, n});
    Tensor wp = Tensor::zeros({batch, 1, k + pad});
    Tensor vp = testing::random_tensor(rng, {batch, k + pad, n});  // padded values need not be zero
    for (std::int64_t bi = 0; bi < batch; ++bi) {
      for (std::int64_t p = 0; p < k; ++p) wp.f32()[bi * (k + pad) + p] = w.f32()[bi * k + p];
      for (std::int64_t p = 0; p < k * n; ++p) vp.f32()[bi * (k + pad) * n + p] = v.f32()[bi * k * n + p];
    }
    Tensor c = Tensor::empty({batch, 1, n}), cp = Tensor::empty({batch, 1, n});
    kernels::gemm_batched(w, v, c, {false, false, 1.0f, 0.0f, true});
    kernels::gemm_batched(wp, vp, cp, {false, false, 1.0f, 0.0f, true});
    expect_bits_equal(c.f32(), cp.f32(), batch * n, "k " + std::to_string(k));
  }
}

TEST(GemmRowInvariant, BatchedProductsDoNotDependOnTheBatchSize) {
  Rng rng(14);
  for (int tb = 0; tb < 2; ++tb) {
    const std::int64_t batch = 6, m = 1, k = 45, n = 19;
    Tensor a = testing::random_tensor(rng, {batch, m, k});
    Tensor b = testing::random_tensor(rng, tb ? Shape{batch, n, k} : Shape{batch, k, n});
    Tensor c = Tensor::empty({batch, m, n});
    kernels::gemm_batched(a, b, c, {false, tb != 0, 1.0f, 0.0f, true});
    for (std::int64_t bi = 0; bi < batch; ++bi) {
      Tensor a1 = a.narrow0(bi, 1).clone(), b1 = b.narrow0(bi, 1).clone(), c1 = Tensor::empty({1, m, n});
      kernels::gemm_batched(a1, b1, c1, {false, tb != 0, 1.0f, 0.0f, true});
      expect_bits_equal(c.f32() + bi * m * n, c1.f32(), m * n, "item " + std::to_string(bi));
    }
  }
}

}  // namespace
}  // namespace s2s
