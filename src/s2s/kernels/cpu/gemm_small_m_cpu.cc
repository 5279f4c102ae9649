// Row-invariant C = beta C + A B^T for a few rows of A (batch-1 and beam
// decoding of one sentence), computing exactly sgemm_row_invariant's chains
// (kernels/gemm.h):
//   c = beta * C (0 when beta is 0);  c = fma(a(i, k), b(j, k), c) for k = 0 .. K-1.
// sgemm_row_invariant transposes B into panels on every call, which for one
// row costs more than the product itself. Here B is read in place: 16 of its
// rows x 16 k are loaded and transposed in registers, then each k updates the
// 16 outputs of every row with one FMA, in k order. With one row the loop
// streams B once at memory speed. AVX-512 only (see gemm_small_m_available).
// GCC 12 warns inside avx512fintrin.h (its _mm*_undefined_* idiom) when
// these intrinsics are inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/gemm_common.h"
#include "s2s/kernels/gemm.h"

namespace s2s::kernels {

namespace {

// Columns [j0, j0 + nb) (nb <= 16) of the M output rows.
template <int M>
__attribute__((target("avx512f"))) void column_block(std::int64_t k, const float* a, std::int64_t lda, const float* b,
                                                     std::int64_t ldb, float beta, float* c, std::int64_t ldc,
                                                     std::int64_t j0, int nb) {
  const __mmask16 jm = static_cast<__mmask16>(nb == 16 ? 0xFFFF : (1u << nb) - 1);
  __m512 acc[M];
  for (int i = 0; i < M; ++i)
    acc[i] = beta == 0.0f ? _mm512_setzero_ps()
                          : _mm512_mul_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(jm, c + i * ldc + j0));
  __m512 rows[16], cols[16];
  for (std::int64_t k0 = 0; k0 < k; k0 += 16) {
    const int kc = static_cast<int>(std::min<std::int64_t>(16, k - k0));
    const __mmask16 km = static_cast<__mmask16>(kc == 16 ? 0xFFFF : (1u << kc) - 1);
    for (int r = 0; r < 16; ++r)
      rows[r] = r < nb ? _mm512_maskz_loadu_ps(km, b + (j0 + r) * ldb + k0) : _mm512_setzero_ps();
    transpose16(rows, cols);
    for (int kk = 0; kk < kc; ++kk)
      for (int i = 0; i < M; ++i) acc[i] = _mm512_fmadd_ps(_mm512_set1_ps(a[i * lda + k0 + kk]), cols[kk], acc[i]);
  }
  for (int i = 0; i < M; ++i) _mm512_mask_storeu_ps(c + i * ldc + j0, jm, acc[i]);
}

template <int M>
void run(std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta,
         float* c, std::int64_t ldc) {
  const std::int64_t blocks = (n + 15) / 16;
  // Column blocks are independent outputs: split over the threads.
  const std::int64_t grain = std::max<std::int64_t>(1, (std::int64_t{1} << 16) / std::max<std::int64_t>(16 * k, 1));
  parallel_for(0, blocks, grain, [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t blk = b0; blk < b1; ++blk)
      column_block<M>(k, a, lda, b, ldb, beta, c, ldc, blk * 16, static_cast<int>(std::min<std::int64_t>(16, n - blk * 16)));
  });
}

}  // namespace

bool gemm_nt_small_m_available() { return has_avx512(); }

void gemm_nt_small_m(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, const float* b,
                     std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  S2S_CHECK(m >= 0 && m <= kGemmSmallRows && gemm_nt_small_m_available(), "gemm_nt_small_m: at most ", kGemmSmallRows,
            " rows on an AVX-512 CPU, got ", m);
  if (m == 0 || n <= 0) return;
  switch (m) {
    case 1: run<1>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    case 2: run<2>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    case 3: run<3>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    case 4: run<4>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    case 5: run<5>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    case 6: run<6>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    case 7: run<7>(n, k, a, lda, b, ldb, beta, c, ldc); break;
    default: run<8>(n, k, a, lda, b, ldb, beta, c, ldc); break;
  }
}

}  // namespace s2s::kernels
