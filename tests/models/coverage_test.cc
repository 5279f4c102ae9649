// Coverage attention (See et al. 2017) in the RNN family: the coverage vector
// is decoder state, so stepping equals the teacher-forced forward pass and a
// sentence gets the same logits alone as in a batch; select() moves each
// row's coverage with it; the coverage loss equals one recomputed from the
// attention that stepping returns, and its gradient with respect to the
// attention's parameters matches central finite differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "models/model_test_util.h"
#include "s2s/autograd/ops.h"
#include "s2s/models/model_config.h"
#include "support/error_of.h"

namespace s2s::models {
namespace {

using Seqs = std::vector<std::vector<std::int32_t>>;

const Seqs kSources = {{4, 5, 6}, {7, 8, 9, 10, 11, 12, 4}, {5, 9, 4, 6, 8}};
const Seqs kTargets = {{6, 5, 4, 7}, {4, 9}, {8, 6, 10, 5, 4, 7}};

ModelConfig coverage_config(CellKind cell, ReadoutKind readout, bool input_feed, std::int64_t layers) {
  ModelConfig c = testing::tiny_rnn_config(cell, AttentionKind::Bahdanau);
  c.rnn.readout = readout;
  c.rnn.input_feed = input_feed;
  c.rnn.encoder_layers = c.rnn.decoder_layers = layers;
  c.rnn.coverage = true;
  c.dropout = 0.3f;  // must be inactive when not training
  return c;
}

class CoverageStepMatchesForward
    : public ::testing::TestWithParam<std::tuple<CellKind, ReadoutKind, bool, std::int64_t>> {};

TEST_P(CoverageStepMatchesForward, LogitsAgreeAndPaddingDoesNotLeak) {
  auto [cell, readout, feed, layers] = GetParam();
  Rng rng(42);
  auto model = build_model(coverage_config(cell, readout, feed, layers), rng);
  testing::expect_step_matches_forward(*model, kSources, kTargets);
}

INSTANTIATE_TEST_SUITE_P(Variants, CoverageStepMatchesForward,
                         ::testing::Values(std::tuple{CellKind::Gru, ReadoutKind::Deep, true, std::int64_t{1}},
                                           std::tuple{CellKind::Lstm, ReadoutKind::Tanh, false, std::int64_t{2}},
                                           std::tuple{CellKind::RnnTanh, ReadoutKind::State, true, std::int64_t{1}}));

// Coverage changes what the model computes: the same weights without the
// coverage input give the same logits at the first position (coverage 0) and
// other ones after it.
TEST(Coverage, ChangesTheLogitsAfterTheFirstPosition) {
  ModelConfig with = coverage_config(CellKind::Gru, ReadoutKind::Deep, true, 1), without = with;
  without.rnn.coverage = false;
  Rng r1(3), r2(3);
  auto a = build_model(with, r1), b = build_model(without, r2);
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  Tensor la = testing::step_logits(*a, src, tgt_in), lb = testing::step_logits(*b, src, tgt_in);
  const std::int64_t first = 3 * la.dim(1);  // rows (t = 0, b) for the 3 sentences
  for (std::int64_t k = 0; k < first; ++k) ASSERT_NEAR(la.f32()[k], lb.f32()[k], 1e-5f) << k;
  float later = 0.0f;
  for (std::int64_t k = first; k < la.numel(); ++k) later = std::max(later, std::abs(la.f32()[k] - lb.f32()[k]));
  EXPECT_GT(later, 1e-3f);
}

// w_c is the only new parameter, drawn after all others: the rest of the
// model starts as the same model without coverage does.
TEST(Coverage, AddsItsWeightAfterTheOtherParameters) {
  for (bool copy : {false, true}) {
    ModelConfig with = coverage_config(CellKind::Gru, ReadoutKind::Deep, true, 1), without = with;
    with.rnn.copy_attention = without.rnn.copy_attention = copy;
    without.rnn.coverage = false;
    Rng r1(7), r2(7);
    auto a = build_model(with, r1), b = build_model(without, r2);
    std::map<std::string, autograd::Parameter*> pa;
    for (autograd::Parameter* p : a->parameters()) pa[p->name] = p;
    ASSERT_EQ(pa.size(), b->parameters().size() + 1);
    for (autograd::Parameter* p : b->parameters()) {
      ASSERT_TRUE(pa.count(p->name)) << p->name;
      EXPECT_EQ(pa[p->name]->value.to_vector(), p->value.to_vector()) << p->name;
    }
    ASSERT_TRUE(pa.count("decoder.attention.coverage.weight"));
    EXPECT_EQ(pa["decoder.attention.coverage.weight"]->value.shape(), Shape({4, 1}));  // [attention_size, 1]
  }
}

TEST(Coverage, NeedsBahdanauAttention) {
  for (AttentionKind kind : {AttentionKind::None, AttentionKind::Dot, AttentionKind::General, AttentionKind::LocalP}) {
    ModelConfig c = coverage_config(CellKind::Gru, ReadoutKind::Deep, true, 1);
    c.rnn.attention = kind;
    c.rnn.bidirectional = kind != AttentionKind::Dot;
    EXPECT_EQ(testing::error_of([&] { validate(c); }),
              std::string("model.rnn.coverage: the coverage vector enters bahdanau (MLP) attention scores only; set "
                          "model.rnn.attention bahdanau, got ") +
                  attention_name(kind));
  }
  ModelConfig c = testing::tiny_rnn_config(CellKind::Gru, AttentionKind::Bahdanau);
  set_option(c, "coverage", "true");
  EXPECT_TRUE(c.rnn.coverage);
  EXPECT_NE(describe(c).find(", coverage"), std::string::npos) << describe(c);
  ConfigPairs pairs = to_pairs(c);
  EXPECT_TRUE(config_from_pairs(pairs).rnn.coverage);
  // A config written before the option existed reads as off.
  ConfigPairs old;
  for (const auto& kv : pairs)
    if (kv.first.find("coverage") == std::string::npos) old.push_back(kv);
  ASSERT_EQ(old.size(), pairs.size() - 1);
  EXPECT_FALSE(config_from_pairs(old).rnn.coverage);
}

// Beam search reorders rows with select(): each row's coverage moves with it.
// Stepping [A, B], swapping the rows and stepping again gives the logits of
// stepping [B, A] from the start.
TEST(Coverage, SelectMovesEachRowsCoverage) {
  Rng rng(11);
  auto model = build_model(coverage_config(CellKind::Gru, ReadoutKind::Deep, true, 1), rng);
  const Seqs ab = {kSources[2], kSources[0]}, ba = {kSources[0], kSources[2]};
  auto run = [&](const Seqs& sources, bool swap) {
    autograd::Graph g(false);
    auto state = model->encode(g, testing::make_batch(sources));
    Tensor first = Tensor::from_ids({kBos, kBos}, Shape{2});
    model->step(g, *state, first);
    g.clear();
    if (swap) state->select(Tensor::from_ids({1, 0}, Shape{2}));
    model->step(g, *state, Tensor::from_ids({5, 7}, Shape{2}));
    g.clear();
    return model->step(g, *state, Tensor::from_ids({9, 6}, Shape{2})).logits.clone();
  };
  EXPECT_LT(testing::max_abs_diff(run(ab, true), run(ba, false)), 1e-6f);
}

// The loss forward() reports equals sum over real target positions of
// sum_i min(a_ti, c_ti), recomputed in double from the attention that
// stepping through the same target returns.
TEST(Coverage, LossEqualsTheOneOfTheSteppedAttention) {
  Rng rng(5);
  auto model = build_model(coverage_config(CellKind::Lstm, ReadoutKind::Deep, true, 1), rng);
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  autograd::Graph g;
  autograd::Var loss;
  ForwardOptions o;
  o.training = false;
  o.coverage_loss = &loss;
  model->forward(g, src, tgt_in, o);
  ASSERT_TRUE(loss.defined());

  autograd::Graph sg(false);
  auto state = model->encode(sg, src);
  const std::int64_t batch = 3, steps = tgt_in.steps(), S = src.steps();
  std::vector<double> coverage(static_cast<std::size_t>(batch * S), 0.0);
  double expected = 0;
  for (std::int64_t t = 0; t < steps; ++t) {
    Tensor prev = Tensor::empty(Shape{batch}, DType::I32);
    std::copy_n(tgt_in.ids.i32() + t * batch, batch, prev.i32());
    Tensor a = model->step(sg, *state, prev).attention;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t s = 0; s < S; ++s) {
        const double w = a.f32()[b * S + s];
        double& c = coverage[static_cast<std::size_t>(b * S + s)];
        if (t < tgt_in.lengths.i32()[b]) expected += std::min(w, c);
        c += w;
      }
    sg.clear();
  }
  EXPECT_GT(expected, 0.5);
  EXPECT_NEAR(loss.value().f32()[0], expected, 1e-5 * expected);

