#pragma once
// Softmax and log-softmax over the last axis, max-shifted so large logits
// never overflow, and their gradients. Rows are independent (parallel).
#include "s2s/core/tensor.h"

namespace s2s::kernels {

void softmax(const Tensor& x, Tensor& y);
void log_softmax(const Tensor& x, Tensor& y);

// y is the forward output. gx += y * (g - sum(g * y)) per row.
void softmax_backward(const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate = true);
// y is the forward output (log-probabilities). gx += g - exp(y) * sum(g) per row.
void log_softmax_backward(const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate = true);

}  // namespace s2s::kernels
