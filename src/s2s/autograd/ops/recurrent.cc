#include "s2s/autograd/ops/recurrent.h"

#include "s2s/kernels/gemm.h"
#include "s2s/kernels/rnn.h"

namespace s2s::autograd::recurrent {

bool records_grad(const Graph& g, std::initializer_list<Var> inputs) {
  if (!g.grad_enabled()) return false;
  for (const Var& v : inputs)
    if (v.requires_grad()) return true;
  return false;
}

Tensor row(const Tensor& t, std::int64_t k) {
  const Shape& s = t.shape();
  return t.narrow0(k, 1).reshape(Shape(s.begin() + 1, s.end()));
}

SequenceOutput sequence_views(const OpDef& view_def, Var packed, bool with_c) {
  std::int64_t T = packed.dim(0) - (with_c ? 2 : 1), B = packed.dim(1), H = packed.dim(2);
  SequenceOutput out;
  out.output = rows_view(view_def, packed, 0, T, Shape{T, B, H});
  out.h = rows_view(view_def, packed, T, 1, Shape{B, H});
  if (with_c) out.c = rows_view(view_def, packed, T + 1, 1, Shape{B, H});
  return out;
}

CellDims check_cell(const char* op, std::int64_t gates, Var x_proj, Var h, const Var* c, Var w_hh, Var b_hh) {
  S2S_CHECK(h.ndim() == 2, op, ": h must be [B, H], got ", h.shape().str());
  std::int64_t B = h.dim(0), H = h.dim(1);
  S2S_CHECK(x_proj.shape() == Shape({B, gates * H}), op, ": x_proj must be [B, ", gates, "H] = [", B, ", ", gates * H,
            "], got ", x_proj.shape().str());
  S2S_CHECK(!c || c->shape() == h.shape(), op, ": c must match h ", h.shape().str(), ", got ", c->shape().str());
  S2S_CHECK(w_hh.shape() == Shape({gates * H, H}), op, ": w_hh must be [", gates * H, ", ", H, "], got ",
            w_hh.shape().str());
  S2S_CHECK(b_hh.shape() == Shape({gates * H}), op, ": b_hh must be [", gates * H, "], got ", b_hh.shape().str());
  return {B, H};
}

SeqDims check_sequence(const char* op, std::int64_t gates, Var x, Var h0, const Var* c0, Var w_ih, Var w_hh, Var b_ih,
                       Var b_hh, const Tensor& lengths) {
  S2S_CHECK(x.ndim() == 3 && x.dim(0) > 0 && x.dim(1) > 0, op, ": x must be time-major [T, B, I] with T, B >= 1, got ",
            x.shape().str());
  std::int64_t T = x.dim(0), B = x.dim(1), I = x.dim(2);
  S2S_CHECK(h0.ndim() == 2 && h0.dim(0) == B, op, ": h0 must be [B, H] with B = ", B, ", got ", h0.shape().str());
  std::int64_t H = h0.dim(1), G = gates * H;
  S2S_CHECK(!c0 || c0->shape() == h0.shape(), op, ": c0 must match h0 ", h0.shape().str(), ", got ",
            c0->shape().str());
  S2S_CHECK(w_ih.shape() == Shape({G, I}), op, ": w_ih must be [", G, ", ", I, "], got ", w_ih.shape().str());
  S2S_CHECK(w_hh.shape() == Shape({G, H}), op, ": w_hh must be [", G, ", ", H, "], got ", w_hh.shape().str());
  S2S_CHECK(b_ih.shape() == Shape({G}) && b_hh.shape() == Shape({G}), op, ": biases must be [", G, "], got ",
            b_ih.shape().str(), " and ", b_hh.shape().str());
  S2S_CHECK(lengths.defined() && lengths.dtype() == DType::I32 && lengths.shape() == Shape({B}), op,
            ": lengths must be I32 [", B, "]");
  const std::int32_t* len = lengths.i32();
  for (std::int64_t b = 0; b < B; ++b)
    S2S_CHECK(len[b] >= 1 && len[b] <= T, op, ": lengths[", b, "] = ", len[b], " is outside 1..", T);
  return {T, B, I, H};
}

Tensor project_inputs(Graph& g, const Tensor& x, const Var& w_ih) {
  Tensor xp = Tensor::empty(Shape{x.dim(0), x.dim(1), w_ih.dim(0)});
  weight_product(g, w_ih, x, xp, 0.0f);
  return xp;
}

void cell_grads(Node& n, int h_index, int w_hh_index, const Tensor& dhp) {
  const Tensor& h = n.input(h_index)->value;
  if (Tensor* dh = n.input_grad(h_index)) kernels::gemm(dhp, n.input(w_hh_index)->value, *dh, {false, false, 1.0f, 1.0f});
  if (Tensor* dw = n.input_grad(w_hh_index)) kernels::gemm(dhp, h, *dw, {true, false, 1.0f, 1.0f});
  if (Tensor* db = n.input_grad(w_hh_index + 1)) kernels::add_column_sums(dhp, *db);
}

void sequence_grads(Node& n, int w_index, const Tensor& dxp, const Tensor& dhp, const Tensor& h_prev) {
  const Tensor& x = n.input(0)->value;
  if (Tensor* dx = n.input_grad(0)) kernels::gemm(dxp, n.input(w_index)->value, *dx, {false, false, 1.0f, 1.0f});
  if (Tensor* dw = n.input_grad(w_index)) kernels::gemm(dxp, x, *dw, {true, false, 1.0f, 1.0f});
  if (Tensor* dw = n.input_grad(w_index + 1)) kernels::gemm(dhp, h_prev, *dw, {true, false, 1.0f, 1.0f});
  if (Tensor* db = n.input_grad(w_index + 2)) kernels::add_column_sums(dxp, *db);
  if (Tensor* db = n.input_grad(w_index + 3)) kernels::add_column_sums(dhp, *db);
}

}  // namespace s2s::autograd::recurrent
