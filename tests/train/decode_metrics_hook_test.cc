// TrainerHooks::decode_metrics: the trainer takes the named scores it
// returns as train.valid_metric, in the metric's direction (WER lower, BLEU
// higher), for the best model, patience and the plateau schedule.
#include <gtest/gtest.h>

#include <vector>

#include "s2s/core/error.h"
#include "s2s/train/trainer.h"
#include "train/trainer_rig.h"

namespace s2s::train {
namespace {

// data.dev only names the dev set for the option checks; the batches come from the rig.
struct Rig : testing::TrainerRig {
  Rig(const FlatOptions& overrides, TrainerHooks hooks)
      : TrainerRig(testing::merged({{"model.hidden_size", "8"}, {"model.embedding_size", "4"}, {"train.valid_every", "5"},
                                    {"train.save_every", "0"}, {"train.steps", "1000"}, {"data.dev", "dev.tsv"}},
                                   overrides),
                   std::move(hooks), {.train_pairs = 100, .dev_pairs = 20, .batch_seed = {}}) {}
};

// A hook that reports the scripted values in turn, with a constant second metric.
TrainerHooks scripted(const std::string& name, std::vector<double> values, std::vector<std::int64_t>* saves) {
  TrainerHooks h;
  auto next = std::make_shared<std::size_t>(0);
  h.decode_metrics = [=](const Trainer&) {
    double v = values.at(std::min(*next, values.size() - 1));
    ++*next;
    return std::vector<std::pair<std::string, double>>{{"chrf", 50.0}, {name, v}};
  };
  h.save_model = [saves](const Trainer& t) { saves->push_back(t.state().step); };
  return h;
}

TEST(DecodeMetricsHook, LowerWerIsBetterAndDrivesPatience) {
  std::vector<std::int64_t> saves;
  Rig s({{"train.valid_metrics", "chrf,wer"}, {"train.valid_metric", "wer"}, {"train.patience", "2"}},
        scripted("wer", {50, 40, 45, 30, 30, 35}, &saves));
  TrainResult r = s.trainer->run();
  EXPECT_EQ(r.reason, StopReason::EarlyStopping);
  EXPECT_EQ(r.step, 30);  // best 30 at step 20; 25 ties and 30 is worse
  EXPECT_EQ(r.best_step, 20);
  EXPECT_EQ(r.best_metric, 30.0);
  EXPECT_EQ(saves, (std::vector<std::int64_t>{5, 10, 20}));
  ASSERT_EQ(r.last_validation.decoded.size(), 2u);
  EXPECT_EQ(r.last_validation.decoded[1], (std::pair<std::string, double>{"wer", 35.0}));
}

TEST(DecodeMetricsHook, HigherBleuIsBetterAndFeedsThePlateauSchedule) {
  std::vector<std::int64_t> saves;
  Rig s({{"train.valid_metrics", "bleu,chrf"}, {"train.valid_metric", "bleu"}, {"train.steps", "25"},
         {"schedule.kind", "plateau"}, {"schedule.patience", "1"}, {"schedule.factor", "0.5"}, {"optim.lr", "0.01"}},
        scripted("bleu", {10, 20, 15, 12, 25}, &saves));
  TrainResult r = s.trainer->run();
  EXPECT_EQ(r.reason, StopReason::Steps);
  EXPECT_EQ(saves, (std::vector<std::int64_t>{5, 10, 25}));
  EXPECT_EQ(r.best_metric, 25.0);
  // Two validations without a higher BLEU (15, 12 after 20) cut the rate once.
  EXPECT_DOUBLE_EQ(s.schedule->lr(), 0.005);
}

TEST(DecodeMetricsHook, AMetricNobodyComputesIsAnError) {
  std::vector<std::int64_t> saves;
  // No hook at all.
  try {
    Rig s({{"train.valid_metrics", "bleu"}, {"train.valid_metric", "bleu"}}, TrainerHooks{});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train.valid_metric: 'bleu' needs decoding metrics"), std::string::npos) << e.what();
  }
  // A hook that does not return the chosen metric.
  Rig s({{"train.valid_metrics", "bleu"}, {"train.valid_metric", "bleu"}}, scripted("wer", {1}, &saves));
  try {
    s.trainer->run();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train.valid_metric: 'bleu' was not computed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace s2s::train
