// gemm_nt_small_m computes sgemm_row_invariant's chains bit for bit (so
// batch-1 decoding, which takes it, matches batched decoding, which takes the
// panel kernel), over row counts, edge column blocks and k tails.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/gemm.h"

namespace s2s::testing {
namespace {

TEST(GemmSmallM, BitIdenticalToTheRowInvariantKernel) {
  if (!kernels::gemm_nt_small_m_available()) GTEST_SKIP() << "no AVX-512 on this CPU";
  Rng rng(3);
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (std::int64_t m = 1; m <= kernels::kGemmSmallRows; ++m)
      for (std::int64_t n : {1, 5, 16, 37, 300})
        for (std::int64_t k : {0, 1, 7, 16, 17, 300})
          for (float beta : {0.0f, 1.0f}) {
            std::vector<float> a(static_cast<std::size_t>(m * std::max<std::int64_t>(k, 1))),
                b(static_cast<std::size_t>(n * std::max<std::int64_t>(k, 1))), c(static_cast<std::size_t>(m * n));
            rng.fill_uniform(a.data(), static_cast<std::int64_t>(a.size()), -1, 1);
            rng.fill_uniform(b.data(), static_cast<std::int64_t>(b.size()), -1, 1);
            rng.fill_uniform(c.data(), static_cast<std::int64_t>(c.size()), -1, 1);
            std::vector<float> want = c, got = c;
            const std::int64_t ld = std::max<std::int64_t>(k, 1);
            kernels::sgemm_row_invariant(false, true, m, n, k, 1.0f, a.data(), ld, b.data(), ld, beta, want.data(), n);
            kernels::gemm_nt_small_m(m, n, k, a.data(), ld, b.data(), ld, beta, got.data(), n);
            ASSERT_EQ(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)), 0)
                << "m " << m << " n " << n << " k " << k << " beta " << beta << " threads " << threads;
          }
  }
  set_num_threads(1);
}

}  // namespace
}  // namespace s2s::testing
