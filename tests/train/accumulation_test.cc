// Gradient accumulation (train.accum_steps): N batches per update give the
// update of one batch holding all of them; steps count updates; an epoch's
// end cuts its last update short; logs report tokens per update; a run with
// accumulation resumes exactly. Each for every model family.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>

#include "s2s/autograd/ops.h"
#include "s2s/data/batch.h"
#include "s2s/train/clip_grad.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/app/training_run.h"
#include "support/temp_dir.h"
#include "train/trainer_rig.h"

namespace s2s::train {
namespace {

const FlatOptions kTrainOptions{{"optim.optimizer", "sgd"},  {"optim.lr", "0.5"},
                                {"optim.momentum", "0.9"},   {"optim.clip_norm", "0.5"},
                                {"train.label_smoothing", "0.1"}, {"train.seed", "4"}};

// The tiny model of `family` without dropout: the compared runs draw their
// masks in different orders.
FlatOptions options_for(const std::string& family) {
  FlatOptions o = testing::merged(kTrainOptions, testing::tiny_model_options(family));
  o["model.dropout"] = "0";
  if (family == "transformer") o["model.transformer.attention_dropout"] = "0";
  return o;
}

class Accumulation : public ::testing::TestWithParam<std::string> {
 protected:
  FlatOptions options_ = options_for(GetParam());
};

data::Batch batch_of(const data::Dataset& ds, std::uint32_t begin, std::uint32_t end) {
  std::vector<std::uint32_t> ids(end - begin);
  std::iota(ids.begin(), ids.end(), begin);
  data::Batch b;
  data::make_batch(ds, ids, false, b);
  return b;
}

float max_abs_diff(const std::vector<autograd::Parameter*>& a, const std::vector<autograd::Parameter*>& b) {
  float worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::int64_t k = 0; k < a[i]->value.numel(); ++k)
      worst = std::max(worst, std::abs(a[i]->value.f32()[k] - b[i]->value.f32()[k]));
  return worst;
}

TEST_P(Accumulation, ThreeBatchesUpdateLikeOneBatchHoldingThemAll) {
  // Batches of different sizes and lengths, so normalising each batch on its
  // own (a mean of means) would give a different update.
  auto ds = testing::reverse_dataset(40, 21);
  std::vector<data::Batch> parts{batch_of(*ds, 0, 7), batch_of(*ds, 7, 23), batch_of(*ds, 23, 40)};
  std::vector<data::Batch> whole{batch_of(*ds, 0, 40)};
  ASSERT_NE(parts[0].tgt_tokens * 16, parts[1].tgt_tokens * 7);

  testing::TrainerRig accumulated(options_, {}, {}), single(options_, {}, {}), untouched(options_, {}, {});
  ASSERT_EQ(max_abs_diff(accumulated.model->parameters(), single.model->parameters()), 0.0f);
  for (int update = 0; update < 3; ++update) {
    double a = accumulated.trainer->train_update(parts);
    double b = single.trainer->train_update(whole);
    EXPECT_NEAR(a, b, 1e-6) << "update " << update + 1;
    EXPECT_LE(max_abs_diff(accumulated.model->parameters(), single.model->parameters()), 1e-6f) << "update " << update + 1;
  }
  // The updates did move the weights (clipped to norm 0.5, with momentum).
  EXPECT_GT(max_abs_diff(accumulated.model->parameters(), untouched.model->parameters()), 1e-2f);
  EXPECT_EQ(accumulated.trainer->state().step, 3);
  EXPECT_EQ(accumulated.trainer->state().target_tokens, single.trainer->state().target_tokens);
  EXPECT_EQ(accumulated.trainer->state().sentences, 3u * 40u);
  EXPECT_EQ(accumulated.optimizer->step_count(), 3);
}

TEST_P(Accumulation, OneBatchIsAPlainMeanLossStepBitForBit) {
  // The seed 1/T on the summed loss gives the gradient of the mean loss
  // exactly, so train_step is the textbook step, bit for bit.
  auto ds = testing::reverse_dataset(30, 5);
  data::Batch b = batch_of(*ds, 0, 30);
  testing::TrainerRig x(options_, {}, {}), y(options_, {}, {});
  std::vector<autograd::Parameter*> params = y.model->parameters();
  Rng rng(derive_seed(y.config.train.seed, kSeedTrainer));
  for (int k = 0; k < 2; ++k) {
    const double loss = x.trainer->train_step(b);
    autograd::Graph g(/*grad_enabled=*/true);
    models::ForwardOptions fo;
    fo.training = true;
    fo.rng = &rng;
    autograd::Var logits = y.model->forward(g, {b.src, b.src_len, Tensor()}, {b.tgt_in, b.tgt_len, Tensor()}, fo);
    autograd::Var mean = autograd::cross_entropy(logits, b.tgt_out.reshape({b.tgt_out.numel()}),
                                                 {.ignore_index = models::kPad, .label_smoothing = 0.1f});
    EXPECT_NEAR(loss, mean.value().f32()[0], 1e-6);
    g.backward(mean, {.release_values = true});
    clip_grad_norm(params, 0.5);
    y.optimizer->set_lr(y.schedule->lr());
    y.optimizer->step();
    y.schedule->step();
    y.optimizer->zero_grad();
    EXPECT_EQ(max_abs_diff(x.model->parameters(), params), 0.0f) << "update " << k + 1;
  }
}

TEST(AccumulationRun, StepsCountUpdatesAndAnEpochEndsItsLastUpdateEarly) {
  // 100 pairs in batches of 16 make 7 batches an epoch: updates of 3, 3 and 1 batch.
  testing::TempDir dir;
  FlatOptions o = testing::merged(options_for("rnn"), {{"train.accum_steps", "3"}, {"train.epochs", "2"}, {"train.valid_every", "0"},
                                             {"train.report_every", "1"}, {"train.save_every", "0"}});
  testing::TrainerRig rig(o, {}, {.train_pairs = 100, .batch_seed = 9});
  TrainLog log(nullptr, dir.file("log.jsonl"), false);
  rig.trainer = std::make_unique<Trainer>(*rig.model, *rig.optimizer, *rig.schedule, *rig.batcher,
                                          testing::batches_of(*testing::reverse_dataset(20, 12), 16), rig.config, &log);
  TrainResult r = rig.trainer->run();
  EXPECT_EQ(r.reason, StopReason::Epochs);
  EXPECT_EQ(r.step, 6);
  EXPECT_EQ(rig.schedule->state().step, 6);
  EXPECT_EQ(rig.optimizer->step_count(), 6);

  // Every pair was read twice; the log's tokens per update add up to that.
  data::Batcher count(testing::reverse_dataset(100, 11), {.batch_sentences = 16});
  std::uint64_t epoch_tokens = 0;
  for (data::Batch b; count.next(b);) epoch_tokens += static_cast<std::uint64_t>(b.tgt_tokens);
  EXPECT_EQ(rig.trainer->state().target_tokens, 2 * epoch_tokens);
  EXPECT_EQ(rig.trainer->state().sentences, 200u);
  std::ifstream in(dir.file("log.jsonl"));
  double logged = 0;
  std::vector<std::int64_t> validated, epochs;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["event"] == "train") logged += j["tokens_per_update"].get<double>();
    if (j["event"] == "valid") validated.push_back(j["step"].get<std::int64_t>());
    if (j["event"] == "epoch") epochs.push_back(j["step"].get<std::int64_t>());
  }
  EXPECT_EQ(logged, static_cast<double>(2 * epoch_tokens));
  // Each epoch ended inside an update (7 = 3 + 3 + 1): handled right after it.
  EXPECT_EQ(epochs, (std::vector<std::int64_t>{3, 6}));
  EXPECT_EQ(validated, (std::vector<std::int64_t>{3, 6}));
}

