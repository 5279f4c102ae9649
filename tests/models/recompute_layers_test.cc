// ForwardOptions::recompute_layers (train.recompute_layers) on the
// Transformer: with dropout everywhere, pre- and post-norm, the logits and
// every parameter's gradient are bit for bit those of the plain forward, and
// the tape holds one node per layer instead of the layer's.
#include <gtest/gtest.h>

#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/models/encoder_decoder.h"

namespace s2s::models {
namespace {

ModelConfig config(NormPosition norm) {
  ModelConfig c;
  c.type = "transformer";
  c.src_vocab_size = 14;
  c.tgt_vocab_size = 13;
  c.src_embedding_size = c.tgt_embedding_size = 8;
  c.dropout = 0.3f;
  TransformerOptions& t = c.transformer;
  t.encoder_layers = 2;
  t.decoder_layers = 3;
  t.d_model = 8;
  t.heads = 2;
  t.ffn_size = 12;
  t.norm = norm;
  t.attention_dropout = 0.2f;
  t.ffn_dropout = 0.1f;
  t.max_positions = 12;
  return c;
}

struct Result {
  Tensor logits;
  std::vector<Tensor> grads;
  std::size_t tape = 0;
};

Result train_step(NormPosition norm, bool recompute) {
  Rng init(4);
  auto model = build_model(config(norm), init);
  const std::vector<std::vector<std::int32_t>> sources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
  const std::vector<std::vector<std::int32_t>> targets = {{6, 5, 4, 7}, {4, 9}, {8, 6, 10, 5, 4, 7}};
  Rng dropout(8);
  ForwardOptions o;
  o.rng = &dropout;
  o.recompute_layers = recompute;
  autograd::Graph g;
  autograd::Var logits = model->forward(g, testing::make_batch(sources), testing::make_decoder_input(targets), o);
  Result r;
  r.logits = logits.value().clone();
  r.tape = g.size();
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = kPad;
  ce.label_smoothing = 0.1f;
  g.backward(autograd::cross_entropy(logits, testing::make_decoder_output(targets), ce), {.release_values = true});
  for (autograd::Parameter* p : model->parameters()) r.grads.push_back(p->grad.defined() ? p->grad.clone() : Tensor());
  return r;
}

TEST(RecomputeLayers, TransformerGradientsAreBitwiseThoseOfThePlainForward) {
  for (NormPosition norm : {NormPosition::Pre, NormPosition::Post}) {
    Result plain = train_step(norm, false), again = train_step(norm, true);
    EXPECT_EQ(again.logits.to_vector(), plain.logits.to_vector());
    ASSERT_EQ(again.grads.size(), plain.grads.size());
    for (std::size_t i = 0; i < plain.grads.size(); ++i) {
      ASSERT_EQ(again.grads[i].defined(), plain.grads[i].defined()) << i;
      if (plain.grads[i].defined()) {
        EXPECT_EQ(again.grads[i].to_vector(), plain.grads[i].to_vector()) << "parameter " << i;
      }
    }
    EXPECT_LT(again.tape * 3, plain.tape);  // 5 layers, each one node instead of dozens
  }
}

}  // namespace
}  // namespace s2s::models
