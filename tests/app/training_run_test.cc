// What a training run leaves behind when it fails or ends: a failed start
// leaves no model in the way of a rerun, a failed resume leaves the run as it
// was, a fatal error is the log's last event, and the final checkpoint does
// not push out an older step.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/run_quietly.h"
#include "s2s/core/error.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "s2s/app/training_run.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "train/tiny_run.h"

namespace s2s::app {
using namespace s2s::io;
namespace {

namespace fs = std::filesystem;

using s2s::testing::error_of;

using testing::run_quietly;

std::vector<std::string> checkpoint_names(const std::string& model_dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(model_dir + "/checkpoints")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json last_log_event(const std::string& model_dir) {
  std::string log = read_file(model_dir + "/train.log.jsonl");
  log.pop_back();
  return nlohmann::json::parse(log.substr(log.rfind('\n') + 1));
}

// --save-every 40 --steps 80: the periodic checkpoint at 80 and the final one
// are the same step, which must not count twice and push out step 40.
TEST(CheckpointRetention, FinalCheckpointReplacesTheSameStepNotAnOlderOne) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 80;
  c.train.save_every = 40;
  c.train.keep_checkpoints = 2;
  run_quietly(c);
  EXPECT_EQ(checkpoint_names(dir.file("model")), (std::vector<std::string>{"000001-step-40", "000003-step-80"}));

  c.train.save_dir = dir.file("keep1");
  c.train.keep_checkpoints = 1;
  run_quietly(c);
  EXPECT_EQ(checkpoint_names(dir.file("keep1")), (std::vector<std::string>{"000003-step-80"}));
}

// Overrides that make a resume fail (a missing corpus, a bad dev set) change
// nothing of the run: config.yaml stays, and a plain resume still works.
TEST(FailedResume, LeavesTheRunAsItWas) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 40;
  run_quietly(c);
  const std::string m = dir.file("model"), config = read_file(m + "/config.yaml");
  for (const char* key : {"data.train", "data.dev"}) {
    std::string error =
        error_of([&] { run_quietly(resume_config(m, {{key, dir.file("missing.tsv")}, {"train.steps", "80"}}), m); });
    EXPECT_NE(error.find(dir.file("missing.tsv")), std::string::npos) << error;
    EXPECT_EQ(read_file(m + "/config.yaml"), config) << key;
    EXPECT_EQ(last_log_event(m)["event"], "error");
  }
  TrainingRunResult r = run_quietly(resume_config(m, {{"train.steps", "80"}}), m);
  EXPECT_EQ(r.train.step, 80);
  EXPECT_NE(read_file(m + "/config.yaml").find("steps: 80"), std::string::npos);  // a started resume saves its options
}

// A run that fails before training begins leaves no config.yaml, keeps the
// files that were there, and a plain rerun proceeds; --resume says why there
// is nothing to continue.
TEST(FailedStart, LeavesNoModelInTheWayOfARerun) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 10;
  const std::string m = dir.file("model");
  fs::create_directories(m);
  write_file_atomic(m + "/notes.txt", "mine\n");
  c.data.dev = dir.file("missing_dev.tsv");
  EXPECT_NE(error_of([&] { run_quietly(c); }).find("missing_dev.tsv"), std::string::npos);
  EXPECT_FALSE(fs::exists(m + "/config.yaml"));
  EXPECT_EQ(read_file(m + "/notes.txt"), "mine\n");
  nlohmann::json e = last_log_event(m);
  EXPECT_EQ(e["event"], "error");
  EXPECT_NE(e["message"].get<std::string>().find("missing_dev.tsv"), std::string::npos) << e;
  EXPECT_EQ(error_of([&] { assemble_run_config({}, {}, m); }),
            m + ": nothing to resume: no config.yaml (a run that failed before training began leaves none; start it again "
                "without --resume)");

  c.data.dev = dir.file("dev.tsv");
  EXPECT_EQ(run_quietly(c).train.step, 10);
  EXPECT_EQ(read_file(m + "/notes.txt"), "mine\n");
}

// No limit at all is refused before the directory is made.
TEST(FailedStart, NoLimitMakesNoDirectory) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = c.train.epochs = 0;
  c.train.max_time = 0;
  EXPECT_EQ(error_of([&] { run_quietly(c); }),
            "train.steps, train.epochs and train.max_time are all 0: set at least one (--steps N, --epochs N)");
  EXPECT_FALSE(fs::exists(dir.file("model")));
}

// A run that fails after it started but before its first checkpoint (out of
// memory here) holds config.yaml but no weights: still no model.
TEST(FailedStart, ErrorInTheLoopIsLoggedAndARerunProceeds) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 10;
  const std::string m = dir.file("model");
  EXPECT_THROW(run_quietly(c, "", []() -> bool { throw std::bad_alloc(); }), std::bad_alloc);
  EXPECT_TRUE(fs::exists(m + "/config.yaml"));
  EXPECT_FALSE(holds_trained_model(m));
  EXPECT_EQ(last_log_event(m), (nlohmann::json{{"event", "error"}, {"message", "out of memory"}}));
  EXPECT_EQ(error_of([&] { run_quietly(resume_config(m, {}), m); }),
            m + ": no checkpoint to resume from: the run stopped before it saved one, so there is nothing to continue; "
                "start it again without --resume");
  EXPECT_EQ(run_quietly(c).train.step, 10);
  EXPECT_TRUE(holds_trained_model(m));
  EXPECT_EQ(error_of([&] { run_quietly(c); }), m + ": already holds a model; continue it with --resume " + m + " or choose another --save-dir");
}

TEST(ResumeErrors, NameTheDirectory) {
  testing::TempDir dir;
  EXPECT_EQ(error_of([&] { assemble_run_config({}, {}, dir.file("nowhere")); }),
            dir.file("nowhere") + ": no such directory to resume from");
  fs::create_directories(dir.file("empty"));
  EXPECT_EQ(error_of([&] { assemble_run_config({}, {}, dir.file("empty")); }).rfind(dir.file("empty") + ": nothing to resume: no config.yaml", 0),
            0u);
}

// The log is appended to: it must not be a corpus.
TEST(TrainingRunLog, RefusesToAppendToTheCorpus) {
  testing::TempDir dir;
  testing::write_tiny_corpus(dir.path());
  train::RunConfig c = testing::tiny_config(dir.path());
  c.train.steps = 10;
  c.train.log = dir.path() + "/./dev.tsv";
  const std::string dev = read_file(dir.file("dev.tsv"));
  EXPECT_EQ(error_of([&] { run_quietly(c); }), "s2s train: train.log " + c.train.log + " is the same file as data.dev " + dir.file("dev.tsv") +
                                           ": writing it would destroy the input; choose another output file");
  EXPECT_EQ(read_file(dir.file("dev.tsv")), dev);
}

}  // namespace
}  // namespace s2s::app
