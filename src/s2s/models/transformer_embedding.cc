#include "s2s/models/transformer_embedding.h"

#include <algorithm>
#include <cmath>

#include "s2s/autograd/ops.h"
#include "s2s/kernels/positional.h"
#include "s2s/models/batch.h"
#include "s2s/models/token_table.h"

namespace s2s::models {

using autograd::Var;

TransformerEmbedding::TransformerEmbedding(std::string prefix, std::int64_t vocab, const ModelConfig& config,
                                           nn::Embedding* shared, Rng& rng)
    : Module(std::move(prefix)), d_model_(config.transformer.d_model), dropout_(config.dropout) {
  const float stddev = 1.0f / std::sqrt(static_cast<float>(d_model_));
  if (shared) {
    table_ = shared;
  } else {
    own_ = normal_token_table(child_name("embedding"), vocab, d_model_, stddev, rng);
    table_ = own_.get();
    add_child(*own_);
  }
  if (config.transformer.positions == PositionKind::Learned) {
    positions_ = std::make_unique<nn::Embedding>(child_name("positions"), config.transformer.max_positions, d_model_,
                                                 -1, rng);
    positions_->weight().value = nn::init_normal(Shape{config.transformer.max_positions, d_model_}, stddev, rng);
    add_child(*positions_);
  }
}

Var TransformerEmbedding::forward(autograd::Graph& g, const Tensor& ids, std::int64_t offset, bool training,
                                  Rng* rng) const {
  S2S_CHECK(ids.dtype() == DType::I32 && ids.ndim() == 2, "transformer: expected I32 ids [T, B], got ",
            ids.shape().str());
  const std::int64_t steps = ids.dim(0);
  if (positions_)
    S2S_CHECK(offset + steps <= positions_->vocab_size(), "model.transformer.max_positions: a sequence of ",
              offset + steps, " positions is longer than the ", positions_->vocab_size(), " learned ones");
  Var x = autograd::scale(table_->forward(g, ids), std::sqrt(static_cast<float>(d_model_)));  // [T, B, D]
  // Positions [T, 1, D], broadcast over the batch.
  if (positions_) {
    Tensor pos = Tensor::empty(Shape{steps, 1}, DType::I32);
    for (std::int64_t t = 0; t < steps; ++t) pos.i32()[t] = static_cast<std::int32_t>(offset + t);
    x = autograd::add(x, positions_->forward(g, pos));
  } else {
    x = autograd::add(x, g.input(kernels::sinusoidal_positions(offset, steps, d_model_).reshape(Shape{steps, 1, d_model_})));
  }
  return dropout_.forward(x, training, rng);
}

}  // namespace s2s::models
