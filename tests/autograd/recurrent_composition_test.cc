// Each fused recurrent op against the same computation composed of primitive
// ops (tests/support/recurrent_reference.h): forward values and the gradients
// of every input agree to float rounding (the two differ only in summation
// order and in (1-z) n + z h being evaluated as written).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "support/recurrent_reference.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using reference::Cell;

constexpr double kAtol = 1e-5, kRtol = 1e-5;

void expect_close(const Tensor& got, const Tensor& want, const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  for (std::int64_t k = 0; k < got.numel(); ++k) {
    double a = got.f32()[k], b = want.f32()[k];
    ASSERT_LE(std::abs(a - b), kAtol + kRtol * std::abs(b)) << what << " element " << k << ": fused " << a
                                                             << " composed " << b;
  }
}

// Runs build on fresh leaves holding `inputs`; the loss weights each returned
// value with a fixed random tensor, so every output's gradient path is used at
// once. Returns the values followed by the inputs' gradients.
using Build = std::function<std::vector<Var>(Graph&, const std::vector<Var>&)>;

std::vector<Tensor> run(const std::vector<Tensor>& inputs, const Build& build) {
  Graph g;
  std::vector<Var> leaves;
  for (const Tensor& t : inputs) leaves.push_back(g.input(t.clone(), true));
  std::vector<Var> outs = build(g, leaves);
  Rng rng(99);
  Var loss;
  for (const Var& o : outs) {
    Var term = autograd::sum_all(autograd::mul(o, g.input(random_tensor(rng, o.shape()))));
    loss = loss.defined() ? autograd::add(loss, term) : term;
  }
  g.backward(loss);
  std::vector<Tensor> result;
  for (const Var& o : outs) result.push_back(o.value().clone());
  for (const Var& l : leaves) {
    EXPECT_TRUE(l.grad().defined());
    result.push_back(l.grad().defined() ? l.grad().clone() : Tensor::zeros(l.shape()));
  }
  return result;
}

void compare(const std::vector<Tensor>& inputs, const Build& fused, const Build& composed, std::size_t n_outputs) {
  std::vector<Tensor> a = run(inputs, fused), b = run(inputs, composed);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k)
    expect_close(a[k], b[k], k < n_outputs ? "output " + std::to_string(k) : "grad of input " + std::to_string(k - n_outputs));
}

// Two chained steps, so the second cell's inputs are the first one's outputs
// (for LSTM, the zero-copy views of its packed [h; c]).
TEST(RecurrentComposition, GruCell) {
  for (auto [B, H] : {std::pair<std::int64_t, std::int64_t>{3, 5}, {8, 37}}) {
    Rng rng(1);
    std::vector<Tensor> in{random_tensor(rng, {B, 3 * H}), random_tensor(rng, {B, 3 * H}), random_tensor(rng, {B, H}),
                           random_tensor(rng, {3 * H, H}, -0.3f, 0.3f), random_tensor(rng, {3 * H})};
    auto build = [](bool fused) {
      return [fused](Graph&, const std::vector<Var>& x) {
        auto cell = fused ? autograd::gru_cell : reference::gru_cell_composed;
        Var h1 = cell(x[0], x[2], x[3], x[4]);
        Var h2 = cell(x[1], h1, x[3], x[4]);
        return std::vector<Var>{h1, h2};
      };
    };
    compare(in, build(true), build(false), 2);
  }
}

TEST(RecurrentComposition, LstmCell) {
  for (auto [B, H] : {std::pair<std::int64_t, std::int64_t>{3, 5}, {8, 37}}) {
    Rng rng(2);
    std::vector<Tensor> in{random_tensor(rng, {B, 4 * H}), random_tensor(rng, {B, 4 * H}), random_tensor(rng, {B, H}),
                           random_tensor(rng, {B, H}), random_tensor(rng, {4 * H, H}, -0.3f, 0.3f),
                           random_tensor(rng, {4 * H})};
    auto build = [](bool fused) {
      return [fused](Graph&, const std::vector<Var>& x) {
        auto cell = fused ? autograd::lstm_cell : reference::lstm_cell_composed;
        autograd::LstmState s1 = cell(x[0], x[2], x[3], x[4], x[5]);
        autograd::LstmState s2 = cell(x[1], s1.h, s1.c, x[4], x[5]);
        return std::vector<Var>{s1.h, s1.c, s2.h, s2.c};
      };
    };
    compare(in, build(true), build(false), 4);
  }
}

struct SeqCase {
  Cell kind;
  std::int64_t T, B, I, H;
  std::vector<std::int32_t> lengths;
  bool reverse;
};

void compare_sequence(const SeqCase& c) {
  Rng rng(3);
  std::vector<Tensor> in = reference::sequence_inputs(rng, c.kind, c.T, c.B, c.I, c.H);
  Tensor len = Tensor::from_ids(c.lengths, {c.B});
  bool lstm = c.kind == Cell::Lstm;
  auto pack = [lstm](const autograd::SequenceOutput& s) {
    return lstm ? std::vector<Var>{s.output, s.h, s.c} : std::vector<Var>{s.output, s.h};
  };
  Build fused = [&](Graph&, const std::vector<Var>& x) { return pack(reference::fused_sequence(c.kind, x, len, c.reverse)); };
  Build composed = [&](Graph& g, const std::vector<Var>& x) {
    return pack(reference::sequence(g, c.kind, x, len, c.reverse));
  };
  compare(in, fused, composed, lstm ? 3 : 2);
}

std::string case_name(const SeqCase& c) {
  const char* names[] = {"rnn_tanh", "rnn_relu", "gru", "lstm"};
  return std::string(names[static_cast<int>(c.kind)]) + (c.reverse ? " reverse" : " forward") + " T=" +
         std::to_string(c.T) + " B=" + std::to_string(c.B) + " H=" + std::to_string(c.H);
}

TEST(RecurrentComposition, Sequences) {
  std::vector<SeqCase> cases;
  for (Cell kind : {Cell::RnnTanh, Cell::RnnRelu, Cell::Gru, Cell::Lstm}) {
    for (bool reverse : {false, true}) {
      cases.push_back({kind, 4, 3, 3, 5, {4, 1, 3}, reverse});             // unequal lengths, one of length 1
      cases.push_back({kind, 1, 2, 4, 3, {1, 1}, reverse});                // a single step
      cases.push_back({kind, 7, 9, 11, 19, {7, 3, 5, 7, 1, 2, 6, 4, 7}, reverse});  // sizes off the SIMD width
    }
  }
  for (const SeqCase& c : cases) {
    SCOPED_TRACE(case_name(c));
    compare_sequence(c);
  }
}

}  // namespace
}  // namespace s2s::testing
