#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::RnnActivation;
using autograd::Var;
using V = std::vector<Var>;

// Sequence inputs in op order: x [T, B, I], h0 [B, H], (c0 [B, H]), w_ih [G*H, I], w_hh [G*H, H], b_ih, b_hh [G*H].
auto seq_inputs(std::int64_t T, std::int64_t B, std::int64_t I, std::int64_t H, std::int64_t G, bool with_c) {
  return [=](Rng& r) {
    std::vector<Tensor> v{random_tensor(r, {T, B, I}), random_tensor(r, {B, H})};
    if (with_c) v.push_back(random_tensor(r, {B, H}));
    v.push_back(random_tensor(r, {G * H, I}));
    v.push_back(random_tensor(r, {G * H, H}));
    v.push_back(random_tensor(r, {G * H}));
    v.push_back(random_tensor(r, {G * H}));
    return v;
  };
}

enum class Out { Output, H, C };

Var pick(const autograd::SequenceOutput& s, Out o) { return o == Out::Output ? s.output : o == Out::H ? s.h : s.c; }

auto rnn_build(std::vector<std::int32_t> lengths, bool reverse, RnnActivation act, Out o) {
  Tensor len = Tensor::from_ids(lengths, {static_cast<std::int64_t>(lengths.size())});
  return [=](Graph&, const V& x) {
    return pick(autograd::rnn_sequence(x[0], x[1], x[2], x[3], x[4], x[5], len, reverse, act), o);
  };
}

auto gru_build(std::vector<std::int32_t> lengths, bool reverse, Out o) {
  Tensor len = Tensor::from_ids(lengths, {static_cast<std::int64_t>(lengths.size())});
  return [=](Graph&, const V& x) { return pick(autograd::gru_sequence(x[0], x[1], x[2], x[3], x[4], x[5], len, reverse), o); };
}

auto lstm_build(std::vector<std::int32_t> lengths, bool reverse, Out o) {
  Tensor len = Tensor::from_ids(lengths, {static_cast<std::int64_t>(lengths.size())});
  return [=](Graph&, const V& x) {
    return pick(autograd::lstm_sequence(x[0], x[1], x[2], x[3], x[4], x[5], x[6], len, reverse), o);
  };
}

// --- cells -------------------------------------------------------------------
S2S_GRAD_CASE("gru_cell",
              [](Rng& r) {
                return std::vector{random_tensor(r, {3, 15}), random_tensor(r, {3, 5}), random_tensor(r, {15, 5}),
                                   random_tensor(r, {15})};
              },
              [](Graph&, const V& x) { return autograd::gru_cell(x[0], x[1], x[2], x[3]); });
S2S_GRAD_CASE("gru_cell B=1 H=1",
              [](Rng& r) {
                return std::vector{random_tensor(r, {1, 3}), random_tensor(r, {1, 1}), random_tensor(r, {3, 1}),
                                   random_tensor(r, {3})};
              },
              [](Graph&, const V& x) { return autograd::gru_cell(x[0], x[1], x[2], x[3]); });

auto lstm_cell_inputs(std::int64_t B, std::int64_t H) {
  return [=](Rng& r) {
    return std::vector{random_tensor(r, {B, 4 * H}), random_tensor(r, {B, H}), random_tensor(r, {B, H}),
                       random_tensor(r, {4 * H, H}), random_tensor(r, {4 * H})};
  };
}
S2S_GRAD_CASE("lstm_cell h", lstm_cell_inputs(3, 5),
              [](Graph&, const V& x) { return autograd::lstm_cell(x[0], x[1], x[2], x[3], x[4]).h; });
S2S_GRAD_CASE("lstm_cell c", lstm_cell_inputs(3, 5),
              [](Graph&, const V& x) { return autograd::lstm_cell(x[0], x[1], x[2], x[3], x[4]).c; });
S2S_GRAD_CASE("lstm_cell h B=2 H=3", lstm_cell_inputs(2, 3),
              [](Graph&, const V& x) { return autograd::lstm_cell(x[0], x[1], x[2], x[3], x[4]).h; });

// --- rnn_sequence --------------------------------------------------------------
S2S_GRAD_CASE("rnn_sequence tanh output", seq_inputs(4, 3, 3, 4, 1, false),
              rnn_build({4, 1, 3}, false, RnnActivation::Tanh, Out::Output));
S2S_GRAD_CASE("rnn_sequence tanh reverse h", seq_inputs(4, 3, 3, 4, 1, false),
              rnn_build({2, 4, 1}, true, RnnActivation::Tanh, Out::H));
S2S_GRAD_CASE("rnn_sequence relu output", seq_inputs(4, 3, 2, 5, 1, false),
              rnn_build({3, 4, 2}, false, RnnActivation::Relu, Out::Output));
S2S_GRAD_CASE("rnn_sequence relu reverse output", seq_inputs(3, 2, 3, 4, 1, false),
              rnn_build({3, 1}, true, RnnActivation::Relu, Out::Output));
S2S_GRAD_CASE("rnn_sequence relu h", seq_inputs(3, 2, 3, 4, 1, false),
              rnn_build({2, 3}, false, RnnActivation::Relu, Out::H));

// --- gru_sequence --------------------------------------------------------------
S2S_GRAD_CASE("gru_sequence output", seq_inputs(4, 3, 3, 4, 3, false), gru_build({4, 2, 1}, false, Out::Output));
S2S_GRAD_CASE("gru_sequence h", seq_inputs(4, 3, 3, 4, 3, false), gru_build({1, 4, 3}, false, Out::H));
S2S_GRAD_CASE("gru_sequence reverse output", seq_inputs(4, 3, 2, 5, 3, false), gru_build({3, 1, 4}, true, Out::Output));
S2S_GRAD_CASE("gru_sequence reverse h", seq_inputs(4, 3, 2, 5, 3, false), gru_build({4, 2, 3}, true, Out::H));
S2S_GRAD_CASE("gru_sequence T=1", seq_inputs(1, 2, 3, 3, 3, false), gru_build({1, 1}, false, Out::Output));

// --- lstm_sequence -------------------------------------------------------------
S2S_GRAD_CASE("lstm_sequence output", seq_inputs(4, 3, 3, 4, 4, true), lstm_build({4, 1, 3}, false, Out::Output));
S2S_GRAD_CASE("lstm_sequence h", seq_inputs(4, 3, 3, 4, 4, true), lstm_build({2, 4, 1}, false, Out::H));
S2S_GRAD_CASE("lstm_sequence c", seq_inputs(4, 3, 3, 4, 4, true), lstm_build({3, 1, 4}, false, Out::C));
S2S_GRAD_CASE("lstm_sequence reverse output", seq_inputs(3, 2, 2, 5, 4, true), lstm_build({3, 1}, true, Out::Output));
S2S_GRAD_CASE("lstm_sequence reverse h", seq_inputs(3, 3, 2, 3, 4, true), lstm_build({1, 3, 2}, true, Out::H));
S2S_GRAD_CASE("lstm_sequence reverse c", seq_inputs(3, 3, 2, 3, 4, true), lstm_build({2, 3, 1}, true, Out::C));
S2S_GRAD_CASE("lstm_sequence T=1", seq_inputs(1, 1, 2, 3, 4, true), lstm_build({1}, true, Out::H));

}  // namespace
}  // namespace s2s::testing
