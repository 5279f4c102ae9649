// Small networks learn toy tasks within a fixed number of steps.
#include <gtest/gtest.h>

#include <memory>

#include "s2s/autograd/ops.h"
#include "s2s/train/adam.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Parameter;
using autograd::Var;

TEST(ToyTasks, MlpFitsXor) {
  Rng rng(3);
  Parameter w1("w1", random_tensor(rng, {2, 8})), b1("b1", Tensor::zeros({8}));
  Parameter w2("w2", random_tensor(rng, {8, 2})), b2("b2", Tensor::zeros({2}));
  train::Adam adam({&w1, &b1, &w2, &b2}, {.lr = 0.05});
  Tensor x = Tensor::from_vector({0, 0, 0, 1, 1, 0, 1, 1}, {4, 2});
  Tensor y = Tensor::from_ids({0, 1, 1, 0}, {4});
  Graph g;
  float loss = 0;
  for (int step = 0; step < 300; ++step) {
    Var h = autograd::tanh(autograd::add(autograd::matmul(g.input(x), g.param(w1)), g.param(b1)));
    Var logits = autograd::add(autograd::matmul(h, g.param(w2)), g.param(b2));
    Var l = autograd::cross_entropy(logits, y);
    loss = l.value().f32()[0];
    g.backward(l);
    adam.step();
    adam.zero_grad();
    g.clear();
  }
  EXPECT_LT(loss, 0.01f);
}

// A GRU reads a sequence of random symbols; a readout from its states at the
// end must reproduce every symbol (a copy task through the recurrence).
TEST(ToyTasks, GruLearnsToCopyASequence) {
  constexpr std::int64_t V = 6, T = 4, B = 32, H = 32;
  Rng rng(9);
  Parameter emb("emb", random_tensor(rng, {V, 8}));
  Parameter wih("w_ih", random_tensor(rng, {3 * H, 8}, -0.2f, 0.2f)), whh("w_hh", random_tensor(rng, {3 * H, H}, -0.2f, 0.2f));
  Parameter bih("b_ih", Tensor::zeros({3 * H})), bhh("b_hh", Tensor::zeros({3 * H}));
  Parameter out("out", random_tensor(rng, {H, T * V}, -0.2f, 0.2f));
  train::Adam adam({&emb, &wih, &whh, &bih, &bhh, &out}, {.lr = 0.02});
  Tensor lengths = Tensor::from_ids(std::vector<std::int32_t>(B, T), {B});
  Graph g;
  float accuracy = 0;
  for (int step = 0; step < 400; ++step) {
    Tensor src = random_ids(rng, {T, B}, V);
    Tensor tgt = Tensor::empty({B * T}, DType::I32);  // row (b, t) predicts symbol t of sequence b
    for (std::int64_t b = 0; b < B; ++b)
      for (std::int64_t t = 0; t < T; ++t) tgt.i32()[b * T + t] = src.i32()[t * B + b];
    autograd::SequenceOutput seq = autograd::gru_sequence(autograd::embedding(g.param(emb), src), g.input(Tensor::zeros({B, H})),
                                                          g.param(wih), g.param(whh), g.param(bih), g.param(bhh), lengths, false);
    Var logits = autograd::reshape(autograd::matmul(seq.h, g.param(out)), {B * T, V});
    Var loss = autograd::cross_entropy(logits, tgt);
    int correct = 0;
    for (std::int64_t r = 0; r < B * T; ++r) {
      const float* row = logits.value().f32() + r * V;
      correct += std::max_element(row, row + V) - row == tgt.i32()[r];
    }
    accuracy = static_cast<float>(correct) / (B * T);
    g.backward(loss);
    adam.step();
    adam.zero_grad();
    g.clear();
  }
  EXPECT_GE(accuracy, 0.95f);
}

}  // namespace
}  // namespace s2s::testing
