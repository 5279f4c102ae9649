// linear: y = x w^T + b as one op (one output buffer; the bias goes in as
// the gemm's C, like torch's addmm), instead of matmul + add with two.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/int8_gemm.h"

namespace s2s::autograd {

namespace {

// Inputs: x [..., in], w [out, in], and b when there are three: [out] (a bias
// row) or the output's shape (an addend c, as in addmm).
//   dx = dy w,  dw = dy^T x,  db = column sums of dy (the same reduction as
//   add's) for a bias row, dc = dy for an addend (which takes dy's buffer
//   when it can: the last use of dy).
void linear_backward(Node& n) {
  const Tensor& x = n.input(0)->value;
  const Tensor& w = n.input(1)->value;
  bool fresh = false;
  if (Tensor* gw = n.input_grad_for_write(1, fresh)) kernels::gemm(n.grad, x, *gw, {true, false, 1.0f, fresh ? 0.0f : 1.0f});
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::gemm(n.grad, w, *gx, {false, false, 1.0f, fresh ? 0.0f : 1.0f});
  if (n.num_inputs < 3) return;
  const Tensor& b = n.input(2)->value;
  if (b.shape() != n.value.shape()) {
    if (Tensor* gb = n.input_grad(2)) kernels::binary_backward_b(kernels::BinaryOp::Add, n.grad, n.grad, b, *gb);
  } else if (!n.pass_grad_to(2)) {
    if (Tensor* gc = n.input_grad(2)) kernels::axpy(1.0f, n.grad, *gc);
  }
}

}  // namespace

const OpDef op_defs::linear{OpId::linear, "linear", linear_backward};

Var linear(Var x, Var w, Var b) {
  S2S_CHECK(w.ndim() == 2 && x.ndim() >= 1 && x.dim(-1) == w.dim(1), "linear: expected x [..., ", w.ndim() == 2 ? w.dim(1) : 0,
            "] for weight ", w.shape().str(), ", got ", x.shape().str());
  Shape shape = x.shape();
  shape[shape.ndim() - 1] = w.dim(0);
  const bool addend = b.defined() && b.shape() == shape && b.shape() != Shape({w.dim(0)});
  S2S_CHECK(!b.defined() || addend || b.shape() == Shape({w.dim(0)}), "linear: bias must be [", w.dim(0), "] or ",
            shape.str(), ", got ", b.defined() ? b.shape().str() : std::string());
  Graph& g = x.graph();
  Tensor out = Tensor::empty(shape);
  if (addend) {
    out.copy_from(b.value());
    weight_product(g, w, x.value(), out, 1.0f);
  } else if (const kernels::Int8Weight* q = g.int8_weight(w)) {
    kernels::linear(x.value(), *q, b.defined() ? &b.value() : nullptr, out);
  } else if (const kernels::PackedNT* packed = g.packed_weight(w, x.value().numel() / std::max<std::int64_t>(w.dim(1), 1))) {
    kernels::linear(x.value(), *packed, b.defined() ? &b.value() : nullptr, out);
  } else {
    kernels::linear(x.value(), w.value(), b.defined() ? &b.value() : nullptr, out, !g.grad_enabled());
  }
  Node* n = b.defined() ? g.record(op_defs::linear, {x, w, b}, std::move(out)) : g.record(op_defs::linear, {x, w}, std::move(out));
  return Var(n);
}

Var linear(Var x, const kernels::Int8Weight& w, Var b) {
  Graph& g = x.graph();
  S2S_CHECK(!g.grad_enabled(), "linear: an int8 weight is for inference only (grad is enabled)");
  S2S_CHECK(x.ndim() >= 1 && x.dim(-1) == w.cols(), "linear: expected x [..., ", w.cols(), "] for int8 weight [",
            w.rows(), ", ", w.cols(), "], got ", x.shape().str());
  S2S_CHECK(!b.defined() || b.shape() == Shape({w.rows()}), "linear: bias must be [", w.rows(), "], got ",
            b.defined() ? b.shape().str() : std::string());
  Shape shape = x.shape();
  shape[shape.ndim() - 1] = w.rows();
  Tensor out = Tensor::empty(shape);
  kernels::linear(x.value(), w, b.defined() ? &b.value() : nullptr, out);
  Node* n = b.defined() ? g.record(op_defs::linear, {x, b}, std::move(out)) : g.record(op_defs::linear, {x}, std::move(out));
  return Var(n);
}

}  // namespace s2s::autograd
