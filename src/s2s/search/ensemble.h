#pragma once
// One or more models decoded as one: every model keeps its own decoder state,
// a step runs each model once on the same previous tokens, and the result is
// the average of their log-probabilities (and of their attention weights).
// Search strategies see only this class, never a model's insides.
// The models' weights are packed for decoding once per Ensemble (see
// autograd::PackedWeights): their parameters must not change while it is in
// use; decode with a new Ensemble after training steps.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/kernels/compute_type.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::search {

class Ensemble {
 public:
  // All models must predict over the same target vocabulary (same size; the
  // caller checks the tokens themselves). Fails naming the mismatch.
  // compute_types: one per model (or empty: auto for all). auto is int8 for a
  // model held in int8 (nn::hold_in_int8, a model directory loaded for int8),
  // else fp32; bf16 multiplies in fp32 the weights as they are (rounded to
  // bf16 when loaded for bf16). A model held in int8 decodes only in int8.
  explicit Ensemble(std::vector<models::EncoderDecoder*> models, std::vector<kernels::ComputeType> compute_types = {});

  std::size_t size() const { return models_.size(); }
  std::int64_t vocab_size() const { return vocab_size_; }
  // Columns of a step's log-probabilities for the encoded batch: the target
  // vocabulary, and with models that copy the batch's source-only tokens
  // (models::TokenBatch::copy_ids) after it.
  std::int64_t columns() const { return columns_; }

  // Encodes the batch: sources holds one batch shared by every model, or one
  // per model (each model's own source ids; lengths must agree). g (grad
  // disabled) uses this Ensemble's packed weights from here on.
  void encode(autograd::Graph& g, std::span<const models::TokenBatch> sources);
  std::int64_t rows() const;

  // One decoder step for every row. logp becomes F32 [rows, columns()], the averaged
  // log-softmax of the models' logits (a copying model's log-probabilities as
  // they are: StepOutput::log_probs); attention F32 [rows, S] the averaged
  // weights of the models that return them (undefined when none does).
  void step(autograd::Graph& g, const Tensor& prev_tokens, Tensor& logp, Tensor& attention);

  // Keeps rows `indices` (I32, may repeat) in every model's state.
  void select(const Tensor& indices);

 private:
  std::vector<models::EncoderDecoder*> models_;
  std::vector<std::unique_ptr<models::DecoderState>> states_;
  std::int64_t vocab_size_ = 0;
  std::int64_t columns_ = 0;
  autograd::PackedWeights packed_;
};

}  // namespace s2s::search
