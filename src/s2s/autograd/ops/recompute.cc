// recompute: a function's tape dropped after forward and rebuilt in backward.
#include "s2s/autograd/recompute.h"

#include <vector>

#include "s2s/kernels/elementwise.h"

namespace s2s::autograd {

namespace {

// Runs the kept function on the scratch graph from leaves holding the inputs'
// values; Vars of the result in `leaves` (one per input) and the output.
Var rerun(Graph& scratch, const Graph::Recomputed& r, std::span<Node* const> inputs, std::vector<Var>& leaves) {
  scratch.clear();
  leaves.clear();
  for (Node* in : inputs) leaves.push_back(scratch.input(in->value, in->requires_grad));
  Rng rng(r.rng_state);
  return r.fn(scratch, leaves, r.has_rng ? &rng : nullptr);
}

void recompute_backward(Node& n) {
  Graph& outer = *n.graph;
  Graph& scratch = outer.scratch();
  std::vector<Node*> inputs;
  for (int k = 0; k < n.num_inputs; ++k) inputs.push_back(n.input(k));
  std::vector<Var> leaves;
  Var y = rerun(scratch, outer.recomputed(static_cast<std::size_t>(n.i[0])), inputs, leaves);
  scratch.backward(y, n.grad, {.release_values = true});
  for (int k = 0; k < n.num_inputs; ++k) {
    const Tensor& dx = leaves[static_cast<std::size_t>(k)].node()->grad;
    if (!dx.defined()) continue;  // fn did not depend on it
    bool fresh = false;
    if (Tensor* gx = n.input_grad_for_write(k, fresh)) {
      if (fresh) gx->copy_from(dx);
      else kernels::axpy(1.0f, dx, *gx);
    }
  }
  scratch.clear();
}

}  // namespace

const OpDef op_defs::recompute{OpId::recompute, "recompute", recompute_backward};

Var recompute(Graph& g, std::span<const Var> inputs, RecomputeFn fn, Rng* rng) {
  if (!g.grad_enabled()) return fn(g, inputs, rng);
  Graph::Recomputed r{std::move(fn), rng ? rng->state() : RngState{}, rng != nullptr};
  // The first run draws from the caller's rng, so what follows draws what it
  // would have drawn without recompute; backward replays from r.rng_state.
  Graph& scratch = g.scratch();
  scratch.clear();
  std::vector<Var> leaves;
  for (const Var& v : inputs) leaves.push_back(scratch.input(v.value(), v.requires_grad()));  // as the rerun
  Tensor y = r.fn(scratch, leaves, rng).value();
  scratch.clear();
  Node* n = g.record(op_defs::recompute, inputs, std::move(y));
  if (n->requires_grad) n->i[0] = static_cast<std::int64_t>(g.keep_recomputed(std::move(r)));
  return Var(n);
}

}  // namespace s2s::autograd
