#pragma once
// The one interface every model implements (DESIGN.md):
//   forward  — teacher-forced training over the whole target,
//   encode   — once per batch, returns the decoder's initial state,
//   step     — one target position for every row of the state.
// Search strategies drive encode + step only; beam search reorders rows with
// DecoderState::select. A test holds forward and step together: stepping
// through a target gives the same logits as forward.
#include <memory>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/parameter.h"
#include "s2s/core/rng.h"
#include "s2s/models/batch.h"
#include "s2s/models/model_config.h"
#include "s2s/models/model_family.h"

namespace s2s::nn {
class Embedding;
}

namespace s2s::models {

// Per-row decoder state (hidden states, attention memory, input feed...).
class DecoderState {
 public:
  virtual ~DecoderState() = default;
  // Keeps rows `indices` (I32 [B'], may repeat: beam expansion) in that order.
  virtual void select(const Tensor& indices) = 0;
  virtual std::int64_t rows() const = 0;
};

struct StepOutput {
  Tensor logits;     // [B, V_tgt], the caller's to overwrite (search turns them into log-probabilities in place)
  Tensor attention;  // [B, S] weights over source positions (undefined without attention)
  // The logits already are log-probabilities and search takes them as they
  // are: a copying model's, over its extended vocabulary [B, V_tgt + extra].
  bool log_probs = false;
};

struct ForwardOptions {
  bool training = true;           // dropout on
  float teacher_forcing = 1.0f;   // < 1: scheduled sampling (feed the model's argmax with prob 1 - ratio)
  Rng* rng = nullptr;             // dropout masks and sampling decisions; required when used
  // Activation checkpointing: the tape keeps each layer's input and output
  // only, and backward recomputes the layer (autograd::recompute). Same
  // gradients, less memory, one more forward pass per layer. Families
  // without layers to recompute (rnn) ignore it.
  bool recompute_layers = false;
  // Out (optional): a model with coverage attention sets it to its coverage
  // loss over the target, [1], summed over the non-padding target positions
  // (nn/coverage_loss.h); others leave it undefined.
  autograd::Var* coverage_loss = nullptr;
};

class EncoderDecoder {
 public:
  virtual ~EncoderDecoder() = default;

  // Logits for every target position, [T_tgt * B, V_tgt] row-major over (t, b).
  // A model that copies (copies_source()) returns log-probabilities over the
  // extended vocabulary instead, [T_tgt * B, V_tgt + extra], extra = the most
  // source-only tokens of any sentence (src.copy_ids); the cross-entropy of
  // log-probabilities is their negative log-likelihood, so training is the same.
  virtual autograd::Var forward(autograd::Graph& g, const TokenBatch& src, const TokenBatch& tgt_in,
                                const ForwardOptions& options) = 0;

  // Inference: g should have grad disabled; tensors in the state outlive g.clear().
  virtual std::unique_ptr<DecoderState> encode(autograd::Graph& g, const TokenBatch& src) = 0;
  virtual StepOutput step(autograd::Graph& g, DecoderState& state, const Tensor& prev_tokens /* I32 [B] */) = 0;

  // Every parameter, with unique hierarchical names ("encoder.rnn.l0.weight_ih").
  virtual std::vector<autograd::Parameter*> parameters() = 0;
  virtual const ModelConfig& config() const = 0;

  // What code outside models/ may ask instead of naming a family.
  std::string describe() const { return models::describe(config()); }
  bool has_alignments() const { return models::has_alignments(config()); }
  bool copies_source() const { return models::copies_source(config()); }
  // The tables pretrained word vectors initialise; nullptr: the family has none.
  virtual nn::Embedding* source_embedding() { return nullptr; }
  virtual nn::Embedding* target_embedding() { return nullptr; }
};

}  // namespace s2s::models
