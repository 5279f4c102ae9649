#pragma once
// LayerNorm over the last axis with learned gain (init 1) and bias (init 0),
// named "weight" and "bias" as torch.nn.LayerNorm.
#include "s2s/autograd/graph.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

class LayerNorm : public Module {
 public:
  LayerNorm(std::string name, std::int64_t dim, float eps = 1e-5f);
  autograd::Var forward(autograd::Graph& g, autograd::Var x) const;

 private:
  autograd::Parameter* gamma_;
  autograd::Parameter* beta_;
  float eps_;
};

}  // namespace s2s::nn
