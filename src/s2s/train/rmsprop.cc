#include "s2s/train/rmsprop.h"

#include "s2s/core/error.h"
#include "s2s/kernels/optim.h"

namespace s2s::train {

Rmsprop::Rmsprop(std::vector<autograd::Parameter*> params, const RmspropOptions& options)
    : Optimizer("rmsprop", std::move(params), options.lr), options_(options) {
  S2S_CHECK(options.eps >= 0.0, "rmsprop: expected eps >= 0, got ", options.eps);
  S2S_CHECK(options.alpha >= 0.0, "rmsprop: expected alpha >= 0, got ", options.alpha);
  S2S_CHECK(options.momentum >= 0.0, "rmsprop: expected momentum >= 0, got ", options.momentum);
  S2S_CHECK(options.weight_decay >= 0.0, "rmsprop: expected weight_decay >= 0, got ", options.weight_decay);
  add_slot("square_avg");
  if (options.centered) add_slot("grad_avg");
  if (options.momentum > 0.0) add_slot("momentum_buffer");
}

void Rmsprop::update(autograd::Parameter& p, std::span<Tensor> slots) {
  kernels::RmspropStep s;
  s.neg_lr = static_cast<float>(-lr());
  s.alpha = static_cast<float>(options_.alpha);
  s.one_minus_alpha = static_cast<float>(1.0 - options_.alpha);
  s.eps = static_cast<float>(options_.eps);
  s.weight_decay = static_cast<float>(options_.weight_decay);
  s.momentum = static_cast<float>(options_.momentum);
  s.centered = options_.centered;
  std::size_t next = 1;
  float* grad_avg = options_.centered ? slots[next++].f32() : nullptr;
  float* buf = options_.momentum > 0.0 ? slots[next++].f32() : nullptr;
  kernels::rmsprop_step(p.value.f32(), p.grad.f32(), slots[0].f32(), grad_avg, buf, p.value.numel(), s);
}

}  // namespace s2s::train
