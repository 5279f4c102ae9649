// The default model is the bench peer's (bench/peer_torch_seq2seq.py):
// same parameter count and shapes; names are unique and PyTorch-style.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "s2s/models/encoder_decoder.h"

namespace s2s::models {
namespace {

std::map<std::string, Shape> shapes_of(EncoderDecoder& m) {
  std::map<std::string, Shape> out;
  for (auto* p : m.parameters()) {
    EXPECT_TRUE(out.emplace(p->name, p->value.shape()).second) << "duplicate name " << p->name;
    EXPECT_FALSE(p->grad.defined()) << p->name << ": gradients are allocated by backward, not by the model";
  }
  return out;
}

TEST(Parameters, DefaultConfigIsThePeersModel) {
  ModelConfig c;
  c.src_vocab_size = c.tgt_vocab_size = 8000;
  Rng rng(1);
  auto model = build_model(c, rng);
  std::int64_t total = 0;
  for (auto* p : model->parameters()) total += p->value.numel();
  EXPECT_EQ(total, 14201920);  // RESULTS-peer.md: parameters at H = 256
  std::map<std::string, Shape> want = {
      {"encoder.embedding.weight", {8000, 256}},
      {"encoder.rnn.weight_ih_l0", {768, 256}},
      {"encoder.rnn.weight_hh_l0", {768, 256}},
      {"encoder.rnn.bias_ih_l0", {768}},
      {"encoder.rnn.bias_hh_l0", {768}},
      {"encoder.rnn.weight_ih_l0_reverse", {768, 256}},
      {"encoder.rnn.weight_hh_l0_reverse", {768, 256}},
      {"encoder.rnn.bias_ih_l0_reverse", {768}},
      {"encoder.rnn.bias_hh_l0_reverse", {768}},
      {"bridge.h_l0.weight", {256, 512}},
      {"bridge.h_l0.bias", {256}},
      {"decoder.embedding.weight", {8000, 256}},
      {"decoder.attention.W.weight", {256, 256}},
      {"decoder.attention.U.weight", {256, 512}},
      {"decoder.attention.U.bias", {256}},
      {"decoder.attention.v.weight", {1, 256}},
      {"decoder.rnn.weight_ih_l0", {768, 256 + 512}},
      {"decoder.rnn.weight_hh_l0", {768, 256}},
      {"decoder.rnn.bias_ih_l0", {768}},
      {"decoder.rnn.bias_hh_l0", {768}},
      {"decoder.output.weight", {8000, 256 + 512 + 256}},
      {"decoder.output.bias", {8000}},
  };
  EXPECT_EQ(shapes_of(*model), want);
}

TEST(Parameters, TiedOutputSharesTheEmbedding) {
  ModelConfig c;
  c.src_vocab_size = c.tgt_vocab_size = 50;
  c.rnn.readout = ReadoutKind::State;
  c.tie_target_embeddings = true;
  Rng rng(1);
  auto model = build_model(c, rng);
  std::map<std::string, Shape> shapes = shapes_of(*model);
  EXPECT_EQ(shapes.count("decoder.output.weight"), 0u);
  EXPECT_EQ(shapes.count("decoder.output.bias"), 1u);
}

TEST(Parameters, SameSeedSameWeights) {
  ModelConfig c;
  c.src_vocab_size = c.tgt_vocab_size = 30;
  c.rnn.hidden_size = 8;
  c.src_embedding_size = c.tgt_embedding_size = 4;
  c.rnn.cell = CellKind::Lstm;
  Rng a(5), b(5), other(6);
  auto m1 = build_model(c, a), m2 = build_model(c, b), m3 = build_model(c, other);
  auto p1 = m1->parameters(), p2 = m2->parameters(), p3 = m3->parameters();
  ASSERT_EQ(p1.size(), p2.size());
  bool any_differs = false;
  for (std::size_t k = 0; k < p1.size(); ++k) {
    EXPECT_EQ(p1[k]->value.to_vector(), p2[k]->value.to_vector()) << p1[k]->name;
    any_differs = any_differs || p1[k]->value.to_vector() != p3[k]->value.to_vector();
  }
  EXPECT_TRUE(any_differs);
}

TEST(Parameters, BuildValidatesTheConfig) {
  ModelConfig c;  // vocabulary sizes left at 0
  Rng rng(1);
  EXPECT_THROW(build_model(c, rng), Error);
}

}  // namespace
}  // namespace s2s::models
