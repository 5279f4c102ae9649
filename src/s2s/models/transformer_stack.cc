#include "s2s/models/transformer_stack.h"

#include "s2s/autograd/ops.h"

namespace s2s::models {

using autograd::Var;

nn::TransformerLayerOptions layer_options(const ModelConfig& c) {
  const TransformerOptions& t = c.transformer;
  nn::TransformerLayerOptions o;
  o.d_model = t.d_model;
  o.heads = t.heads;
  o.ffn_size = t.ffn_size;
  o.gelu = t.activation == Activation::Gelu;
  o.pre_norm = t.norm == NormPosition::Pre;
  o.dropout = c.dropout;
  o.attention_dropout = t.attention_dropout;
  o.ffn_dropout = t.ffn_dropout;
  o.relative_k = t.relative_positions;
  return o;
}

Tensor key_padding_mask(const Tensor& lengths, std::int64_t heads, std::int64_t queries, std::int64_t keys) {
  const std::int64_t batch = lengths.dim(0);
  Tensor m = Tensor::empty(Shape{batch * heads, queries, keys});
  float* p = m.f32();
  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int64_t len = lengths.i32()[b];
    for (std::int64_t r = 0; r < heads * queries; ++r)
      for (std::int64_t j = 0; j < keys; ++j) *p++ = j >= len ? 1.0f : 0.0f;
  }
  return m;
}

Tensor causal_mask(std::int64_t rows, std::int64_t steps) {
  Tensor m = Tensor::empty(Shape{rows, steps, steps});
  float* p = m.f32();
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < steps; ++i)
      for (std::int64_t j = 0; j < steps; ++j) *p++ = j > i ? 1.0f : 0.0f;
  return m;
}

TransformerEncoder::TransformerEncoder(const ModelConfig& c, Rng& rng)
    : Module("encoder"), heads_(c.transformer.heads), embedding_("encoder", c.src_vocab_size, c, nullptr, rng) {
  add_child(embedding_);
  nn::TransformerLayerOptions o = layer_options(c);
  for (std::int64_t l = 0; l < c.transformer.encoder_layers; ++l) {
    layers_.push_back(std::make_unique<nn::TransformerEncoderLayer>(child_name("layers." + std::to_string(l)), o, rng));
    add_child(*layers_.back());
  }
  if (o.pre_norm) {
    norm_ = std::make_unique<nn::LayerNorm>(child_name("norm"), o.d_model);
    add_child(*norm_);
  }
}

Var TransformerEncoder::forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng) const {
  Var x = embedding_.forward(g, src.ids, 0, training, rng);  // [B, S, D]
  Tensor mask = key_padding_mask(src.lengths, heads_, src.steps(), src.steps());
  for (const auto& layer : layers_) x = layer->forward(g, x, mask, training, rng);
  return norm_ ? norm_->forward(g, x) : x;
}

TransformerDecoder::TransformerDecoder(const ModelConfig& c, nn::Embedding* shared, Rng& rng)
    : Module("decoder"), embedding_("decoder", c.tgt_vocab_size, c, shared, rng) {
  add_child(embedding_);
  nn::TransformerLayerOptions o = layer_options(c);
  for (std::int64_t l = 0; l < c.transformer.decoder_layers; ++l) {
    layers_.push_back(std::make_unique<nn::TransformerDecoderLayer>(child_name("layers." + std::to_string(l)), o, rng));
    add_child(*layers_.back());
  }
  if (o.pre_norm) {
    norm_ = std::make_unique<nn::LayerNorm>(child_name("norm"), o.d_model);
    add_child(*norm_);
  }
  if (c.tie_target_embeddings || c.share_embeddings)
    output_ = std::make_unique<nn::Linear>(child_name("output"), embedding_.table().weight(), true, rng);
  else
    output_ = std::make_unique<nn::Linear>(child_name("output"), o.d_model, c.tgt_vocab_size, true, rng);
  add_child(*output_);
}

std::vector<TransformerDecoder::KeyValues> TransformerDecoder::project_memory(autograd::Graph& g, Var memory) const {
  std::vector<KeyValues> out;
  for (const auto& layer : layers_) out.push_back(layer->project_memory(g, memory));
  return out;
}

Var TransformerDecoder::forward(autograd::Graph& g, const Tensor& ids, Step& s, bool training, Rng* rng) const {
  const std::int64_t steps = ids.dim(0), batch = ids.dim(1);
  Var x = embedding_.forward(g, ids, s.offset, training, rng);  // [B, T, D]
  s.self.resize(layers_.size());
  nn::TransformerDecoderLayer::IO io;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    io.self = s.self[l];
    io.memory = s.memory[l];
    x = layers_[l]->forward(g, x, io, s.self_mask, s.memory_mask, s.offset, training, rng);
    s.self[l] = io.self;
    if (static_cast<std::int64_t>(l) == s.alignment_layer) s.alignment = io.cross_weights;
  }
  if (norm_) x = norm_->forward(g, x);
  const std::int64_t d = x.dim(2);
  if (steps > 1) x = autograd::transpose(x, 0, 1);  // [T, B, D]: logits rows (t, b)
  return output_->forward(g, autograd::reshape(x, Shape{steps * batch, d}));
}

}  // namespace s2s::models
