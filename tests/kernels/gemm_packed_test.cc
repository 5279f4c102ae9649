// gemm_packed_nt and the packed linear compute sgemm_row_invariant's chains
// bit for bit (decoding packs the output weight once per batch; batch-1
// decoding, which reads it in place, must still match), over row counts
// around the 12-row tile and the few-row path, edge column tiles and k.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/gemm.h"

namespace s2s::testing {
namespace {

Tensor random(Shape shape, Rng& rng) {
  Tensor t = Tensor::empty(shape);
  rng.fill_uniform(t.f32(), t.numel(), -1, 1);
  return t;
}

TEST(GemmPacked, BitIdenticalToTheRowInvariantKernel) {
  Rng rng(5);
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (std::int64_t n : {1, 16, 17, 32, 45, 300})
      for (std::int64_t k : {0, 1, 7, 300}) {
        Tensor w = random(Shape{n, k}, rng);
        kernels::PackedNT packed(w);
        for (std::int64_t m : {1, 8, 9, 12, 13, 25, 70})
          for (float beta : {0.0f, 1.0f}) {
            Tensor a = random(Shape{m, k}, rng), c = random(Shape{m, n}, rng);
            Tensor want = c.clone(), got = c.clone();
            kernels::sgemm_row_invariant(false, true, m, n, k, 1.0f, a.f32(), k, w.f32(), k, beta, want.f32(), n);
            kernels::gemm_packed_nt(m, a.f32(), k, packed, beta, got.f32(), n);
            ASSERT_EQ(std::memcmp(want.f32(), got.f32(), static_cast<std::size_t>(m * n) * sizeof(float)), 0)
                << "m " << m << " n " << n << " k " << k << " beta " << beta << " threads " << threads;
          }
      }
  }
  set_num_threads(1);
}

// Big enough (over 1 MB of A) for the kernel to split k into blocks.
TEST(GemmPacked, KBlocksKeepTheBits) {
  Rng rng(7);
  const std::int64_t m = 100, n = 37, k = 6000;
  Tensor w = random(Shape{n, k}, rng), a = random(Shape{m, k}, rng), c = random(Shape{m, n}, rng);
  for (float beta : {0.0f, 1.0f}) {
    Tensor want = c.clone(), got = c.clone();
    kernels::sgemm_row_invariant(false, true, m, n, k, 1.0f, a.f32(), k, w.f32(), k, beta, want.f32(), n);
    kernels::gemm_packed_nt(m, a.f32(), k, kernels::PackedNT(w), beta, got.f32(), n);
    EXPECT_EQ(std::memcmp(want.f32(), got.f32(), static_cast<std::size_t>(m * n) * sizeof(float)), 0) << "beta " << beta;
  }
}

TEST(GemmPacked, LinearMatchesTheRowInvariantLinear) {
  Rng rng(6);
  Tensor w = random(Shape{300, 64}, rng), b = random(Shape{300}, rng), x = random(Shape{2, 20, 64}, rng);
  Tensor want = Tensor::empty(Shape{2, 20, 300}), got = Tensor::empty(Shape{2, 20, 300});
  kernels::linear(x, w, &b, want, true);
  kernels::linear(x, kernels::PackedNT(w), &b, got);
  EXPECT_EQ(std::memcmp(want.f32(), got.f32(), static_cast<std::size_t>(want.numel()) * sizeof(float)), 0);
  Tensor bad = Tensor::empty(Shape{40, 299});
  EXPECT_THROW(kernels::linear(x, kernels::PackedNT(w), &b, bad), std::exception);
}

}  // namespace
}  // namespace s2s::testing
