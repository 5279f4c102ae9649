#include <gtest/gtest.h>

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
  c.cell = CellKind::Lstm;
  c.attention = AttentionKind::LocalP;
  c.readout = ReadoutKind::Tanh;
  c.bridge = BridgeKind::Zeros;
  c.dropout = 0.1f;
  c.local_window = 3;
  c.encoder_layers = 2;
  c.decoder_layers = 3;
  ConfigPairs pairs = to_pairs(c);
  ModelConfig back = config_from_pairs(pairs);
  EXPECT_EQ(to_pairs(back), pairs);
  EXPECT_EQ(back.dropout, 0.1f);
  EXPECT_EQ(back.cell, CellKind::Lstm);
  EXPECT_EQ(back.attention, AttentionKind::LocalP);
  EXPECT_EQ(back.decoder_layers, 3);
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
  EXPECT_EQ(c.encoder_layers, 2);
  EXPECT_EQ(c.decoder_layers, 2);
  EXPECT_EQ(c.cell, CellKind::RnnRelu);
}

TEST(ModelConfig, BadValuesNameTheOption) {
  ModelConfig c;
  EXPECT_EQ(error_of([&] { set_option(c, "attention", "foo"); }),
            "model.attention: expected one of none|dot|general|bahdanau|local-p, got 'foo'");
  EXPECT_EQ(error_of([&] { set_option(c, "cell", "GRU"); }),
            "model.cell: expected one of rnn_tanh|rnn_relu|gru|lstm, got 'GRU'");
  EXPECT_EQ(error_of([&] { set_option(c, "hidden_size", "12x"); }), "model.hidden_size: expected an integer, got '12x'");
  EXPECT_EQ(error_of([&] { set_option(c, "dropout", "lots"); }), "model.dropout: expected a number, got 'lots'");
  EXPECT_EQ(error_of([&] { set_option(c, "input_feed", "maybe"); }),
            "model.input_feed: expected true or false, got 'maybe'");
  EXPECT_NE(error_of([&] { set_option(c, "hiden_size", "3"); }).find("model.hiden_size: unknown option"),
            std::string::npos);
}

TEST(ModelConfig, ValidationCatchesBadCombinations) {
  ModelConfig c = valid();
  EXPECT_NO_THROW(validate(c));
  c.src_vocab_size = 0;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.src_vocab_size"), std::string::npos);
  c = valid();
  c.attention = AttentionKind::Dot;  // bidirectional by default: memory 2H wide
  EXPECT_NE(error_of([&] { validate(c); }).find("model.attention: dot needs"), std::string::npos);
  c = valid();
  c.bridge = BridgeKind::Copy;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.bridge: copy needs a unidirectional encoder"), std::string::npos);
  c = valid();
  c.decoder_layers = 2;
  EXPECT_NE(error_of([&] { validate(c); }).find("must equal decoder_layers"), std::string::npos);
  c.bridge = BridgeKind::Zeros;
  EXPECT_NO_THROW(validate(c));
  c = valid();
  c.tie_target_embeddings = true;  // deep readout: 256 + 512 + 256 wide
  EXPECT_NE(error_of([&] { validate(c); }).find("model.tie_target_embeddings"), std::string::npos);
  c.readout = ReadoutKind::State;
  EXPECT_NO_THROW(validate(c));  // hidden 256 == embedding 256
  c = valid();
  c.dropout = 1.0f;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.dropout"), std::string::npos);
  c = valid();
  c.local_window = 0;
  EXPECT_NE(error_of([&] { validate(c); }).find("model.local_window"), std::string::npos);
  c = valid();
  c.type = "cnn";
  EXPECT_EQ(error_of([&] { validate(c); }), "model.type: expected rnn or transformer, got 'cnn'");
}

TEST(ModelConfig, ReadoutWidth) {
  ModelConfig c = valid();  // deep, bahdanau, bidirectional
  EXPECT_EQ(c.readout_size(), 256 + 512 + 256);
  c.attention = AttentionKind::None;
  EXPECT_EQ(c.readout_size(), 256 + 256);
  c.readout = ReadoutKind::Tanh;
  EXPECT_EQ(c.readout_size(), 256);
}

}  // namespace
}  // namespace s2s::models
