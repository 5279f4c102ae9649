#pragma once
// Linear with weight normalisation (Salimans & Kingma 2016), as ConvS2S uses
// for every convolution and projection: y = x w^T + b with w = g v / ||v||
// row by row. Parameters <name>.weight_v [out, in], <name>.weight_g [out] and
// <name>.bias [out] (torch.nn.utils.weight_norm's names; its weight_g is
// [out, 1]). Initialised as fairseq's ConvS2S: v ~ N(0, stddev^2), g = ||v||
// (so w = v at the start), b = 0. v and g stay in fp32 under int8 decoding:
// the product runs on w, made from them.
#include "s2s/autograd/graph.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

class WeightNormLinear : public Module {
 public:
  WeightNormLinear(std::string name, std::int64_t in, std::int64_t out, float stddev, Rng& rng);

  // w = g v / ||v|| on the tape.
  autograd::Var weight(autograd::Graph& g) const;
  // x [..., in] -> [..., out]. w: this layer's weight() value computed
  // before (decoding computes it once per batch, not once per step);
  // nullptr: computed here.
  autograd::Var forward(autograd::Graph& g, autograd::Var x, const Tensor* w = nullptr) const;

  std::int64_t in_features() const { return v_->value.dim(1); }
  std::int64_t out_features() const { return v_->value.dim(0); }

 private:
  autograd::Parameter* v_;
  autograd::Parameter* g_;
  autograd::Parameter* bias_;
};

}  // namespace s2s::nn
