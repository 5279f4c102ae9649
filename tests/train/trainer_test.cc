// The trainer loop on a tiny task: the loss falls, validation numbers are
// what they claim, early stopping and the hooks fire when they should.
#include "s2s/train/trainer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "train/trainer_rig.h"

namespace s2s::train {
namespace {

struct Rig : testing::TrainerRig {
  explicit Rig(const FlatOptions& overrides, TrainerHooks hooks = {})
      : TrainerRig(testing::merged({{"model.hidden_size", "16"}, {"model.embedding_size", "8"}, {"optim.lr", "0.01"},
                                    {"train.valid_every", "50"}, {"train.save_every", "0"}, {"train.seed", "3"}},
                                   overrides),
                   std::move(hooks), {.train_pairs = 300, .dev_pairs = 40, .batch_seed = 5}) {}
};

TEST(Trainer, LossFallsOnATinyTask) {
  Rig s(FlatOptions{{"train.steps", "300"}});
  ValidationResult before = s.trainer->validate();
  TrainResult r = s.trainer->run();
  EXPECT_EQ(r.reason, StopReason::Steps);
  EXPECT_EQ(r.step, 300);
  ASSERT_TRUE(r.validated);
  EXPECT_LT(r.last_validation.loss, 0.5 * before.loss) << before.loss << " -> " << r.last_validation.loss;
  EXPECT_GT(r.last_validation.accuracy, before.accuracy + 0.3);
  // 300 pairs in batches of 16 make 19 batches an epoch: 300 updates complete 15 epochs.
  EXPECT_EQ(s.trainer->epoch(), 15);
  EXPECT_EQ(s.trainer->state().data.batch, 300u - 15u * 19u);
}

TEST(Trainer, ValidationIsMeanTokenCrossEntropyAndAccuracy) {
  Rig s(FlatOptions{{"train.steps", "1"}});
  ValidationResult v = s.trainer->validate();
  // Recompute by hand from the model's logits: padding positions must not count.
  double nll = 0;
  std::int64_t tokens = 0, correct = 0;
  autograd::Graph g(false);
  models::ForwardOptions fo;
  fo.training = false;
  for (const auto& b : testing::batches_of(*testing::reverse_dataset(40, 12), 16)) {
    Tensor logits = s.model->forward(g, {b.src, b.src_len, Tensor()}, {b.tgt_in, b.tgt_len, Tensor()}, fo).value();
    std::int64_t rows = logits.dim(0), vocab = logits.dim(1);
    for (std::int64_t r = 0; r < rows; ++r) {
      std::int32_t target = b.tgt_out.i32()[r];
      if (target == models::kPad) continue;
      const float* row = logits.f32() + r * vocab;
      double mx = row[0], sum = 0;
      std::int64_t best = 0;
      for (std::int64_t k = 1; k < vocab; ++k)
        if (row[k] > row[best]) best = k;
      for (std::int64_t k = 0; k < vocab; ++k) mx = std::max(mx, static_cast<double>(row[k]));
      for (std::int64_t k = 0; k < vocab; ++k) sum += std::exp(row[k] - mx);
      nll -= row[target] - mx - std::log(sum);
      ++tokens;
      correct += best == target;
    }
    g.clear();
  }
  EXPECT_EQ(v.tokens, tokens);
  EXPECT_NEAR(v.loss, nll / static_cast<double>(tokens), 1e-4);
  EXPECT_NEAR(v.ppl, std::exp(v.loss), 1e-9 * v.ppl);
  EXPECT_DOUBLE_EQ(v.accuracy, static_cast<double>(correct) / static_cast<double>(tokens));
}

// With model.rnn.coverage an update minimises cross-entropy + w * coverage
// loss (w = train.coverage_weight): with plain SGD (no clipping) the step is
// linear in w, w = 0 leaves the coverage loss out of the gradient, and the
// reported coverage loss is the model's per target token whatever w is. A
// model without coverage reports none.
TEST(Trainer, CoverageLossEntersTheUpdateWithItsWeight) {
  auto rig = [](const char* weight) {
    return std::make_unique<Rig>(FlatOptions{{"train.steps", "1"},        {"model.coverage", "true"},
                                             {"train.coverage_weight", weight}, {"optim.optimizer", "sgd"},
                                             {"optim.lr", "1"},                {"optim.clip_norm", "0"}});
  };
  auto w0 = rig("0"), w1 = rig("1"), w2 = rig("2");
  data::Batch batch;
  ASSERT_TRUE(w0->batcher->next(batch));
  // The model's coverage loss on the batch before the update (no dropout in this rig).
  autograd::Graph g;
  autograd::Var coverage;
  models::ForwardOptions fo;
  fo.training = false;
  fo.coverage_loss = &coverage;
  w0->model->forward(g, {batch.src, batch.src_len, Tensor()}, {batch.tgt_in, batch.tgt_len, Tensor()}, fo);
  ASSERT_TRUE(coverage.defined());
  const double expected = coverage.value().f32()[0] / static_cast<double>(batch.tgt_tokens);

  const double ce0 = w0->trainer->train_step(batch), ce1 = w1->trainer->train_step(batch);
  w2->trainer->train_step(batch);
  EXPECT_EQ(ce0, ce1);  // train_update returns the cross-entropy alone
  EXPECT_GT(expected, 0.1);
  EXPECT_NEAR(w0->trainer->last_coverage_loss(), expected, 1e-6 * expected);
  EXPECT_EQ(w1->trainer->last_coverage_loss(), w0->trainer->last_coverage_loss());
  std::vector<autograd::Parameter*> p0 = w0->model->parameters(), p1 = w1->model->parameters(),
                                    p2 = w2->model->parameters();
  double moved = 0;
  for (std::size_t i = 0; i < p0.size(); ++i)
    for (std::int64_t k = 0; k < p0[i]->value.numel(); ++k) {
      const double d1 = p1[i]->value.f32()[k] - p0[i]->value.f32()[k], d2 = p2[i]->value.f32()[k] - p0[i]->value.f32()[k];
      ASSERT_NEAR(d2, 2.0 * d1, 2e-6 + 1e-3 * std::abs(d2)) << p0[i]->name << "[" << k << "]";
      moved = std::max(moved, std::abs(d1));
    }
  EXPECT_GT(moved, 1e-4);  // the coverage loss moved the parameters (float noise is ~1e-7)

  Rig plain(FlatOptions{{"train.steps", "1"}});
  plain.trainer->train_step(batch);
  EXPECT_EQ(plain.trainer->last_coverage_loss(), -1.0);
}

TEST(Trainer, EarlyStoppingAfterPatienceValidationsWithoutImprovement) {
  // A learning rate far below float resolution leaves the weights as they
  // are, so the dev accuracy never improves after the first validation.
  int saves = 0;
  TrainerHooks hooks;
  hooks.save_model = [&](const Trainer&) { ++saves; };
  Rig s({{"optim.optimizer", "sgd"}, {"optim.lr", "1e-30"}, {"train.steps", "1000"}, {"train.valid_every", "5"},
           {"train.patience", "3"}, {"train.valid_metric", "accuracy"}},
          hooks);
  TrainResult r = s.trainer->run();
  EXPECT_EQ(r.reason, StopReason::EarlyStopping);
  EXPECT_EQ(r.step, 20);  // best at 5, then 10, 15, 20 without improvement
  EXPECT_EQ(s.trainer->state().best_step, 5);
  EXPECT_EQ(s.trainer->state().bad_checks, 3);
  EXPECT_EQ(saves, 1);
}

TEST(Trainer, HooksFireAtTheirIntervals) {
  std::vector<std::pair<std::int64_t, bool>> checkpoints;
  TrainerHooks hooks;
  hooks.checkpoint = [&](const Trainer& t, bool final) { checkpoints.emplace_back(t.state().step, final); };
  Rig s({{"train.steps", "100"}, {"train.save_every", "40"}}, hooks);
  s.trainer->run();
  EXPECT_EQ(checkpoints, (std::vector<std::pair<std::int64_t, bool>>{{40, false}, {80, false}, {100, true}}));
}

TEST(Trainer, InterruptionStopsAfterTheCurrentUpdate) {
  int polls = 0;
  TrainerHooks hooks;
  hooks.interrupted = [&] { return ++polls == 7; };
  bool final_checkpoint = false;
  hooks.checkpoint = [&](const Trainer&, bool final) { final_checkpoint = final; };
  Rig s({{"train.steps", "100"}}, hooks);
  TrainResult r = s.trainer->run();
  EXPECT_EQ(r.reason, StopReason::Interrupted);
  EXPECT_EQ(r.step, 7);
  EXPECT_TRUE(final_checkpoint);
  EXPECT_FALSE(r.validated);  // no end-of-run validation after an interruption
}

TEST(Trainer, EpochLimitStopsAtAnEpochBoundary) {
  Rig s(FlatOptions{{"train.epochs", "2"}, {"train.valid_every", "0"}});
  TrainResult r = s.trainer->run();
  EXPECT_EQ(r.reason, StopReason::Epochs);
  EXPECT_EQ(r.epoch, 2);
  EXPECT_EQ(s.trainer->state().sentences, 600u);  // every pair twice
  EXPECT_EQ(s.trainer->state().last_valid_step, r.step);  // valid_every 0: validated at each epoch end
}

TEST(Trainer, RequiresALimit) {
  Rig s(FlatOptions{});
  EXPECT_THROW(s.trainer->run(), Error);
}

TEST(Trainer, DeriveSeedSeparatesStreams) {
  EXPECT_NE(derive_seed(1, kSeedModelInit), derive_seed(1, kSeedData));
  EXPECT_NE(derive_seed(1, kSeedData), derive_seed(2, kSeedData));
  EXPECT_EQ(derive_seed(9, kSeedTrainer), derive_seed(9, kSeedTrainer));
}

}  // namespace
}  // namespace s2s::train
