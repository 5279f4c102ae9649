#pragma once
// A trainable tensor with a name (the key in model files) and its gradient.
#include <string>

#include "s2s/core/tensor.h"
#include "s2s/kernels/quantize.h"

namespace s2s::autograd {

struct Parameter {
  std::string name;
  Tensor value;
  // Same shape as value once a backward pass reaches the parameter: allocated
  // by its first gradient, released by Optimizer::zero_grad (so a step's
  // gradients take no memory during the next forward pass).
  Tensor grad;
  bool trainable = true;
  // A matrix that int8 inference multiplies or looks up through a
  // kernels::Int8Weight (false for one a kernel reads in fp32 even then:
  // relative position tables, Bahdanau's v). Only matrices are ever quantized.
  bool quantizable = true;
  // Held in int8 (a model loaded for int8 decoding, docs/precision.md): the
  // quantized matrix, and `value` is int8.values() (I8, the same shape), so no
  // fp32 copy remains; only an int8 decoder can use the parameter then.
  kernels::Int8Weight int8;

  Parameter() = default;
  Parameter(std::string n, Tensor v, bool train = true)
      : name(std::move(n)), value(std::move(v)), trainable(train) {}
};

}  // namespace s2s::autograd
