#include "s2s/nn/layer_norm.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

LayerNorm::LayerNorm(std::string name, std::int64_t dim, float eps) : Module(std::move(name)), eps_(eps) {
  S2S_CHECK(dim > 0, this->name(), ": expected a positive size, got ", dim);
  gamma_ = &add_parameter("weight", Tensor::full(Shape{dim}, 1.0f));
  beta_ = &add_parameter("bias", Tensor::zeros(Shape{dim}));
}

autograd::Var LayerNorm::forward(autograd::Graph& g, autograd::Var x) const {
  S2S_CHECK(x.dim(-1) == gamma_->value.dim(0), name(), ": expected input [..., ", gamma_->value.dim(0), "], got ",
            x.shape().str());
  return autograd::layer_norm(x, g.param(*gamma_), g.param(*beta_), eps_);
}

}  // namespace s2s::nn
