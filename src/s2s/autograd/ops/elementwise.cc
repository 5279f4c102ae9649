// Binary arithmetic with broadcasting (add, sub, mul, div; NumPy's rule) and the affine ops
// (scale, add_scalar). Broadcast gradients are reduced by the kernels in a
// fixed order.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/elementwise.h"

namespace s2s::autograd {

namespace {

using kernels::BinaryOp;

// i[0] holds the BinaryOp. Backward reads the inputs' values (they outlive the
// node on the tape), so nothing is saved. A first gradient is written, not
// added to zeros; for add/sub, a takes dy's buffer itself when it can (b is
// done first, since handing the buffer over is the last use of dy).
void binary_backward(Node& n) {
  auto op = static_cast<BinaryOp>(n.i[0]);
  const Tensor& a = n.input(0)->value;
  const Tensor& b = n.input(1)->value;
  const bool additive = op == BinaryOp::Add || op == BinaryOp::Sub;
  bool fresh = false;
  if (a.shape() != n.grad.shape()) {  // a repeats too (General layout): both sides reduce
    if (Tensor* gb = n.input_grad(1)) kernels::binary_backward_b(op, n.grad, a, b, *gb);
    if (Tensor* ga = n.input_grad_for_write(0, fresh)) kernels::binary_backward_a(op, n.grad, b, *ga, !fresh);
    return;
  }
  if (additive && b.shape() == n.grad.shape()) {
    if (Tensor* gb = n.input_grad_for_write(1, fresh)) {
      if (fresh) kernels::affine(n.grad, op == BinaryOp::Add ? 1.0f : -1.0f, 0.0f, *gb);
      else kernels::binary_backward_b(op, n.grad, a, b, *gb);
    }
  } else if (Tensor* gb = n.input_grad(1)) {
    kernels::binary_backward_b(op, n.grad, a, b, *gb);
  }
  if (additive && n.pass_grad_to(0)) return;
  if (Tensor* ga = n.input_grad_for_write(0, fresh)) kernels::binary_backward_a(op, n.grad, b, *ga, !fresh);
}

// y = s x: dx = s dy.
void scale_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) {
    if (fresh) kernels::affine(n.grad, n.f[0], 0.0f, *gx);
    else kernels::axpy(n.f[0], n.grad, *gx);
  }
}

// y = x + s: dx = dy.
void add_scalar_backward(Node& n) {
  if (n.pass_grad_to(0)) return;
  if (Tensor* gx = n.input_grad(0)) kernels::axpy(1.0f, n.grad, *gx);
}

Var binary(const OpDef& def, BinaryOp op, Var a, Var b) {
  Tensor out = Tensor::empty(kernels::binary_shape(a.shape(), b.shape(), def.name));
  kernels::binary(op, a.value(), b.value(), out);
  Node* n = a.graph().record(def, {a, b}, std::move(out));
  n->i[0] = static_cast<std::int64_t>(op);
  return Var(n);
}

}  // namespace

const OpDef op_defs::add{OpId::add, "add", binary_backward};
const OpDef op_defs::sub{OpId::sub, "sub", binary_backward};
const OpDef op_defs::mul{OpId::mul, "mul", binary_backward};
const OpDef op_defs::div{OpId::div, "div", binary_backward};
const OpDef op_defs::scale{OpId::scale, "scale", scale_backward};
const OpDef op_defs::add_scalar{OpId::add_scalar, "add_scalar", add_scalar_backward};

Var add(Var a, Var b) { return binary(op_defs::add, BinaryOp::Add, a, b); }
Var sub(Var a, Var b) { return binary(op_defs::sub, BinaryOp::Sub, a, b); }
Var mul(Var a, Var b) { return binary(op_defs::mul, BinaryOp::Mul, a, b); }
Var div(Var a, Var b) { return binary(op_defs::div, BinaryOp::Div, a, b); }

Var scale(Var x, float s) {
  Tensor out = Tensor::empty(x.shape());
  kernels::affine(x.value(), s, 0.0f, out);
  Node* n = x.graph().record(op_defs::scale, {x}, std::move(out));
  n->f[0] = s;
  return Var(n);
}

Var add_scalar(Var x, float s) {
  Tensor out = Tensor::empty(x.shape());
  kernels::affine(x.value(), 1.0f, s, out);
  return Var(x.graph().record(op_defs::add_scalar, {x}, std::move(out)));
}

}  // namespace s2s::autograd
