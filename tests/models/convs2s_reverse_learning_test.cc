// Must show (issue 21): a small ConvS2S learns to reverse sequences
// (vocabulary 20, lengths 3-10) to >= 98% exact match under greedy decoding
// (encode + step, so through the incremental decoder and its convolution
// windows) within a fixed number of steps, with dropout on.
#include <gtest/gtest.h>

#include <cstdio>

#include "models/reverse_task.h"
#include "s2s/core/parallel.h"

namespace s2s::models {
namespace {

TEST(ConvS2SReverseLearning, ReachesExactMatch) {
  // One thread: the matrices are too small to share.
  const int saved_threads = num_threads();
  set_num_threads(1);
  ModelConfig c;
  c.type = "convs2s";
  c.src_vocab_size = c.tgt_vocab_size = 20;
  c.src_embedding_size = c.tgt_embedding_size = 32;
  c.dropout = 0.1f;
  c.convs2s.encoder_layers = c.convs2s.decoder_layers = 2;
  c.convs2s.channels = 64;
  c.convs2s.kernel_size = 3;
  c.convs2s.max_positions = 16;
  testing::ReverseSetup setup;
  setup.steps = 600;
  setup.batch = 32;
  setup.lr = 3e-3;
  testing::ReverseRun run = testing::train_reverse(c, setup);
  std::printf("  convs2s 2+2 layers, 64 channels: exact match %.3f after %lld steps, loss %.3f -> %.3f, %.1f s\n",
              run.exact_match, static_cast<long long>(setup.steps), run.losses.front(), run.losses.back(), run.seconds);
  EXPECT_GE(run.exact_match, 0.98);
  set_num_threads(saved_threads);
}

}  // namespace
}  // namespace s2s::models
