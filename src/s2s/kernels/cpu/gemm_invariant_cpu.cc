// Row-invariant gemm for any transposes, alpha and beta (see kernels/gemm.h).
// Every element of C is one FMA chain in k order,
//   c = beta * C (0 when beta is 0);  c = fma(a(i, k), alpha * b(k, j), c) for k = 0 .. K-1,
// whatever m, the row's position, the tile it falls in or the thread count:
// edge tiles run the same chain on masked vectors, K blocks leave the partial
// chain in C and pick it up again, and fma rounds once, so a vector lane and a
// scalar give the same bits. A chain over k is also unchanged by appending
// k-terms with a zero factor (padded source positions of attention weights).
//
// Register tile: 6 rows x 16 columns (12 accumulators; per k two B loads and
// six broadcasts of A), up to 12 x 32 with AVX-512 where the CPU has it (the
// same chains, so the same bits). Columns go in blocks of 64, one task each, so
// a block of B is read from memory once per call and stays in L1/L2 while all
// rows pass: a [256 x 64] panel of B (transposed and scaled by alpha as
// needed) is packed on the stack, except for a few rows of [K, N] B with
// alpha 1. A is packed k-major per row tile once per call with AVX-512, read
// in place otherwise (packed per tile only when transposed).
//
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

constexpr std::int64_t kMR = 6;      // rows per register tile
constexpr int kMR512 = 12;           // rows per AVX-512 register tile
constexpr std::int64_t kNR = 16;     // columns per register tile (two vectors)
constexpr std::int64_t kNB = 64;     // columns per block (one task)
constexpr std::int64_t kKB = 256;    // k per block

