// Must show (issue 3): GRU and LSTM with every attention kind learn to
// reverse sequences (vocabulary 20, lengths 3-10) to >= 98% exact match under
// greedy decoding within a fixed number of steps; the tanh / ReLU RNN cells
// train with a falling loss.
#include <gtest/gtest.h>

#include <cstdio>
#include <numeric>

#include "models/reverse_task.h"

namespace s2s::models {
namespace {

// Attention models: small (hidden 48) with a bidirectional encoder (dot:
// unidirectional). Without attention the whole sequence must pass through the
// decoder's initial state, a harder problem: a wider unidirectional model
// (reversal is last-in first-out, what a forward RNN's state favours) and
// larger batches.
ModelConfig reverse_config(CellKind cell, AttentionKind attention) {
  ModelConfig c;
  c.src_vocab_size = c.tgt_vocab_size = 20;
  c.src_embedding_size = c.tgt_embedding_size = 16;
  c.rnn.hidden_size = attention == AttentionKind::None ? 128 : 48;
  c.rnn.cell = cell;
  c.rnn.attention = attention;
  c.rnn.attention_size = 32;
  c.rnn.local_window = 4;
  c.rnn.bidirectional = attention != AttentionKind::Dot && attention != AttentionKind::None;
  c.rnn.bridge = c.rnn.bidirectional ? BridgeKind::Learned : BridgeKind::Copy;
  c.rnn.readout = ReadoutKind::Deep;
  c.rnn.input_feed = true;
  return c;
}

testing::ReverseSetup reverse_setup(AttentionKind attention) {
  testing::ReverseSetup s;
  if (attention == AttentionKind::None) {
    s.steps = 2000;
    s.batch = 64;
    s.lr = 5e-3;
  } else {
    s.steps = 2500;
    s.batch = 32;
    s.lr = 1e-2;
  }
  return s;
}

float mean(const std::vector<float>& v, std::size_t from, std::size_t to) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to),
                         0.0f) /
         static_cast<float>(to - from);
}

class ReverseLearning : public ::testing::TestWithParam<std::tuple<CellKind, AttentionKind>> {};

TEST_P(ReverseLearning, ReachesExactMatch) {
  auto [cell, attention] = GetParam();
  testing::ReverseSetup setup = reverse_setup(attention);
  testing::ReverseRun run = testing::train_reverse(reverse_config(cell, attention), setup);
  std::printf("  %s + %s: exact match %.3f after %lld steps, loss %.3f -> %.3f, %.1f s\n", cell_name(cell),
              attention_name(attention), run.exact_match, static_cast<long long>(setup.steps), run.losses.front(),
              run.losses.back(), run.seconds);
  EXPECT_GE(run.exact_match, 0.98);
}

TEST(ReverseLearningElman, TanhAndReluCellsLowerTheLoss) {
  for (CellKind cell : {CellKind::RnnTanh, CellKind::RnnRelu}) {
    for (AttentionKind attention : {AttentionKind::None, AttentionKind::Bahdanau}) {
      testing::ReverseSetup setup;
      setup.steps = 300;
      setup.lr = 3e-3;
      testing::ReverseRun run = testing::train_reverse(reverse_config(cell, attention), setup);
      float first = mean(run.losses, 0, 20), last = mean(run.losses, run.losses.size() - 20, run.losses.size());
      std::printf("  %s + %s: mean loss %.3f (first 20 steps) -> %.3f (last 20), exact match %.3f, %.1f s\n",
                  cell_name(cell), attention_name(attention), first, last, run.exact_match, run.seconds);
      EXPECT_LT(last, 0.6f * first) << cell_name(cell) << " + " << attention_name(attention);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(GruLstm, ReverseLearning,
                         ::testing::Combine(::testing::Values(CellKind::Gru, CellKind::Lstm),
                                            ::testing::Values(AttentionKind::None, AttentionKind::Dot,
                                                              AttentionKind::General, AttentionKind::Bahdanau,
                                                              AttentionKind::LocalP)));

}  // namespace
}  // namespace s2s::models

