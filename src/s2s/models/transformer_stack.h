#pragma once
// The Transformer's encoder and decoder stacks: embedding + positions, the
// layers, and with pre-norm a final LayerNorm ("norm"), as torch.nn and
// fairseq do. Names: encoder.{embedding,positions,layers.N,norm},
// decoder.{embedding,positions,layers.N,norm,output,copy_gate}.
#include <memory>
#include <vector>

#include "s2s/models/batch.h"
#include "s2s/models/model_config.h"
#include "s2s/models/transformer_embedding.h"
#include "s2s/nn/copy_generator.h"
#include "s2s/nn/layer_norm.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/transformer_decoder_layer.h"
#include "s2s/nn/transformer_encoder_layer.h"

namespace s2s::models {

nn::TransformerLayerOptions layer_options(const ModelConfig& config);

class TransformerEncoder : public nn::Module {
 public:
  TransformerEncoder(const ModelConfig& config, Rng& rng);
  // -> memory [S, B, D] (time-major, as the ids); recompute: each layer under autograd::recompute.
  autograd::Var forward(autograd::Graph& g, const TokenBatch& src, bool training, Rng* rng,
                        bool recompute = false) const;
  nn::Embedding& embedding() const { return embedding_.table(); }

 private:
  TransformerEmbedding embedding_;
  std::vector<std::unique_ptr<nn::TransformerEncoderLayer>> layers_;
  std::unique_ptr<nn::LayerNorm> norm_;
};

class TransformerDecoder : public nn::Module {
 public:
  // shared_embedding: the encoder's table (share_embeddings), else nullptr.
  TransformerDecoder(const ModelConfig& config, nn::Embedding* shared_embedding, Rng& rng);

  struct Step {
    std::vector<autograd::Var> memory;  // per layer: project_memory's [S, M, 2D]
    Tensor memory_lengths;              // I32 [M]
    Tensor memory_rows;                 // decoding: I32 [B] memory row per row; undefined: row b
    // nullptr: the ids are whole sequences (training). Decoding: per layer the
    // earlier positions' self-attention keys and values, this call's appended.
    std::vector<nn::MultiHeadAttention::Cache>* self_cache = nullptr;
    const std::vector<nn::MultiHeadAttention::QkvWeights>* self_qkv = nullptr;  // decoding: self_qkv_weights()
    std::int64_t offset = 0;            // position of the first input
    std::int64_t alignment_layer = -1;  // keep this layer's cross-attention weights (-1: none)
    bool recompute = false;             // training: each layer under autograd::recompute
    Tensor alignment;                   // out: heads-averaged [B, T, S]
    // Copy attention (a decoder with copies()): the encoder's output
    // batch-major, [B, S, D], row b the one query row b attends (training:
    // the memory transposed; decoding: each row's sentence's), the
    // sentences' copy ids [M, S] and the extended width (models/copy_ids.h),
    // and in decoding each row's sentence (I32 [B]; undefined: row r reads
    // sentence r % M, the (t, b) rows of training).
    autograd::Var copy_source;
    Tensor copy_ids, copy_rows;
    std::int64_t copy_width = 0;
  };
  // memory [S, B, D] -> per layer its keys and values [S, B, 2D], into `out`
  // (its capacity reused, so a training step allocates no vector).
  void project_memory(autograd::Graph& g, autograd::Var memory, std::vector<autograd::Var>& out) const;
  // Per layer the self-attention's fused projection weights (decoding).
  std::vector<nn::MultiHeadAttention::QkvWeights> self_qkv_weights() const;

  // ids [T, B] -> logits [T*B, V] rows (t, b); with copies(), the
  // log-probabilities over the extended vocabulary [T*B, s.copy_width]
  // (extended ids among `ids` are read as <unk>).
  autograd::Var forward(autograd::Graph& g, const Tensor& ids, Step& s, bool training, Rng* rng) const;

  nn::Embedding& embedding() const { return embedding_.table(); }
  std::size_t layers() const { return layers_.size(); }
  bool copies() const { return copy_ != nullptr; }

 private:
  // The pointer-generator over the top output y [T, B, D], the decoder's
  // input x [T, B, D] and the last layer's heads-averaged cross-attention
  // a [T, B, S]: p_gen = sigmoid(w [y; ctx; x] + b), ctx_t = sum_j a_tj h_j
  // over the encoder's output h (s.copy_source).
  autograd::Var mix_copies(autograd::Graph& g, autograd::Var logits, autograd::Var y, autograd::Var x,
                           autograd::Var attention, const Step& s) const;

  TransformerEmbedding embedding_;
  std::vector<std::unique_ptr<nn::TransformerDecoderLayer>> layers_;
  std::unique_ptr<nn::LayerNorm> norm_;
  std::unique_ptr<nn::Linear> output_;
  std::unique_ptr<nn::CopyGenerator> copy_;  // copy_attention only: decoder.copy_gate
};

}  // namespace s2s::models
