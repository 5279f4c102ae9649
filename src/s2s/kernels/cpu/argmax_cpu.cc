#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <limits>

#include "s2s/core/parallel.h"
#include "s2s/kernels/argmax.h"

namespace s2s::kernels {

std::int64_t argmax(const float* x, std::int64_t n) {
  // max_ps(x, m) keeps m when x is NaN, so NaN never becomes the maximum.
  __m256 mv = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8) mv = _mm256_max_ps(_mm256_loadu_ps(x + i), mv);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, mv);
  float m = lanes[0];
  for (int l = 1; l < 8; ++l) m = lanes[l] > m ? lanes[l] : m;
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  // The first index equal to it (NaN equals nothing; -0 and +0 are equal,
  // so the first of them wins as a strict > scan would pick it).
  const __m256 mb = _mm256_set1_ps(m);
  for (i = 0; i + 8 <= n; i += 8) {
    const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), mb, _CMP_EQ_OQ));
    if (hit) return i + std::countr_zero(static_cast<unsigned>(hit));
  }
  for (; i < n; ++i)
    if (x[i] == m) return i;
  return -1;
}

std::int64_t next_above(const float* x, std::int64_t n, std::int64_t from, float threshold) {
  const __m256 t = _mm256_set1_ps(threshold);
  std::int64_t i = from;
  for (; i + 8 <= n; i += 8) {
    const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(x + i), t, _CMP_GT_OQ));
    if (hit) return i + std::countr_zero(static_cast<unsigned>(hit));
  }
  for (; i < n; ++i)
    if (x[i] > threshold) return i;
  return n;
}

void argmax_rows(const Tensor& x, Tensor& out) {
  std::int64_t cols = x.dim(-1), rows = cols == 0 ? 0 : x.numel() / cols;
  S2S_CHECK(cols > 0, "argmax_rows: rows must not be empty, got shape ", x.shape().str());
  S2S_CHECK(out.numel() == rows, "argmax_rows: output has ", out.numel(), " values, expected ", rows);
  const float* px = x.f32();
  std::int32_t* po = out.i32();
  parallel_for(0, rows, std::max<std::int64_t>(1, 16384 / cols), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r) po[r] = static_cast<std::int32_t>(std::max<std::int64_t>(argmax(px + r * cols, cols), 0));
  });
}

TokenCounts token_accuracy(const Tensor& logits, const Tensor& targets, std::int32_t ignore_index) {
  S2S_CHECK(logits.ndim() == 2 && targets.ndim() == 1 && targets.dim(0) == logits.dim(0),
            "token_accuracy: expected logits [N, V] and targets [N], got ", logits.shape().str(), " and ",
            targets.shape().str());
  Tensor best = Tensor::empty(Shape{logits.dim(0)}, DType::I32);
  argmax_rows(logits, best);
  TokenCounts counts;
  const std::int32_t *t = targets.i32(), *p = best.i32();
  for (std::int64_t i = 0; i < targets.numel(); ++i) {
    if (t[i] == ignore_index) continue;
    ++counts.total;
    counts.correct += p[i] == t[i];
  }
  return counts;
}

}  // namespace s2s::kernels
