#pragma once
// Binary elementwise arithmetic with broadcasting, and the affine maps.
//
// Broadcasting (the rule in autograd/ops.h): b has a's shape, or is a row
// vector ([cols] or [1, cols], cols = a's last dim, repeated over rows), a
// column ([rows, 1], rows = a.numel() / cols), or a scalar ([1]). Leading 1s
// are allowed on rows ([1, 1, cols]); columns may keep a's leading dims
// ([d0, d1, 1]).
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

enum class BinaryOp : std::uint8_t { Add, Sub, Mul, Div };
enum class Broadcast : std::uint8_t { Same, Row, Column, Scalar };

// How b broadcasts against a; fails with a message naming `op` and both shapes.
Broadcast broadcast_kind(const Shape& a, const Shape& b, const char* op);

// out = a op b (b broadcast); out has a's shape and may alias a.
void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out);

// Gradients of out = a op b given g = dL/dout, accumulated (+=):
//   ga += dL/da (a's shape),   gb += dL/db reduced over the broadcast dims.
// The reductions are parallel over independent outputs (fixed order).
// binary_backward_a with accumulate false writes ga (=) instead.
void binary_backward_a(BinaryOp op, const Tensor& g, const Tensor& b, Tensor& ga, bool accumulate = true);
void binary_backward_b(BinaryOp op, const Tensor& g, const Tensor& a, const Tensor& b, Tensor& gb);

// y = alpha * x + beta (y may alias x).
void affine(const Tensor& x, float alpha, float beta, Tensor& y);
// y += alpha * x over numel elements (shapes may differ).
void axpy(float alpha, const Tensor& x, Tensor& y);
// y += c on every element.
void add_constant(float c, Tensor& y);

}  // namespace s2s::kernels
