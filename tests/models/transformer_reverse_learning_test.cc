// Must show (issue 4): a small Transformer learns to reverse sequences
// (vocabulary 20, lengths 3-10) to >= 98% exact match under greedy decoding
// (encode + step, so through the incremental decoder) within a fixed number
// of steps.
#include <gtest/gtest.h>

#include <cstdio>

#include "models/reverse_task.h"

namespace s2s::models {
namespace {

ModelConfig reverse_config(NormPosition norm) {
  ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = c.tgt_vocab_size = 20;
  c.src_embedding_size = c.tgt_embedding_size = 32;
  TransformerOptions& t = c.transformer;
  t.encoder_layers = t.decoder_layers = 2;
  t.d_model = 32;
  t.heads = 4;
  t.ffn_size = 64;
  t.norm = norm;
  return c;
}

TEST(TransformerReverseLearning, ReachesExactMatch) {
  for (NormPosition norm : {NormPosition::Pre, NormPosition::Post}) {
    testing::ReverseSetup setup;
    setup.steps = 600;
    setup.batch = 32;
    setup.lr = 3e-3;
    testing::ReverseRun run = testing::train_reverse(reverse_config(norm), setup);
    std::printf("  transformer %s-norm: exact match %.3f after %lld steps, loss %.3f -> %.3f, %.1f s\n",
                norm_name(norm), run.exact_match, static_cast<long long>(setup.steps), run.losses.front(),
                run.losses.back(), run.seconds);
    EXPECT_GE(run.exact_match, 0.98) << norm_name(norm);
  }
}

}  // namespace
}  // namespace s2s::models
