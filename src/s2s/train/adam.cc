#include "s2s/train/adam.h"

#include <cmath>

#include "s2s/core/error.h"
#include "s2s/kernels/optim.h"

namespace s2s::train {

Adam::Adam(std::vector<autograd::Parameter*> params, const AdamOptions& options)
    : Adam("adam", std::move(params), options, false) {}

AdamW::AdamW(std::vector<autograd::Parameter*> params, const AdamWOptions& options)
    : Adam("adamw", std::move(params),
           AdamOptions{options.lr, options.beta1, options.beta2, options.eps, options.weight_decay, options.amsgrad},
           true) {}

Adam::Adam(std::string name, std::vector<autograd::Parameter*> params, const AdamOptions& options, bool decoupled)
    : Optimizer(name, std::move(params), options.lr), options_(options), decoupled_(decoupled) {
  S2S_CHECK(options.eps >= 0.0, name, ": expected eps >= 0, got ", options.eps);
  S2S_CHECK(options.beta1 >= 0.0 && options.beta1 < 1.0, name, ": expected 0 <= beta1 < 1, got ", options.beta1);
  S2S_CHECK(options.beta2 >= 0.0 && options.beta2 < 1.0, name, ": expected 0 <= beta2 < 1, got ", options.beta2);
  S2S_CHECK(options.weight_decay >= 0.0, name, ": expected weight_decay >= 0, got ", options.weight_decay);
  add_slot("exp_avg");
  add_slot("exp_avg_sq");
  if (options.amsgrad) add_slot("max_exp_avg_sq");
}

void Adam::update(autograd::Parameter& p, std::span<Tensor> slots) {
  // Scalars in double as PyTorch computes them in Python, rounded once to float.
  const double t = static_cast<double>(step_count());
  const double bias_correction1 = 1.0 - std::pow(options_.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(options_.beta2, t);
  kernels::AdamStep s;
  s.neg_step_size = static_cast<float>(-(lr() / bias_correction1));
  s.bias_correction2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  s.one_minus_beta1 = static_cast<float>(1.0 - options_.beta1);
  s.beta2 = static_cast<float>(options_.beta2);
  s.one_minus_beta2 = static_cast<float>(1.0 - options_.beta2);
  s.eps = static_cast<float>(options_.eps);
  s.weight_decay = decoupled_ ? 0.0f : static_cast<float>(options_.weight_decay);
  s.decay_factor = decoupled_ ? static_cast<float>(1.0 - lr() * options_.weight_decay) : 1.0f;
  s.amsgrad = options_.amsgrad;
  float* max_sq = options_.amsgrad ? slots[2].f32() : nullptr;
  kernels::adam_step(p.value.f32(), p.grad.f32(), slots[0].f32(), slots[1].f32(), max_sq, p.value.numel(), s);
}

}  // namespace s2s::train
