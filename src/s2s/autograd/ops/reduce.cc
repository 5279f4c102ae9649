// Sums and means over one axis, and the total (sum_all).
#include "s2s/autograd/ops.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/kernels/reduce.h"

namespace s2s::autograd {

namespace {

// i[0] = axis (normalised), f[0] = scale (1 for sum, 1/d for mean).
// y = scale * sum_k x[.., k, ..]: dx[.., k, ..] = scale * dy.
void sum_backward(Node& n) {
  if (Tensor* gx = n.input_grad(0)) kernels::sum_axis_backward(n.grad, static_cast<int>(n.i[0]), n.f[0], *gx);
}

// y = sum x: dx = dy[0] everywhere.
void sum_all_backward(Node& n) {
  if (Tensor* gx = n.input_grad(0)) kernels::add_constant(n.grad.f32()[0], *gx);
}

Var reduce(const OpDef& def, Var x, int axis, bool keepdim, bool mean) {
  const Shape& s = x.shape();
  int a = s.normalize(axis);
  Shape out_shape;
  for (int k = 0; k < s.ndim(); ++k) {
    if (k != a) out_shape.push_back(s[k]);
    else if (keepdim) out_shape.push_back(1);
  }
  if (out_shape.ndim() == 0) out_shape.push_back(1);  // a 1-d input reduces to [1], as sum_all does
  std::int64_t d = s[a];
  float scale = 1.0f;
  if (mean) {
    S2S_CHECK(d > 0, "mean: axis ", axis, " of ", s.str(), " is empty");
    scale = 1.0f / static_cast<float>(d);
  }
  Tensor out = Tensor::empty(out_shape);
  kernels::sum_axis(x.value(), a, scale, out);
  Node* n = x.graph().record(def, {x}, std::move(out));
  n->i[0] = a;
  n->f[0] = scale;
  return Var(n);
}

}  // namespace

const OpDef op_defs::sum{OpId::sum, "sum", sum_backward};
const OpDef op_defs::mean{OpId::mean, "mean", sum_backward};
const OpDef op_defs::sum_all{OpId::sum_all, "sum_all", sum_all_backward};

Var sum(Var x, int axis, bool keepdim) { return reduce(op_defs::sum, x, axis, keepdim, false); }
Var mean(Var x, int axis, bool keepdim) { return reduce(op_defs::mean, x, axis, keepdim, true); }

Var sum_all(Var x) {
  Tensor out = Tensor::empty(Shape{1});
  out.f32()[0] = kernels::sum_all(x.value());
  return Var(x.graph().record(op_defs::sum_all, {x}, std::move(out)));
}

}  // namespace s2s::autograd
