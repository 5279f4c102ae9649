#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "support/error_of.h"
#include "s2s/core/error.h"
#include "s2s/models/model_config.h"

namespace s2s::models {
namespace {

using s2s::testing::error_of;

ModelConfig valid() {
  ModelConfig c;
  c.src_vocab_size = 100;
  c.tgt_vocab_size = 90;
  return c;
}

TEST(ModelConfig, RoundTripsThroughPairs) {
  ModelConfig c = valid();
  c.rnn.cell = CellKind::Lstm;
  c.rnn.attention = AttentionKind::LocalP;
  c.rnn.readout = ReadoutKind::Tanh;
  c.rnn.bridge = BridgeKind::Zeros;
  c.dropout = 0.1f;
  c.rnn.local_window = 3;
  c.rnn.encoder_layers = 2;
  c.rnn.decoder_layers = 3;
  ConfigPairs pairs = to_pairs(c);
  ModelConfig back = config_from_pairs(pairs);
  EXPECT_EQ(to_pairs(back), pairs);
  EXPECT_EQ(back.dropout, 0.1f);
  EXPECT_EQ(back.rnn.cell, CellKind::Lstm);
  EXPECT_EQ(back.rnn.attention, AttentionKind::LocalP);
  EXPECT_EQ(back.rnn.decoder_layers, 3);
}

TEST(ModelConfig, MapWithShorthands) {
  ModelConfig c = config_from_map({{"src_vocab_size", "50"},
                                   {"tgt_vocab_size", "60"},
                                   {"embedding_size", "32"},
                                   {"tgt_embedding_size", "16"},
                                   {"layers", "2"},
                                   {"cell", "rnn_relu"},
                                   {"attention", "dot"},
                                   {"bidirectional", "false"},
                                   {"bridge", "copy"}});
  EXPECT_EQ(c.src_embedding_size, 32);
  EXPECT_EQ(c.tgt_embedding_size, 16);  // the specific key wins over the shorthand
  EXPECT_EQ(c.rnn.encoder_layers, 2);
  EXPECT_EQ(c.rnn.decoder_layers, 2);
  EXPECT_EQ(c.rnn.cell, CellKind::RnnRelu);
}

TEST(ModelConfig, BadValuesNameTheOption) {
  ModelConfig c;
  EXPECT_EQ(error_of([&] { set_option(c, "attention", "foo"); }),
            "model.rnn.attention: expected one of none|dot|general|bahdanau|local-p, got 'foo'");
  EXPECT_EQ(error_of([&] { set_option(c, "cell", "GRU"); }),
            "model.rnn.cell: expected one of rnn_tanh|rnn_relu|gru|lstm, got 'GRU'");
  EXPECT_EQ(error_of([&] { set_option(c, "hidden_size", "12x"); }), "model.rnn.hidden_size: expected an integer, got '12x'");
  EXPECT_EQ(error_of([&] { set_option(c, "dropout", "lots"); }), "model.dropout: expected a number, got 'lots'");
  EXPECT_EQ(error_of([&] { set_option(c, "input_feed", "maybe"); }),
            "model.rnn.input_feed: expected true or false, got 'maybe'");
  EXPECT_NE(error_of([&] { set_option(c, "hiden_size", "3"); }).find("model.rnn.hiden_size: unknown option"),
            std::string::npos);
  EXPECT_NE(error_of([&] { set_option(c, "cnn.kernel", "3"); }).find("model.cnn.kernel: unknown option"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { set_option(c, "type", "lstm"); }), "model.type: expected one of rnn|transformer|convs2s, got 'lstm'");
}

TEST(ModelConfig, ValidationCatchesBadCombinations) {
  ModelConfig c = valid();
  EXPECT_NO_THROW(validate(c));
  c.src_vocab_size = 0;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.src_vocab_size"), std::string::npos);
  c = valid();
  c.rnn.attention = AttentionKind::Dot;  // bidirectional by default: memory 2H wide
  EXPECT_NE(error_of([&] { validate(c); }).find("model.rnn.attention: dot needs"), std::string::npos);
  c = valid();
  c.rnn.bridge = BridgeKind::Copy;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.rnn.bridge: copy needs a unidirectional encoder"), std::string::npos);
  c = valid();
  c.rnn.decoder_layers = 2;
  EXPECT_NE(error_of([&] { validate(c); }).find("must equal decoder_layers"), std::string::npos);
  c.rnn.bridge = BridgeKind::Zeros;
  EXPECT_NO_THROW(validate(c));
  c = valid();
  c.tie_target_embeddings = true;  // deep readout: 256 + 512 + 256 wide
  EXPECT_NE(error_of([&] { validate(c); }).find("model.tie_target_embeddings"), std::string::npos);
  c.rnn.readout = ReadoutKind::State;
  EXPECT_NO_THROW(validate(c));  // hidden 256 == embedding 256
  c = valid();
  c.dropout = 1.0f;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.dropout"), std::string::npos);
  c = valid();
  c.rnn.local_window = 0;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.rnn.local_window"), std::string::npos);
  c = valid();
  c.share_embeddings = true;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.share_embeddings: needs one vocabulary"), std::string::npos);
  c = valid();
  c.type = "cnn";
  EXPECT_EQ(error_of([&] { validate(c); }), "model.type: expected one of rnn|transformer|convs2s, got 'cnn'");
}

// A family's keys are written "<family>.<key>"; bare keys, as model
// directories written before families existed have them, mean the chosen
// family's.
TEST(ModelConfig, FamilySectionsAndBareKeys) {
  ModelConfig c = valid();
  c.rnn.cell = CellKind::Lstm;
  ConfigPairs pairs = to_pairs(c);
  EXPECT_NE(std::find(pairs.begin(), pairs.end(), std::pair<std::string, std::string>{"rnn.cell", "lstm"}), pairs.end());
  ModelConfig bare = config_from_map({{"src_vocab_size", "100"}, {"tgt_vocab_size", "90"}, {"cell", "lstm"}, {"type", "rnn"}});
  EXPECT_EQ(to_pairs(bare), pairs);
  ModelConfig sectioned = config_from_map({{"src_vocab_size", "100"}, {"tgt_vocab_size", "90"}, {"rnn.cell", "lstm"}});
  EXPECT_EQ(to_pairs(sectioned), pairs);
  ModelConfig layers = config_from_map({{"src_vocab_size", "100"}, {"tgt_vocab_size", "90"}, {"rnn.layers", "2"},
                                        {"rnn.decoder_layers", "2"}, {"rnn.bridge", "zeros"}, {"rnn.encoder_layers", "3"}});
  EXPECT_EQ(layers.rnn.encoder_layers, 3);  // the specific key wins over the shorthand
}

TEST(ModelConfig, HelpCoversEveryOption) {
  ConfigPairs help = option_help();
  for (const auto& [k, v] : to_pairs(valid())) {
    auto it = std::find_if(help.begin(), help.end(), [&](const auto& h) { return h.first == "model." + k; });
    ASSERT_NE(it, help.end()) << k;
    EXPECT_FALSE(it->second.empty()) << k;
  }
}

TEST(ModelConfig, ReadoutWidth) {
  ModelConfig c = valid();  // deep, bahdanau, bidirectional
  EXPECT_EQ(models::rnn_readout_size(c), 256 + 512 + 256);
  c.rnn.attention = AttentionKind::None;
  EXPECT_EQ(models::rnn_readout_size(c), 256 + 256);
  c.rnn.readout = ReadoutKind::Tanh;
  EXPECT_EQ(models::rnn_readout_size(c), 256);
}

}  // namespace
}  // namespace s2s::models
