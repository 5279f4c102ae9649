#pragma once
// The convolutional encoder-decoder of Gehring et al. (2017), "Convolutional
// Sequence to Sequence Learning", as fairseq's `fconv`: gated convolutions
// with residual connections in both stacks, an attention in every decoder
// layer, weight normalisation and fairseq's initialisation. See
// convs2s_encoder.h and convs2s_decoder.h for the layers, docs/models.md for
// the options and what differs from the paper.
//
// Incremental decoding: encode runs the encoder once and computes the
// decoder's weight-normalised weights once; each step runs the new position
// through every layer, its causal convolution reading the layer's last
// kernel_size - 1 inputs from the state (ConvS2SDecoderState). Alignments are
// the decoder layers' attention weights averaged (as fairseq reports them).
#include "s2s/models/convs2s_decoder.h"
#include "s2s/models/convs2s_encoder.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::models {

class ConvS2SModel : public EncoderDecoder {
 public:
  ConvS2SModel(const ModelConfig& config, Rng& rng);

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
  ConvS2SEncoder encoder_;
  ConvS2SDecoder decoder_;
};

}  // namespace s2s::models
