#include "s2s/train/sgd.h"

#include "s2s/core/error.h"
#include "s2s/kernels/optim.h"

namespace s2s::train {

Sgd::Sgd(std::vector<autograd::Parameter*> params, const SgdOptions& options)
    : Optimizer("sgd", std::move(params), options.lr), options_(options) {
  S2S_CHECK(options.momentum >= 0.0, "sgd: expected momentum >= 0, got ", options.momentum);
  S2S_CHECK(options.weight_decay >= 0.0, "sgd: expected weight_decay >= 0, got ", options.weight_decay);
  S2S_CHECK(options.dampening == options.dampening, "sgd: dampening is NaN");
  S2S_CHECK(!options.nesterov || (options.momentum > 0.0 && options.dampening == 0.0),
            "sgd: nesterov momentum needs momentum > 0 and dampening == 0");
  if (options.momentum != 0.0) add_slot("momentum_buffer");
}

void Sgd::update(autograd::Parameter& p, std::span<Tensor> slots) {
  kernels::SgdStep s;
  s.lr = static_cast<float>(lr());
  s.momentum = static_cast<float>(options_.momentum);
  s.dampening = static_cast<float>(options_.dampening);
  s.weight_decay = static_cast<float>(options_.weight_decay);
  s.nesterov = options_.nesterov;
  s.first_step = step_count() == 1;  // PyTorch's buffer starts as a copy of the first step's gradient
  float* buf = slots.empty() ? nullptr : slots[0].f32();
  kernels::sgd_step(p.value.f32(), p.grad.f32(), buf, p.value.numel(), s);
}

}  // namespace s2s::train
