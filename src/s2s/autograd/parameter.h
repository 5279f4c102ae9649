#pragma once
// A trainable tensor with a name (the key in model files) and its gradient.
#include <string>

#include "s2s/core/tensor.h"

namespace s2s::autograd {

struct Parameter {
  std::string name;
  Tensor value;
  // Same shape as value once a backward pass reaches the parameter: allocated
  // by its first gradient, released by Optimizer::zero_grad (so a step's
  // gradients take no memory during the next forward pass).
  Tensor grad;
  bool trainable = true;

  Parameter() = default;
  Parameter(std::string n, Tensor v, bool train = true)
      : name(std::move(n)), value(std::move(v)), trainable(train) {}
};

}  // namespace s2s::autograd
