// Exact resume through the files a run writes, for every model family:
// 100 steps + resume + 100 steps gives bitwise the same weights, optimizer
// state and trainer state as 200 steps in one go; and a run leaves a
// complete model directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/run_quietly.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/io/model_dir.h"
#include "s2s/app/training_run.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::io {
using app::resume_config;
using app::TrainingRunResult;
namespace {

namespace fs = std::filesystem;

using s2s::testing::error_of;

using testing::run_quietly;

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

// (model family, streaming the corpus)
class Resume : public ::testing::TestWithParam<std::tuple<std::string, bool>> {
 protected:
  const std::string& family() const { return std::get<0>(GetParam()); }
  bool stream() const { return std::get<1>(GetParam()); }
};

TEST_P(Resume, HundredPlusHundredIsTwoHundredBitwise) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig base = testing::tiny_config(dir.path(), family());
  base.data.stream = stream();
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
  run_quietly(straight);

  train::RunConfig first = base;
  first.train.save_dir = dir.file("split");
  first.train.steps = 100;
  EXPECT_EQ(run_quietly(first).train.step, 100);
  train::RunConfig second = resume_config(dir.file("split"), {{"train.steps", "200"}});
  EXPECT_EQ(second.train.save_dir, dir.file("split"));
  TrainingRunResult r = run_quietly(second, dir.file("split"));
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
  train::RunConfig base = testing::tiny_config(dir.path(), family());
  base.data.stream = stream();
  base.data.buffer_pairs = 64;
  base.train.steps = 120;
  train::RunConfig straight = base;
  straight.train.save_dir = dir.file("straight");
  run_quietly(straight);

  train::RunConfig split = base;
  split.train.save_dir = dir.file("split");
  int polls = 0;
  TrainingRunResult first = run_quietly(split, "", [&] { return ++polls == 57; });
  EXPECT_EQ(first.train.reason, train::StopReason::Interrupted);
  EXPECT_EQ(first.train.step, 57);
  TrainingRunResult second = run_quietly(resume_config(dir.file("split"), {}), dir.file("split"));
  EXPECT_GT(second.train.elapsed_s, first.train.elapsed_s);  // the resumed run's time includes the first segment's
  Snapshot a = snapshot(dir.file("straight")), b = snapshot(dir.file("split"));
  EXPECT_EQ(a.trainer, b.trainer);
  EXPECT_TRUE(a.model == b.model);
  EXPECT_TRUE(a.optimizer == b.optimizer);
}

INSTANTIATE_TEST_SUITE_P(FamiliesInMemoryAndStreaming, Resume,
                         ::testing::Combine(::testing::ValuesIn(testing::model_families()), ::testing::Bool()),
                         [](const auto& p) {
                           return std::get<0>(p.param) + (std::get<1>(p.param) ? "_Streaming" : "_InMemory");
                         });

// DESIGN.md: same seed, same data, same threads give the same model; and
// results do not depend on the thread count. For every model family.
class RunDeterminism : public ::testing::TestWithParam<std::string> {};

TEST_P(RunDeterminism, ThreadCountDoesNotChangeTheResult) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  std::vector<Snapshot> runs;
  for (int threads : {1, 2, 1}) {
    train::RunConfig c = testing::tiny_config(dir.path(), GetParam());
    c.train.steps = 60;
    c.train.threads = threads;
    c.train.save_dir = dir.file("t" + std::to_string(runs.size()));
    run_quietly(c);
    runs.push_back(snapshot(c.train.save_dir));
  }
  for (std::size_t i = 1; i < runs.size(); ++i) {
    EXPECT_TRUE(runs[i].model == runs[0].model) << "run " << i;
    EXPECT_TRUE(runs[i].optimizer == runs[0].optimizer) << "run " << i;
    EXPECT_EQ(runs[i].trainer, runs[0].trainer);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, RunDeterminism, ::testing::ValuesIn(testing::model_families()),
                         [](const auto& p) { return p.param; });

TEST(TrainingRun, LeavesACompleteModelDirectory) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 100;  // checkpoints at 40, 80 and the end; keep the newest 2
  run_quietly(c);
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
  EXPECT_EQ(loaded.model_config.rnn.hidden_size, 16);
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
    if (j.at("event") == "done") {
      EXPECT_GT(j.at("elapsed_s").get<double>(), 0.0);
    }
    pos = nl + 1;
  }
  EXPECT_EQ(events["valid"], 4);  // steps 25, 50, 75, 100: none extra at the end
  EXPECT_EQ(events["done"], 1);
  EXPECT_EQ(events["start"], 1);
}

