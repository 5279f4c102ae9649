#pragma once
// Gated linear unit (Dauphin et al. 2017) over the last axis, as
// torch.nn.functional.glu(x, -1): x = [a, b] halves, y = a sigmoid(b).
#include "s2s/core/tensor.h"

namespace s2s::kernels {

// x [..., 2C] -> y [..., C]. The sigmoid is kernels/cpu/vecmath.h's (a few ulp from std::).
void glu(const Tensor& x, Tensor& y);

// gx [..., 2C] (= or +=): da = gy sigmoid(b), db = gy a sigmoid(b) (1 - sigmoid(b)).
void glu_backward(const Tensor& x, const Tensor& gy, Tensor& gx, bool accumulate);

}  // namespace s2s::kernels
