#include "s2s/models/convs2s_embedding.h"

#include <algorithm>

#include "s2s/autograd/ops.h"
#include "s2s/models/batch.h"
#include "s2s/models/token_table.h"

namespace s2s::models {

using autograd::Var;

namespace {
constexpr float kStddev = 0.1f;  // fairseq fconv's Embedding and PositionalEmbedding
}  // namespace

ConvS2SEmbedding::ConvS2SEmbedding(std::string prefix, std::int64_t vocab, std::int64_t dim, const ModelConfig& config,
                                   nn::Embedding* shared, Rng& rng)
    : Module(std::move(prefix)),
      positions_(child_name("positions"), config.convs2s.max_positions, dim, -1, rng),
      dropout_(config.dropout) {
  if (shared) {
    table_ = shared;
  } else {
    own_ = normal_token_table(child_name("embedding"), vocab, dim, kStddev, rng);
    table_ = own_.get();
    add_child(*own_);
  }
  positions_.weight().value = nn::init_normal(Shape{config.convs2s.max_positions, dim}, kStddev, rng);
  add_child(positions_);
}

Var ConvS2SEmbedding::forward(autograd::Graph& g, const Tensor& ids, std::int64_t offset, bool training,
                              Rng* rng) const {
  S2S_CHECK(ids.dtype() == DType::I32 && ids.ndim() == 2, "convs2s: expected I32 ids [T, B], got ", ids.shape().str());
  const std::int64_t steps = ids.dim(0);
  S2S_CHECK(offset + steps <= positions_.vocab_size(), "model.convs2s.max_positions: a sequence of ", offset + steps,
            " positions is longer than the ", positions_.vocab_size(), " learned ones");
  Tensor pos = Tensor::empty(Shape{steps, 1}, DType::I32);
  for (std::int64_t t = 0; t < steps; ++t) pos.i32()[t] = static_cast<std::int32_t>(offset + t);
  // Positions [T, 1, E], broadcast over the batch.
  Var x = autograd::add(table_->forward(g, ids), positions_.forward(g, pos));
  return dropout_.forward(x, training, rng);
}

}  // namespace s2s::models
