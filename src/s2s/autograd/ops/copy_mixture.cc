// copy_mixture: the pointer-generator's output distribution as one op (the
// arithmetic is in kernels/cpu/copy_mixture_cpu.cc). Its gradient needs the
// softmax of the logits and p, both recomputed from the inputs and the
// output, so nothing beyond the source ids is kept.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/copy_mixture.h"

namespace s2s::autograd {

namespace {

// Inputs: logits, gate, attention; saved[0] = ids. See kernels/copy_mixture.h
// for the three gradients.
void copy_mixture_backward(Node& n) {
  kernels::copy_mixture_backward(n.input(0)->value, n.input(1)->value, n.input(2)->value, n.saved[0], n.value, n.grad,
                                 n.input_grad(0), n.input_grad(1), n.input_grad(2));
}

}  // namespace

const OpDef op_defs::copy_mixture{OpId::copy_mixture, "copy_mixture", copy_mixture_backward};

Var copy_mixture(Var logits, Var gate, Var attention, const Tensor& ids, std::int64_t width, const Tensor& rows) {
  S2S_CHECK(!rows.defined() || !logits.graph().grad_enabled(), "copy_mixture: a row map is for inference only");
  Tensor out = Tensor::empty(Shape{logits.dim(0), width});
  kernels::copy_mixture_forward(logits.value(), gate.value(), attention.value(), ids, rows.defined() ? &rows : nullptr,
                                out);
  Node* n = logits.graph().record(op_defs::copy_mixture, {logits, gate, attention}, std::move(out));
  if (n->requires_grad) n->saved[0] = ids;
  return Var(n);
}

}  // namespace s2s::autograd
