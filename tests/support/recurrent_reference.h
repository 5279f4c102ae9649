#pragma once
// The recurrent ops written as compositions of primitive ops (matmul, add,
// scale, add_scalar, sigmoid, tanh, relu, mul, slice, reshape, concat, and
// masking by arithmetic), straight from the PyTorch equations. Tests and
// bench/rnn_bench.cc compare the fused ops against these.
#include <algorithm>
#include <vector>

#include "s2s/autograd/ops.h"
#include "random.h"  // (relative: bench/ includes this header too)

namespace s2s::testing::reference {

using autograd::Graph;
using autograd::Var;

enum class Cell { RnnTanh, RnnRelu, Gru, Lstm };

inline std::int64_t gates_of(Cell k) { return k == Cell::Gru ? 3 : k == Cell::Lstm ? 4 : 1; }

// h' = (1 - z) n + z h with r, z, n from x_proj (b_ih included) and h W_hh^T + b_hh.
inline Var gru_cell_composed(Var xp, Var h, Var w_hh, Var b_hh) {
  using namespace autograd;
  std::int64_t H = h.dim(1);
  Var hp = add(matmul(h, w_hh, false, true), b_hh);
  Var r = sigmoid(add(slice(xp, 1, 0, H), slice(hp, 1, 0, H)));
  Var z = sigmoid(add(slice(xp, 1, H, H), slice(hp, 1, H, H)));
  Var n = tanh(add(slice(xp, 1, 2 * H, H), mul(r, slice(hp, 1, 2 * H, H))));
  Var one_minus_z = add_scalar(scale(z, -1.0f), 1.0f);
  return add(mul(one_minus_z, n), mul(z, h));
}

inline autograd::LstmState lstm_cell_composed(Var xp, Var h, Var c, Var w_hh, Var b_hh) {
  using namespace autograd;
  std::int64_t H = h.dim(1);
  Var a = add(xp, add(matmul(h, w_hh, false, true), b_hh));
  Var i = sigmoid(slice(a, 1, 0, H)), f = sigmoid(slice(a, 1, H, H));
  Var g = tanh(slice(a, 1, 2 * H, H)), o = sigmoid(slice(a, 1, 3 * H, H));
  Var c_new = add(mul(f, c), mul(i, g));
  return {mul(o, tanh(c_new)), c_new};
}

inline Var rnn_cell_composed(Var xp, Var h, Var w_hh, Var b_hh, bool relu) {
  using namespace autograd;
  Var a = add(xp, add(matmul(h, w_hh, false, true), b_hh));
  return relu ? autograd::relu(a) : autograd::tanh(a);
}

// in: x, h0, (c0 for Lstm), w_ih, w_hh, b_ih, b_hh. Masking by arithmetic: with
// m = [t < lengths[b]] as a column, state = m new + (1 - m) old, output = m new.
inline autograd::SequenceOutput sequence(Graph& g, Cell kind, const std::vector<Var>& in, const Tensor& lengths,
                                         bool reverse) {
  using namespace autograd;
  bool lstm = kind == Cell::Lstm;
  int w = lstm ? 3 : 2;
  Var x = in[0], h = in[1], c = lstm ? in[2] : Var();
  Var w_ih = in[w], w_hh = in[w + 1], b_ih = in[w + 2], b_hh = in[w + 3];
  std::int64_t T = x.dim(0), B = x.dim(1), I = x.dim(2), H = h.dim(1);
  std::vector<Var> outs(static_cast<std::size_t>(T));
  for (std::int64_t s = 0; s < T; ++s) {
    std::int64_t t = reverse ? T - 1 - s : s;
    Tensor m = Tensor::empty({B, 1}), m_inv = Tensor::empty({B, 1});
    for (std::int64_t b = 0; b < B; ++b) {
      m.f32()[b] = t < lengths.i32()[b] ? 1.0f : 0.0f;
      m_inv.f32()[b] = 1.0f - m.f32()[b];
    }
    Var mv = g.input(m), mi = g.input(m_inv);
    Var xp = add(matmul(reshape(slice(x, 0, t, 1), {B, I}), w_ih, false, true), b_ih);
    Var h_new;
    if (kind == Cell::Gru) {
      h_new = gru_cell_composed(xp, h, w_hh, b_hh);
    } else if (lstm) {
      LstmState st = lstm_cell_composed(xp, h, c, w_hh, b_hh);
      h_new = st.h;
      c = add(mul(st.c, mv), mul(c, mi));
    } else {
      h_new = rnn_cell_composed(xp, h, w_hh, b_hh, kind == Cell::RnnRelu);
    }
    outs[static_cast<std::size_t>(t)] = reshape(mul(h_new, mv), {1, B, H});
    h = add(mul(h_new, mv), mul(h, mi));
  }
  return {concat(outs, 0), h, c};
}

// The fused op for `kind` on the same inputs.
inline autograd::SequenceOutput fused_sequence(Cell kind, const std::vector<Var>& in, const Tensor& lengths, bool reverse) {
  using namespace autograd;
  switch (kind) {
    case Cell::Gru: return gru_sequence(in[0], in[1], in[2], in[3], in[4], in[5], lengths, reverse);
    case Cell::Lstm: return lstm_sequence(in[0], in[1], in[2], in[3], in[4], in[5], in[6], lengths, reverse);
    case Cell::RnnRelu:
      return rnn_sequence(in[0], in[1], in[2], in[3], in[4], in[5], lengths, reverse, RnnActivation::Relu);
    case Cell::RnnTanh: break;
  }
  return rnn_sequence(in[0], in[1], in[2], in[3], in[4], in[5], lengths, reverse, RnnActivation::Tanh);
}

// x [T, B, I], h0, (c0), w_ih, w_hh, b_ih, b_hh: uniform in [-scale, scale].
inline std::vector<Tensor> sequence_inputs(Rng& rng, Cell kind, std::int64_t T, std::int64_t B, std::int64_t I,
                                           std::int64_t H, float scale = 1.0f) {
  std::int64_t G = gates_of(kind) * H;
  std::vector<Tensor> v{random_tensor(rng, {T, B, I}), random_tensor(rng, {B, H})};
  if (kind == Cell::Lstm) v.push_back(random_tensor(rng, {B, H}));
  float ws = scale / static_cast<float>(std::max<std::int64_t>(1, H / 8));  // keep the pre-activations O(1)
  v.push_back(random_tensor(rng, {G, I}, -ws, ws));
  v.push_back(random_tensor(rng, {G, H}, -ws, ws));
  v.push_back(random_tensor(rng, {G}, -scale, scale));
  v.push_back(random_tensor(rng, {G}, -scale, scale));
  return v;
}

}  // namespace s2s::testing::reference