  // A model without coverage reports none.
  Rng r2(5);
  auto plain = build_model(testing::tiny_rnn_config(CellKind::Lstm, AttentionKind::Bahdanau), r2);
  autograd::Var none;
  o.coverage_loss = &none;
  autograd::Graph g2;
  plain->forward(g2, src, tgt_in, o);
  EXPECT_FALSE(none.defined());
}

// d(coverage loss)/d(attention parameters) by central finite differences on a
// tiny model.
TEST(Coverage, LossGradientMatchesFiniteDifferences) {
  Rng rng(9);
  ModelConfig c = coverage_config(CellKind::Gru, ReadoutKind::Deep, true, 1);
  c.dropout = 0.0f;
  auto model = build_model(c, rng);
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  auto loss_of = [&](bool grad) {
    autograd::Graph g(grad);
    autograd::Var loss;
    ForwardOptions o;
    o.training = false;
    o.coverage_loss = &loss;
    model->forward(g, src, tgt_in, o);
    const double value = loss.value().f32()[0];
    if (grad) g.backward(loss);
    return value;
  };
  std::vector<autograd::Parameter*> checked;
  for (autograd::Parameter* p : model->parameters()) {
    p->grad.reset();
    if (p->name.rfind("decoder.attention.", 0) == 0) checked.push_back(p);
  }
  ASSERT_EQ(checked.size(), 5u);  // W, U (weight, bias), v, coverage
  loss_of(true);
  const float eps = 1e-2f;
  int compared = 0;
  for (autograd::Parameter* p : checked) {
    ASSERT_TRUE(p->grad.defined()) << p->name;
    double norm = 0;
    for (std::int64_t k = 0; k < p->value.numel(); ++k) {
      float& x = p->value.f32()[k];
      const float saved = x;
      x = saved + eps;
      const double up = loss_of(false);
      x = saved - eps;
      const double down = loss_of(false);
      x = saved;
      const double numeric = (up - down) / (2.0 * eps), analytic = p->grad.f32()[k];
      EXPECT_NEAR(analytic, numeric, 3e-3 + 3e-2 * std::abs(numeric)) << p->name << "[" << k << "]";
      norm += analytic * analytic;
      ++compared;
    }
    EXPECT_GT(norm, 1e-8) << p->name << ": no gradient reached it";
  }
  EXPECT_EQ(compared, 4 * 6 + 4 * 12 + 4 + 4 + 4);
}

// Scheduled sampling's per-step path computes the same loss when it happens
// to feed every gold token (ratio just under 1).
TEST(Coverage, ScheduledSamplingPathGivesTheSameLoss) {
  Rng rng(9);
  auto model = build_model(coverage_config(CellKind::Gru, ReadoutKind::Deep, true, 1), rng);
  TokenBatch src = testing::make_batch(kSources), tgt_in = testing::make_decoder_input(kTargets);
  auto loss_at = [&](float ratio) {
    autograd::Graph g(false);
    autograd::Var loss;
    Rng sampling(1);
    ForwardOptions o;
    o.training = false;
    o.teacher_forcing = ratio;
    o.rng = &sampling;
    o.coverage_loss = &loss;
    model->forward(g, src, tgt_in, o);
    return loss.value().f32()[0];
  };
  const float forced = loss_at(1.0f);
  EXPECT_GT(forced, 0.0f);
  EXPECT_NEAR(loss_at(0.9999999f), forced, 1e-5f * forced);
}

}  // namespace
}  // namespace s2s::models
