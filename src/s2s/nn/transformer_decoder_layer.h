#pragma once
// One Transformer decoder layer: causal self-attention, cross-attention over
// the encoder's memory, feed-forward; residual blocks normalised as in the
// encoder layer. Names: self_attn, self_attn_norm, cross_attn,
// cross_attn_norm, ffn, ffn_norm.
//
// Incremental decoding: the self-attention keys and values of a position
// depend only on the layer's input at that position, so a step projects the
// new position's only and appends them to those of earlier positions (io.self);
// the memory's keys and values (io.memory) are projected once per batch.
#include "s2s/nn/feed_forward.h"
#include "s2s/nn/layer_norm.h"
#include "s2s/nn/multi_head_attention.h"

namespace s2s::nn {

class TransformerDecoderLayer : public Module {
 public:
  TransformerDecoderLayer(std::string name, const TransformerLayerOptions& o, Rng& rng);

  struct IO {
    MultiHeadAttention::KeyValues self;    // in: earlier positions' (undefined: none); out: with x's appended
    MultiHeadAttention::KeyValues memory;  // in: project_memory's
    autograd::Var cross_weights;           // out: [B*H, T, S]
  };
  MultiHeadAttention::KeyValues project_memory(autograd::Graph& g, autograd::Var memory) const {
    return cross_attn_.project_kv(g, memory);
  }
  // x [B, T, D] at positions offset..offset+T-1; self_mask F32 [B*H, T, offset+T]
  // (undefined: none), memory_mask F32 [B*H, T, S]. -> [B, T, D]
  autograd::Var forward(autograd::Graph& g, autograd::Var x, IO& io, const Tensor& self_mask,
                        const Tensor& memory_mask, std::int64_t offset, bool training, Rng* rng) const;

  const MultiHeadAttention& self_attention() const { return self_attn_; }

 private:
  TransformerLayerOptions o_;
  Dropout residual_dropout_;
  MultiHeadAttention self_attn_;
  LayerNorm self_attn_norm_;
  MultiHeadAttention cross_attn_;
  LayerNorm cross_attn_norm_;
  FeedForward ffn_;
  LayerNorm ffn_norm_;
};

}  // namespace s2s::nn
