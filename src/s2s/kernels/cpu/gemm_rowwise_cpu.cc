// Row-invariant y = x w^T for inference (see kernels/gemm.h). Every output
// element is one dot product computed the same way whatever the number of
// rows or threads: L lanes (8 with AVX2, 16 with AVX-512, chosen once per
// process) accumulate k = lane, lane + L, ... with FMA, a fixed tree sums the
// lanes, the last K % L products are added in order, then beta * y and the
// bias. Register tiles of 4 rows x 2 (4) weight rows share loads; the edge
// tiles run the same per-element code, so results are bit-identical to the
// single-row case. Unlike BLAS, nothing is packed, so one row (batch-1
// decoding) streams w once at memory speed.
#include <immintrin.h>

#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/gemm.h"

// GCC 12 warns inside avx512fintrin.h (its _mm*_undefined_* idiom) when
// these intrinsics are inlined: a false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace s2s::kernels {

namespace {

struct Args {
  const float* x;
  std::int64_t ldx;
  const float* w;
  std::int64_t ldw;
  float* y;
  std::int64_t ldy;
  std::int64_t K;
  bool accumulate;  // y += x w^T instead of y = x w^T
  const float* bias;
};

// One ISA's tiles. V: the vector type's traits (lanes, load, fma, lane sum).
// Rows [m, m + MR) of x against weight rows [n, n + NR).
#define S2S_ROWWISE_TILES(V)                                                                          \
  template <int MR, int NR>                                                                           \
  inline void tile(const Args& a, std::int64_t m, std::int64_t n) {                                   \
    V::Reg acc[MR][NR];                                                                               \
    for (int i = 0; i < MR; ++i)                                                                      \
      for (int j = 0; j < NR; ++j) acc[i][j] = V::zero();                                            \
    const float* xr[MR];                                                                              \
    const float* wr[NR];                                                                              \
    for (int i = 0; i < MR; ++i) xr[i] = a.x + (m + i) * a.ldx;                                       \
    for (int j = 0; j < NR; ++j) wr[j] = a.w + (n + j) * a.ldw;                                       \
    const std::int64_t kv = a.K / V::kLanes * V::kLanes;                                              \
    for (std::int64_t k = 0; k < kv; k += V::kLanes) {                                                \
      V::Reg xv[MR];                                                                                  \
      for (int i = 0; i < MR; ++i) xv[i] = V::load(xr[i] + k);                                        \
      for (int j = 0; j < NR; ++j) {                                                                  \
        V::Reg wv = V::load(wr[j] + k);                                                               \
        for (int i = 0; i < MR; ++i) acc[i][j] = V::fma(xv[i], wv, acc[i][j]);                        \
      }                                                                                               \
    }                                                                                                 \
    for (int i = 0; i < MR; ++i) {                                                                    \
      float* yr = a.y + (m + i) * a.ldy + n;                                                          \
      for (int j = 0; j < NR; ++j) {                                                                  \
        float s = V::sum(acc[i][j]);                                                                  \
        for (std::int64_t k = kv; k < a.K; ++k) s = __builtin_fmaf(xr[i][k], wr[j][k], s);            \
        if (a.accumulate) s = yr[j] + s;                                                              \
        if (a.bias) s = s + a.bias[n + j];                                                            \
        yr[j] = s;                                                                                    \
      }                                                                                               \
    }                                                                                                 \
  }                                                                                                   \
  /* Rows [m0, m1) against weight rows [n0, n1); edge tiles run the same per-element code. */         \
  void block(const Args& a, std::int64_t m0, std::int64_t m1, std::int64_t n0, std::int64_t n1) {     \
    std::int64_t n = n0;                                                                              \
    for (; n + V::kNr <= n1; n += V::kNr) {                                                           \
      std::int64_t m = m0;                                                                            \
      for (; m + 4 <= m1; m += 4) tile<4, V::kNr>(a, m, n);                                          \
      for (; m < m1; ++m) tile<1, V::kNr>(a, m, n);                                                   \
    }                                                                                                 \
    for (; n < n1; ++n) {                                                                             \
      std::int64_t m = m0;                                                                            \
      for (; m + 4 <= m1; m += 4) tile<4, 1>(a, m, n);                                               \
      for (; m < m1; ++m) tile<1, 1>(a, m, n);                                                        \
    }                                                                                                 \
  }

namespace avx2 {
struct V {
  using Reg = __m256;
  static constexpr int kLanes = 8, kNr = 2;  // 4x2 accumulators + 4 x rows: 12 of 16 registers
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm256_fmadd_ps(a, b, c); }
  static float sum(Reg v) { return cpu::hsum8(v); }
};
S2S_ROWWISE_TILES(V)
}  // namespace avx2

#pragma GCC push_options
#pragma GCC target("avx512f")
namespace avx512 {
struct V {
  using Reg = __m512;
  static constexpr int kLanes = 16, kNr = 4;  // 4x4 accumulators + 4 x rows: 20 of 32 registers
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg fma(Reg a, Reg b, Reg c) { return _mm512_fmadd_ps(a, b, c); }
  static float sum(Reg v) {
    __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), hi);
    return cpu::hsum8(h);
  }
};
S2S_ROWWISE_TILES(V)
}  // namespace avx512
#pragma GCC pop_options
#undef S2S_ROWWISE_TILES

// Chosen once per process, so every call computes the same way.
bool use_avx512() {
  static const bool yes = __builtin_cpu_supports("avx512f");
  return yes;
}

}  // namespace

void gemm_nt_rowwise(std::int64_t m, std::int64_t n, std::int64_t k, const float* x, std::int64_t ldx, const float* w,
                     std::int64_t ldw, float beta, float* y, std::int64_t ldy, const float* bias) {
  S2S_CHECK(beta == 0.0f || beta == 1.0f, "gemm_nt_rowwise: beta must be 0 or 1, got ", beta);
  if (m <= 0 || n <= 0) return;
  const Args a{x, ldx, w, ldw, y, ldy, k, beta == 1.0f, bias};
  // Rows in chunks that stay in L2 while a chunk's weight rows stream past;
  // columns split over the threads (independent outputs, no reduction).
  const std::int64_t row_chunk = std::max<std::int64_t>(4, (std::int64_t{1} << 16) / std::max<std::int64_t>(k, 1) / 4 * 4);
  const std::int64_t col_block = 64;
  const std::int64_t col_blocks = (n + col_block - 1) / col_block;
  const std::int64_t work = 2 * m * col_block * std::max<std::int64_t>(k, 1);
  const std::int64_t grain = std::max<std::int64_t>(1, (std::int64_t{1} << 17) / work);
  parallel_for(0, col_blocks, grain, [&](std::int64_t b0, std::int64_t b1) {
    const std::int64_t n0 = b0 * col_block, n1 = std::min(n, b1 * col_block);
    const bool wide = use_avx512();
    for (std::int64_t r = 0; r < m; r += row_chunk) {
      if (wide) avx512::block(a, r, std::min(m, r + row_chunk), n0, n1);
      else avx2::block(a, r, std::min(m, r + row_chunk), n0, n1);
    }
  });
}

}  // namespace s2s::kernels
