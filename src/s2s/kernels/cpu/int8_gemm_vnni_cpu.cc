// The AVX-512 VNNI int8 path: vpdpbusd multiplies 4 adjacent u8 x s8 pairs
// and adds them into an s32 lane (the non-saturating form), 64 k per step;
// the tail of k is read with a byte mask (zeros contribute nothing). qa comes
// shifted to u8 (qa + 128), so each sum is corrected by 128 * sum_k qw(j, k).
// |sum| <= 255 * 127 * k < 2^31 for k <= kInt8MaxDepth: exact. Compiled with
// target attributes, called only when CPUID reports AVX-512 VNNI.
// GCC 12 warns inside avx512fintrin.h (its _mm*_undefined_* idiom) when
// these intrinsics are inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "s2s/kernels/cpu/int8_gemm_paths.h"

namespace s2s::kernels::int8_paths {

namespace {

template <int R, int C>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void tile(std::int64_t k, const std::uint8_t* qa,
                                                                 std::int64_t ldq, const std::int8_t* w,
                                                                 const std::int32_t* row_sums, std::int32_t* acc,
                                                                 std::int64_t ldacc) {
  __m512i s[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) s[r][c] = _mm512_setzero_si512();
  for (std::int64_t p = 0; p < k; p += 64) {
    const __mmask64 km = k - p >= 64 ? ~__mmask64{0} : ((__mmask64{1} << (k - p)) - 1);
    __m512i wv[C];
    for (int c = 0; c < C; ++c) wv[c] = _mm512_maskz_loadu_epi8(km, w + c * k + p);
    for (int r = 0; r < R; ++r) {
      const __m512i x = _mm512_maskz_loadu_epi8(km, qa + r * ldq + p);
      for (int c = 0; c < C; ++c) s[r][c] = _mm512_dpbusd_epi32(s[r][c], x, wv[c]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) acc[r * ldacc + c] = _mm512_reduce_add_epi32(s[r][c]) - 128 * row_sums[c];
}

template <int R>
void row_tile(std::int64_t nb, std::int64_t k, const std::uint8_t* qa, std::int64_t ldq, const std::int8_t* w,
              const std::int32_t* row_sums, std::int32_t* acc, std::int64_t ldacc) {
  std::int64_t j = 0;
  for (; j + 4 <= nb; j += 4) tile<R, 4>(k, qa, ldq, w + j * k, row_sums + j, acc + j, ldacc);
  for (; j < nb; ++j) tile<R, 1>(k, qa, ldq, w + j * k, row_sums + j, acc + j, ldacc);
}

}  // namespace

void dot_vnni(std::int64_t m, std::int64_t nb, std::int64_t k, const std::uint8_t* qa, std::int64_t ldq,
              const std::int8_t* w, const std::int32_t* row_sums, std::int32_t* acc, std::int64_t ldacc) {
  std::int64_t i = 0;
  for (; i + 4 <= m; i += 4) row_tile<4>(nb, k, qa + i * ldq, ldq, w, row_sums, acc + i * ldacc, ldacc);
  switch (m - i) {
    case 3: row_tile<3>(nb, k, qa + i * ldq, ldq, w, row_sums, acc + i * ldacc, ldacc); break;
    case 2: row_tile<2>(nb, k, qa + i * ldq, ldq, w, row_sums, acc + i * ldacc, ldacc); break;
    case 1: row_tile<1>(nb, k, qa + i * ldq, ldq, w, row_sums, acc + i * ldacc, ldacc); break;
    default: break;
  }
}

}  // namespace s2s::kernels::int8_paths
