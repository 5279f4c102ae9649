#pragma once
// Elementwise activations and their gradients, over whole tensors.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

enum class UnaryOp : std::uint8_t { Tanh, Sigmoid, Relu, Exp, Log };

// y = f(x); y may alias x. Tanh, Sigmoid and Exp use the fast vector maths of
// kernels/cpu/vecmath.h (a few ulp from std::).
void unary(UnaryOp op, const Tensor& x, Tensor& y);

// gx += g * f'(x) (gx = ... when !accumulate), written with whichever of x and
// y = f(x) is cheaper: Tanh g (1 - y^2), Sigmoid g y (1 - y), Relu g [y > 0],
// Exp g y, Log g / x.
void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate = true);

}  // namespace s2s::kernels
