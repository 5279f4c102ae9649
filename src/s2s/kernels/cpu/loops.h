#pragma once
// Building blocks shared by the CPU kernels: thread grains, and reductions
// whose order depends only on their length (never on the thread count), so
// every result is reproducible bit for bit.
#include <algorithm>
#include <array>
#include <cstdint>

#include "s2s/core/parallel.h"

#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace s2s::kernels::cpu {

// Elements per thread below which a memory-bound loop stays single-threaded:
// waking a thread costs about as much as streaming this many floats.
inline constexpr std::int64_t kGrain = 1 << 15;
// Same for loops doing a transcendental per element.
inline constexpr std::int64_t kMathGrain = 1 << 13;

// Rows per chunk when a loop runs over rows of `cols` elements.
inline std::int64_t row_grain(std::int64_t cols, std::int64_t grain = kGrain) {
  return std::max<std::int64_t>(1, grain / std::max<std::int64_t>(cols, 1));
}

#ifdef __AVX2__
inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
#endif

#ifdef __AVX2__
// The one lane order of the sums here: element i lands in lane i % 32 (four
// 8-lane accumulators over blocks of 32; the last partial vectors one by one
// into their own accumulators, masked) and the lanes combine in one fixed
// tree, so appending zeros (masked positions, padding) never changes a sum: a
// row alone and the same row padded inside a batch give bit-identical
// results. add(acc, i, mask) folds elements [i, i + 8) into acc; mask is
// nullptr for a whole vector, else the lanes below n - i.
template <class Add>
inline float lane_sum(std::int64_t n, Add add) {
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  std::int64_t i = 0;
  for (; i + 32 <= n; i += 32)
    for (int c = 0; c < 4; ++c) add(acc[c], i + 8 * c, nullptr);
  for (int c = 0; c < 4 && i + 8 * c < n; ++c) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(std::min<std::int64_t>(n - i - 8 * c, 8))),
                                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    add(acc[c], i + 8 * c, &mask);
  }
  return hsum8(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
}

inline __m256 load8(const float* p, const __m256i* mask) { return mask ? _mm256_maskload_ps(p, *mask) : _mm256_loadu_ps(p); }
#endif

// sum x[i] (* y[i] when y is given), in lane_sum's order.
inline float dot_or_sum(const float* x, const float* y, std::int64_t n) {
#ifdef __AVX2__
  if (y)
    return lane_sum(n, [&](__m256& a, std::int64_t i, const __m256i* m) {
      a = _mm256_fmadd_ps(load8(x + i, m), load8(y + i, m), a);
    });
  return lane_sum(n, [&](__m256& a, std::int64_t i, const __m256i* m) { a = _mm256_add_ps(load8(x + i, m), a); });
#else
  float total = 0.0f;
  if (y)
    for (std::int64_t i = 0; i < n; ++i) total += x[i] * y[i];
  else
    for (std::int64_t i = 0; i < n; ++i) total += x[i];
  return total;
#endif
}

inline float sum(const float* x, std::int64_t n) { return dot_or_sum(x, nullptr, n); }
inline float dot(const float* x, const float* y, std::int64_t n) { return dot_or_sum(x, y, n); }

// max_i x[i] (n >= 1); NaN-free inputs assumed (a NaN may or may not win).
inline float max_of(const float* x, std::int64_t n) {
  std::int64_t i = 0;
  float m = x[0];
#ifdef __AVX2__
  if (n >= 8) {
    __m256 v = _mm256_loadu_ps(x);
    for (i = 8; i + 8 <= n; i += 8) v = _mm256_max_ps(v, _mm256_loadu_ps(x + i));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_movehdup_ps(h));
    m = _mm_cvtss_f32(h);
  }
#endif
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

// Total over a large array: fixed-size blocks summed in parallel, partials
// added in order in double. The block size depends on n only.
inline double total(const float* x, const float* y, std::int64_t n) {
  constexpr std::int64_t kMaxBlocks = 512;
  std::int64_t block = std::max<std::int64_t>(4096, (n + kMaxBlocks - 1) / kMaxBlocks);
  std::int64_t blocks = (n + block - 1) / block;
  std::array<double, kMaxBlocks> partial{};
  parallel_for(0, blocks, std::max<std::int64_t>(1, kGrain / block), [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b) {
      std::int64_t s = b * block, len = std::min(block, n - s);
      partial[static_cast<std::size_t>(b)] = dot_or_sum(x + s, y ? y + s : nullptr, len);
    }
  });
  double t = 0.0;
  for (std::int64_t b = 0; b < blocks; ++b) t += partial[static_cast<std::size_t>(b)];
  return t;
}

// out[j] = sum_i x[i * ld + j] (* w[i * ld + j]) for j < cols <= kColBlock:
// the column block stays in registers while the rows stream past.
inline constexpr std::int64_t kColBlock = 64;
inline void column_block_sums(const float* x, const float* w, std::int64_t rows, std::int64_t cols, std::int64_t ld,
                              float* out) {
  std::int64_t j = 0;
#ifdef __AVX2__
  if (cols == kColBlock) {
    __m256 acc[8];
    for (auto& a : acc) a = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < rows; ++i) {
      const float* xr = x + i * ld;
      if (w) {
        const float* wr = w + i * ld;
        for (int k = 0; k < 8; ++k) acc[k] = _mm256_fmadd_ps(_mm256_loadu_ps(xr + 8 * k), _mm256_loadu_ps(wr + 8 * k), acc[k]);
      } else {
        for (int k = 0; k < 8; ++k) acc[k] = _mm256_add_ps(_mm256_loadu_ps(xr + 8 * k), acc[k]);
      }
    }
    for (int k = 0; k < 8; ++k) _mm256_storeu_ps(out + 8 * k, acc[k]);
    j = cols;
  }
#endif
  for (std::int64_t c = j; c < cols; ++c) out[c] = 0.0f;
  for (std::int64_t i = 0; i < rows && j < cols; ++i) {
    const float* xr = x + i * ld;
    if (w) {
      const float* wr = w + i * ld;
      for (std::int64_t c = j; c < cols; ++c) out[c] += xr[c] * wr[c];
    } else {
      for (std::int64_t c = j; c < cols; ++c) out[c] += xr[c];
    }
  }
}

// Parallel column sums of a [rows, cols] matrix (leading dimension ld):
// each column block is one independent task, so no cross-thread reduction.
// emit(j0, len, sums) receives each block's sums.
template <typename Emit>
void column_sums(const float* x, const float* w, std::int64_t rows, std::int64_t cols, std::int64_t ld, const Emit& emit) {
  std::int64_t blocks = (cols + kColBlock - 1) / kColBlock;
  parallel_for(0, blocks, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(rows * kColBlock, 1)),
               [&](std::int64_t b0, std::int64_t b1) {
                 alignas(32) float sums[kColBlock];
                 for (std::int64_t b = b0; b < b1; ++b) {
                   std::int64_t j0 = b * kColBlock, len = std::min(kColBlock, cols - j0);
                   column_block_sums(x + j0, w ? w + j0 : nullptr, rows, len, ld, sums);
                   emit(j0, len, sums);
                 }
               });
}

}  // namespace s2s::kernels::cpu
