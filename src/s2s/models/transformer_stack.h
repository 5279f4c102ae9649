#pragma once
// The Transformer's encoder and decoder stacks: embedding + positions, the
// layers, and with pre-norm a final LayerNorm ("norm"), as torch.nn and
// fairseq do. Names: encoder.{embedding,positions,layers.N,norm},
// decoder.{embedding,positions,layers.N,norm,output}.
#include <memory>
#include <vector>

#include "s2s/models/batch.h"
#include "s2s/models/model_config.h"
#include "s2s/models/transformer_embedding.h"
#include "s2s/nn/layer_norm.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/transformer_decoder_layer.h"
#include "s2s/nn/transformer_encoder_layer.h"

namespace s2s::models {

nn::TransformerLayerOptions layer_options(const ModelConfig& config);

// F32 [B*H, queries, keys]: 1 where key j >= lengths[b] (padding).
Tensor key_padding_mask(const Tensor& lengths, std::int64_t heads, std::int64_t queries, std::int64_t keys);
// F32 [rows, T, T]: 1 where key j > query i (the future).
Tensor causal_mask(std::int64_t rows, std::int64_t steps);

class TransformerEncoder : public nn::Module {
 public:
  TransformerEncoder(const ModelConfig& config, Rng& rng);
  // -> memory [B, S, D]
  autograd::Var forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng) const;
  nn::Embedding& embedding() const { return embedding_.table(); }

 private:
  std::int64_t heads_;
  TransformerEmbedding embedding_;
  std::vector<std::unique_ptr<nn::TransformerEncoderLayer>> layers_;
  std::unique_ptr<nn::LayerNorm> norm_;
};

class TransformerDecoder : public nn::Module {
 public:
  // shared_embedding: the encoder's table (share_embeddings), else nullptr.
  TransformerDecoder(const ModelConfig& config, nn::Embedding* shared_embedding, Rng& rng);

  using KeyValues = nn::MultiHeadAttention::KeyValues;
  struct Step {
    std::vector<KeyValues> self;    // per layer: earlier positions' in, with this call's appended out
    std::vector<KeyValues> memory;  // per layer: project_memory's
    Tensor memory_mask;             // F32 [B*H, T, S]
    Tensor self_mask;               // F32 [B*H, T, offset+T]; undefined: none
    std::int64_t offset = 0;        // position of the first input
    std::int64_t alignment_layer = -1;  // keep this layer's cross-attention weights (-1: none)
    autograd::Var alignment;        // out: [B*H, T, S]
  };
  std::vector<KeyValues> project_memory(autograd::Graph& g, autograd::Var memory) const;

  // ids [T, B] -> logits [T*B, V] rows (t, b).
  autograd::Var forward(autograd::Graph& g, const Tensor& ids, Step& s, bool training, Rng* rng) const;

  nn::Embedding& embedding() const { return embedding_.table(); }
  std::size_t layers() const { return layers_.size(); }

 private:
  TransformerEmbedding embedding_;
  std::vector<std::unique_ptr<nn::TransformerDecoderLayer>> layers_;
  std::unique_ptr<nn::LayerNorm> norm_;
  std::unique_ptr<nn::Linear> output_;
};

}  // namespace s2s::models
