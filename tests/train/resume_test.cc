// Exact resume through the files a run writes: 100 steps + resume + 100
// steps gives bitwise the same weights, optimizer state and trainer state as
// 200 steps in one go; and a run leaves a complete model directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/io/training_run.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::io {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TrainingRunResult run(const train::RunConfig& c, const std::string& resume = "", std::function<bool()> interrupted = {}) {
  TrainingRunOptions o;
  o.console = nullptr;
  o.resume = resume;
  o.interrupted = std::move(interrupted);
  return run_training(c, o);
}

// The newest checkpoint's files; trainer.json without the fields that
// record wall time or the best-model file (an extra end-of-run validation
// may save a best model that an uninterrupted run never evaluated).
struct Snapshot {
  std::string model, optimizer;
  nlohmann::json trainer;
};
Snapshot snapshot(const std::string& model_dir) {
  std::string ckpt = find_checkpoint(model_dir);
  Snapshot s{read_file(ckpt + "/model.safetensors"), read_file(ckpt + "/optimizer.safetensors"),
             nlohmann::json::parse(read_file(ckpt + "/trainer.json"))};
  for (const char* k : {"elapsed_s", "saved_metric", "saved_step"}) s.trainer.erase(k);
  return s;
}

class Resume : public ::testing::TestWithParam<bool> {};

TEST_P(Resume, HundredPlusHundredIsTwoHundredBitwise) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig base = testing::tiny_config(dir.path());
  base.data.stream = GetParam();
  base.data.buffer_pairs = 64;
  // A plateau schedule with no patience makes validations change the
  // learning rate, so the trajectory depends on validating at the same steps.
  base.schedule.kind = "plateau";
  base.schedule.patience = 0;
  base.schedule.factor = 0.5;
  base.schedule.threshold = 0.5;  // only halving the loss counts as progress
  base.train.valid_every = 30;  // step 100 is not a validation point

  train::RunConfig straight = base;
  straight.train.save_dir = dir.file("straight");
  straight.train.steps = 200;
  run(straight);

  train::RunConfig first = base;
  first.train.save_dir = dir.file("split");
  first.train.steps = 100;
  EXPECT_EQ(run(first).train.step, 100);
  train::RunConfig second = resume_config(dir.file("split"), {{"train.steps", "200"}});
  EXPECT_EQ(second.train.save_dir, dir.file("split"));
  TrainingRunResult r = run(second, dir.file("split"));
  EXPECT_EQ(r.train.step, 200);

  Snapshot a = snapshot(dir.file("straight")), b = snapshot(dir.file("split"));
  EXPECT_EQ(a.trainer, b.trainer);
  EXPECT_EQ(a.trainer["step"], 200);
  EXPECT_TRUE(a.model == b.model) << "weights differ";
  EXPECT_TRUE(a.optimizer == b.optimizer) << "optimizer state differs";
  // The schedule did react to validations (the test would be weak otherwise).
  EXPECT_NE(a.trainer["schedule"]["lr"], "0.01");
}

TEST_P(Resume, InterruptedRunContinuesExactly) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig base = testing::tiny_config(dir.path());
  base.data.stream = GetParam();
  base.data.buffer_pairs = 64;
  base.train.steps = 120;
  train::RunConfig straight = base;
  straight.train.save_dir = dir.file("straight");
  run(straight);

  train::RunConfig split = base;
  split.train.save_dir = dir.file("split");
  int polls = 0;
  TrainingRunResult first = run(split, "", [&] { return ++polls == 57; });
  EXPECT_EQ(first.train.reason, train::StopReason::Interrupted);
  EXPECT_EQ(first.train.step, 57);
  run(resume_config(dir.file("split"), {}), dir.file("split"));
  Snapshot a = snapshot(dir.file("straight")), b = snapshot(dir.file("split"));
  EXPECT_EQ(a.trainer, b.trainer);
  EXPECT_TRUE(a.model == b.model);
  EXPECT_TRUE(a.optimizer == b.optimizer);
}

INSTANTIATE_TEST_SUITE_P(InMemoryAndStreaming, Resume, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? std::string("Streaming") : std::string("InMemory"); });

TEST(TrainingRun, LeavesACompleteModelDirectory) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 100;  // checkpoints at 40, 80 and the end; keep the newest 2
  run(c);
  std::string m = dir.file("model");
  for (const char* f : {"config.yaml", "model.safetensors", "src.vocab", "tgt.vocab", "train.log.jsonl"})
    EXPECT_TRUE(fs::is_regular_file(m + "/" + f)) << f;
  std::vector<std::string> checkpoints;
  for (const auto& e : fs::directory_iterator(m + "/checkpoints")) {
    checkpoints.push_back(e.path().filename().string());
    for (const char* f : {"model.safetensors", "optimizer.safetensors", "trainer.json"})
      EXPECT_TRUE(fs::is_regular_file(e.path() / f)) << e.path() << " " << f;
  }
  std::sort(checkpoints.begin(), checkpoints.end());
  EXPECT_EQ(checkpoints, (std::vector<std::string>{"000002-step-80", "000003-step-100"}));
  EXPECT_EQ(checkpoint_step(find_checkpoint(m)), 100);

  // The model directory loads on its own, and the best weights are among the checked ones.
  ModelDir loaded = load_model_dir(m);
  EXPECT_EQ(loaded.model_config.hidden_size, 16);
  EXPECT_EQ(loaded.vocab.src_vocab->size(), 12);  // 4 reserved + a..h
  EXPECT_EQ(loaded.config.at("train.steps"), "100");
  EXPECT_FALSE(loaded.weights_metadata.at("step").empty());

  // Every log line is a JSON object with an event; training, validation and the end are there.
  std::map<std::string, int> events;
  std::string log = read_file(m + "/train.log.jsonl");
  std::size_t pos = 0;
  while (pos < log.size()) {
    std::size_t nl = log.find('\n', pos);
    auto j = nlohmann::json::parse(log.substr(pos, nl - pos));
    ++events[j.at("event").get<std::string>()];
    pos = nl + 1;
  }
  EXPECT_EQ(events["valid"], 4);  // steps 25, 50, 75, 100: none extra at the end
  EXPECT_EQ(events["done"], 1);
  EXPECT_EQ(events["start"], 1);
}

TEST(TrainingRun, RefusesToOverwriteAndToChangeTheModelOnResume) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 10;
  run(c);
  std::string m = dir.file("model");
  EXPECT_EQ(error_of([&] { run(c); }), m + ": already holds a model; continue it with --resume " + m + " or choose another --save-dir");
  EXPECT_EQ(error_of([&] { resume_config(m, {{"model.hidden_size", "32"}}); }),
            "model.hidden_size: a resumed run keeps its model (" + m + "/config.yaml says otherwise)");
  EXPECT_NO_THROW(resume_config(m, {{"model.hidden_size", "16"}, {"model.dropout", "0.10"}}));  // same meaning
  EXPECT_EQ(error_of([&] { find_checkpoint(dir.file("nothing")); }), dir.file("nothing") + ": no such directory to resume from");
  EXPECT_EQ(error_of([&] { run(resume_config(m, {}), dir.path()); }).rfind(dir.path() + ": no checkpoint to resume from", 0), 0u);
}

}  // namespace
}  // namespace s2s::io
