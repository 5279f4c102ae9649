#pragma once
// Binary elementwise arithmetic with broadcasting, and the affine maps.
//
// Broadcasting (the rule in autograd/ops.h). Fast layouts, where the result
// has a's shape: b has a's shape, or is a row vector ([cols] or [1, cols],
// cols = a's last dim, repeated over rows), a column ([rows, 1], rows =
// a.numel() / cols), or a scalar ([1]). Leading 1s are allowed on rows
// ([1, 1, cols]); columns may keep a's leading dims ([d0, d1, 1]) but not
// exceed a's rank. Any other
// pair that broadcasts by NumPy's rule (kernels/broadcast.h) is General: the
// result has the broadcast shape and either operand may repeat.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

enum class BinaryOp : std::uint8_t { Add, Sub, Mul, Div };
enum class Broadcast : std::uint8_t { Same, Row, Column, Scalar, General };

// How b broadcasts against a; fails with a message naming `op` and both shapes.
Broadcast broadcast_kind(const Shape& a, const Shape& b, const char* op);
// The shape of a op b: a's for the fast layouts, the NumPy broadcast shape for General.
Shape binary_shape(const Shape& a, const Shape& b, const char* op);

// out = a op b (broadcast); out has binary_shape(a, b) and may alias a.
void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out);

// Gradients of out = a op b given g = dL/dout, accumulated (+=):
//   ga += dL/da,   gb += dL/db, each reduced over the dims its operand repeats.
// The reductions are parallel over independent outputs, each summed in a
// fixed order (row-major over the repeated dims). binary_backward_a reads a's
// shape from ga; with accumulate false it writes ga (=) instead.
void binary_backward_a(BinaryOp op, const Tensor& g, const Tensor& b, Tensor& ga, bool accumulate = true);
void binary_backward_b(BinaryOp op, const Tensor& g, const Tensor& a, const Tensor& b, Tensor& gb);

// y = alpha * x + beta (y may alias x).
void affine(const Tensor& x, float alpha, float beta, Tensor& y);
// y += alpha * x over numel elements (shapes may differ).
void axpy(float alpha, const Tensor& x, Tensor& y);
// y += c on every element.
void add_constant(float c, Tensor& y);

}  // namespace s2s::kernels
