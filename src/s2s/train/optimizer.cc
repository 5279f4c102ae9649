#include "s2s/train/optimizer.h"

#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "s2s/core/error.h"

namespace s2s::train {

Optimizer::Optimizer(std::string name, std::vector<autograd::Parameter*> params, double lr)
    : name_(std::move(name)), all_(std::move(params)), lr_(lr) {
  S2S_CHECK(std::isfinite(lr) && lr >= 0.0, name_, ": expected a learning rate >= 0, got ", lr);
  std::unordered_set<const autograd::Parameter*> seen_params;
  std::unordered_set<std::string> seen_names;
  for (autograd::Parameter* p : all_) {
    S2S_CHECK(p != nullptr, name_, ": parameter list holds a null pointer");
    S2S_CHECK(seen_params.insert(p).second, name_, ": parameter '", p->name, "' is listed twice");
    if (!p->trainable) continue;
    S2S_CHECK(seen_names.insert(p->name).second, name_, ": two trainable parameters are named '", p->name,
              "'; names key the optimizer state");
    S2S_CHECK(p->value.defined() && p->value.dtype() == DType::F32, name_, ": parameter '", p->name,
              "' must hold an F32 tensor");
    trainable_.push_back(p);
  }
  slots_.resize(trainable_.size());
}

void Optimizer::add_slot(std::string slot, float init) {
  slot_names_.push_back(std::move(slot));
  for (std::size_t i = 0; i < trainable_.size(); ++i) {
    Tensor t = Tensor::empty(trainable_[i]->value.shape(), DType::F32, trainable_[i]->value.device());
    t.fill(init);
    slots_[i].push_back(std::move(t));
  }
}

void Optimizer::set_lr(double lr) {
  S2S_CHECK(std::isfinite(lr) && lr >= 0.0, name_, ": expected a learning rate >= 0, got ", lr);
  lr_ = lr;
}

void Optimizer::step() {
  for (autograd::Parameter* p : trainable_) {
    // A parameter that no backward pass reached has a zero gradient (its
    // state still decays, as in a dense PyTorch update).
    if (!p->grad.defined()) p->grad = Tensor::zeros(p->value.shape(), DType::F32, p->value.device());
    S2S_CHECK(p->grad.dtype() == DType::F32 && p->grad.shape() == p->value.shape(), name_, ": parameter '", p->name,
              "' needs an F32 gradient of shape ", p->value.shape().str());
  }
  ++step_;
  for (std::size_t i = 0; i < trainable_.size(); ++i) update(*trainable_[i], slots_[i]);
}

void Optimizer::zero_grad() {
  for (autograd::Parameter* p : all_) p->grad.reset();
}

std::string Optimizer::state_name(std::size_t slot, std::size_t param) const {
  return name_ + "." + slot_names_[slot] + "." + trainable_[param]->name;
}

NamedTensors Optimizer::state_tensors() const {
  NamedTensors out;
  out.reserve(trainable_.size() * slot_names_.size());
  for (std::size_t i = 0; i < trainable_.size(); ++i)
    for (std::size_t s = 0; s < slot_names_.size(); ++s) out.emplace_back(state_name(s, i), slots_[i][s]);
  return out;
}

NamedScalars Optimizer::state_scalars() const {
  return {{name_ + ".step", static_cast<double>(step_)}, {name_ + ".lr", lr_}};
}

void Optimizer::load_state(const NamedTensors& tensors, const NamedScalars& scalars) {
  // Validate everything first so a bad checkpoint leaves the optimizer untouched.
  std::unordered_map<std::string, const Tensor*> given;
  for (const auto& [key, t] : tensors)
    S2S_CHECK(given.emplace(key, &t).second, name_, ": checkpoint lists state tensor '", key, "' twice");
  std::vector<std::pair<Tensor*, const Tensor*>> copies;
  for (std::size_t i = 0; i < trainable_.size(); ++i)
    for (std::size_t s = 0; s < slot_names_.size(); ++s) {
      std::string key = state_name(s, i);
      auto it = given.find(key);
      S2S_CHECK(it != given.end(), name_, ": checkpoint has no state tensor '", key, "'");
      const Tensor& src = *it->second;
      Tensor& dst = slots_[i][s];
      S2S_CHECK(src.defined() && src.dtype() == DType::F32, name_, ": state tensor '", key, "' must be F32");
      S2S_CHECK(src.shape() == dst.shape(), name_, ": state tensor '", key, "' has shape ", src.shape().str(),
                ", expected ", dst.shape().str());
      copies.emplace_back(&dst, &src);
      given.erase(it);
    }
  for (const auto& entry : tensors)  // name the first leftover in the checkpoint's own order
    S2S_CHECK(!given.count(entry.first), name_, ": checkpoint has unexpected state tensor '", entry.first,
              "' (different optimizer, options or parameters?)");

  std::unordered_map<std::string, double> values;
  for (const auto& [key, v] : scalars)
    S2S_CHECK(values.emplace(key, v).second, name_, ": checkpoint lists scalar '", key, "' twice");
  auto take = [&](const std::string& key) {
    auto it = values.find(key);
    S2S_CHECK(it != values.end(), name_, ": checkpoint has no scalar '", key, "'");
    double v = it->second;
    values.erase(it);
    return v;
  };
  double step = take(name_ + ".step"), lr = take(name_ + ".lr");
  for (const auto& entry : scalars)
    S2S_CHECK(!values.count(entry.first), name_, ": checkpoint has unexpected scalar '", entry.first, "'");
  S2S_CHECK(step >= 0 && step <= 9007199254740992.0 && step == std::floor(step), name_,
            ": scalar '", name_, ".step' must be a non-negative integer, got ", step);
  S2S_CHECK(std::isfinite(lr) && lr >= 0.0, name_, ": scalar '", name_, ".lr' must be >= 0, got ", lr);

  for (auto& [dst, src] : copies)
    if (!dst->same_storage(*src)) dst->copy_from(*src);
  step_ = static_cast<std::int64_t>(step);
  lr_ = lr;
}

}  // namespace s2s::train
