#pragma once
// A trainable tensor with a name (the key in model files) and its gradient.
#include <string>

#include "s2s/core/tensor.h"

namespace s2s::autograd {

struct Parameter {
  std::string name;
  Tensor value;
  Tensor grad;  // same shape as value; zeroed by the optimizer
  bool trainable = true;

  Parameter() = default;
  Parameter(std::string n, Tensor v, bool train = true)
      : name(std::move(n)), value(std::move(v)), grad(Tensor::zeros(value.shape())), trainable(train) {}
};

}  // namespace s2s::autograd
