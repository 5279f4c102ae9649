#include "s2s/nn/transformer_encoder_layer.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

TransformerEncoderLayer::TransformerEncoderLayer(std::string name, const TransformerLayerOptions& o, Rng& rng)
    : Module(std::move(name)),
      o_(o),
      residual_dropout_(o.dropout),
      self_attn_(child_name("self_attn"), o.d_model, o.heads, o.attention_dropout, o.relative_k, rng),
      self_attn_norm_(child_name("self_attn_norm"), o.d_model),
      ffn_(child_name("ffn"), o, rng),
      ffn_norm_(child_name("ffn_norm"), o.d_model) {
  add_child(self_attn_);
  add_child(self_attn_norm_);
  add_child(ffn_);
  add_child(ffn_norm_);
}

Var TransformerEncoderLayer::forward(autograd::Graph& g, Var x, const autograd::AttentionMasks& masks, bool training,
                                     Rng* rng) const {
  Var h = o_.pre_norm ? self_attn_norm_.forward(g, x) : x;
  Var a = self_attn_.self_attend(g, h, masks, nullptr, training, rng);
  x = autograd::add(x, residual_dropout_.forward(a, training, rng));
  if (!o_.pre_norm) x = self_attn_norm_.forward(g, x);
  h = o_.pre_norm ? ffn_norm_.forward(g, x) : x;
  x = autograd::add(x, residual_dropout_.forward(ffn_.forward(g, h, training, rng), training, rng));
  return o_.pre_norm ? x : ffn_norm_.forward(g, x);
}

}  // namespace s2s::nn
