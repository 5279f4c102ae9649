// Activations and exp/log. Backward uses the op's own output where the
// derivative is cheaper in it (tanh, sigmoid, relu, exp; gelu and log read
// the input), so nothing is saved:
// the node's value and its input's value are on the tape already.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/unary.h"

namespace s2s::autograd {

namespace {

using kernels::UnaryOp;

// i[0] holds the UnaryOp. dx = dy * f'(x), see kernels/unary.h.
void unary_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh))
    kernels::unary_backward(static_cast<UnaryOp>(n.i[0]), n.input(0)->value, n.value, n.grad, *gx, !fresh);
}

Var unary(const OpDef& def, UnaryOp op, Var x) {
  Tensor out = Tensor::empty(x.shape());
  kernels::unary(op, x.value(), out);
  Node* n = x.graph().record(def, {x}, std::move(out));
  n->i[0] = static_cast<std::int64_t>(op);
  return Var(n);
}

}  // namespace

const OpDef op_defs::tanh{OpId::tanh, "tanh", unary_backward};
const OpDef op_defs::sigmoid{OpId::sigmoid, "sigmoid", unary_backward};
const OpDef op_defs::relu{OpId::relu, "relu", unary_backward};
const OpDef op_defs::exp{OpId::exp, "exp", unary_backward};
const OpDef op_defs::log{OpId::log, "log", unary_backward};
const OpDef op_defs::gelu{OpId::gelu, "gelu", unary_backward};

Var tanh(Var x) { return unary(op_defs::tanh, UnaryOp::Tanh, x); }
Var sigmoid(Var x) { return unary(op_defs::sigmoid, UnaryOp::Sigmoid, x); }
Var relu(Var x) { return unary(op_defs::relu, UnaryOp::Relu, x); }
Var exp(Var x) { return unary(op_defs::exp, UnaryOp::Exp, x); }
Var log(Var x) { return unary(op_defs::log, UnaryOp::Log, x); }
Var gelu(Var x) { return unary(op_defs::gelu, UnaryOp::Gelu, x); }

}  // namespace s2s::autograd
