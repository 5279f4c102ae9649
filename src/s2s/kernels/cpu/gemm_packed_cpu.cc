// Row-invariant C = beta C + A w^T through a weight packed once (kernels/gemm.h).
// The chains are sgemm_row_invariant's, c = beta * C, then c = fma(a(i, k),
// w(j, k), c) for k in order, so the bits are the same; what changes is that w
// is packed once by its user (decoding: once per decoder) instead of on every
// call, and that with no panel to fit on the stack the tile runs the whole of
// k in registers:
// 12 rows x 32 columns (24 accumulators; per k two loads of w and 12
// broadcasts of A). One task per 32 columns: its [k, 32] panel of w stays in
// L2 while every row of A passes.
// Without AVX-512 the panels are 16 columns wide and the AVX2 tile of
// sgemm_row_invariant (6 rows x 16 columns) runs over them, for any number
// of rows: there is no in-place few-row kernel on AVX2, and re-packing w on
// every call cost batch-1 decoding most of its time.
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

constexpr int kMR = 12;            // rows per register tile
constexpr std::int64_t kNR = 16;   // columns per vector
constexpr std::int64_t kNT = 32;   // columns per tile (two vectors)

// Rows [0, MR) x the 32 columns of one tile; a(i, kk) = a[kk * aks + i] (A
// packed), mask: which columns exist.
template <int MR>
__attribute__((target("avx512f"))) void tile(std::int64_t k, const float* a, std::int64_t aks, const float* w0,
                                             const float* w1, bool first, float beta, float* c, std::int64_t ldc,
                                             __mmask16 m0, __mmask16 m1, const float* pf0, const float* pf1) {
  __m512 acc[MR][2];
  for (int i = 0; i < MR; ++i) {
    if (first && beta == 0.0f) {
      acc[i][0] = acc[i][1] = _mm512_setzero_ps();
      continue;
    }
    acc[i][0] = _mm512_maskz_loadu_ps(m0, c + i * ldc);
    acc[i][1] = _mm512_maskz_loadu_ps(m1, c + i * ldc + kNR);
    if (first) {
      acc[i][0] = _mm512_mul_ps(_mm512_set1_ps(beta), acc[i][0]);
      acc[i][1] = _mm512_mul_ps(_mm512_set1_ps(beta), acc[i][1]);
    }
  }
  for (std::int64_t kk = 0; kk < k; ++kk) {
    const __m512 b0 = _mm512_loadu_ps(w0 + kk * kNR), b1 = _mm512_loadu_ps(w1 + kk * kNR);
    if (pf0) {
      _mm_prefetch(reinterpret_cast<const char*>(pf0 + kk * kNR), _MM_HINT_T1);
      _mm_prefetch(reinterpret_cast<const char*>(pf1 + kk * kNR), _MM_HINT_T1);
    }
    for (int i = 0; i < MR; ++i) {
      const __m512 av = _mm512_set1_ps(a[kk * aks + i]);
      acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
    }
  }
  for (int i = 0; i < MR; ++i) {
    _mm512_mask_storeu_ps(c + i * ldc, m0, acc[i][0]);
    _mm512_mask_storeu_ps(c + i * ldc + kNR, m1, acc[i][1]);
  }
}

template <int MR = kMR>
__attribute__((target("avx512f"))) void tile_rows(int rows, std::int64_t k, const float* a, const float* w0,
                                                  const float* w1, bool first, float beta, float* c, std::int64_t ldc,
                                                  __mmask16 m0, __mmask16 m1, const float* pf0, const float* pf1) {
  if constexpr (MR > 1) {
    if (rows < MR) return tile_rows<MR - 1>(rows, k, a, w0, w1, first, beta, c, ldc, m0, m1, pf0, pf1);
  }
  tile<MR>(k, a, MR, w0, w1, first, beta, c, ldc, m0, m1, pf0, pf1);
}

__mmask16 columns_mask(std::int64_t count) {
  return static_cast<__mmask16>(count >= kNR ? 0xFFFF : count <= 0 ? 0 : (1u << count) - 1);
}

}  // namespace

PackedNT::PackedNT(const Tensor& w) : weight_(w) {
  S2S_CHECK(w.ndim() == 2 && w.dtype() == DType::F32, "PackedNT: expected an F32 matrix, got ", w.shape().str());
  const std::int64_t n = w.dim(0), k = w.dim(1);
  if (!has_avx512()) {  // panel t: [k, 16], panel[kk * 16 + j] = w(t * 16 + j, kk), zero past n
    const std::int64_t tiles = (n + kNR - 1) / kNR;
    panels_ = Tensor::zeros(Shape{tiles, k, kNR});
    float* dst = panels_.f32();
    const float* src = w.f32();
    parallel_for(0, tiles, 1, [&](std::int64_t t0, std::int64_t t1) {
      for (std::int64_t t = t0; t < t1; ++t)
        for (std::int64_t j = 0; j < std::min(kNR, n - t * kNR); ++j)
          for (std::int64_t kk = 0; kk < k; ++kk) dst[(t * k + kk) * kNR + j] = src[(t * kNR + j) * k + kk];
    });
    return;
  }
  const std::int64_t tiles = (n + kNT - 1) / kNT * 2;  // 16-column tiles, whole 32s
  panels_ = Tensor::empty(Shape{tiles, k, kNR});
  float* dst = panels_.f32();
  parallel_for(0, tiles, 1, [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t) {
      if (t * kNR < n)  // panel[kk * 16 + j] = w(t * 16 + j, kk)
        pack_k_major(w.f32() + t * kNR * k, k, static_cast<int>(std::min<std::int64_t>(kNR, n - t * kNR)), k,
                     dst + t * k * kNR, kNR);
      else
        std::fill_n(dst + t * k * kNR, k * kNR, 0.0f);
    }
  });
}

