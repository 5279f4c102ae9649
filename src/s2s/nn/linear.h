#pragma once
// Linear: y = x W^T + b, W [out, in] as in PyTorch (so weights load 1:1).
// Init as torch.nn.Linear: W and b ~ U(-1/sqrt(in), 1/sqrt(in)) (kaiming-uniform, a = sqrt(5)).
#include "s2s/autograd/graph.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

class Linear : public Module {
 public:
  Linear(std::string name, std::int64_t in, std::int64_t out, bool bias, Rng& rng);
  // Weight shared with another module (tied embeddings: `shared` is [out, in]);
  // only the bias (if any) belongs to this module.
  Linear(std::string name, autograd::Parameter& shared, bool bias, Rng& rng);

  // x [..., in] -> [..., out]
  autograd::Var forward(autograd::Graph& g, autograd::Var x) const;

  std::int64_t in_features() const { return weight_->value.dim(1); }
  std::int64_t out_features() const { return weight_->value.dim(0); }
  autograd::Parameter& weight() const { return *weight_; }
  autograd::Parameter* bias() const { return bias_; }

 private:
  autograd::Parameter* weight_ = nullptr;
  autograd::Parameter* bias_ = nullptr;
};

}  // namespace s2s::nn
