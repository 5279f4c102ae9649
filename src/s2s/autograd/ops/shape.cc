// Shape ops: concat, slice (and split, made of slices), reshape, transpose.
// Whenever the result's bytes are a contiguous run of the input's, the
// forward pass returns a view sharing storage instead of copying.
#include <algorithm>
#include <utility>

#include "s2s/autograd/ops.h"
#include "s2s/kernels/elementwise.h"
#include "s2s/kernels/shape.h"

namespace s2s::autograd {

namespace {

// i[0] = axis. Each input is a [outer, d_k * inner] column block of the
// output; along axis 0 (outer == 1) a block is contiguous and an input without
// a gradient yet takes a view of it instead of a copy.
void concat_backward(Node& n) {
  int axis = static_cast<int>(n.i[0]);
  const Shape& s = n.grad.shape();
  std::int64_t outer = s.outer(axis), inner = s.inner(axis), row = s[axis] * inner;
  std::int64_t offset = 0;
  for (int k = 0; k < n.num_inputs; ++k) {
    std::int64_t len = n.input(k)->value.dim(axis);
    std::int64_t cols = len * inner;
    if (axis == 0 && n.pass_grad_to(k, n.grad.narrow0(offset / inner, len))) {
      offset += cols;
      continue;
    }
    bool fresh = false;
    if (Tensor* gx = n.input_grad_for_write(k, fresh))
      kernels::copy_rows(n.grad.f32() + offset, row, gx->f32(), cols, outer, cols, !fresh);
    offset += cols;
  }
}

// i[0] = axis, i[1] = start: dx[.., start:start+len, ..] += dy.
void slice_backward(Node& n) {
  Tensor* gx = n.input_grad(0);
  if (!gx) return;
  int axis = static_cast<int>(n.i[0]);
  const Shape& s = gx->shape();
  std::int64_t outer = s.outer(axis), inner = s.inner(axis), len = n.value.dim(axis);
  kernels::copy_rows(n.grad.f32(), len * inner, gx->f32() + n.i[1] * inner, s[axis] * inner, outer, len * inner, true);
}

// Same elements in the same order: dx = dy (the input takes dy's buffer when it has none yet).
void reshape_backward(Node& n) {
  if (n.pass_grad_to(0)) return;
  if (Tensor* gx = n.input_grad(0)) kernels::axpy(1.0f, n.grad, *gx);
}

// i[0], i[1] = the swapped axes, i[2] = 1 when the forward was a view.
void transpose_backward(Node& n) {
  if (n.i[2] && n.pass_grad_to(0)) return;
  bool fresh = false;
  Tensor* gx = n.input_grad_for_write(0, fresh);
  if (!gx) return;
  if (n.i[2]) {
    if (fresh) gx->copy_from(n.grad);
    else kernels::axpy(1.0f, n.grad, *gx);
  } else {
    kernels::transpose(n.grad, static_cast<int>(n.i[0]), static_cast<int>(n.i[1]), *gx, !fresh);
  }
}

}  // namespace

const OpDef op_defs::concat{OpId::concat, "concat", concat_backward};
const OpDef op_defs::slice{OpId::slice, "slice", slice_backward};
const OpDef op_defs::reshape{OpId::reshape, "reshape", reshape_backward};
const OpDef op_defs::transpose{OpId::transpose, "transpose", transpose_backward};

Var concat(std::span<const Var> xs, int axis, Tensor out) {
  S2S_CHECK(!xs.empty(), "concat: expected at least one input");
  const Shape& first = xs[0].shape();
  int a = first.normalize(axis);
  Shape out_shape = first;
  out_shape[a] = 0;
  for (const Var& x : xs) {
    S2S_CHECK(x.defined(), "concat: an input is undefined");
    const Shape& s = x.shape();
    bool ok = s.ndim() == first.ndim();
    for (int k = 0; ok && k < s.ndim(); ++k) ok = k == a || s[k] == first[k];
    S2S_CHECK(ok, "concat: shapes ", first.str(), " and ", s.str(), " differ outside axis ", axis);
    out_shape[a] += s[a];
  }
  if (out.defined()) {
    S2S_CHECK(out.shape() == out_shape && out.dtype() == DType::F32, "concat: output buffer ", out.shape().str(),
              " does not match the result ", out_shape.str());
  } else {
    out = Tensor::empty(out_shape);
  }
  std::int64_t outer = out_shape.outer(a), inner = out_shape.inner(a), row = out_shape[a] * inner, offset = 0;
  for (const Var& x : xs) {
    std::int64_t cols = x.dim(a) * inner;
    if (outer != 1 || x.value().f32() != out.f32() + offset)
      kernels::copy_rows(x.value().f32(), cols, out.f32() + offset, row, outer, cols, false);
    offset += cols;
  }
  Node* n = xs[0].graph().record(op_defs::concat, xs, std::move(out));
  n->i[0] = a;
  return Var(n);
}

Var slice(Var x, int axis, std::int64_t start, std::int64_t length) {
  const Shape& s = x.shape();
  int a = s.normalize(axis);
  S2S_CHECK(start >= 0 && length >= 0 && start + length <= s[a], "slice: [", start, ", ", start + length,
            ") is outside axis ", axis, " of ", s.str());
  Shape out_shape = s;
  out_shape[a] = length;
  std::int64_t outer = s.outer(a), inner = s.inner(a);
  Tensor out;
  if (outer == 1) {  // a contiguous run: view it (narrow0 on axis 0)
    out = a == 0 ? x.value().narrow0(start, length)
                 : x.value().reshape(Shape{s[a], inner}).narrow0(start, length).reshape(out_shape);
  } else {
    out = Tensor::empty(out_shape);
    kernels::copy_rows(x.value().f32() + start * inner, s[a] * inner, out.f32(), length * inner, outer, length * inner,
                       false);
  }
  Node* n = x.graph().record(op_defs::slice, {x}, std::move(out));
  n->i[0] = a;
  n->i[1] = start;
  return Var(n);
}

std::vector<Var> split(Var x, int axis, std::span<const std::int64_t> sizes) {
  int a = x.shape().normalize(axis);
  std::int64_t total = 0;
  for (std::int64_t v : sizes) {
    S2S_CHECK(v >= 0, "split: size ", v, " is negative");
    total += v;
  }
  S2S_CHECK(total == x.dim(a), "split: sizes add up to ", total, ", axis ", axis, " of ", x.shape().str(), " has ",
            x.dim(a));
  std::vector<Var> parts;
  parts.reserve(sizes.size());
  std::int64_t start = 0;
  for (std::int64_t v : sizes) {
    parts.push_back(slice(x, a, start, v));
    start += v;
  }
  return parts;
}

Var reshape(Var x, const Shape& shape) {
  S2S_CHECK(shape.numel() == x.value().numel(), "reshape: cannot view ", x.shape().str(), " as ", shape.str());
  return Var(x.graph().record(op_defs::reshape, {x}, x.value().reshape(shape)));
}

Var transpose(Var x, int axis0, int axis1) {
  const Shape& s = x.shape();
  int a0 = s.normalize(axis0), a1 = s.normalize(axis1);
  Shape out_shape = s;
  std::swap(out_shape[a0], out_shape[a1]);
  // The bytes keep their order (so the result is a view) when at most one of
  // the two swapped dims and the block of dims between them is larger than 1.
  int lo = std::min(a0, a1), hi = std::max(a0, a1);
  std::int64_t between = 1;
  for (int k = lo + 1; k < hi; ++k) between *= s[k];
  bool view = (s[lo] > 1) + (s[hi] > 1) + (between > 1) <= 1;
  Tensor out;
  if (view) {
    out = x.value().reshape(out_shape);
  } else {
    out = Tensor::empty(out_shape);
    kernels::transpose(x.value(), a0, a1, out, false);
  }
  Node* n = x.graph().record(op_defs::transpose, {x}, std::move(out));
  n->i[0] = a0;
  n->i[1] = a1;
  n->i[2] = view;
  return Var(n);
}

}  // namespace s2s::autograd
