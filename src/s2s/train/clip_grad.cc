#include "s2s/train/clip_grad.h"

#include <cmath>

#include "s2s/core/error.h"
#include "s2s/kernels/optim.h"

namespace s2s::train {

namespace {

// Whether p has a gradient to read: a parameter no backward pass reached has
// none, which counts as zero.
bool has_grad(const autograd::Parameter* p, const char* what) {
  S2S_CHECK(p != nullptr, what, ": parameter list holds a null pointer");
  if (!p->trainable || !p->grad.defined()) return false;
  S2S_CHECK(p->grad.dtype() == DType::F32, what, ": parameter '", p->name, "' needs an F32 gradient");
  return true;
}

}  // namespace

double grad_norm(const std::vector<autograd::Parameter*>& params) {
  double sum = 0.0;
  for (const autograd::Parameter* p : params) {
    if (has_grad(p, "grad_norm")) sum += kernels::sum_squares(p->grad.f32(), p->grad.numel());
  }
  return std::sqrt(sum);
}

double clip_grad_norm(const std::vector<autograd::Parameter*>& params, double max_norm) {
  S2S_CHECK(max_norm >= 0.0, "clip_grad_norm: expected max_norm >= 0, got ", max_norm);
  const double total = grad_norm(params);
  const double coef = max_norm / (total + 1e-6);
  if (std::isfinite(total) && coef < 1.0) {  // PyTorch would turn inf gradients into NaN here
    const float c = static_cast<float>(coef);
    for (autograd::Parameter* p : params)
      if (has_grad(p, "clip_grad_norm")) kernels::scale(p->grad.f32(), p->grad.numel(), c);
  }
  return total;
}

void clip_grad_value(const std::vector<autograd::Parameter*>& params, double clip_value) {
  S2S_CHECK(clip_value >= 0.0, "clip_grad_value: expected clip_value >= 0, got ", clip_value);
  const float v = static_cast<float>(clip_value);
  for (autograd::Parameter* p : params) {
    if (has_grad(p, "clip_grad_value")) kernels::clamp(p->grad.f32(), p->grad.numel(), -v, v);
  }
}

}  // namespace s2s::train
