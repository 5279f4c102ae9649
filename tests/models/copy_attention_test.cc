// Copy attention (pointer-generator) in the RNN family: stepping equals the
// teacher-forced forward pass over the extended vocabulary, a sentence gets
// the same distribution alone as in a batch, and on a synthetic rewriting
// task whose source tokens are almost all outside the target vocabulary
// (output = input with one fixed token replaced) a model with copy attention
// reaches >= 98 % exact match while the same model without it cannot.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "models/copy_task.h"
#include "models/model_test_util.h"
#include "s2s/models/model_config.h"

namespace s2s::models {
namespace {

using Seqs = std::vector<std::vector<std::int32_t>>;

using testing::copy_batch;

ModelConfig copy_config(CellKind cell, AttentionKind attention, ReadoutKind readout) {
  ModelConfig c = testing::tiny_rnn_config(cell, attention);
  c.rnn.bidirectional = attention != AttentionKind::Dot;
  c.rnn.readout = readout;
  c.rnn.copy_attention = true;
  c.dropout = 0.3f;  // must be inactive when not training
  return c;
}

// Target vocabulary 11: extended ids 11.. are each sentence's source-only tokens.
const Seqs kSources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
const Seqs kCopyIds = {{11, 5, 12}, {7, 11, 9, 12, 13, 14, 15}, {5, 9, 11, 12, 8}};
// Targets mix vocabulary ids and copy ids (fed back as <unk>).
const Seqs kTargets = {{6, 11, 4, 12}, {13, 9, 15}, {8, 12, 10, 5, 11, 7}};

class CopyStepMatchesForward : public ::testing::TestWithParam<std::tuple<CellKind, AttentionKind, ReadoutKind>> {};

TEST_P(CopyStepMatchesForward, LogProbabilitiesAgreeAndPaddingDoesNotLeak) {
  auto [cell, attention, readout] = GetParam();
  Rng rng(42);
  auto model = build_model(copy_config(cell, attention, readout), rng);
  ASSERT_TRUE(model->copies_source());
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  src.copy_ids = copy_batch(kCopyIds);
  autograd::Graph g;
  ForwardOptions eval;
  eval.training = false;
  Tensor forward = model->forward(g, src, tgt_in, eval).value();
  const std::int64_t batch = 3, width = 16;  // 11 + the most source-only tokens (5)
  ASSERT_EQ(forward.dim(0), tgt_in.steps() * batch);
  ASSERT_EQ(forward.dim(1), width);
  // Rows are distributions over the extended vocabulary.
  for (std::int64_t r = 0; r < forward.dim(0); ++r) {
    double total = 0;
    for (std::int64_t w = 0; w < width; ++w) total += std::exp(static_cast<double>(forward.f32()[r * width + w]));
    EXPECT_NEAR(total, 1.0, 1e-5) << "row " << r;
  }
  EXPECT_LT(testing::max_abs_diff(forward, testing::step_logits(*model, src, tgt_in)), 1e-5f);

  for (std::size_t b = 0; b < kSources.size(); ++b) {
    autograd::Graph g1;
    TokenBatch s1 = testing::make_batch({kSources[b]}), t1 = testing::make_decoder_input({kTargets[b]});
    s1.copy_ids = copy_batch({kCopyIds[b]});
    Tensor alone = model->forward(g1, s1, t1, eval).value();
    EXPECT_LT(testing::sentence_rows_diff(alone, forward, static_cast<std::int64_t>(b), batch), 1e-5f) << "sentence " << b;
  }
}

INSTANTIATE_TEST_SUITE_P(Variants, CopyStepMatchesForward,
                         ::testing::Values(std::tuple{CellKind::Gru, AttentionKind::Bahdanau, ReadoutKind::Deep},
                                           std::tuple{CellKind::Lstm, AttentionKind::General, ReadoutKind::Tanh},
                                           std::tuple{CellKind::Gru, AttentionKind::Dot, ReadoutKind::State}));

// The switch is the only new parameter, drawn after all others: the rest of
// the model starts as the same model without copying does.
TEST(CopyAttention, AddsTheSwitchAfterTheOtherParameters) {
  ModelConfig with = copy_config(CellKind::Gru, AttentionKind::Bahdanau, ReadoutKind::Deep), without = with;
  without.rnn.copy_attention = false;
  Rng r1(7), r2(7);
  auto a = build_model(with, r1), b = build_model(without, r2);
  std::vector<autograd::Parameter*> pa = a->parameters(), pb = b->parameters();
  ASSERT_EQ(pa.size(), pb.size() + 2);
  for (std::size_t k = 0; k < pb.size(); ++k) {
    EXPECT_EQ(pa[k]->name, pb[k]->name);
    EXPECT_EQ(pa[k]->value.to_vector(), pb[k]->value.to_vector()) << pa[k]->name;
  }
  EXPECT_EQ(pa[pb.size()]->name, "decoder.copy_gate.weight");
  EXPECT_EQ(pa[pb.size()]->value.shape(), Shape({1, 6 + 12 + 6}));  // [s_t; c_t; e_t]: hidden, 2 x hidden, embedding
  EXPECT_EQ(pa[pb.size() + 1]->name, "decoder.copy_gate.bias");
}

TEST(CopyAttention, NeedsCopyIdsAndAttention) {
  Rng rng(1);
  auto model = build_model(copy_config(CellKind::Gru, AttentionKind::Bahdanau, ReadoutKind::Deep), rng);
  autograd::Graph g(false);
  try {
    model->encode(g, testing::make_batch(kSources));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("copy attention: expected the source's copy ids"), std::string::npos) << e.what();
  }
  ModelConfig c = copy_config(CellKind::Gru, AttentionKind::None, ReadoutKind::Deep);
  try {
    validate(c);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "model.rnn.copy_attention: copying reads the attention over the source; set model.rnn.attention");
  }
}

