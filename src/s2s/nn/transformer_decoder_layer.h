#pragma once
// One Transformer decoder layer: causal self-attention, cross-attention over
// the encoder's memory, feed-forward; residual blocks normalised as in the
// encoder layer. Names: self_attn, self_attn_norm, cross_attn,
// cross_attn_norm, ffn, ffn_norm.
//
// Incremental decoding: the self-attention keys and values of a position
// depend only on the layer's input at that position, so a step projects the
// new position's only and appends them to those of earlier positions
// (io.self_cache); the memory's keys and values (io.memory) are projected
// once per batch, and beams read their sentence's through io.memory_rows.
// Tensors are time-major [T, B, D].
#include "s2s/nn/feed_forward.h"
#include "s2s/nn/layer_norm.h"
#include "s2s/nn/multi_head_attention.h"

namespace s2s::nn {

class TransformerDecoderLayer : public Module {
 public:
  TransformerDecoderLayer(std::string name, const TransformerLayerOptions& o, Rng& rng);

  struct IO {
    // nullptr: x is the whole sequence (causal self-attention). Decoding: the
    // earlier positions' self-attention keys and values [t, B, 2D]
    // (undefined: none) in, with x's appended out.
    MultiHeadAttention::Cache* self_cache = nullptr;
    const MultiHeadAttention::QkvWeights* self_qkv = nullptr;  // decoding: self_attention().qkv_weights()
    autograd::Var memory;                  // project_memory's [S, M, 2D]
    autograd::AttentionMasks memory_masks;  // key_lengths I32 [M]
    Tensor memory_rows;                     // decoding: I32 [B] memory row per row; undefined: row b
    Tensor* cross_weights = nullptr;        // out (when set): heads-averaged cross-attention [B, T, S]
    // out (when set; copy attention): the same as a Var [T, B, S],
    // differentiable in training (MultiHeadAttention::attend's probs_out).
    autograd::Var* cross_probs = nullptr;
  };
  autograd::Var project_memory(autograd::Graph& g, autograd::Var memory) const {
    return cross_attn_.project_kv(g, memory);
  }
  // x [T, B, D] (the last T positions when decoding) -> [T, B, D]
  autograd::Var forward(autograd::Graph& g, autograd::Var x, IO& io, bool training, Rng* rng) const;

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
