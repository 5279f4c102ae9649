// linear: y = x w^T + b as one op (one output buffer; the bias goes in as
// the gemm's C, like torch's addmm), instead of matmul + add with two.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/kernels/gemm.h"

namespace s2s::autograd {

namespace {

// Inputs: x [..., in], w [out, in], and b [out] when there are three.
//   dx = dy w,  dw = dy^T x,  db = column sums of dy (the same reduction as add's).
void linear_backward(Node& n) {
  const Tensor& x = n.input(0)->value;
  const Tensor& w = n.input(1)->value;
  bool fresh = false;
  if (n.num_inputs == 3)
    if (Tensor* gb = n.input_grad(2)) kernels::binary_backward_b(kernels::BinaryOp::Add, n.grad, n.grad, n.input(2)->value, *gb);
  if (Tensor* gw = n.input_grad_for_write(1, fresh)) kernels::gemm(n.grad, x, *gw, {true, false, 1.0f, fresh ? 0.0f : 1.0f});
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::gemm(n.grad, w, *gx, {false, false, 1.0f, fresh ? 0.0f : 1.0f});
}

}  // namespace

const OpDef op_defs::linear{OpId::linear, "linear", linear_backward};

Var linear(Var x, Var w, Var b) {
  S2S_CHECK(w.ndim() == 2 && x.ndim() >= 1 && x.dim(-1) == w.dim(1), "linear: expected x [..., ", w.ndim() == 2 ? w.dim(1) : 0,
            "] for weight ", w.shape().str(), ", got ", x.shape().str());
  S2S_CHECK(!b.defined() || b.shape() == Shape({w.dim(0)}), "linear: bias must be [", w.dim(0), "], got ",
            b.defined() ? b.shape().str() : std::string());
  Shape shape = x.shape();
  shape[shape.ndim() - 1] = w.dim(0);
  Tensor out = Tensor::empty(shape);
  kernels::linear(x.value(), w.value(), b.defined() ? &b.value() : nullptr, out);
  Graph& g = x.graph();
  Node* n = b.defined() ? g.record(op_defs::linear, {x, w, b}, std::move(out)) : g.record(op_defs::linear, {x, w}, std::move(out));
  return Var(n);
}

}  // namespace s2s::autograd
