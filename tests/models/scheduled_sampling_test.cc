// Teacher forcing below 1 (scheduled sampling): at ratio 0 forward feeds the
// model's own argmax, which must equal greedy stepping; mixed ratios are
// reproducible from the rng and train (gradients reach every parameter).
#include <gtest/gtest.h>

#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/kernels/argmax.h"

namespace s2s::models {
namespace {

using testing::make_batch;
using testing::make_decoder_input;

ModelConfig config_for(AttentionKind attention) {
  ModelConfig c;
  c.src_vocab_size = 12;
  c.tgt_vocab_size = 10;
  c.src_embedding_size = c.tgt_embedding_size = 5;
  c.rnn.hidden_size = 6;
  c.rnn.cell = CellKind::Gru;
  c.rnn.attention = attention;
  return c;
}

const std::vector<std::vector<std::int32_t>> kSrc = {{4, 5, 6, 7}, {8, 9}, {5, 5, 11}};
const std::vector<std::vector<std::int32_t>> kTgt = {{6, 5, 4}, {9, 8, 7, 6}, {4}};

class ScheduledSampling : public ::testing::TestWithParam<AttentionKind> {};

TEST_P(ScheduledSampling, RatioZeroFeedsTheArgmax) {
  Rng init(3);
  auto model = build_model(config_for(GetParam()), init);
  TokenBatch src = make_batch(kSrc), tgt_in = make_decoder_input(kTgt);
  Rng rng(9);
  ForwardOptions o;
  o.training = false;
  o.teacher_forcing = 0.0f;
  o.rng = &rng;
  autograd::Graph g;
  Tensor sampled = model->forward(g, src, tgt_in, o).value();

  // Greedy stepping from <s>.
  autograd::Graph gs(false);
  auto state = model->encode(gs, src);
  const std::int64_t batch = 3, vocab = 10;
  Tensor prev = Tensor::from_ids({kBos, kBos, kBos}, Shape{3});
  for (std::int64_t t = 0; t < tgt_in.steps(); ++t) {
    StepOutput out = model->step(gs, *state, prev);
    for (std::int64_t k = 0; k < batch * vocab; ++k)
      EXPECT_NEAR(out.logits.f32()[k], sampled.f32()[t * batch * vocab + k], 1e-5f) << "t " << t;
    Tensor next = Tensor::empty(Shape{batch}, DType::I32);
    kernels::argmax_rows(out.logits, next);
    prev = next;
    gs.clear();
  }
}

TEST_P(ScheduledSampling, MixedRatioIsReproducibleAndTrains) {
  Rng init(3);
  auto model = build_model(config_for(GetParam()), init);
  TokenBatch src = make_batch(kSrc), tgt_in = make_decoder_input(kTgt);
  auto run = [&](std::uint64_t seed) {
    Rng rng(seed);
    ForwardOptions o;
    o.teacher_forcing = 0.5f;
    o.rng = &rng;
    autograd::Graph g;
    for (auto* p : model->parameters()) p->grad.reset();
    autograd::Var logits = model->forward(g, src, tgt_in, o);
    autograd::CrossEntropyOptions ce;
    ce.ignore_index = kPad;
    g.backward(autograd::cross_entropy(logits, testing::make_decoder_output(kTgt), ce));
    return logits.value().clone();
  };
  Tensor a = run(1), b = run(1);
  EXPECT_EQ(a.to_vector(), b.to_vector());
  for (auto* p : model->parameters()) {
    float norm = 0;
    for (float v : p->grad.span()) norm += v * v;
    EXPECT_GT(norm, 0.0f) << p->name;
  }
  ForwardOptions no_rng;
  no_rng.teacher_forcing = 0.5f;
  autograd::Graph g;
  EXPECT_THROW(model->forward(g, src, tgt_in, no_rng), Error);
}

INSTANTIATE_TEST_SUITE_P(Attention, ScheduledSampling,
                         ::testing::Values(AttentionKind::None, AttentionKind::Bahdanau, AttentionKind::General));

}  // namespace
}  // namespace s2s::models
