// Softmax and log-softmax over the last axis. Backward needs only the
// output, which is the node's own value.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/softmax.h"

namespace s2s::autograd {

namespace {

// y = softmax(x): dx = y * (dy - sum(dy * y)) per row.
void softmax_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::softmax_backward(n.value, n.grad, *gx, !fresh);
}

// y = log_softmax(x): dx = dy - softmax(x) * sum(dy) per row, softmax(x) = exp(y).
void log_softmax_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::log_softmax_backward(n.value, n.grad, *gx, !fresh);
}

}  // namespace

const OpDef op_defs::softmax{OpId::softmax, "softmax", softmax_backward};
const OpDef op_defs::log_softmax{OpId::log_softmax, "log_softmax", log_softmax_backward};

Var softmax(Var x) {
  Tensor out = Tensor::empty(x.shape());
  kernels::softmax(x.value(), out);
  return Var(x.graph().record(op_defs::softmax, {x}, std::move(out)));
}

Var log_softmax(Var x) {
  Tensor out = Tensor::empty(x.shape());
  kernels::log_softmax(x.value(), out);
  return Var(x.graph().record(op_defs::log_softmax, {x}, std::move(out)));
}

}  // namespace s2s::autograd
