#pragma once
// Elementwise activations and their gradients, over whole tensors.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

enum class UnaryOp : std::uint8_t { Tanh, Sigmoid, Relu, Exp, Log, Gelu };

// y = f(x); y may alias x. Tanh, Sigmoid and Exp use the fast vector maths of
// kernels/cpu/vecmath.h (a few ulp from std::). Gelu is the exact (erf) form,
// torch.nn.functional.gelu's default: x Phi(x), Phi the standard normal CDF,
// computed as x erfc(-x / sqrt 2) / 2 with an erfc of relative error below
// 1.2e-7 (Numerical Recipes' Chebyshev fit) and exp(-x^2 / 2) from an exactly
// split x^2, so the negative tail keeps its relative accuracy (< 5e-7 down to
// x = -10, where GELU is -8e-23) instead of flushing early.
void unary(UnaryOp op, const Tensor& x, Tensor& y);

// gx += g * f'(x) (gx = ... when !accumulate), written with whichever of x and
// y = f(x) is cheaper: Tanh g (1 - y^2), Sigmoid g y (1 - y), Relu g [y > 0],
// Exp g y, Log g / x, Gelu g (Phi(x) + x phi(x)).
void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate = true);

}  // namespace s2s::kernels
