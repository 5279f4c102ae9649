#pragma once
// The Transformer encoder-decoder (Vaswani et al. 2017) in the variants
// TransformerOptions names: pre- or post-norm, ReLU or GELU, sinusoidal or
// learned positions, optional relative positions (Shaw et al. 2018), tied
// target embeddings or all three tables shared. See transformer_stack.h and
// nn/transformer_*_layer.h for the layers, docs/models.md for the options.
//
// Incremental decoding: encode projects the memory once per decoder layer;
// each step runs the new position only, appending its self-attention keys and
// values to the state's (TransformerDecoderState), and reads the memory of
// each row's sentence in place (beams share it). Alignments are the
// cross-attention weights of transformer.alignment_layer, heads averaged by
// the fused attention op. With copy_attention the decoder mixes in the last
// layer's (TransformerDecoder::mix_copies) and returns log-probabilities over
// the extended vocabulary, as the RNN does (docs/models.md, "Copy attention").
#include <string>

#include "s2s/models/encoder_decoder.h"
#include "s2s/models/transformer_stack.h"

namespace s2s::models {

class TransformerModel : public EncoderDecoder {
 public:
  TransformerModel(const ModelConfig& config, Rng& rng);

  autograd::Var forward(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                        const ForwardOptions& options) override;
  std::unique_ptr<DecoderState> encode(autograd::Graph& g, const TokenBatch& src) override;
  StepOutput step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens) override;
  std::vector<autograd::Parameter*> parameters() override;
  const ModelConfig& config() const override { return config_; }

  // For pretrained vectors; the same table when share_embeddings is on.
  nn::Embedding* source_embedding() override { return &encoder_.embedding(); }
  nn::Embedding* target_embedding() override { return &decoder_.embedding(); }

 private:
  ModelConfig config_;
  TransformerEncoder encoder_;
  TransformerDecoder decoder_;
  TransformerDecoder::Step step_;        // reused between steps
  std::vector<autograd::Var> forward_memory_;  // forward(): reused between training steps
  std::vector<nn::MultiHeadAttention::Cache> self_cache_;  // reused between steps
};

}  // namespace s2s::models
