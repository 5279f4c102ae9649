#pragma once
// Row-wise argmax and token accuracy (not differentiable; for metrics and greedy picks).
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// x [rows, cols] (any shape, viewed by its last dim) -> out I32 [rows]: the
// index of each row's largest value; the first one wins ties, NaN is never picked
// unless the row is all NaN (then 0).
void argmax_rows(const Tensor& x, Tensor& out);

// The index of the first largest of x[0, n) (NaN never wins), or -1 when all
// are NaN. Vectorised: a max pass, then the first index holding it.
std::int64_t argmax(const float* x, std::int64_t n);

// The first i in [from, n) with x[i] > threshold (never NaN), or n: lets a
// top-k scan skip, a vector at a time, what cannot enter its list.
std::int64_t next_above(const float* x, std::int64_t n, std::int64_t from, float threshold);

struct TokenCounts {
  std::int64_t correct = 0;  // rows whose argmax equals the target
  std::int64_t total = 0;    // rows whose target is not ignore_index
};

// logits [N, V], targets I32 [N]; rows with target == ignore_index are skipped.
TokenCounts token_accuracy(const Tensor& logits, const Tensor& targets, std::int32_t ignore_index);

}  // namespace s2s::kernels
