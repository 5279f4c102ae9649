#include "s2s/models/transformer_stack.h"

#include "s2s/autograd/ops.h"
#include "s2s/autograd/recompute.h"
#include "s2s/models/copy_ids.h"

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

TransformerEncoder::TransformerEncoder(const ModelConfig& c, Rng& rng)
    : Module("encoder"), embedding_("encoder", c.src_vocab_size, c, nullptr, rng) {
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

Var TransformerEncoder::forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng,
                                bool recompute) const {
  Var x = embedding_.forward(g, src.ids, 0, training, rng);  // [S, B, D]
  autograd::AttentionMasks masks;
  masks.key_lengths = src.lengths;
  for (const auto& layer : layers_) {
    if (!recompute) {
      x = layer->forward(g, x, masks, training, rng);
      continue;
    }
    const Var in[] = {x};
    x = autograd::recompute(
        g, in,
        [l = layer.get(), masks, training](autograd::Graph& lg, std::span<const Var> v, Rng* r) {
          return l->forward(lg, v[0], masks, training, r);
        },
        rng);
  }
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
  if (c.transformer.copy_attention) {  // last: the other parameters draw what they drew without it
    copy_ = std::make_unique<nn::CopyGenerator>(child_name("copy_gate"), 3 * o.d_model, rng);
    add_child(*copy_);
  }
}

void TransformerDecoder::project_memory(autograd::Graph& g, Var memory, std::vector<Var>& out) const {
  out.clear();
  for (const auto& layer : layers_) out.push_back(layer->project_memory(g, memory));
}

std::vector<nn::MultiHeadAttention::QkvWeights> TransformerDecoder::self_qkv_weights() const {
  std::vector<nn::MultiHeadAttention::QkvWeights> out;
  for (const auto& layer : layers_) out.push_back(layer->self_attention().qkv_weights());
  return out;
}

Var TransformerDecoder::forward(autograd::Graph& g, const Tensor& ids, Step& s, bool training, Rng* rng) const {
  const std::int64_t steps = ids.dim(0), batch = ids.dim(1);
  const Tensor in_vocab = copy_ ? ids_in_vocabulary(ids, embedding_.table().vocab_size()) : ids;
  Var x = embedding_.forward(g, in_vocab, s.offset, training, rng);  // [T, B, D]
  const Var input = x;
  Var copy_attention;  // the last layer's cross-attention, heads averaged (copy_ only)
  if (s.self_cache) s.self_cache->resize(layers_.size());
  nn::TransformerDecoderLayer::IO io;
  io.memory_masks.key_lengths = s.memory_lengths;
  io.memory_rows = s.memory_rows;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    io.self_cache = s.self_cache ? &(*s.self_cache)[l] : nullptr;
    io.self_qkv = s.self_qkv ? &(*s.self_qkv)[l] : nullptr;
    io.memory = s.memory[l];
    io.cross_weights = static_cast<std::int64_t>(l) == s.alignment_layer ? &s.alignment : nullptr;
    io.cross_probs = copy_ && l + 1 == layers_.size() ? &copy_attention : nullptr;
    // Decoding state, alignments and the copy distribution live outside the tape.
    if (!s.recompute || io.self_cache || io.cross_weights || io.cross_probs) {
      x = layers_[l]->forward(g, x, io, training, rng);
      continue;
    }
    const Var in[] = {x, io.memory};
    x = autograd::recompute(
        g, in,
        [layer = layers_[l].get(), io, training](autograd::Graph& lg, std::span<const Var> v, Rng* r) mutable {
          io.memory = v[1];
          return layer->forward(lg, v[0], io, training, r);
        },
        rng);
  }
  if (norm_) x = norm_->forward(g, x);
  // Time-major: logits rows (t, b) without a transpose.
  Var logits = output_->forward(g, autograd::reshape(x, Shape{steps * batch, x.dim(2)}));
  return copy_ ? mix_copies(g, logits, x, input, copy_attention, s) : logits;
}

Var TransformerDecoder::mix_copies(autograd::Graph& g, Var logits, Var y, Var x, Var attention, const Step& s) const {
  S2S_CHECK(s.copy_source.defined() && s.copy_ids.defined(),
            "transformer: copy attention needs the encoder's output and the source's copy ids");
  const std::int64_t steps = y.dim(0), batch = y.dim(1), keys = attention.dim(2);
  // ctx [T, B, D]: [B, T, S] x [B, S, D] (transposes are views at T = 1, a decoding step).
  Var context = autograd::transpose(autograd::bmm(autograd::transpose(attention, 0, 1), s.copy_source), 0, 1);
  Var features = autograd::reshape(autograd::concat({y, context, x}, 2), Shape{steps * batch, 3 * y.dim(2)});
  return copy_->mix(logits, copy_->gate(g, features), autograd::reshape(attention, Shape{steps * batch, keys}),
                    s.copy_ids, s.copy_width, s.copy_rows);
}

}  // namespace s2s::models
