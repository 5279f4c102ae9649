#include "s2s/nn/weight_norm_linear.h"

#include <cmath>

#include "s2s/autograd/ops.h"

namespace s2s::nn {

WeightNormLinear::WeightNormLinear(std::string name, std::int64_t in, std::int64_t out, float stddev, Rng& rng)
    : Module(std::move(name)) {
  S2S_CHECK(in > 0 && out > 0, this->name(), ": expected positive sizes, got ", in, " -> ", out);
  Tensor v = init_normal(Shape{out, in}, stddev, rng);
  Tensor g = Tensor::empty(Shape{out});
  for (std::int64_t o = 0; o < out; ++o) {
    double sq = 0.0;
    for (std::int64_t k = 0; k < in; ++k) sq += static_cast<double>(v.f32()[o * in + k]) * v.f32()[o * in + k];
    g.f32()[o] = static_cast<float>(std::sqrt(sq));
  }
  v_ = &add_parameter("weight_v", std::move(v));
  g_ = &add_parameter("weight_g", std::move(g));
  bias_ = &add_parameter("bias", Tensor::zeros(Shape{out}));
  v_->quantizable = false;  // read by weight_norm in fp32, never multiplied as it is
}

autograd::Var WeightNormLinear::weight(autograd::Graph& g) const {
  return autograd::weight_norm(g.param(*v_), g.param(*g_));
}

autograd::Var WeightNormLinear::forward(autograd::Graph& g, autograd::Var x, const Tensor* w) const {
  S2S_CHECK(x.dim(-1) == in_features(), name(), ": expected input [..., ", in_features(), "], got ", x.shape().str());
  return autograd::linear(x, w ? g.input(*w) : weight(g), g.param(*bias_));
}

}  // namespace s2s::nn
