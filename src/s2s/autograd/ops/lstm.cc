// lstm_cell and lstm_sequence: fused forward, hand-derived backward (the gate
// algebra is in kernels/cpu/lstm_cpu.cc).
#include "s2s/autograd/ops.h"
#include "s2s/autograd/ops/recurrent.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/rnn.h"

namespace s2s::autograd {

namespace {

using recurrent::row;
using recurrent::time_at;

// Inputs: x_proj, h, c, w_hh, b_hh. Value [2, B, H] = [h'; c']. saved[0]: gates [B, 4H].
void lstm_cell_backward(Node& n) {
  const Tensor& c = n.input(2)->value;
  Tensor dgates = Tensor::empty(Shape{c.dim(0), 4 * c.dim(1)});
  kernels::lstm_step_backward(n.saved[0], c, row(n.value, 1), row(n.grad, 0), nullptr, row(n.grad, 1), dgates,
                              n.input_grad(0), nullptr, n.input_grad(2));
  recurrent::cell_grads(n, 1, 3, dgates);
}

// Inputs: x, h0, c0, w_ih, w_hh, b_ih, b_hh. Value [T + 2, B, H]: outputs, final h, final c.
// saved: gates [T, B, 4H], h_prev and c_prev [T, B, H] (states before each time step), lengths.
void lstm_sequence_backward(Node& n) {
  const Tensor &gates = n.saved[0], &h_prev = n.saved[1], &c_prev = n.saved[2], &lengths = n.saved[3];
  const Tensor& w_hh = n.input(4)->value;
  bool reverse = n.i[0] != 0;
  std::int64_t T = h_prev.dim(0), B = h_prev.dim(1), H = h_prev.dim(2);
  Tensor dgates = Tensor::empty(Shape{T, B, 4 * H});
  Tensor dh_buf = Tensor::empty(Shape{2, B, H}), dc_buf = Tensor::empty(Shape{2, B, H});
  Tensor *dh0 = n.input_grad(1), *dc0 = n.input_grad(2);
  Tensor dh = row(n.grad, T), dc = row(n.grad, T + 1);
  for (std::int64_t s = T - 1; s >= 0; --s) {
    std::int64_t t = time_at(s, T, reverse);
    Tensor dh_prev, dc_prev;
    if (s > 0) {
      dh_prev = row(dh_buf, s % 2);
      dc_prev = row(dc_buf, s % 2);
      dh_prev.zero();
      dc_prev.zero();
    } else {
      if (dh0) dh_prev = *dh0;
      if (dc0) dc_prev = *dc0;
    }
    // The cell state this step produced: the next step's starting state, or the final one.
    Tensor c_new = s == T - 1 ? row(n.value, T + 1) : row(c_prev, time_at(s + 1, T, reverse));
    Tensor dg_t = row(dgates, t), dy = row(n.grad, t);
    kernels::lstm_step_backward(row(gates, t), row(c_prev, t), c_new, dh, &dy, dc, dg_t, nullptr,
                                dh_prev.defined() ? &dh_prev : nullptr, dc_prev.defined() ? &dc_prev : nullptr,
                                {lengths.i32(), t});
    if (dh_prev.defined()) kernels::gemm(dg_t, w_hh, dh_prev, {false, false, 1.0f, 1.0f});
    dh = dh_prev;
    dc = dc_prev;
  }
  recurrent::sequence_grads(n, 3, dgates, dgates, h_prev);
}

const OpDef kLstmCellView{OpId::lstm_cell, "lstm_cell (view)", view_backward, true};
const OpDef kLstmSequenceView{OpId::lstm_sequence, "lstm_sequence (view)", view_backward, true};

}  // namespace

const OpDef op_defs::lstm_cell{OpId::lstm_cell, "lstm_cell", lstm_cell_backward};
const OpDef op_defs::lstm_sequence{OpId::lstm_sequence, "lstm_sequence", lstm_sequence_backward};

LstmState lstm_cell(Var x_proj, Var h, Var c, Var w_hh, Var b_hh) {
  auto [B, H] = recurrent::check_cell("lstm_cell", 4, x_proj, h, &c, w_hh, b_hh);
  Graph& g = x_proj.graph();
  bool save = recurrent::records_grad(g, {x_proj, h, c, w_hh, b_hh});
  Tensor hp = Tensor::empty(Shape{B, 4 * H});
  weight_product(g, w_hh, h.value(), hp, 0.0f);
  Tensor packed = Tensor::empty(Shape{2, B, H});
  Tensor gates = save ? Tensor::empty(Shape{B, 4 * H}) : Tensor();
  Tensor h_new = row(packed, 0), c_new = row(packed, 1);
  kernels::lstm_step_forward(x_proj.value(), nullptr, hp, b_hh.value(), h.value(), c.value(), h_new, c_new, nullptr,
                             save ? &gates : nullptr);
  Node* n = g.record(op_defs::lstm_cell, {x_proj, h, c, w_hh, b_hh}, std::move(packed));
  if (n->requires_grad) n->saved[0] = std::move(gates);
  Var p(n);
  return {rows_view(kLstmCellView, p, 0, 1, Shape{B, H}), rows_view(kLstmCellView, p, 1, 1, Shape{B, H})};
}

SequenceOutput lstm_sequence(Var x, Var h0, Var c0, Var w_ih, Var w_hh, Var b_ih, Var b_hh, const Tensor& lengths,
                             bool reverse) {
  auto [T, B, I, H] = recurrent::check_sequence("lstm_sequence", 4, x, h0, &c0, w_ih, w_hh, b_ih, b_hh, lengths);
  Graph& g = x.graph();
  bool save = recurrent::records_grad(g, {x, h0, c0, w_ih, w_hh, b_ih, b_hh});
  Tensor xp = recurrent::project_inputs(g, x.value(), w_ih);
  Tensor packed = Tensor::empty(Shape{T + 2, B, H});
  // Training keeps every step's starting states for backward; inference ping-pongs two.
  Tensor h_states = Tensor::empty(Shape{save ? T : 2, B, H}), c_states = Tensor::empty(Shape{save ? T : 2, B, H});
  Tensor gates = save ? Tensor::empty(Shape{T, B, 4 * H}) : Tensor();
  Tensor hp = Tensor::empty(Shape{B, 4 * H});
  Tensor h = h0.value(), c = c0.value();
  if (save) {
    std::int64_t t0 = time_at(0, T, reverse);
    Tensor h_first = row(h_states, t0), c_first = row(c_states, t0);
    h_first.copy_from(h);
    c_first.copy_from(c);
    h = h_first;
    c = c_first;
  }
  for (std::int64_t s = 0; s < T; ++s) {
    std::int64_t t = time_at(s, T, reverse);
    std::int64_t slot = save ? time_at(s + 1, T, reverse) : (s + 1) % 2;
    Tensor h_next = s == T - 1 ? row(packed, T) : row(h_states, slot);
    Tensor c_next = s == T - 1 ? row(packed, T + 1) : row(c_states, slot);
    weight_product(g, w_hh, h, hp, 0.0f);
    Tensor y = row(packed, t), gates_t = save ? row(gates, t) : Tensor();
    kernels::lstm_step_forward(row(xp, t), &b_ih.value(), hp, b_hh.value(), h, c, h_next, c_next, &y,
                               save ? &gates_t : nullptr, {lengths.i32(), t});
    h = h_next;
    c = c_next;
  }
  Node* n = g.record(op_defs::lstm_sequence, {x, h0, c0, w_ih, w_hh, b_ih, b_hh}, std::move(packed));
  if (n->requires_grad) {
    n->saved[0] = std::move(gates);
    n->saved[1] = std::move(h_states);
    n->saved[2] = std::move(c_states);
    n->saved[3] = lengths.clone();
    n->i[0] = reverse;
  }
  return recurrent::sequence_views(kLstmSequenceView, Var(n), true);
}

}  // namespace s2s::autograd
