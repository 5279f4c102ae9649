// gru_cell and gru_sequence: fused forward, hand-derived backward (the gate
// algebra is in kernels/cpu/gru_cpu.cc).
#include "s2s/autograd/ops.h"
#include "s2s/autograd/ops/recurrent.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/rnn.h"

namespace s2s::autograd {

namespace {

using recurrent::row;
using recurrent::time_at;

// Inputs: x_proj, h, w_hh, b_hh. saved[0]: gates [B, 4H] (r, z, n, hn).
void gru_cell_backward(Node& n) {
  const Tensor& h = n.input(1)->value;
  Tensor dhp = Tensor::empty(Shape{h.dim(0), 3 * h.dim(1)});
  kernels::gru_step_backward(n.saved[0], h, n.grad, nullptr, dhp, n.input_grad(0), n.input_grad(1));
  recurrent::cell_grads(n, 1, 2, dhp);
}

// Inputs: x, h0, w_ih, w_hh, b_ih, b_hh. Value [T + 1, B, H]: outputs, then the final h.
// saved: gates [T, B, 4H], h_prev [T, B, H] (state before each time step), lengths.
void gru_sequence_backward(Node& n) {
  const Tensor &gates = n.saved[0], &h_prev = n.saved[1], &lengths = n.saved[2];
  const Tensor& w_hh = n.input(3)->value;
  bool reverse = n.i[0] != 0;
  std::int64_t T = h_prev.dim(0), B = h_prev.dim(1), H = h_prev.dim(2);
  Tensor dxp = Tensor::zeros(Shape{T, B, 3 * H});  // the kernel accumulates into it
  Tensor dhp = Tensor::empty(Shape{T, B, 3 * H});
  Tensor dh_buf = Tensor::empty(Shape{2, B, H});
  Tensor* dh0 = n.input_grad(1);
  Tensor dh = row(n.grad, T);  // gradient of the state after the step being undone
  for (std::int64_t s = T - 1; s >= 0; --s) {
    std::int64_t t = time_at(s, T, reverse);
    Tensor dh_prev;
    if (s > 0) {
      dh_prev = row(dh_buf, s % 2);
      dh_prev.zero();
    } else if (dh0) {
      dh_prev = *dh0;
    }
    Tensor dhp_t = row(dhp, t), dxp_t = row(dxp, t), dy = row(n.grad, t);
    kernels::gru_step_backward(row(gates, t), row(h_prev, t), dh, &dy, dhp_t, &dxp_t,
                               dh_prev.defined() ? &dh_prev : nullptr, {lengths.i32(), t});
    if (dh_prev.defined()) kernels::gemm(dhp_t, w_hh, dh_prev, {false, false, 1.0f, 1.0f});
    dh = dh_prev;
  }
  recurrent::sequence_grads(n, 2, dxp, dhp, h_prev);
}

const OpDef kGruSequenceView{OpId::gru_sequence, "gru_sequence (view)", view_backward, true};

}  // namespace

const OpDef op_defs::gru_cell{OpId::gru_cell, "gru_cell", gru_cell_backward};
const OpDef op_defs::gru_sequence{OpId::gru_sequence, "gru_sequence", gru_sequence_backward};

Var gru_cell(Var x_proj, Var h, Var w_hh, Var b_hh) {
  auto [B, H] = recurrent::check_cell("gru_cell", 3, x_proj, h, nullptr, w_hh, b_hh);
  Graph& g = x_proj.graph();
  bool save = recurrent::records_grad(g, {x_proj, h, w_hh, b_hh});
  Tensor hp = Tensor::empty(Shape{B, 3 * H});
  weight_product(g, w_hh, h.value(), hp, 0.0f);
  Tensor out = Tensor::empty(Shape{B, H});
  Tensor gates = save ? Tensor::empty(Shape{B, 4 * H}) : Tensor();
  kernels::gru_step_forward(x_proj.value(), nullptr, hp, b_hh.value(), h.value(), out, nullptr, save ? &gates : nullptr);
  Node* n = g.record(op_defs::gru_cell, {x_proj, h, w_hh, b_hh}, std::move(out));
  if (n->requires_grad) n->saved[0] = std::move(gates);
  return Var(n);
}

SequenceOutput gru_sequence(Var x, Var h0, Var w_ih, Var w_hh, Var b_ih, Var b_hh, const Tensor& lengths, bool reverse) {
  auto [T, B, I, H] = recurrent::check_sequence("gru_sequence", 3, x, h0, nullptr, w_ih, w_hh, b_ih, b_hh, lengths);
  Graph& g = x.graph();
  bool save = recurrent::records_grad(g, {x, h0, w_ih, w_hh, b_ih, b_hh});
  Tensor xp = recurrent::project_inputs(g, x.value(), w_ih);
  Tensor packed = Tensor::empty(Shape{T + 1, B, H});
  // Training keeps every step's starting state for backward; inference ping-pongs two.
  Tensor states = Tensor::empty(Shape{save ? T : 2, B, H});
  Tensor gates = save ? Tensor::empty(Shape{T, B, 4 * H}) : Tensor();
  Tensor hp = Tensor::empty(Shape{B, 3 * H});
  Tensor h = h0.value();
  if (save) {
    Tensor first = row(states, time_at(0, T, reverse));
    first.copy_from(h);
    h = first;
  }
  for (std::int64_t s = 0; s < T; ++s) {
    std::int64_t t = time_at(s, T, reverse);
    Tensor next = s == T - 1 ? row(packed, T) : row(states, save ? time_at(s + 1, T, reverse) : (s + 1) % 2);
    weight_product(g, w_hh, h, hp, 0.0f);
    Tensor y = row(packed, t), gates_t = save ? row(gates, t) : Tensor();
    kernels::gru_step_forward(row(xp, t), &b_ih.value(), hp, b_hh.value(), h, next, &y, save ? &gates_t : nullptr,
                              {lengths.i32(), t});
    h = next;
  }
  Node* n = g.record(op_defs::gru_sequence, {x, h0, w_ih, w_hh, b_ih, b_hh}, std::move(packed));
  if (n->requires_grad) {
    n->saved[0] = std::move(gates);
    n->saved[1] = std::move(states);
    n->saved[2] = lengths.clone();
    n->i[0] = reverse;
  }
  return recurrent::sequence_views(kGruSequenceView, Var(n), false);
}

}  // namespace s2s::autograd
