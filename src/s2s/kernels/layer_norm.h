#pragma once
// Layer normalisation over the last axis (PyTorch's formula, biased variance):
//   y = (x - mean) * rstd * gamma + beta,  rstd = 1 / sqrt(var + eps).
#include "s2s/core/tensor.h"

namespace s2s::kernels {

// x viewed as [rows, dim]; gamma, beta [dim]. Writes each row's mean and rstd
// ([rows]) when given, for the backward pass.
void layer_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y, Tensor* mean,
                        Tensor* rstd);

// Accumulates into each gradient that is not null. With xhat = (x - mean) * rstd
// and dxhat = grad_y * gamma:
//   grad_x     += rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
//   grad_gamma += sum over rows of grad_y * xhat,  grad_beta += sum over rows of grad_y
void layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                         const Tensor& rstd, Tensor* grad_x, Tensor* grad_gamma, Tensor* grad_beta);

}  // namespace s2s::kernels
