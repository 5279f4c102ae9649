#pragma once
// The tape of one forward pass (define-by-run). Build a step's computation
// with the ops in autograd/ops.h, call backward(loss), then clear(). A Graph is
// an ordinary object: models, trainers and decoders each own theirs, and
// nothing about it is global. With grad disabled (inference) ops record no
// backward state and no saved tensors.
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "s2s/autograd/node.h"
#include "s2s/autograd/packed_weights.h"
#include "s2s/autograd/parameter.h"
#include "s2s/autograd/var.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/gemm.h"

namespace s2s::autograd {

struct BackwardOptions {
  // Return every op node's value to the allocator right after that node's
  // backward (the root's excepted): nothing reads it later within the pass,
  // and a training step's peak memory then no longer holds, e.g., the logits
  // through the decoder's backward. Values read after backward (other than
  // the root's) must be copied before it.
  bool release_values = false;
};

class Graph {
 public:
  explicit Graph(bool grad_enabled = true) : grad_enabled_(grad_enabled) {}
  ~Graph();
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  bool grad_enabled() const { return grad_enabled_; }
  void set_grad_enabled(bool on) {
    grad_enabled_ = on;
    if (on) {  // training may follow: no packed copy outlives it
      own_packed_.clear();
      packed_ = &own_packed_;
    }
  }

  // Inference: the weight w (a parameter's value) packed for row-invariant
  // products x w^T of `rows` rows, so that decoding packs each weight once
  // instead of every step. Kept in this graph's own PackedWeights while grad
  // stays disabled, or in `shared` after share_packed_weights(shared) (until
  // grad is enabled). nullptr with grad enabled, for a non-parameter, or where
  // packing gains nothing (kernels::packed_nt_pays: few rows with AVX-512).
  const kernels::PackedNT* packed_weight(const Var& w, std::int64_t rows);
  void share_packed_weights(PackedWeights& shared) { packed_ = &shared; }
  // Inference in int8: w's quantized weight when w is a parameter its
  // PackedWeights quantized (an int8 model's), else nullptr (also with grad
  // enabled). Products and lookups that get one use it for any row count.
  const kernels::Int8Weight* int8_weight(const Var& w);
  const kernels::Int8Weight* int8_weight(const Parameter& p) { return grad_enabled_ ? nullptr : packed_->int8(p); }
  // The rows of several such parameters joined (a fused projection), made once.
  const kernels::Int8Weight* int8_joined(std::span<const Parameter* const> parts) {
    return grad_enabled_ ? nullptr : packed_->int8_joined(parts);
  }

  // Leaves.
  Var input(Tensor value, bool requires_grad = false);
  Var param(Parameter& p);  // gradient goes straight into p.grad

  // Records an op application; used by op implementations. The node requires
  // grad when grad is enabled and any input does.
  Node* record(const OpDef& op, std::span<const Var> inputs, Tensor value);
  Node* record(const OpDef& op, std::initializer_list<Var> inputs, Tensor value) {
    return record(op, std::span<const Var>(inputs.begin(), inputs.size()), std::move(value));
  }

  // Reverse pass from a scalar (seed 1) or from any node with an explicit seed gradient.
  void backward(Var root, BackwardOptions options = {});
  void backward(Var root, const Tensor& seed, BackwardOptions options = {});

  // Drops every node (their tensors return to the allocator's cache).
  void clear();

  // autograd::recompute (autograd/recompute.h) keeps each recomputed
  // function here until clear(), with the RNG state it started from, and
  // reruns it in scratch(): a graph of its own, reused step after step.
  struct Recomputed {
    std::function<Var(Graph&, std::span<const Var>, Rng*)> fn;
    RngState rng_state;
    bool has_rng = false;
  };
  std::size_t keep_recomputed(Recomputed r) {
    recomputed_.push_back(std::move(r));
    return recomputed_.size() - 1;
  }
  const Recomputed& recomputed(std::size_t i) const { return recomputed_[i]; }
  Graph& scratch();

  std::size_t size() const { return count_; }
  const Node& node(std::size_t i) const { return chunks_[i / kChunk][i % kChunk]; }

 private:
  friend struct Node;
  static constexpr std::size_t kChunk = 256;
  Node* new_node();
  Node& node_at(std::size_t i) { return chunks_[i / kChunk][i % kChunk]; }

  bool grad_enabled_;
  std::vector<std::unique_ptr<Node[]>> chunks_;
  std::size_t count_ = 0;
  std::vector<Node*> inputs_;  // op inputs of all nodes, back to back
  PackedWeights own_packed_;
  PackedWeights* packed_ = &own_packed_;
  std::vector<Recomputed> recomputed_;
  std::unique_ptr<Graph> scratch_;
};

// Multi-output ops pack their results along axis 0 of one node value (lstm_cell
// [h; c], sequences [outputs; h; c], attention [context; weights]) and hand
// out views of it: nodes of `view_def` (views_input_rows set, backward
// view_backward), whose gradient is the matching rows of the packed node's,
// so whatever consumers accumulate into a view lands there directly.
Var rows_view(const OpDef& view_def, Var packed, std::int64_t start, std::int64_t length, const Shape& shape);
void view_backward(Node& n);  // nothing to do: the gradient is already in place

// y = beta y + x w^T for an op's weight input w (x [..., in], w [out, in],
// y [..., out]): with grad disabled through g.int8_weight or g.packed_weight
// when it has one, else the row-invariant kernels; with grad, BLAS.
void weight_product(Graph& g, const Var& w, const Tensor& x, Tensor& y, float beta);

// Temporarily disables recording on a graph (inference inside a training graph).
class NoGradGuard {
 public:
  explicit NoGradGuard(Graph& g) : g_(g), prev_(g.grad_enabled()) { g.set_grad_enabled(false); }
  ~NoGradGuard() { g_.set_grad_enabled(prev_); }

 private:
  Graph& g_;
  bool prev_;
};

}  // namespace s2s::autograd