TEST(TrainingRun, PretrainedVectorsInitialiseAndFreezeTheEmbedding) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  // GloVe text format: vectors for two of the eight letters (embedding size 8).
  std::ofstream(dir.file("vectors.txt")) << "a 1 2 3 4 5 6 7 8\nb -1 -2 -3 -4 -5 -6 -7 -8\nzz 0 0 0 0 0 0 0 0\n";
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 30;
  c.data.src_embeddings = dir.file("vectors.txt");
  c.data.freeze_embeddings = true;
  run_quietly(c);
  ModelDir m = load_model_dir(c.train.save_dir);
  const data::Vocab& v = *m.vocab.src_vocab;
  for (auto* p : m.model->parameters()) {
    if (p->name != "encoder.embedding.weight") continue;
    const float* row_a = p->value.f32() + v.id("a") * 8;
    const float* row_b = p->value.f32() + v.id("b") * 8;
    for (int k = 0; k < 8; ++k) {
      EXPECT_EQ(row_a[k], static_cast<float>(k + 1));  // frozen: unchanged by 30 updates
      EXPECT_EQ(row_b[k], -static_cast<float>(k + 1));
    }
  }
  std::string log = read_file(c.train.save_dir + "/train.log.jsonl");
  EXPECT_NE(log.find("\"event\":\"pretrained\""), std::string::npos);
  EXPECT_NE(log.find("\"found\": 2, \"missing\": 9"), std::string::npos);  // 12 ids - padding - 2 found
  // A resumed run keeps the table frozen (and the optimizer state matches).
  run_quietly(resume_config(c.train.save_dir, {{"train.steps", "40"}}), c.train.save_dir);
  ModelDir again = load_model_dir(c.train.save_dir);
  for (auto* p : again.model->parameters()) {
    if (p->name == "encoder.embedding.weight") {
      EXPECT_EQ(p->value.f32()[v.id("a") * 8 + 7], 8.0f);
    }
  }
}

TEST(TrainingRun, RefusesToOverwriteAndToChangeTheModelOnResume) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 10;
  run_quietly(c);
  std::string m = dir.file("model");
  EXPECT_EQ(error_of([&] { run_quietly(c); }), m + ": already holds a model; continue it with --resume " + m + " or choose another --save-dir");
  EXPECT_EQ(error_of([&] { resume_config(m, {{"model.hidden_size", "32"}}); }),
            "model.hidden_size: a resumed run keeps its model (" + m + "/config.yaml says otherwise)");
  EXPECT_NO_THROW(resume_config(m, {{"model.hidden_size", "16"}, {"model.dropout", "0.10"}}));  // same meaning
  EXPECT_EQ(error_of([&] { find_checkpoint(dir.file("nothing")); }), dir.file("nothing") + ": no such directory to resume from");
  EXPECT_EQ(error_of([&] { run_quietly(resume_config(m, {}), dir.path()); }).rfind(dir.path() + ": no checkpoint to resume from", 0), 0u);
}

// A resume that would silently do nothing, or write elsewhere than asked, is refused.
TEST(TrainingRun, ResumeRefusesAnotherSaveDirAndTooFewSteps) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 10;
  run_quietly(c);
  std::string m = dir.file("model");
  EXPECT_EQ(error_of([&] { resume_config(m, {{"train.save_dir", dir.file("other")}}); }),
            "train.save_dir: a resumed run writes to its own model directory " + m + ", not " + dir.file("other") +
                " (leave --save-dir out, or copy " + m + " there and resume the copy)");
  EXPECT_NO_THROW(resume_config(m, {{"train.save_dir", m + "/."}}));  // the same directory, spelt differently
  std::string ckpt = find_checkpoint(m);
  for (const char* steps : {"5", "10"})
    EXPECT_EQ(error_of([&] { run_quietly(resume_config(m, {{"train.steps", steps}}), m); }),
              "train.steps: " + ckpt + " is at step 10, so train.steps " + steps +
                  " leaves nothing to train (give more steps to continue)");
  EXPECT_EQ(run_quietly(resume_config(m, {{"train.steps", "12"}}), m).train.step, 12);
}

}  // namespace
}  // namespace s2s::io
