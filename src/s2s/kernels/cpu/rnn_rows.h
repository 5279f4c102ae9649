#pragma once
// Shared plumbing of the fused recurrent kernels (gru/lstm/rnn_cpu.cc):
// shape checks and the parallel loop over batch rows.
#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "s2s/core/parallel.h"
#include "s2s/core/tensor.h"

namespace s2s::kernels::cpu::rnn_rows {

struct Dims {
  std::int64_t B, H;
};

// B and H from the state [B, H]; checks that every other operand agrees.
inline Dims dims(const char* op, const Tensor& h_prev, const Tensor& xp, const Tensor& hp, std::int64_t gates) {
  std::int64_t H = h_prev.dim(-1), B = H == 0 ? 0 : h_prev.numel() / H;
  S2S_CHECK(xp.numel() == B * gates * H && hp.numel() == B * gates * H, op, ": expected projections of ", B * gates * H,
            " values for B=", B, " H=", H, ", got ", xp.shape().str(), " and ", hp.shape().str());
  return {B, H};
}

inline void check_numel(const char* op, const char* what, const Tensor* t, std::int64_t n) {
  S2S_CHECK(t == nullptr || t->numel() == n, op, ": ", what, " must hold ", n, " values, got ", t->shape().str());
}

inline float* data_or_null(Tensor* t) { return t ? t->f32() : nullptr; }
inline const float* data_or_null(const Tensor* t) { return t ? t->f32() : nullptr; }

// Calls fn(std::true_type{}) or fn(std::false_type{}): turns a run-time
// choice (is this optional operand present?) into a template argument, so
// the row loops have no branch inside and GCC vectorises them. The row loops
// also carry `#pragma omp simd` (their iterations are independent): without
// it GCC 12 leaves some instantiations scalar.
template <typename F>
void with_flag(bool on, const F& fn) {
  if (on) fn(std::true_type{});
  else fn(std::false_type{});
}

// fn(b) for every row, rows split into contiguous chunks over the threads.
// Rows are independent, so results do not depend on the thread count.
template <typename F>
void for_rows(std::int64_t rows, std::int64_t work_per_row, const F& fn) {
  std::int64_t grain = std::max<std::int64_t>(1, 8192 / std::max<std::int64_t>(work_per_row, 1));
  parallel_for(0, rows, grain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t b = lo; b < hi; ++b) fn(b);
  });
}

}  // namespace s2s::kernels::cpu::rnn_rows
