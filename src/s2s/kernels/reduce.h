#pragma once
// Sums over one axis and over everything. A tensor is viewed as
// [outer, d, inner] around the reduced axis; every output element is one
// fixed-order sum, so results do not depend on the thread count.
#include "s2s/core/tensor.h"

namespace s2s::kernels {

// out[o, i] = scale * sum_k x[o, k, i]; out has outer * inner elements.
void sum_axis(const Tensor& x, int axis, float scale, Tensor& out);
// gx[o, k, i] += scale * g[o, i] (the gradient of sum_axis).
void sum_axis_backward(const Tensor& g, int axis, float scale, Tensor& gx);
// Sum of every element: blocks of a size set by numel, partials added in double.
float sum_all(const Tensor& x);

}  // namespace s2s::kernels
