// Recurrent: stepping a stack one position at a time equals running the
// fused sequence ops; bidirectional layers respect each row's length.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/ops.h"
#include "s2s/nn/recurrent.h"
#include "support/random.h"

namespace s2s::nn {
namespace {

float max_diff(const Tensor& a, const Tensor& b) {
  float m = 0.0f;
  for (std::int64_t k = 0; k < a.numel(); ++k) m = std::max(m, std::abs(a.f32()[k] - b.f32()[k]));
  return m;
}

class RecurrentCells : public ::testing::TestWithParam<CellType> {};

TEST_P(RecurrentCells, StepEqualsSequence) {
  const CellType cell = GetParam();
  Rng rng(11);
  const std::int64_t steps = 5, batch = 3, in = 4, hidden = 6;
  Recurrent rnn("rnn", cell, in, hidden, 2, false, 0.0f, rng);
  Tensor x = testing::random_tensor(rng, Shape{steps, batch, in});
  Tensor lengths = Tensor::from_ids({5, 5, 5}, Shape{3});
  Recurrent::State init;
  autograd::Graph g(false);
  for (int l = 0; l < 2; ++l) {
    init.h.push_back(g.input(testing::random_tensor(rng, Shape{batch, hidden})));
    if (cell == CellType::Lstm) init.c.push_back(g.input(testing::random_tensor(rng, Shape{batch, hidden})));
  }
  Recurrent::Output seq = rnn.forward(g, g.input(x), lengths, &init, false, nullptr);

  Recurrent::Bound w = rnn.bind(g);
  Recurrent::State s = init;
  for (std::int64_t t = 0; t < steps; ++t) {
    autograd::Var xt = g.input(x.narrow0(t, 1).reshape(Shape{batch, in}));
    rnn.step(g, w, rnn.project_input(w, xt), s, false, nullptr);
    EXPECT_LT(max_diff(s.h.back().value(), seq.output.value().narrow0(t, 1)), 1e-5f) << "t = " << t;
  }
  for (std::size_t l = 0; l < 2; ++l) {
    EXPECT_LT(max_diff(s.h[l].value(), seq.final.h[l].value()), 1e-5f);
    if (cell == CellType::Lstm) {
      EXPECT_LT(max_diff(s.c[l].value(), seq.final.c[l].value()), 1e-5f);
    }
  }
}

TEST_P(RecurrentCells, BidirectionalRespectsLengths) {
  const CellType cell = GetParam();
  Rng rng(12);
  const std::int64_t steps = 6, in = 3, hidden = 4;
  Recurrent rnn("rnn", cell, in, hidden, 2, true, 0.0f, rng);
  Tensor x = testing::random_tensor(rng, Shape{steps, 2, in});
  autograd::Graph g(false);
  Recurrent::Output both = rnn.forward(g, g.input(x), Tensor::from_ids({6, 3}, Shape{2}), nullptr, false, nullptr);
  ASSERT_EQ(both.output.shape(), (Shape{steps, 2, 2 * hidden}));
  ASSERT_EQ(both.final.h.size(), 4u);

  // Row 1 alone, 3 steps long.
  Tensor x1 = Tensor::empty(Shape{3, 1, in});
  for (std::int64_t t = 0; t < 3; ++t)
    for (std::int64_t k = 0; k < in; ++k) x1.f32()[t * in + k] = x.f32()[(t * 2 + 1) * in + k];
  Recurrent::Output alone = rnn.forward(g, g.input(x1), Tensor::from_ids({3}, Shape{1}), nullptr, false, nullptr);
  const float* o = both.output.value().f32();
  for (std::int64_t t = 0; t < steps; ++t)
    for (std::int64_t k = 0; k < 2 * hidden; ++k) {
      float got = o[(t * 2 + 1) * 2 * hidden + k];
      float want = t < 3 ? alone.output.value().f32()[t * 2 * hidden + k] : 0.0f;  // zeros past the end
      EXPECT_NEAR(got, want, 1e-5f) << "t " << t << " k " << k;
    }
  for (std::size_t j = 0; j < 4; ++j)
    for (std::int64_t k = 0; k < hidden; ++k)
      EXPECT_NEAR(both.final.h[j].value().f32()[hidden + k], alone.final.h[j].value().f32()[k], 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(Cells, RecurrentCells,
                         ::testing::Values(CellType::RnnTanh, CellType::RnnRelu, CellType::Gru, CellType::Lstm));

TEST(Recurrent, RejectsBadInputs) {
  Rng rng(1);
  Recurrent rnn("rnn", CellType::Gru, 4, 5, 1, true, 0.0f, rng);
  autograd::Graph g(false);
  EXPECT_THROW(rnn.forward(g, g.input(Tensor::zeros(Shape{2, 1, 3})), Tensor::from_ids({2}, Shape{1}), nullptr, false,
                           nullptr),
               Error);
  Recurrent::Bound w = rnn.bind(g);
  Recurrent::State s;
  s.h = {g.input(Tensor::zeros(Shape{1, 5}))};
  EXPECT_THROW(rnn.step(g, w, g.input(Tensor::zeros(Shape{1, 15})), s, false, nullptr), Error);  // bidirectional
}

}  // namespace
}  // namespace s2s::nn
