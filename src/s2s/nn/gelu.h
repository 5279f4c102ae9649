#pragma once
// GELU, x * Phi(x) with Phi the standard normal CDF (the erf form, torch's
// default). Composed from primitive ops for now: Phi through Abramowitz &
// Stegun 7.1.26 (|erf error| <= 1.5e-7), so values and gradients agree with
// torch's to float tolerance. One function, so a fused op can replace it.
#include "s2s/autograd/graph.h"

namespace s2s::nn {

autograd::Var gelu(autograd::Var x);

}  // namespace s2s::nn
