// DecoderState::select: rows are reordered (and repeated) exactly, and
// stepping after a select equals stepping a batch built in that order.
#include <gtest/gtest.h>

#include "models/model_test_util.h"
#include "s2s/models/rnn_decoder_state.h"

namespace s2s::models {
namespace {

using testing::make_batch;

ModelConfig small_config(AttentionKind attention) {
  ModelConfig c;
  c.src_vocab_size = 12;
  c.tgt_vocab_size = 9;
  c.src_embedding_size = c.tgt_embedding_size = 5;
  c.rnn.hidden_size = 4;
  c.rnn.cell = CellKind::Lstm;  // h, c and (Luong) the input feed all get reordered
  c.rnn.bidirectional = attention != AttentionKind::Dot;
  c.rnn.bridge = BridgeKind::Learned;
  c.rnn.attention = attention;
  c.rnn.readout = ReadoutKind::Tanh;
  c.rnn.local_window = 2;
  return c;
}

Tensor ids(std::vector<std::int32_t> v) { return Tensor::from_ids(v, Shape{static_cast<std::int64_t>(v.size())}); }

class SelectTest : public ::testing::TestWithParam<AttentionKind> {};

TEST_P(SelectTest, ReordersRowsLikeAFreshBatch) {
  Rng rng(7);
  auto model = build_model(small_config(GetParam()), rng);
  const std::vector<std::vector<std::int32_t>> sources = {{4, 5, 6}, {7, 8, 9, 10, 11}, {5, 9}};
  const std::vector<std::int32_t> order = {2, 0, 2, 1};

  autograd::Graph g(false);
  auto state = model->encode(g, make_batch(sources));
  model->step(g, *state, ids({kBos, kBos, kBos}));
  auto& rs = dynamic_cast<RnnDecoderState&>(*state);
  std::vector<Tensor> h_before, c_before;
  for (auto& t : rs.h) h_before.push_back(t.clone());
  for (auto& t : rs.c) c_before.push_back(t.clone());
  state->select(ids(order));
  ASSERT_EQ(state->rows(), 4);
  for (std::size_t l = 0; l < rs.h.size(); ++l) {
    const std::int64_t hidden = rs.h[l].dim(1);
    for (std::size_t r = 0; r < order.size(); ++r)
      for (std::int64_t k = 0; k < hidden; ++k) {
        EXPECT_EQ(rs.h[l].f32()[static_cast<std::int64_t>(r) * hidden + k], h_before[l].f32()[order[r] * hidden + k]);
        EXPECT_EQ(rs.c[l].f32()[static_cast<std::int64_t>(r) * hidden + k], c_before[l].f32()[order[r] * hidden + k]);
      }
  }
  const std::vector<std::int32_t> next = {5, 6, 7, 8};
  StepOutput a = model->step(g, *state, ids(next));

  // The same sentences encoded in the selected order from the start.
  autograd::Graph g2(false);
  std::vector<std::vector<std::int32_t>> reordered;
  for (std::int32_t k : order) reordered.push_back(sources[static_cast<std::size_t>(k)]);
  auto fresh = model->encode(g2, make_batch(reordered));
  model->step(g2, *fresh, ids({kBos, kBos, kBos, kBos}));
  StepOutput b = model->step(g2, *fresh, ids(next));
  ASSERT_EQ(a.logits.shape(), b.logits.shape());
  EXPECT_LT(testing::max_abs_diff(a.logits, b.logits), 1e-5f);
  if (GetParam() != AttentionKind::None) {
    ASSERT_TRUE(a.attention.defined());
    // Padded source positions (beyond each row's length, as wide as the longest source) get zero weight.
    EXPECT_EQ(a.attention.dim(1), 5);
    EXPECT_EQ(a.attention.f32()[0 * 5 + 2], 0.0f);  // row 0 is source 2 (length 2)
    EXPECT_LT(testing::max_abs_diff(a.attention.reshape(Shape{4, 5}), b.attention.reshape(Shape{4, 5})), 1e-5f);
  }

  // A second select that keeps rows within their sentences (beam reordering).
  state->select(ids({2, 1, 0, 3}));
  fresh->select(ids({2, 1, 0, 3}));
  StepOutput c = model->step(g, *state, ids({4, 4, 4, 4}));
  StepOutput d = model->step(g2, *fresh, ids({4, 4, 4, 4}));
  EXPECT_LT(testing::max_abs_diff(c.logits, d.logits), 1e-5f);
}

TEST_P(SelectTest, RejectsOutOfRangeRows) {
  Rng rng(7);
  auto model = build_model(small_config(GetParam()), rng);
  autograd::Graph g(false);
  auto state = model->encode(g, make_batch({{4, 5}, {6}}));
  EXPECT_THROW(state->select(ids({0, 2})), Error);
  EXPECT_THROW(model->step(g, *state, ids({kBos})), Error);  // wrong number of rows
}

INSTANTIATE_TEST_SUITE_P(Attention, SelectTest,
                         ::testing::Values(AttentionKind::None, AttentionKind::Dot, AttentionKind::General,
                                           AttentionKind::Bahdanau, AttentionKind::LocalP));

}  // namespace
}  // namespace s2s::models
