#include "s2s/nn/linear.h"

#include <cmath>

#include "s2s/autograd/ops.h"

namespace s2s::nn {

Linear::Linear(std::string name, std::int64_t in, std::int64_t out, bool bias, Rng& rng) : Module(std::move(name)) {
  S2S_CHECK(in > 0 && out > 0, this->name(), ": expected positive sizes, got ", in, " -> ", out);
  float bound = 1.0f / std::sqrt(static_cast<float>(in));
  weight_ = &add_parameter("weight", init_uniform(Shape{out, in}, bound, rng));
  if (bias) bias_ = &add_parameter("bias", init_uniform(Shape{out}, bound, rng));
}

Linear::Linear(std::string name, autograd::Parameter& shared, bool bias, Rng& rng) : Module(std::move(name)) {
  S2S_CHECK(shared.value.ndim() == 2, this->name(), ": a shared weight must be 2-d, got ", shared.value.shape().str());
  weight_ = &shared;
  float bound = 1.0f / std::sqrt(static_cast<float>(shared.value.dim(1)));
  if (bias) bias_ = &add_parameter("bias", init_uniform(Shape{shared.value.dim(0)}, bound, rng));
}

autograd::Var Linear::forward(autograd::Graph& g, autograd::Var x) const {
  S2S_CHECK(x.dim(-1) == in_features(), name(), ": expected input [..., ", in_features(), "], got ",
            x.shape().str());
  // One fused op (bias as the gemm's C): one output buffer instead of matmul's and add's.
  return autograd::linear(x, g.param(*weight_), bias_ ? g.param(*bias_) : autograd::Var());
}

}  // namespace s2s::nn
