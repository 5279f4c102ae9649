#pragma once
// Module: a named collection of parameters and child modules. Names are
// hierarchical ("decoder.attention.W.weight") and are the keys of model
// files. A module's own name is its full prefix, given at construction;
// children are members of the derived class, built with child_name("x") and
// registered with add_child, so modules are neither copied nor moved.
#include <memory>
#include <string>
#include <vector>

#include "s2s/autograd/parameter.h"
#include "s2s/core/rng.h"

namespace s2s::nn {

class Module {
 public:
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  const std::string& name() const { return name_; }

  // This module's parameters, then each child's, in registration order.
  std::vector<autograd::Parameter*> parameters() const;
  void collect_parameters(std::vector<autograd::Parameter*>& out) const;

 protected:
  autograd::Parameter& add_parameter(const std::string& local_name, Tensor value, bool trainable = true);
  void add_child(Module& child) { children_.push_back(&child); }
  std::string child_name(const std::string& local_name) const {
    return name_.empty() ? local_name : name_ + "." + local_name;
  }

 private:
  std::string name_;
  std::vector<std::unique_ptr<autograd::Parameter>> params_;  // stable addresses: graphs keep Parameter*
  std::vector<Module*> children_;
};

// PyTorch's initialisations, drawn from rng in a fixed order.
Tensor init_uniform(const Shape& shape, float bound, Rng& rng);  // U(-bound, bound)
Tensor init_normal(const Shape& shape, float stddev, Rng& rng);  // N(0, stddev^2)

}  // namespace s2s::nn
