#include "s2s/nn/module.h"

namespace s2s::nn {

std::vector<autograd::Parameter*> Module::parameters() const {
  std::vector<autograd::Parameter*> out;
  collect_parameters(out);
  return out;
}

void Module::collect_parameters(std::vector<autograd::Parameter*>& out) const {
  for (const auto& p : params_) out.push_back(p.get());
  for (const Module* c : children_) c->collect_parameters(out);
}

autograd::Parameter& Module::add_parameter(const std::string& local_name, Tensor value, bool trainable) {
  params_.push_back(std::make_unique<autograd::Parameter>(child_name(local_name), std::move(value), trainable));
  return *params_.back();
}

Tensor init_uniform(const Shape& shape, float bound, Rng& rng) {
  Tensor t = Tensor::empty(shape);
  rng.fill_uniform(t.f32(), t.numel(), -bound, bound);
  return t;
}

Tensor init_normal(const Shape& shape, float stddev, Rng& rng) {
  Tensor t = Tensor::empty(shape);
  rng.fill_normal(t.f32(), t.numel(), 0.0f, stddev);
  return t;
}

}  // namespace s2s::nn