// out[c * ldo + r] = alpha * in[r * ldi + c] for an 8 x 8 block.
inline void transpose8(const float* in, std::int64_t ldi, float alpha, float* out, std::int64_t ldo) {
  const __m256 s = _mm256_set1_ps(alpha);
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_mul_ps(s, _mm256_loadu_ps(in + i * ldi));
  for (int i = 0; i < 8; i += 2) {
    t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int i = 0; i < 8; i += 4) {
    r[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
    r[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
    r[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int i = 0; i < 4; ++i) {
    _mm256_storeu_ps(out + i * ldo, _mm256_permute2f128_ps(r[i], r[i + 4], 0x20));
    _mm256_storeu_ps(out + (i + 4) * ldo, _mm256_permute2f128_ps(r[i], r[i + 4], 0x31));
  }
}

// The same chains, 32 columns wide, on AVX-512 machines (packed B only).
// Each element is the same fma sequence as in tile(), so the results are
// bit-identical to the AVX2 tiles: which one runs never shows.
template <int MR>
__attribute__((target("avx512f"))) inline void tile512(const float* ap, std::int64_t ars, std::int64_t aks,
                                                       std::int64_t kc, const float* b0p, const float* b1p, float* c,
                                                       std::int64_t ldc, bool first, float beta) {
  __m512 acc[MR][2];
  for (int i = 0; i < MR; ++i) {
    float* cr = c + i * ldc;
    if (first && beta == 0.0f) {
      acc[i][0] = acc[i][1] = _mm512_setzero_ps();
      continue;
    }
    acc[i][0] = _mm512_loadu_ps(cr);
    acc[i][1] = _mm512_loadu_ps(cr + 16);
    if (first) {
      acc[i][0] = _mm512_mul_ps(_mm512_set1_ps(beta), acc[i][0]);
      acc[i][1] = _mm512_mul_ps(_mm512_set1_ps(beta), acc[i][1]);
    }
  }
  for (std::int64_t k = 0; k < kc; ++k) {
    const __m512 b0 = _mm512_loadu_ps(b0p + k * kNR), b1 = _mm512_loadu_ps(b1p + k * kNR);
    const float* ak = ap + k * aks;
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(ak[i * ars]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    _mm512_storeu_ps(c + i * ldc, acc[i][0]);
    _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
  }
}

template <int MR = kMR512>
__attribute__((target("avx512f"))) void tile512_rows(int rows, const float* ap, std::int64_t ars, std::int64_t aks,
                                                     std::int64_t kc, const float* b0p, const float* b1p, float* c,
                                                     std::int64_t ldc, bool first, float beta) {
  if constexpr (MR > 1) {
    if (rows < MR) return tile512_rows<MR - 1>(rows, ap, ars, aks, kc, b0p, b1p, c, ldc, first, beta);
  }
  tile512<MR>(ap, ars, aks, kc, b0p, b1p, c, ldc, first, beta);
}

}  // namespace

void sgemm_row_invariant(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                         const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                         std::int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  const std::int64_t ars = trans_a ? 1 : lda, aks = trans_a ? lda : 1;  // a(i, k) = a[i * ars + k * aks]
  // Packing copies values (times alpha) and so never changes a result; it pays
  // when rows reuse the block, and is needed to transpose or scale B.
  const bool pack = trans_b || alpha != 1.0f || m > 4;
  // AVX-512: tiles of up to 12 rows, of near-equal height (fewer B loads per
  // FMA than 6), each packed k-major once per call (a(i, kk) at
  // apack[i0 * k + kk * h + i]): read in place, a k step would touch 12 rows
  // 4 KB apart, which compete for one L1 set. Otherwise tiles of up to 6 rows.
  const bool wide = pack && has_avx512();
  const RowTiles tiles(m, wide ? kMR512 : kMR);
  Tensor apack_buf;
  if (wide) {
    apack_buf = Tensor::empty(Shape{m, k});
    float* dst = apack_buf.f32();
    for (std::int64_t r = 0; r < tiles.count; ++r) {
      const std::int64_t i0 = tiles.start(r), h = tiles.height(r);
      if (!trans_a)
        pack_k_major(a + i0 * ars, ars, static_cast<int>(h), k, dst + i0 * k, static_cast<int>(h));
      else
        for (std::int64_t kk = 0; kk < k; ++kk)
          for (std::int64_t i = 0; i < h; ++i) dst[i0 * k + kk * h + i] = a[(i0 + i) * ars + kk * aks];
    }
  }
  const float* apack = wide ? apack_buf.f32() : nullptr;
  const std::int64_t blocks = (n + kNB - 1) / kNB;
  const std::int64_t work = 2 * m * kNB * k;
  parallel_for(0, blocks, std::max<std::int64_t>(1, (std::int64_t{1} << 17) / std::max<std::int64_t>(work, 1)),
               [&](std::int64_t b0, std::int64_t b1) {
                 // B panel, tile-major: column tile t holds rows kk of 16 values
                 // at bpanel[(t * kc + kk) * 16]; columns past nb are never read
                 // (edge tiles load masked). A tile (transposed A): apanel[kk * 6 + i].
                 alignas(32) float bpanel[kKB * kNB];
                 alignas(32) float apanel[kKB * kMR];
                 for (std::int64_t blk = b0; blk < b1; ++blk) {
                   const std::int64_t j0 = blk * kNB, nb = std::min(kNB, n - j0);
                   for (std::int64_t k0 = 0; k0 < k; k0 += kKB) {
                     const std::int64_t kc = std::min(kKB, k - k0);
                     if (pack) {
                       if (trans_b) {  // 8 x 8 transposes, the rest one by one
                         const std::int64_t nb8 = nb / 8 * 8, kc8 = kc / 8 * 8;
                         for (std::int64_t jj = 0; jj < nb8; jj += 8)
                           for (std::int64_t kk = 0; kk < kc8; kk += 8)
                             transpose8(b + (j0 + jj) * ldb + k0 + kk, ldb, alpha,
                                        bpanel + ((jj / kNR) * kc + kk) * kNR + jj % kNR, kNR);
                         for (std::int64_t jj = 0; jj < nb; ++jj) {
                           const float* br = b + (j0 + jj) * ldb + k0;
                           float* pt = bpanel + (jj / kNR) * kc * kNR + jj % kNR;
                           for (std::int64_t kk = jj < nb8 ? kc8 : 0; kk < kc; ++kk) pt[kk * kNR] = alpha * br[kk];
                         }
                       } else {
                         for (std::int64_t kk = 0; kk < kc; ++kk) {
                           const float* br = b + (k0 + kk) * ldb + j0;
                           for (std::int64_t jj = 0; jj < nb; ++jj)
                             bpanel[((jj / kNR) * kc + kk) * kNR + jj % kNR] = alpha * br[jj];
                         }
                       }
                     }
                     const bool first = k0 == 0;
                     for (std::int64_t r = 0; r < tiles.count; ++r) {
                       const std::int64_t i0 = tiles.start(r), rows = tiles.height(r);
                       const float* ap = a + i0 * ars + k0 * aks;
                       std::int64_t tr = ars, tk = aks;
                       if (wide) {  // the tile's rows, packed k-major before the loop
                         ap = apack + i0 * k + k0 * rows;
                         tr = 1;
                         tk = rows;
                       } else if (pack && trans_a) {
                         for (std::int64_t i = 0; i < rows; ++i)
                           for (std::int64_t kk = 0; kk < kc; ++kk) apanel[kk * kMR + i] = ap[i * ars + kk * aks];
                         ap = apanel;
                         tr = 1;
                         tk = kMR;
                       }
                       std::int64_t jt = 0;
                       if (wide)
                         for (; jt + 2 * kNR <= nb; jt += 2 * kNR)
                           tile512_rows(static_cast<int>(rows), ap, tr, tk, kc, bpanel + jt * kc,
                                        bpanel + (jt + kNR) * kc, c + i0 * ldc + j0 + jt, ldc, first, beta);
                       for (; jt < nb; jt += kNR) {
                         const std::int64_t cols = std::min(kNR, nb - jt);
                         const float* bp = pack ? bpanel + jt * kc : b + k0 * ldb + j0 + jt;
                         const std::int64_t ldbp = pack ? kNR : ldb;
                         for (std::int64_t i = 0; i < rows; i += kMR) {  // the AVX2 tiles take 6 rows
                           const int h = static_cast<int>(std::min(kMR, rows - i));
                           float* ct = c + (i0 + i) * ldc + j0 + jt;
                           if (cols == kNR)
                             avx2_tile_rows<false>(h, ap + i * tr, tr, tk, kc, bp, ldbp, ct, ldc, cols, first, beta);
                           else
                             avx2_tile_rows<true>(h, ap + i * tr, tr, tk, kc, bp, ldbp, ct, ldc, cols, first, beta);
                         }
                       }
                     }
                   }
                 }
               });
}

}  // namespace s2s::kernels
