#include "s2s/nn/transformer_decoder_layer.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

TransformerDecoderLayer::TransformerDecoderLayer(std::string name, const TransformerLayerOptions& o, Rng& rng)
    : Module(std::move(name)),
      o_(o),
      residual_dropout_(o.dropout),
      self_attn_(child_name("self_attn"), o.d_model, o.heads, o.attention_dropout, o.relative_k, rng),
      self_attn_norm_(child_name("self_attn_norm"), o.d_model),
      cross_attn_(child_name("cross_attn"), o.d_model, o.heads, o.attention_dropout, 0, rng),
      cross_attn_norm_(child_name("cross_attn_norm"), o.d_model),
      ffn_(child_name("ffn"), o, rng),
      ffn_norm_(child_name("ffn_norm"), o.d_model) {
  add_child(self_attn_);
  add_child(self_attn_norm_);
  add_child(cross_attn_);
  add_child(cross_attn_norm_);
  add_child(ffn_);
  add_child(ffn_norm_);
}

Var TransformerDecoderLayer::forward(autograd::Graph& g, Var x, IO& io, bool training, Rng* rng) const {
  const bool pre = o_.pre_norm;
  // Causal: the queries are the last positions of the keys, so a step (one
  // query against the cache) sees every key and a whole sequence its past.
  autograd::AttentionMasks causal;
  causal.causal = true;
  Var h = pre ? self_attn_norm_.forward(g, x) : x;
  Var a = self_attn_.self_attend(g, h, causal, io.self_cache, training, rng, io.self_qkv);
  x = autograd::add(x, residual_dropout_.forward(a, training, rng));
  if (!pre) x = self_attn_norm_.forward(g, x);

  h = pre ? cross_attn_norm_.forward(g, x) : x;
  Var c = cross_attn_.attend(g, h, io.memory, io.memory_masks, training, rng, io.memory_rows, io.cross_weights,
                            io.cross_probs);
  x = autograd::add(x, residual_dropout_.forward(c, training, rng));
  if (!pre) x = cross_attn_norm_.forward(g, x);

  h = pre ? ffn_norm_.forward(g, x) : x;
  x = autograd::add(x, residual_dropout_.forward(ffn_.forward(g, h, training, rng), training, rng));
  return pre ? x : ffn_norm_.forward(g, x);
}

}  // namespace s2s::nn