bool packed_nt_pays(std::int64_t rows) { return rows > (has_avx512() ? kGemmSmallRows : 0); }

namespace {

// The AVX2 path, blocked as sgemm_row_invariant is: one task per 4 panels
// (64 columns), k in blocks of 256; within a block each 6-row tile of A
// (read in place, 6 KB: stays in L1) passes over the 4 panels' slices (64 KB,
// in L2). The partial chains wait in C between k blocks (same bits).
void gemm_packed_nt_avx2(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
                         const float* panels, float beta, float* c, std::int64_t ldc) {
  constexpr std::int64_t kMR2 = 6, kPanels = 4, kKB = 256;
  const std::int64_t tiles = (n + kNR - 1) / kNR, blocks = (tiles + kPanels - 1) / kPanels;
  const std::int64_t work = 2 * m * kNR * kPanels * k;
  parallel_for(0, blocks, std::max<std::int64_t>(1, (std::int64_t{1} << 17) / std::max<std::int64_t>(work, 1)),
               [&](std::int64_t b0, std::int64_t b1) {
                 for (std::int64_t blk = b0; blk < b1; ++blk) {
                   const std::int64_t t_end = std::min(tiles, (blk + 1) * kPanels);
                   for (std::int64_t k0 = 0; k0 < k; k0 += kKB) {
                     const std::int64_t kc = std::min(kKB, k - k0);
                     for (std::int64_t i = 0; i < m; i += kMR2) {
                       const int h = static_cast<int>(std::min(kMR2, m - i));
                       for (std::int64_t t = blk * kPanels; t < t_end; ++t) {
                         const std::int64_t j0 = t * kNR, cols = std::min(kNR, n - j0);
                         const float* bp = panels + (t * k + k0) * kNR;
                         float* ct = c + i * ldc + j0;
                         if (cols == kNR)
                           avx2_tile_rows<false>(h, a + i * lda + k0, lda, 1, kc, bp, kNR, ct, ldc, cols, k0 == 0, beta);
                         else
                           avx2_tile_rows<true>(h, a + i * lda + k0, lda, 1, kc, bp, kNR, ct, ldc, cols, k0 == 0, beta);
                       }
                     }
                   }
                 }
               });
}

}  // namespace

void gemm_packed_nt(std::int64_t m, const float* a, std::int64_t lda, const PackedNT& w, float beta, float* c,
                    std::int64_t ldc) {
  const Tensor& wt = w.weight();
  const std::int64_t n = wt.dim(0), k = wt.dim(1);
  if (m <= 0 || n <= 0) return;
  if (w.panels().defined() && !has_avx512() && k > 0) return gemm_packed_nt_avx2(m, n, k, a, lda, w.panels().f32(), beta, c, ldc);
  if (!w.panels().defined() || m <= kGemmSmallRows || k == 0) {
    row_invariant_nt(m, n, k, a, lda, wt.f32(), k, beta, c, ldc);
    return;
  }
  // Each row tile's rows are packed k-major, so a step of k reads one cache
  // line of A, not 12 rows 4 KB apart that would compete for the same L1 set.
  const std::int64_t tiles = (n + kNT - 1) / kNT;
  const RowTiles rt(m, kMR);
  Tensor apack = Tensor::empty(Shape{m, k});
  float* ap = apack.f32();
  parallel_for(0, rt.count, 1, [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r)
      pack_k_major(a + rt.start(r) * lda, lda, static_cast<int>(rt.height(r)), k, ap + rt.start(r) * k,
                   static_cast<int>(rt.height(r)));
  });
  // k in blocks whose slice of packed A stays within ~1 MB of L2 (at 320 x
  // 1792 all of A would not): the partial chains wait in C between blocks,
  // which leaves their bits unchanged.
  const std::int64_t k_blocks = std::max<std::int64_t>(1, m * k * std::int64_t{sizeof(float)} >> 20);
  const std::int64_t kb = (k + k_blocks - 1) / k_blocks;
  const float* panels = w.panels().f32();
  for (std::int64_t k0 = 0; k0 < k; k0 += kb) {
    const std::int64_t kc = std::min(kb, k - k0);
    parallel_for(0, tiles, std::max<std::int64_t>(1, (std::int64_t{1} << 17) / std::max<std::int64_t>(2 * m * kNT * kc, 1)),
                 [&](std::int64_t t0, std::int64_t t1) {
                   for (std::int64_t t = t0; t < t1; ++t) {
                     const std::int64_t j0 = t * kNT;
                     const float* w0 = panels + (2 * t * k + k0) * kNR;
                     const __mmask16 m0 = columns_mask(n - j0), m1 = columns_mask(n - j0 - kNR);
                     // The last row tile fetches the next tile's panel into L2, so the
                     // first row tile of the next does not wait on memory.
                     const bool next = t + 1 < tiles;
                     for (std::int64_t r = 0; r < rt.count; ++r) {
                       const std::int64_t i0 = rt.start(r), h = rt.height(r);
                       const bool pf = next && r == rt.count - 1;
                       tile_rows(static_cast<int>(h), kc, ap + i0 * k + k0 * h, w0, w0 + k * kNR, k0 == 0, beta,
                                 c + i0 * ldc + j0, ldc, m0, m1, pf ? w0 + 2 * k * kNR : nullptr,
                                 pf ? w0 + 3 * k * kNR : nullptr);
                     }
                   }
                 });
  }
}

}  // namespace s2s::kernels
