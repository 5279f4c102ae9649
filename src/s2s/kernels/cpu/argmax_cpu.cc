#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/kernels/argmax.h"

namespace s2s::kernels {

void argmax_rows(const Tensor& x, Tensor& out) {
  std::int64_t cols = x.dim(-1), rows = cols == 0 ? 0 : x.numel() / cols;
  S2S_CHECK(cols > 0, "argmax_rows: rows must not be empty, got shape ", x.shape().str());
  S2S_CHECK(out.numel() == rows, "argmax_rows: output has ", out.numel(), " values, expected ", rows);
  const float* px = x.f32();
  std::int32_t* po = out.i32();
  parallel_for(0, rows, std::max<std::int64_t>(1, 16384 / cols), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r) {
      const float* xr = px + r * cols;
      std::int64_t best = 0;
      float best_v = xr[0];
      for (std::int64_t c = 1; c < cols; ++c)
        if (xr[c] > best_v || (best_v != best_v && xr[c] == xr[c])) best_v = xr[c], best = c;
      po[r] = static_cast<std::int32_t>(best);
    }
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
