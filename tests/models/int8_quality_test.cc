// Quality sanity check of the int8 compute type: a small model trained on
// the reverse task (reverse_task.h) decodes held-out sequences greedily in
// int8 to the same outputs as in fp32 for nearly every sequence. (The issue's
// BLEU / WER figures on the recipes' models are measured on the recipes.)
#include <gtest/gtest.h>

#include "models/reverse_task.h"
#include "s2s/core/parallel.h"
#include "s2s/nn/precision.h"
#include "s2s/search/greedy.h"

namespace s2s::models {
namespace {

// One thread, as transformer_reverse_learning_test.cc: the matrices are too
// small to share, and two threads only wait for each other on a busy machine.
class OneThread {
 public:
  OneThread() : saved_(num_threads()) { set_num_threads(1); }
  ~OneThread() { set_num_threads(saved_); }

 private:
  int saved_;
};

double agreement(const std::vector<std::vector<std::int32_t>>& a, const std::vector<std::vector<std::int32_t>>& b) {
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  return static_cast<double>(same) / static_cast<double>(a.size());
}

// Trains c on the reverse task, then compares int8 and fp32 greedy outputs on
// 200 held-out sequences drawn with `seed`; then bf16's (the weights rounded
// to bf16 in place, as loading with --compute-type bf16 does) with fp32's.
void expect_int8_decodes_like_fp32(const ModelConfig& c, const testing::ReverseSetup& s, std::uint64_t seed) {
  const testing::ReverseRun run = testing::train_reverse(c, s);
  EXPECT_GT(run.exact_match, 0.5) << "the model did not learn the task; the comparison would say little";
  Rng rng(seed);
  const TokenBatch batch = testing::make_batch(testing::random_sequences(rng, 200, 20, 3, 10));
  search::GreedyOptions fp32, int8, bf16;
  fp32.compute_type = kernels::ComputeType::Fp32;
  int8.compute_type = kernels::ComputeType::Int8;
  bf16.compute_type = kernels::ComputeType::Bf16;
  const auto want = search::greedy_decode(*run.model, batch, fp32);
  const double agree = agreement(want, search::greedy_decode(*run.model, batch, int8));
  std::printf("int8 = fp32 greedy output on %.1f%% of 200 sequences (fp32 exact match %.1f%%)\n", 100 * agree,
              100 * run.exact_match);
  EXPECT_GE(agree, 0.9);
  nn::round_to_bf16(run.model->parameters());
  const double agree_bf16 = agreement(want, search::greedy_decode(*run.model, batch, bf16));
  std::printf("bf16 = fp32 greedy output on %.1f%% of 200 sequences\n", 100 * agree_bf16);
  EXPECT_GE(agree_bf16, 0.9);
}

TEST(Int8Quality, TrainedRnnDecodesLikeFp32) {
  OneThread one;
  ModelConfig c;
  c.src_vocab_size = c.tgt_vocab_size = 20;
  c.src_embedding_size = c.tgt_embedding_size = 16;
  c.rnn.hidden_size = 48;
  c.rnn.cell = CellKind::Gru;
  c.rnn.attention = AttentionKind::Bahdanau;
  c.rnn.attention_size = 32;
  c.rnn.bidirectional = true;
  c.rnn.bridge = BridgeKind::Learned;
  c.rnn.readout = ReadoutKind::Deep;
  c.rnn.input_feed = true;
  testing::ReverseSetup s;
  s.steps = 600;
  expect_int8_decodes_like_fp32(c, s, 77);
}

TEST(Int8Quality, TrainedTransformerDecodesLikeFp32) {
  OneThread one;
  ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = c.tgt_vocab_size = 20;
  c.src_embedding_size = c.tgt_embedding_size = 32;
  c.transformer.encoder_layers = c.transformer.decoder_layers = 1;
  c.transformer.d_model = 32;
  c.transformer.heads = 4;
  c.transformer.ffn_size = 64;
  testing::ReverseSetup s;
  s.steps = 600;
  s.lr = 3e-3;
  expect_int8_decodes_like_fp32(c, s, 78);
}

}  // namespace
}  // namespace s2s::models
