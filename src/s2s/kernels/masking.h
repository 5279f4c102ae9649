#pragma once
// masked_fill: set positions where a (broadcast) mask is non-zero to a value.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// How a mask covers x viewed as [rows, cols] (cols = x's last dim), following
// the broadcasting rule in autograd/ops.h.
enum class MaskLayout : std::uint8_t {
  Full,    // same shape as x
  Row,     // [cols] or [1, cols], repeated over rows
  Column,  // [rows, 1], repeated over cols
  Scalar,  // [1]
  General, // any other shape that broadcasts to x by NumPy's rule ([B, 1, 1, Tk] on [B, H, Tq, Tk])
};

struct MaskView {
  MaskLayout layout;
  std::int64_t rows, cols;
};

// Classifies mask against x; throws naming both shapes when it does not broadcast.
MaskView mask_view(const Shape& x, const Shape& mask, const char* op);

// out = mask != 0 ? value : x. out has x's shape (may be x itself).
void masked_fill(const Tensor& x, const Tensor& mask, float value, Tensor& out);

// grad_x += grad where mask == 0 (with accumulate false: grad_x = grad there, 0 elsewhere).
void masked_fill_backward(const Tensor& grad, const Tensor& mask, Tensor& grad_x, bool accumulate = true);

}  // namespace s2s::kernels