// The newest checkpoint's files, without the fields that record wall time or the best-model file.
struct Snapshot {
  std::string model, optimizer;
  nlohmann::json trainer;
};
Snapshot snapshot(const std::string& model_dir) {
  std::string ckpt = io::find_checkpoint(model_dir);
  Snapshot s{io::read_file(ckpt + "/model.safetensors"), io::read_file(ckpt + "/optimizer.safetensors"),
             nlohmann::json::parse(io::read_file(ckpt + "/trainer.json"))};
  for (const char* k : {"elapsed_s", "saved_metric", "saved_step"}) s.trainer.erase(k);
  return s;
}

TEST_P(Accumulation, ARunWithAccumulationResumesExactly) {
  // Checkpoints are taken between updates only, so resuming never starts
  // inside one. 200 pairs / 16 = 13 batches an epoch: updates of 3,3,3,3,1.
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  RunConfig base = testing::tiny_config(dir.path(), GetParam());
  base.train.accum_steps = 3;
  base.train.steps = 24;
  base.train.valid_every = 7;
  auto run = [](const RunConfig& c, const std::string& resume, std::function<bool()> interrupted) {
    app::TrainingRunOptions o;
    o.console = nullptr;
    o.resume = resume;
    o.interrupted = std::move(interrupted);
    return app::run_training(c, o);
  };
  RunConfig straight = base;
  straight.train.save_dir = dir.file("straight");
  run(straight, "", {});
  RunConfig split = base;
  split.train.save_dir = dir.file("split");
  int polls = 0;
  app::TrainingRunResult first = run(split, "", [&] { return ++polls == 11; });
  EXPECT_EQ(first.train.step, 11);
  app::TrainingRunResult second = run(app::resume_config(dir.file("split"), {}), dir.file("split"), {});
  EXPECT_EQ(second.train.step, 24);
  Snapshot a = snapshot(dir.file("straight")), b = snapshot(dir.file("split"));
  EXPECT_EQ(a.trainer, b.trainer);
  EXPECT_EQ(a.trainer["step"], 24);
  EXPECT_TRUE(a.model == b.model) << "weights differ";
  EXPECT_TRUE(a.optimizer == b.optimizer) << "optimizer state differs";
}

INSTANTIATE_TEST_SUITE_P(Families, Accumulation, ::testing::ValuesIn(testing::model_families()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace s2s::train
