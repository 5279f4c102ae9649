// rnn_sequence (Elman, tanh or relu): fused forward, hand-derived backward.
#include "s2s/autograd/ops.h"
#include "s2s/autograd/ops/recurrent.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/rnn.h"

namespace s2s::autograd {

namespace {

using recurrent::row;
using recurrent::time_at;

kernels::RnnAct kernel_act(std::int64_t a) {
  return static_cast<RnnActivation>(a) == RnnActivation::Relu ? kernels::RnnAct::Relu : kernels::RnnAct::Tanh;
}

// Inputs: x, h0, w_ih, w_hh, b_ih, b_hh. Value [T + 1, B, H]: outputs, then the final h.
// saved: h_prev [T, B, H] (state before each time step), lengths. On a real
// token the output equals the new state, so the value itself gives act'.
void rnn_sequence_backward(Node& n) {
  const Tensor &h_prev = n.saved[0], &lengths = n.saved[1];
  const Tensor& w_hh = n.input(3)->value;
  bool reverse = n.i[0] != 0;
  kernels::RnnAct act = kernel_act(n.i[1]);
  std::int64_t T = h_prev.dim(0), B = h_prev.dim(1), H = h_prev.dim(2);
  Tensor dpre = Tensor::empty(Shape{T, B, H});
  Tensor dh_buf = Tensor::empty(Shape{2, B, H});
  Tensor* dh0 = n.input_grad(1);
  Tensor dh = row(n.grad, T);
  for (std::int64_t s = T - 1; s >= 0; --s) {
    std::int64_t t = time_at(s, T, reverse);
    Tensor dh_prev;
    if (s > 0) {
      dh_prev = row(dh_buf, s % 2);
      dh_prev.zero();
    } else if (dh0) {
      dh_prev = *dh0;
    }
    Tensor dpre_t = row(dpre, t), dy = row(n.grad, t);
    kernels::rnn_step_backward(row(n.value, t), dh, &dy, dpre_t, nullptr, dh_prev.defined() ? &dh_prev : nullptr, act,
                               {lengths.i32(), t});
    if (dh_prev.defined()) kernels::gemm(dpre_t, w_hh, dh_prev, {false, false, 1.0f, 1.0f});
    dh = dh_prev;
  }
  recurrent::sequence_grads(n, 2, dpre, dpre, h_prev);
}

const OpDef kRnnSequenceView{OpId::rnn_sequence, "rnn_sequence (view)", view_backward, true};

}  // namespace

const OpDef op_defs::rnn_sequence{OpId::rnn_sequence, "rnn_sequence", rnn_sequence_backward};

SequenceOutput rnn_sequence(Var x, Var h0, Var w_ih, Var w_hh, Var b_ih, Var b_hh, const Tensor& lengths, bool reverse,
                            RnnActivation activation) {
  auto [T, B, I, H] = recurrent::check_sequence("rnn_sequence", 1, x, h0, nullptr, w_ih, w_hh, b_ih, b_hh, lengths);
  Graph& g = x.graph();
  bool save = recurrent::records_grad(g, {x, h0, w_ih, w_hh, b_ih, b_hh});
  kernels::RnnAct act = kernel_act(static_cast<std::int64_t>(activation));
  Tensor xp = recurrent::project_inputs(g, x.value(), w_ih);
  Tensor packed = Tensor::empty(Shape{T + 1, B, H});
  // Training keeps every step's starting state for backward; inference ping-pongs two.
  Tensor states = Tensor::empty(Shape{save ? T : 2, B, H});
  Tensor hp = Tensor::empty(Shape{B, H});
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
    Tensor y = row(packed, t);
    kernels::rnn_step_forward(row(xp, t), &b_ih.value(), hp, b_hh.value(), h, next, &y, act, {lengths.i32(), t});
    h = next;
  }
  Node* n = g.record(op_defs::rnn_sequence, {x, h0, w_ih, w_hh, b_ih, b_hh}, std::move(packed));
  if (n->requires_grad) {
    n->saved[0] = std::move(states);
    n->saved[1] = lengths.clone();
    n->i[0] = reverse;
    n->i[1] = static_cast<std::int64_t>(activation);
  }
  return recurrent::sequence_views(kRnnSequenceView, Var(n), false);
}

}  // namespace s2s::autograd
