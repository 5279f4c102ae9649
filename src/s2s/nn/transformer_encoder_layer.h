#pragma once
// One Transformer encoder layer: self-attention, then feed-forward, each a
// residual block. Pre-norm: x + drop(f(norm(x))); post-norm:
// norm(x + drop(f(x))). Names: self_attn, self_attn_norm, ffn, ffn_norm.
#include "s2s/nn/feed_forward.h"
#include "s2s/nn/layer_norm.h"
#include "s2s/nn/multi_head_attention.h"

namespace s2s::nn {

class TransformerEncoderLayer : public Module {
 public:
  TransformerEncoderLayer(std::string name, const TransformerLayerOptions& o, Rng& rng);
  // x [S, B, D]; masks.key_lengths: the sentences' lengths. -> [S, B, D]
  autograd::Var forward(autograd::Graph& g, autograd::Var x, const autograd::AttentionMasks& masks, bool training,
                        Rng* rng) const;

 private:
  TransformerLayerOptions o_;
  Dropout residual_dropout_;
  MultiHeadAttention self_attn_;
  LayerNorm self_attn_norm_;
  FeedForward ffn_;
  LayerNorm ffn_norm_;
};

}  // namespace s2s::nn
