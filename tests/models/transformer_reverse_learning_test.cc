// Must show: a small Transformer (pre-norm ReLU, post-norm ReLU, pre-norm
// GELU with relative positions) learns to reverse sequences (vocabulary 20,
// lengths 3-10) to >= 98% exact match under greedy decoding (encode + step,
// so through the incremental decoder) within a fixed number of steps.
#include <gtest/gtest.h>

#include <cstdio>

#include "models/reverse_task.h"
#include "s2s/core/parallel.h"

namespace s2s::models {
namespace {

ModelConfig reverse_config(NormPosition norm, Activation activation, std::int64_t relative) {
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
  t.activation = activation;
  t.relative_positions = relative;
  return c;
}

TEST(TransformerReverseLearning, ReachesExactMatch) {
  // One thread: the matrices are too small to share, and the run stays near 15 s per model on a busy machine.
  const int saved_threads = num_threads();
  set_num_threads(1);
  struct Variant {
    NormPosition norm;
    Activation activation;
    std::int64_t relative;
  };
  for (Variant v : {Variant{NormPosition::Pre, Activation::Relu, 0}, Variant{NormPosition::Post, Activation::Relu, 0},
                    Variant{NormPosition::Pre, Activation::Gelu, 4}}) {
    testing::ReverseSetup setup;
    setup.steps = 600;
    setup.batch = 32;
    setup.lr = 3e-3;
    testing::ReverseRun run = testing::train_reverse(reverse_config(v.norm, v.activation, v.relative), setup);
    std::printf("  transformer %s-norm %s relative %lld: exact match %.3f after %lld steps, loss %.3f -> %.3f, %.1f s\n",
                norm_name(v.norm), activation_name(v.activation), static_cast<long long>(v.relative), run.exact_match,
                static_cast<long long>(setup.steps), run.losses.front(), run.losses.back(), run.seconds);
    EXPECT_GE(run.exact_match, 0.98) << norm_name(v.norm) << " " << activation_name(v.activation);
  }
  set_num_threads(saved_threads);
}

}  // namespace
}  // namespace s2s::models
