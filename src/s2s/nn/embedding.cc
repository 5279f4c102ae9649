#include "s2s/nn/embedding.h"

#include <algorithm>

#include "s2s/autograd/ops.h"

namespace s2s::nn {

Embedding::Embedding(std::string name, std::int64_t vocab, std::int64_t dim, std::int32_t padding_idx, Rng& rng)
    : Module(std::move(name)), padding_idx_(padding_idx) {
  S2S_CHECK(vocab > 0 && dim > 0, this->name(), ": expected positive sizes, got ", vocab, " x ", dim);
  S2S_CHECK(padding_idx < vocab, this->name(), ": padding index ", padding_idx, " outside the vocabulary of ", vocab);
  Tensor w = init_normal(Shape{vocab, dim}, 1.0f, rng);
  if (padding_idx >= 0) std::fill_n(w.f32() + padding_idx * dim, dim, 0.0f);
  weight_ = &add_parameter("weight", std::move(w));
}

autograd::Var Embedding::forward(autograd::Graph& g, const Tensor& ids) const {
  return autograd::embedding(g.param(*weight_), ids, padding_idx_);
}

}  // namespace s2s::nn
