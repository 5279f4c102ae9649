#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/kernels/broadcast.h"
#include "s2s/kernels/masking.h"

namespace s2s::kernels {

MaskView mask_view(const Shape& x, const Shape& mask, const char* op) {
  std::int64_t cols = x.ndim() == 0 ? 1 : x.dim(-1);
  std::int64_t rows = cols == 0 ? 0 : x.numel() / cols;
  if (mask == x) return {MaskLayout::Full, rows, cols};
  if (mask.ndim() == 1 && mask[0] == 1) return {MaskLayout::Scalar, rows, cols};
  bool row = (mask.ndim() == 1 && mask[0] == cols) || (mask.ndim() == 2 && mask[0] == 1 && mask[1] == cols);
  if (row) return {MaskLayout::Row, rows, cols};
  if (mask.ndim() == 2 && mask[0] == rows && mask[1] == 1) return {MaskLayout::Column, rows, cols};
  if (mask.ndim() <= x.ndim() && broadcastable(x, mask) && broadcast_shape(x, mask, op) == x)
    return {MaskLayout::General, rows, cols};
  fail(op, ": mask of shape ", mask.str(), " does not broadcast to ", x.str(), " (expected the same shape, [", cols,
       "], [1, ", cols, "], [", rows, ", 1], [1], or a shape that broadcasts to it by NumPy's rule)");
}

namespace {

// Calls fn(row, mask pointer, mask stride) for every row of x, in parallel
// over rows; the mask stride is 0 for layouts repeated along a row.
// `strides`: the mask's broadcast strides for the General layout.
template <typename F>
void for_each_row(const MaskView& v, const float* mask, const BroadcastStrides& strides, const F& fn) {
  std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(v.cols, 1));
  parallel_for(0, v.rows, grain, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r) {
      switch (v.layout) {
        case MaskLayout::Full: fn(r, mask + r * v.cols, 1); break;
        case MaskLayout::Row: fn(r, mask, 1); break;
        case MaskLayout::Column: fn(r, mask + r, 0); break;
        case MaskLayout::Scalar: fn(r, mask, 0); break;
        case MaskLayout::General: fn(r, mask + strides.row_offset(r), strides.last_stride()); break;
      }
    }
  });
}

BroadcastStrides strides_of(const MaskView& v, const Shape& x, const Shape& mask) {
  return v.layout == MaskLayout::General ? broadcast_strides(x, mask) : BroadcastStrides{};
}

}  // namespace

void masked_fill(const Tensor& x, const Tensor& mask, float value, Tensor& out) {
  MaskView v = mask_view(x.shape(), mask.shape(), "masked_fill");
  const float* px = x.f32();
  float* po = out.f32();
  std::int64_t cols = v.cols;
  for_each_row(v, mask.f32(), strides_of(v, x.shape(), mask.shape()), [&](std::int64_t r, const float* m, std::int64_t stride) {
    const float* xr = px + r * cols;
    float* orow = po + r * cols;
    if (stride == 0) {
      if (m[0] != 0.0f) std::fill(orow, orow + cols, value);
      else if (orow != xr) std::copy(xr, xr + cols, orow);
      return;
    }
    float fill = value;
#pragma omp simd
    for (std::int64_t c = 0; c < cols; ++c) orow[c] = m[c] != 0.0f ? fill : xr[c];
  });
}

void masked_fill_backward(const Tensor& grad, const Tensor& mask, Tensor& grad_x, bool accumulate) {
  MaskView v = mask_view(grad.shape(), mask.shape(), "masked_fill backward");
  const float* pg = grad.f32();
  float* px = grad_x.f32();
  std::int64_t cols = v.cols;
  for_each_row(v, mask.f32(), strides_of(v, grad.shape(), mask.shape()), [&](std::int64_t r, const float* m, std::int64_t stride) {
    const float* gr = pg + r * cols;
    float* xr = px + r * cols;
    if (!accumulate) {
      if (stride == 0)
        for (std::int64_t c = 0; c < cols; ++c) xr[c] = m[0] != 0.0f ? 0.0f : gr[c];
      else
        for (std::int64_t c = 0; c < cols; ++c) xr[c] = m[c] != 0.0f ? 0.0f : gr[c];
      return;
    }
    if (stride == 0) {
      if (m[0] != 0.0f) return;
#pragma omp simd
      for (std::int64_t c = 0; c < cols; ++c) xr[c] += gr[c];
      return;
    }
#pragma omp simd
    for (std::int64_t c = 0; c < cols; ++c) {
      float gv = gr[c];
      xr[c] += m[c] != 0.0f ? 0.0f : gv;
    }
  });
}

}  // namespace s2s::kernels
