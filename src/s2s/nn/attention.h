#pragma once
// Attention over encoder outputs ("memory"). A module prepares the memory
// once per batch (e.g. Bahdanau's U h_j for every source position), then
// attends once per decoder step with a query vector. Padding positions are
// masked (filled with a large negative score before the softmax), so a
// sentence's weights are the same alone or batched with longer ones.
// Kinds: attention_dot.h (Luong dot), attention_general.h (Luong general),
// attention_bahdanau.h (additive), attention_local.h (Luong local-p).
#include "s2s/autograd/graph.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

struct AttentionMemory {
  autograd::Var values;  // [B, S, Dm] encoder outputs, batch-major (contexts average these)
  autograd::Var keys;    // the module's once-per-batch projection (undefined for dot)
  Tensor mask;           // F32 [B, S]: 1 at padding positions
  Tensor lengths;        // I32 [B] source lengths
  // Inference, for attentions whose reads_through_rows() is true: I32 [B'] mapping each
  // query row to its memory row, so the beams of a sentence share one copy of
  // the memory (undefined: query row b reads memory row b).
  Tensor rows;
};

struct AttentionOutput {
  autograd::Var context;  // [B, Dm]
  autograd::Var weights;  // [B, S], rows sum to 1 (local-p: times its Gaussian)
};

class Attention : public Module {
 public:
  using Module::Module;

  // memory_tm: encoder outputs [S, B, Dm] (time-major); lengths I32 [B].
  virtual AttentionMemory prepare(autograd::Graph& g, autograd::Var memory_tm, const Tensor& lengths) const = 0;
  // query [B, Hq] -> context and weights.
  virtual AttentionOutput attend(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory) const = 0;
  // Coverage (See et al. 2017): attend() with coverage [B, S], the sum of the
  // earlier steps' weights, in the scores. Only where has_coverage().
  virtual bool has_coverage() const { return false; }
  virtual AttentionOutput attend_with_coverage(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory,
                                               autograd::Var coverage) const;
  // Which axis of AttentionMemory::keys indexes batch rows (for reordering states).
  virtual int keys_batch_axis() const { return 0; }
  // Whether attend() follows AttentionMemory::rows (else the caller gathers
  // the memory into one row per query).
  virtual bool reads_through_rows() const { return false; }
};

// F32 [B, steps] with 1 where position >= lengths[b].
Tensor padding_mask(const Tensor& lengths, std::int64_t steps);

// softmax over the last axis of scores [B, S] with masked positions getting 0 weight.
autograd::Var masked_softmax(autograd::Var scores, const Tensor& mask);

// context [B, Dm] = sum_s weights[b, s] * values[b, s, :]
autograd::Var weighted_sum(autograd::Var weights, autograd::Var values);

// scores [B, S] = keys [B, S, D] . query [B, D]
autograd::Var dot_scores(autograd::Var keys, autograd::Var query);

}  // namespace s2s::nn
