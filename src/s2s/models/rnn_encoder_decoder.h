#pragma once
// The classic RNN encoder-decoder (Sutskever et al. 2014; Bahdanau et al.
// 2015; Luong et al. 2015) in every variant ModelConfig names. See
// rnn_encoder.h, rnn_bridge.h and rnn_decoder.h for the equations, and
// docs/models.md for the options.
#include <vector>

#include "s2s/models/encoder_decoder.h"
#include "s2s/models/rnn_bridge.h"
#include "s2s/models/rnn_decoder.h"
#include "s2s/models/rnn_encoder.h"

namespace s2s::models {

// Keeps scratch between calls (so steps do not allocate): use one model
// object from one thread at a time.
class RnnEncoderDecoder : public EncoderDecoder {
 public:
  RnnEncoderDecoder(const ModelConfig& config, Rng& rng);

  // Training: teacher forcing computes every readout in the time loop and the
  // vocabulary projection for all positions as one gemm after it; with
  // options.teacher_forcing < 1 each row's input at t >= 1 is the gold token
  // with that probability, else the argmax of the previous logits.
  autograd::Var forward(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                        const ForwardOptions& options) override;
  std::unique_ptr<DecoderState> encode(autograd::Graph& g, const TokenBatch& src) override;
  StepOutput step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens) override;
  std::vector<autograd::Parameter*> parameters() override;
  const ModelConfig& config() const override { return config_; }

  nn::Embedding* source_embedding() override { return &encoder_.embedding(); }
  nn::Embedding* target_embedding() override { return &decoder_.embedding(); }

 private:
  autograd::Var forward_sampled(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                                const RnnDecoder::Weights& w, RnnDecoder::Loop& loop,
                                const nn::AttentionMemory* memory, const ForwardOptions& o);

  ModelConfig config_;
  RnnEncoder encoder_;
  Bridge bridge_;
  RnnDecoder decoder_;
  std::vector<autograd::Var> steps_;  // per-position outputs, reused between calls
  std::vector<autograd::Var> gates_, weights_;  // copy attention: per-position switches and attention (coverage: attention)
  std::vector<autograd::Var> coverages_;        // coverage: per-position coverage vectors
  RnnDecoder::Loop step_loop_;        // step(): reused so that search steps do not allocate
  RnnDecoder::Weights step_weights_;
};

}  // namespace s2s::models
