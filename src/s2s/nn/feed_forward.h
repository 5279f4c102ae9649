#pragma once
// The Transformer's position-wise feed-forward block and the options its
// layers share: fc2(dropout(act(fc1(x)))), fc1 [ffn, d], fc2 [d, ffn].
#include "s2s/autograd/graph.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

struct TransformerLayerOptions {
  std::int64_t d_model = 512;
  std::int64_t heads = 8;
  std::int64_t ffn_size = 2048;
  bool gelu = false;              // else ReLU
  bool pre_norm = true;           // else post-norm
  float dropout = 0.0f;           // residual: on each sub-layer's output before the addition
  float attention_dropout = 0.0f; // on the attention weights
  float ffn_dropout = 0.0f;       // after the activation
  std::int64_t relative_k = 0;    // self-attention relative positions (0 = off)
};

class FeedForward : public Module {
 public:
  FeedForward(std::string name, const TransformerLayerOptions& o, Rng& rng);
  // x [..., d] -> [..., d]
  autograd::Var forward(autograd::Graph& g, autograd::Var x, bool training, Rng* rng) const;

 private:
  Linear fc1_, fc2_;
  bool gelu_;
  Dropout dropout_;
};

}  // namespace s2s::nn
