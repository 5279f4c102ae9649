#pragma once
// NumPy broadcasting of two shapes: aligned at the right, each pair of dims
// equal or one of them 1 (missing leading dims count as 1); the result takes
// the larger of each pair. Used by the binary ops and masked_fill when an
// operand is not one of their fast layouts (kernels/elementwise.h,
// kernels/masking.h), e.g. x [T, B, d] + positions [T, 1, d], or scores
// [B, H, Tq, Tk] masked by [B, 1, 1, Tk].
#include <array>
#include <cstdint>

#include "s2s/core/shape.h"

namespace s2s::kernels {

// Whether a and b broadcast, and their common shape.
bool broadcastable(const Shape& a, const Shape& b);
// Throws naming `op` and both shapes when they do not broadcast.
Shape broadcast_shape(const Shape& a, const Shape& b, const char* op);

// Element strides of x inside a broadcast result `out` (x broadcastable to
// out): out's index (i_0 .. i_{n-1}) reads x at sum_k i_k * stride[k], with
// stride 0 on the dims x repeats. ndim is out's (at least 1).
struct BroadcastStrides {
  int ndim = 0;
  std::array<std::int64_t, Shape::kMaxDims> dims{};    // out's dims
  std::array<std::int64_t, Shape::kMaxDims> stride{};  // x's strides, 0 where repeated
  // x's offset for row r of out viewed as [rows, last dim].
  std::int64_t row_offset(std::int64_t r) const {
    std::int64_t off = 0;
    for (int k = ndim - 2; k >= 0; --k) {
      off += (r % dims[static_cast<std::size_t>(k)]) * stride[static_cast<std::size_t>(k)];
      r /= dims[static_cast<std::size_t>(k)];
    }
    return off;
  }
  std::int64_t last_stride() const { return stride[static_cast<std::size_t>(ndim - 1)]; }
};
BroadcastStrides broadcast_strides(const Shape& out, const Shape& x);

}  // namespace s2s::kernels
