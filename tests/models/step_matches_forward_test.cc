// encode + step must reproduce forward's logits for every model variant, and
// padding must not leak: a sentence gets the same logits alone or batched
// with longer ones.
#include <gtest/gtest.h>

#include <string>

#include "models/model_test_util.h"
#include "s2s/models/model_config.h"

namespace s2s::models {
namespace {

using testing::make_batch;
using testing::make_decoder_input;
using testing::max_abs_diff;

struct Variant {
  const char* name;
  bool bidirectional;
  BridgeKind bridge;
  ReadoutKind readout;
  bool input_feed;
  std::int64_t layers;
  bool relu_and_tied;
};

const Variant kVariants[] = {
    {"uni_copy_deep_feed_1layer", false, BridgeKind::Copy, ReadoutKind::Deep, true, 1, false},
    {"bi_learned_tanh_feed_2layers", true, BridgeKind::Learned, ReadoutKind::Tanh, true, 2, false},
    {"uni_zeros_state_nofeed_2layers_tied", false, BridgeKind::Zeros, ReadoutKind::State, false, 2, true},
};

ModelConfig make_config(CellKind cell, AttentionKind attention, const Variant& v) {
  ModelConfig c;
  c.src_vocab_size = 13;
  c.tgt_vocab_size = 11;
  c.src_embedding_size = 5;
  c.tgt_embedding_size = 6;
  c.rnn.hidden_size = 6;
  c.rnn.cell = cell;
  c.rnn.attention = attention;
  c.rnn.attention_size = 4;
  c.rnn.local_window = 2;
  c.rnn.bidirectional = v.bidirectional && attention != AttentionKind::Dot;  // dot needs memory as wide as the state
  c.rnn.bridge = v.bridge;
  c.rnn.readout = v.readout;
  c.rnn.input_feed = v.input_feed;
  c.rnn.encoder_layers = c.rnn.decoder_layers = v.layers;
  c.rnn.decoder_embedding_relu = v.relu_and_tied;
  c.tie_target_embeddings = v.relu_and_tied;
  c.dropout = 0.3f;  // must be inactive when not training
  return c;
}

const std::vector<std::vector<std::int32_t>> kSources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
const std::vector<std::vector<std::int32_t>> kTargets = {{6, 5, 4, 7}, {4, 9}, {8, 6, 10, 5, 4, 7}};

class StepMatchesForward : public ::testing::TestWithParam<std::tuple<CellKind, AttentionKind, int>> {};

TEST_P(StepMatchesForward, LogitsAgreeAndPaddingDoesNotLeak) {
  auto [cell, attention, variant] = GetParam();
  const Variant& v = kVariants[variant];
  ModelConfig config = make_config(cell, attention, v);
  Rng rng(42);
  auto model = build_model(config, rng);

  TokenBatch src = make_batch(kSources), tgt_in = make_decoder_input(kTargets);
  autograd::Graph g;
  ForwardOptions eval;
  eval.training = false;
  Tensor forward_logits = model->forward(g, src, tgt_in, eval).value();
  ASSERT_EQ(forward_logits.dim(0), tgt_in.steps() * tgt_in.size());
  ASSERT_EQ(forward_logits.dim(1), config.tgt_vocab_size);
  Tensor stepped = testing::step_logits(*model, src, tgt_in);
  EXPECT_LT(max_abs_diff(forward_logits, stepped), 1e-5f);

  // Each sentence alone: the same logits as its rows in the batch.
  const std::int64_t batch = tgt_in.size(), vocab = config.tgt_vocab_size;
  for (std::size_t b = 0; b < kSources.size(); ++b) {
    autograd::Graph g1;
    TokenBatch s1 = make_batch({kSources[b]}), t1 = make_decoder_input({kTargets[b]});
    Tensor alone = model->forward(g1, s1, t1, eval).value();
    float worst = 0.0f;
    for (std::int64_t t = 0; t < t1.steps(); ++t)
      for (std::int64_t k = 0; k < vocab; ++k)
        worst = std::max(worst, std::abs(alone.f32()[t * vocab + k] -
                                         forward_logits.f32()[(t * batch + static_cast<std::int64_t>(b)) * vocab + k]));
    EXPECT_LT(worst, 1e-5f) << "sentence " << b;
  }
}

std::string variant_name(const ::testing::TestParamInfo<StepMatchesForward::ParamType>& info) {
  auto [cell, attention, variant] = info.param;
  std::string s = std::string(cell_name(cell)) + "_" + attention_name(attention) + "_" + kVariants[variant].name;
  for (char& ch : s)
    if (ch == '-') ch = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, StepMatchesForward,
                         ::testing::Combine(::testing::Values(CellKind::RnnTanh, CellKind::RnnRelu, CellKind::Gru,
                                                              CellKind::Lstm),
                                            ::testing::Values(AttentionKind::None, AttentionKind::Dot,
                                                              AttentionKind::General, AttentionKind::Bahdanau,
                                                              AttentionKind::LocalP),
                                            ::testing::Values(0, 1, 2)),
                         variant_name);

}  // namespace
}  // namespace s2s::models