// --- the synthetic rewriting task (models/copy_task.h) -------------------------

ModelConfig task_config(const testing::CopyTask& task, bool copy) {
  ModelConfig c;
  c.src_vocab_size = task.src.size();
  c.tgt_vocab_size = task.tgt.size();
  c.src_embedding_size = c.tgt_embedding_size = 16;
  c.rnn.hidden_size = 48;
  c.rnn.attention_size = 32;
  c.rnn.copy_attention = copy;
  return c;  // GRU, bidirectional, Bahdanau attention, deep readout: the defaults
}

TEST(CopyAttention, RewritesSourcesOutsideTheTargetVocabulary) {
  using testing::CopyTask;
  const CopyTask task;
  Rng eval_rng(9);
  testing::Sentences held_out;
  for (int i = 0; i < 200; ++i) held_out.push_back(task.random_source(eval_rng));
  testing::CopyTrainSetup setup;
  setup.steps = 400;
  double match[2] = {0, 0};
  for (bool copy : {false, true}) {
    auto model = testing::train_copy_task(task, task_config(task, copy), setup);
    testing::CopyEncoded e = testing::encode_copy_task(task, held_out, copy);
    match[copy] = testing::copy_exact_match(testing::decode_copy_task(*model, task, e, 1), held_out);
    std::printf("  copy attention %s: greedy exact match %.3f after %lld steps\n", copy ? "on" : "off", match[copy],
                static_cast<long long>(setup.steps));
    if (!copy) continue;
    // Beam search over the extended vocabulary, and batch invariance: each of
    // the first sentences alone decodes as it did in the batch of 200.
    auto beam = testing::decode_copy_task(*model, task, e, 4), greedy = testing::decode_copy_task(*model, task, e, 1);
    EXPECT_GE(testing::copy_exact_match(beam, held_out), 0.98);
    for (std::size_t i = 0; i < 20; ++i) {
      testing::CopyEncoded one = testing::encode_copy_task(task, {held_out[i]}, true);
      EXPECT_EQ(testing::decode_copy_task(*model, task, one, 4)[0], beam[i]) << "sentence " << i << " (beam 4)";
      EXPECT_EQ(testing::decode_copy_task(*model, task, one, 1)[0], greedy[i]) << "sentence " << i << " (greedy)";
    }
  }
  EXPECT_GE(match[1], 0.98);
  EXPECT_LT(match[0], 0.5);  // without copying, an a token can only come out as <unk>
}

}  // namespace
}  // namespace s2s::models
