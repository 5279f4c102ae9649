#include "s2s/train/adagrad.h"

#include "s2s/core/error.h"
#include "s2s/kernels/optim.h"

namespace s2s::train {

Adagrad::Adagrad(std::vector<autograd::Parameter*> params, const AdagradOptions& options)
    : Optimizer("adagrad", std::move(params), options.lr), options_(options) {
  S2S_CHECK(options.lr_decay >= 0.0, "adagrad: expected lr_decay >= 0, got ", options.lr_decay);
  S2S_CHECK(options.weight_decay >= 0.0, "adagrad: expected weight_decay >= 0, got ", options.weight_decay);
  S2S_CHECK(options.initial_accumulator_value >= 0.0, "adagrad: expected initial_accumulator_value >= 0, got ",
            options.initial_accumulator_value);
  S2S_CHECK(options.eps >= 0.0, "adagrad: expected eps >= 0, got ", options.eps);
  add_slot("sum", static_cast<float>(options.initial_accumulator_value));
}

void Adagrad::update(autograd::Parameter& p, std::span<Tensor> slots) {
  const double clr = lr() / (1.0 + static_cast<double>(step_count() - 1) * options_.lr_decay);
  kernels::AdagradStep s;
  s.neg_clr = static_cast<float>(-clr);
  s.eps = static_cast<float>(options_.eps);
  s.weight_decay = static_cast<float>(options_.weight_decay);
  kernels::adagrad_step(p.value.f32(), p.grad.f32(), slots[0].f32(), p.value.numel(), s);
}

}  // namespace s2s::train
