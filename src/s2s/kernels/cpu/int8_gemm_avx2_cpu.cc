// The AVX2 int8 path: each output is a dot product of a row of qa (widened
// to s16 once per product) with a row of w (s8, widened in registers,
// 16 k per step). vpmaddwd multiplies s16 pairs and adds each pair into an
// s32 lane: |product| <= 127 * 127, so nothing saturates (vpmaddubsw, the
// u8 x s8 instruction, would saturate its s16 pair sums) and the sum is exact.
// A register tile of R rows x C columns shares every load of w across R rows.
#include <immintrin.h>

#include "s2s/kernels/cpu/int8_gemm_paths.h"

namespace s2s::kernels::int8_paths {

namespace {

__attribute__((target("avx2"))) inline std::int32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}

template <int R, int C>
__attribute__((target("avx2"))) void tile(std::int64_t k, const std::int16_t* qa, std::int64_t ldq,
                                          const std::int8_t* w, std::int32_t* acc, std::int64_t ldacc) {
  __m256i s[R][C];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) s[r][c] = _mm256_setzero_si256();
  const std::int64_t k16 = k & ~std::int64_t{15};
  for (std::int64_t p = 0; p < k16; p += 16) {
    __m256i wv[C];
    for (int c = 0; c < C; ++c)
      wv[c] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + c * k + p)));
    for (int r = 0; r < R; ++r) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qa + r * ldq + p));
      for (int c = 0; c < C; ++c) s[r][c] = _mm256_add_epi32(s[r][c], _mm256_madd_epi16(x, wv[c]));
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) {
      std::int32_t t = hsum(s[r][c]);
      for (std::int64_t p = k16; p < k; ++p) t += static_cast<std::int32_t>(qa[r * ldq + p]) * w[c * k + p];
      acc[r * ldacc + c] = t;
    }
}

template <int R>
void row_tile(std::int64_t nb, std::int64_t k, const std::int16_t* qa, std::int64_t ldq, const std::int8_t* w,
              std::int32_t* acc, std::int64_t ldacc) {
  std::int64_t j = 0;
  for (; j + 2 <= nb; j += 2) tile<R, 2>(k, qa, ldq, w + j * k, acc + j, ldacc);
  if (j < nb) tile<R, 1>(k, qa, ldq, w + j * k, acc + j, ldacc);
}

}  // namespace

void dot_avx2(std::int64_t m, std::int64_t nb, std::int64_t k, const std::int16_t* qa, std::int64_t ldq,
              const std::int8_t* w, std::int32_t* acc, std::int64_t ldacc) {
  std::int64_t i = 0;
  for (; i + 4 <= m; i += 4) row_tile<4>(nb, k, qa + i * ldq, ldq, w, acc + i * ldacc, ldacc);
  switch (m - i) {
    case 3: row_tile<3>(nb, k, qa + i * ldq, ldq, w, acc + i * ldacc, ldacc); break;
    case 2: row_tile<2>(nb, k, qa + i * ldq, ldq, w, acc + i * ldacc, ldacc); break;
    case 1: row_tile<1>(nb, k, qa + i * ldq, ldq, w, acc + i * ldacc, ldacc); break;
    default: break;
  }
}

}  // namespace s2s::kernels::int8_paths
