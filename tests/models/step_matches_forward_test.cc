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
  ModelConfig c = testing::tiny_rnn_config(cell, attention);
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
  testing::expect_step_matches_forward(*model, kSources, kTargets);
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
