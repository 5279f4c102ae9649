#pragma once
// What the CPU gemm kernels share: the AVX-512 check, row tiles of
// near-equal height, the AVX2 register tile, a 16 x 16 register transpose (the few-row gemm reads its
// weight through it; the packed gemms pack their operands with it), k-major
// packing of A, and the unpacked row-invariant NT dispatch.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>

namespace s2s::kernels {

// Whether the CPU runs AVX-512F (checked once, on first use).
inline bool has_avx512() {
  static const bool yes = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") != 0;
  }();
  return yes;
}

// m rows in ceil(m / max_height) tiles of near-equal height (64 rows at most
// 12: 11, 11, 11, 11, 10, 10), not full tiles and a short rest whose few rows
// would be load-bound.
struct RowTiles {
  std::int64_t m, count;
  RowTiles(std::int64_t rows, std::int64_t max_height) : m(rows), count((rows + max_height - 1) / max_height) {}
  std::int64_t height(std::int64_t r) const { return m / count + (r < m % count ? 1 : 0); }
  std::int64_t start(std::int64_t r) const { return r * (m / count) + std::min(r, m % count); }
};

inline __m256i lane_mask(std::int64_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::clamp<std::int64_t>(count, 0, 8))),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Always inlined: out of line, GCC 12 stores the accumulators to the stack
// after every FMA (2x slower). The AVX2 register tile of the row-invariant kernels (sgemm_row_invariant,
// gemm_packed_nt): C tile [MR, ncols <= 16] (at c) += A tile (a(i, kk) = ap[i * ars + kk * aks]) times
// B rows bp[kk * ldb], kk < kc. first: the chain starts from beta * C.
template <int MR, bool Edge>
__attribute__((always_inline)) inline void avx2_tile(const float* ap, std::int64_t ars, std::int64_t aks, std::int64_t kc, const float* bp,
                 std::int64_t ldb, float* c, std::int64_t ldc, std::int64_t ncols, bool first, float beta) {
  const __m256i m0 = lane_mask(ncols), m1 = lane_mask(ncols - 8);
  __m256 acc[MR][2];
  for (int i = 0; i < MR; ++i) {
    float* cr = c + i * ldc;
    __m256 c0, c1;
    if (first && beta == 0.0f) {
      c0 = c1 = _mm256_setzero_ps();
    } else if (Edge) {
      c0 = _mm256_maskload_ps(cr, m0);
      c1 = _mm256_maskload_ps(cr + 8, m1);
    } else {
      c0 = _mm256_loadu_ps(cr);
      c1 = _mm256_loadu_ps(cr + 8);
    }
    if (first && beta != 0.0f) {
      c0 = _mm256_mul_ps(_mm256_set1_ps(beta), c0);
      c1 = _mm256_mul_ps(_mm256_set1_ps(beta), c1);
    }
    acc[i][0] = c0;
    acc[i][1] = c1;
  }
  for (std::int64_t k = 0; k < kc; ++k) {
    const float* br = bp + k * ldb;
    __m256 b0 = Edge ? _mm256_maskload_ps(br, m0) : _mm256_loadu_ps(br);
    __m256 b1 = Edge ? _mm256_maskload_ps(br + 8, m1) : _mm256_loadu_ps(br + 8);
    const float* ak = ap + k * aks;
    for (int i = 0; i < MR; ++i) {
      __m256 av = _mm256_broadcast_ss(ak + i * ars);
      acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    float* cr = c + i * ldc;
    if (Edge) {
      _mm256_maskstore_ps(cr, m0, acc[i][0]);
      _mm256_maskstore_ps(cr + 8, m1, acc[i][1]);
    } else {
      _mm256_storeu_ps(cr, acc[i][0]);
      _mm256_storeu_ps(cr + 8, acc[i][1]);
    }
  }
}

template <bool Edge>
__attribute__((always_inline)) inline void avx2_tile_rows(int rows, const float* ap, std::int64_t ars, std::int64_t aks, std::int64_t kc, const float* bp,
                      std::int64_t ldb, float* c, std::int64_t ldc, std::int64_t ncols, bool first, float beta) {
  switch (rows) {
    case 6: avx2_tile<6, Edge>(ap, ars, aks, kc, bp, ldb, c, ldc, ncols, first, beta); break;
    case 5: avx2_tile<5, Edge>(ap, ars, aks, kc, bp, ldb, c, ldc, ncols, first, beta); break;
    case 4: avx2_tile<4, Edge>(ap, ars, aks, kc, bp, ldb, c, ldc, ncols, first, beta); break;
    case 3: avx2_tile<3, Edge>(ap, ars, aks, kc, bp, ldb, c, ldc, ncols, first, beta); break;
    case 2: avx2_tile<2, Edge>(ap, ars, aks, kc, bp, ldb, c, ldc, ncols, first, beta); break;
    default: avx2_tile<1, Edge>(ap, ars, aks, kc, bp, ldb, c, ldc, ncols, first, beta); break;
  }
}

// C = beta C + A B^T row-invariantly without a packed B: in place for a few
// rows (gemm_nt_small_m), else sgemm_row_invariant. Defined in gemm_cpu.cc.
void row_invariant_nt(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, const float* b,
                      std::int64_t ldb, float beta, float* c, std::int64_t ldc);

// out[j] = column j of the 16 x 16 block whose rows are in[0..15]:
// unpack 32-bit pairs, then 64-bit pairs (4 x 4 blocks inside 128-bit
// lanes), then a 4 x 4 exchange of the 128-bit lanes.
__attribute__((target("avx512f"))) inline void transpose16(const __m512 in[16], __m512 out[16]) {
  __m512 t[16], s[16];
  for (int p = 0; p < 16; p += 2) {
    t[p] = _mm512_unpacklo_ps(in[p], in[p + 1]);
    t[p + 1] = _mm512_unpackhi_ps(in[p], in[p + 1]);
  }
  // s[4g + m], lane L: column 4L + m of rows 4g .. 4g + 3.
  for (int g = 0; g < 16; g += 4) {
    __m512d a = _mm512_castps_pd(t[g]), b = _mm512_castps_pd(t[g + 2]);
    __m512d c = _mm512_castps_pd(t[g + 1]), d = _mm512_castps_pd(t[g + 3]);
    s[g] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
    s[g + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
    s[g + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
    s[g + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
  }
  for (int m = 0; m < 4; ++m) {
    __m512 lo01 = _mm512_shuffle_f32x4(s[m], s[4 + m], 0x44), hi01 = _mm512_shuffle_f32x4(s[m], s[4 + m], 0xEE);
    __m512 lo23 = _mm512_shuffle_f32x4(s[8 + m], s[12 + m], 0x44), hi23 = _mm512_shuffle_f32x4(s[8 + m], s[12 + m], 0xEE);
    out[m] = _mm512_shuffle_f32x4(lo01, lo23, 0x88);
    out[4 + m] = _mm512_shuffle_f32x4(lo01, lo23, 0xDD);
    out[8 + m] = _mm512_shuffle_f32x4(hi01, hi23, 0x88);
    out[12 + m] = _mm512_shuffle_f32x4(hi01, hi23, 0xDD);
  }
}

// Rows [0, h) of a (h <= 16, row stride lda) packed k-major for a register
// tile: dst[kk * stride + i] = a[i * lda + kk] for kk < k, i < stride
// (stride >= h; rows past h are 0: a weight panel pads to 16 columns).
__attribute__((target("avx512f"))) inline void pack_k_major(const float* a, std::int64_t lda, int h, std::int64_t k,
                                                            float* dst, int stride) {
  const __mmask16 hm = static_cast<__mmask16>((1u << stride) - 1);
  __m512 in[16], out[16];
  for (std::int64_t k0 = 0; k0 < k; k0 += 16) {
    const int kc = static_cast<int>(k - k0 < 16 ? k - k0 : 16);
    const __mmask16 km = static_cast<__mmask16>((1u << kc) - 1);
    for (int r = 0; r < 16; ++r) in[r] = r < h ? _mm512_maskz_loadu_ps(km, a + r * lda + k0) : _mm512_setzero_ps();
    transpose16(in, out);
    for (int j = 0; j < kc; ++j) _mm512_mask_storeu_ps(dst + (k0 + j) * stride, hm, out[j]);
  }
}

}  // namespace s2s::kernels
