#include "s2s/nn/gelu.h"

#include <cmath>

#include "s2s/autograd/ops.h"

namespace s2s::nn {

autograd::Var gelu(autograd::Var x) {
  using namespace autograd;
  Graph& g = x.graph();
  const std::int64_t n = x.value().numel();
  // Per element constants (no gradient): z = |x| / sqrt(2) as x * sign / sqrt(2);
  // Phi = step(x) + side * erfc(z) / 2 with step 1 and side -1 for x >= 0,
  // step 0 and side +1 below (erfc(z) = 1 - erf(z), z >= 0, is what A&S approximate).
  Tensor to_z = Tensor::empty(x.shape()), side = Tensor::empty(x.shape()), step = Tensor::empty(x.shape()),
         ones = Tensor::full(x.shape(), 1.0f);
  const float inv_sqrt2 = static_cast<float>(1.0 / std::sqrt(2.0));
  const float* xv = x.value().f32();
  for (std::int64_t k = 0; k < n; ++k) {
    bool pos = xv[k] >= 0.0f;
    to_z.f32()[k] = pos ? inv_sqrt2 : -inv_sqrt2;
    side.f32()[k] = pos ? -0.5f : 0.5f;
    step.f32()[k] = pos ? 1.0f : 0.0f;
  }
  constexpr float p = 0.3275911f, a1 = 0.254829592f, a2 = -0.284496736f, a3 = 1.421413741f, a4 = -1.453152027f,
                  a5 = 1.061405429f;
  Var z = mul(x, g.input(to_z));
  Var t = div(g.input(ones), add_scalar(scale(z, p), 1.0f));
  Var poly = add_scalar(scale(t, a5), a4);
  poly = add_scalar(mul(poly, t), a3);
  poly = add_scalar(mul(poly, t), a2);
  poly = add_scalar(mul(poly, t), a1);
  poly = mul(poly, t);
  Var erfc = mul(poly, exp(scale(mul(z, z), -1.0f)));
  Var phi = add(mul(erfc, g.input(side)), g.input(step));
  return mul(x, phi);
}

}  // namespace s2s::nn
