// The ops a convolution over time is built from (ConvS2S): unfold_time (the
// windows, so that the convolution itself is `linear`), glu and weight_norm.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/glu.h"
#include "s2s/kernels/unfold.h"
#include "s2s/kernels/weight_norm.h"

namespace s2s::autograd {

namespace {

// i[0] kernel, i[1] pad_left. dx[s] = sum of the window rows that copied x[s] (kernels/unfold.h).
void unfold_time_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::unfold_time_backward(n.grad, n.i[0], n.i[1], *gx, !fresh);
}

// x = [a, b]: da = dy sigmoid(b), db = dy a sigmoid(b) (1 - sigmoid(b)); reads the input from the tape.
void glu_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::glu_backward(n.input(0)->value, n.grad, *gx, !fresh);
}

// saved[0]: the row norms n. dg = dw . v / n, dv = g / n (dw - (dg / n) v).
void weight_norm_backward(Node& n) {
  bool fresh_v = false, fresh_g = false;
  Tensor* gv = n.input_grad_for_write(0, fresh_v);
  Tensor* gg = n.input_grad_for_write(1, fresh_g);
  if (gv || gg)
    kernels::weight_norm_backward(n.input(0)->value, n.input(1)->value, n.saved[0], n.grad, gv, !fresh_v, gg,
                                  !fresh_g);
}

}  // namespace

const OpDef op_defs::unfold_time{OpId::unfold_time, "unfold_time", unfold_time_backward};
const OpDef op_defs::glu{OpId::glu, "glu", glu_backward};
const OpDef op_defs::weight_norm{OpId::weight_norm, "weight_norm", weight_norm_backward};

Var unfold_time(Var x, std::int64_t kernel, std::int64_t pad_left, std::int64_t steps) {
  S2S_CHECK(x.ndim() == 3, "unfold_time: expected x [T, B, C], got ", x.shape().str());
  S2S_CHECK(kernel >= 1 && pad_left >= 0 && pad_left < kernel + x.dim(0) && steps >= 1,
            "unfold_time: expected kernel >= 1, pad_left >= 0 and steps >= 1, got kernel ", kernel, ", pad_left ",
            pad_left, ", steps ", steps);
  Tensor out = Tensor::empty(Shape{steps, x.dim(1), kernel * x.dim(2)});
  kernels::unfold_time(x.value(), kernel, pad_left, out);
  Node* n = x.graph().record(op_defs::unfold_time, {x}, std::move(out));
  n->i[0] = kernel;
  n->i[1] = pad_left;
  return Var(n);
}

Var glu(Var x) {
  S2S_CHECK(x.ndim() >= 1 && x.dim(-1) % 2 == 0, "glu: expected an even last axis, got ", x.shape().str());
  Shape shape = x.shape();
  shape[shape.ndim() - 1] = x.dim(-1) / 2;
  Tensor out = Tensor::empty(shape);
  kernels::glu(x.value(), out);
  return Var(x.graph().record(op_defs::glu, {x}, std::move(out)));
}

Var weight_norm(Var v, Var g) {
  S2S_CHECK(v.ndim() == 2 && g.ndim() == 1 && g.dim(0) == v.dim(0), "weight_norm: expected v [out, in] and g [out], got ",
            v.shape().str(), " and ", g.shape().str());
  Tensor w = Tensor::empty(v.shape());
  Tensor norms = Tensor::empty(Shape{v.dim(0)});
  kernels::weight_norm(v.value(), g.value(), w, norms);
  Node* n = v.graph().record(op_defs::weight_norm, {v, g}, std::move(w));
  if (n->requires_grad) n->saved[0] = std::move(norms);
  return Var(n);
}

}  // namespace s2s::autograd
