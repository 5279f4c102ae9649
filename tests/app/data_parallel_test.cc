// Data-parallel runs with the ranks as threads (support/thread_communicator.h),
// the same code paths mpirun drives: N ranks give the bits of one process
// accumulating N batches per update, for every model family (dropout and,
// for the RNN, scheduled sampling on, so the per-batch RNG matters); only
// rank 0 writes; a resume with the same count continues exactly, another
// count is refused; ranks started differently are refused before anything
// is written. tests/cli/mpi_train_test.sh runs the real mpirun.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "s2s/app/training_run.h"
#include "s2s/io/atomic_file.h"
#include "s2s/io/checkpoint.h"
#include "support/error_of.h"
#include "support/temp_dir.h"
#include "support/thread_communicator.h"
#include "train/tiny_run.h"

namespace s2s::app {
namespace {

namespace fs = std::filesystem;
using testing::run_ranks;

TrainingRunResult run_as(train::Communicator* comm, const train::RunConfig& c, const std::string& resume = "") {
  TrainingRunOptions o;
  o.console = nullptr;
  o.resume = resume;
  o.processes = comm;
  return run_training(c, o);
}

std::vector<std::string> run_two(const train::RunConfig& c, const std::string& resume = "") {
  return run_ranks(2, [&](train::Communicator& comm) { run_as(&comm, c, resume); });
}

// The newest checkpoint's weights and optimizer state, and its trainer state
// without the wall time and the process count.
std::string final_state(const std::string& model_dir) {
  const std::string dir = io::list_checkpoint_dirs(model_dir).back();
  nlohmann::json trainer = nlohmann::json::parse(io::read_file(dir + "/trainer.json"));
  trainer.erase("elapsed_s");
  trainer.erase("processes");
  return io::read_file(dir + "/model.safetensors") + io::read_file(dir + "/optimizer.safetensors") + trainer.dump();
}

int count_events(const std::string& model_dir, const std::string& kind) {
  std::istringstream in(io::read_file(model_dir + "/train.log.jsonl"));
  int n = 0;
  for (std::string line; std::getline(in, line);) n += nlohmann::json::parse(line)["event"] == kind;
  return n;
}

class DataParallel : public ::testing::TestWithParam<std::string> {};

TEST_P(DataParallel, TwoRanksGiveTheBitsOfOneProcessAccumulatingTwoBatches) {
  s2s::testing::TempDir dir;
  s2s::testing::write_tiny_corpus(dir.path());
  train::RunConfig c = s2s::testing::tiny_config(dir.path(), GetParam());
  c.train.steps = 12;
  c.train.valid_every = 5;  // rank 0 validates and shares: patience and the best model agree
  c.train.save_every = 6;

  train::RunConfig single = c;
  single.train.accum_steps = 2;
  single.train.save_dir = dir.file("single");
  run_as(nullptr, single);
  train::RunConfig one_batch = c;
  one_batch.train.save_dir = dir.file("one_batch");
  run_as(nullptr, one_batch);

  c.train.save_dir = dir.file("two");
  // Threads per process may differ between ranks and from the single run (as RunDeterminism, for these sizes).
  ASSERT_EQ(run_ranks(2, [&](train::Communicator& comm) {
              train::RunConfig mine = c;
              mine.train.threads = 2 - comm.rank();
              run_as(&comm, mine);
            }),
            (std::vector<std::string>{"", ""}));
  EXPECT_EQ(io::read_file(dir.file("two/model.safetensors")), io::read_file(dir.file("single/model.safetensors")));
  EXPECT_EQ(final_state(dir.file("two")), final_state(dir.file("single")));
  EXPECT_NE(final_state(dir.file("two")), final_state(dir.file("one_batch")));  // the comparison can fail
  // Rank 1 wrote nothing: one start in the log, rank 0's checkpoints only.
  EXPECT_EQ(count_events(dir.file("two"), "start"), 1);
  EXPECT_EQ(count_events(dir.file("two"), "valid"), count_events(dir.file("single"), "valid"));
  EXPECT_EQ(io::list_checkpoint_dirs(dir.file("two")).size(), 2u);
  nlohmann::json trainer = nlohmann::json::parse(io::read_file(io::list_checkpoint_dirs(dir.file("two")).back() + "/trainer.json"));
  EXPECT_EQ(trainer["processes"], 2);
  EXPECT_EQ(trainer["step"], 12);
}

TEST_P(DataParallel, ThreeRanksGiveTheBitsOfAccumulatingThree) {
  s2s::testing::TempDir dir;
  s2s::testing::write_tiny_corpus(dir.path());
  train::RunConfig c = s2s::testing::tiny_config(dir.path(), GetParam());
  c.train.steps = 0;
  c.train.epochs = 1;  // 13 batches: the last update has one batch, and ranks 1 and 2 none
  c.train.save_every = 0;
  train::RunConfig single = c;
  single.train.accum_steps = 3;
  single.train.save_dir = dir.file("single");
  run_as(nullptr, single);
  c.train.save_dir = dir.file("three");
  std::vector<std::string> errors = run_ranks(3, [&](train::Communicator& comm) { run_as(&comm, c); });
  ASSERT_EQ(errors, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(final_state(dir.file("three")), final_state(dir.file("single")));
}

TEST(DataParallelStream, StreamedDataGiveTheSameBitsToo) {
  // Every rank reads the corpus in buffers of its own and builds the same batches.
  s2s::testing::TempDir dir;
  s2s::testing::write_tiny_corpus(dir.path());
  train::RunConfig c = s2s::testing::tiny_config(dir.path());
  c.data.stream = true;
  c.data.buffer_pairs = 70;
  c.train.steps = 10;
  train::RunConfig single = c;
  single.train.accum_steps = 2;
  single.train.save_dir = dir.file("single");
  run_as(nullptr, single);
  c.train.save_dir = dir.file("two");
  ASSERT_EQ(run_two(c), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(final_state(dir.file("two")), final_state(dir.file("single")));
}

INSTANTIATE_TEST_SUITE_P(Families, DataParallel, ::testing::ValuesIn(s2s::testing::model_families()));

TEST(DataParallelResume, SameCountContinuesExactlyAnotherIsRefused) {
  s2s::testing::TempDir dir;
  s2s::testing::write_tiny_corpus(dir.path());
  train::RunConfig c = s2s::testing::tiny_config(dir.path());
  c.train.steps = 12;
  c.train.save_every = 4;
  c.train.save_dir = dir.file("full");
  ASSERT_EQ(run_two(c), (std::vector<std::string>{"", ""}));

  train::RunConfig part = c;
  part.train.save_dir = dir.file("part");
  part.train.steps = 6;
  ASSERT_EQ(run_two(part), (std::vector<std::string>{"", ""}));
  part.train.steps = 12;
  ASSERT_EQ(run_two(part, dir.file("part")), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(final_state(dir.file("part")), final_state(dir.file("full")));

  part.train.steps = 16;
  const std::string before = final_state(dir.file("part"));
  EXPECT_NE(s2s::testing::error_of([&] { run_as(nullptr, part, dir.file("part")); })
                .find("written by a run of 2 processes, this run has 1: resume it with the same count (mpirun -np 2)"),
            std::string::npos);
  std::vector<std::string> three = run_ranks(3, [&](train::Communicator& comm) { run_as(&comm, part, dir.file("part")); });
  for (const std::string& e : three) EXPECT_NE(e.find("written by a run of 2 processes, this run has 3"), std::string::npos) << e;
  EXPECT_EQ(final_state(dir.file("part")), before);
}

TEST(DataParallelStart, RanksWithOtherOptionsAreRefusedBeforeAnythingIsWritten) {
  s2s::testing::TempDir dir;
  s2s::testing::write_tiny_corpus(dir.path());
  train::RunConfig c = s2s::testing::tiny_config(dir.path());
  c.train.steps = 4;
  c.train.save_dir = dir.file("model");
  std::vector<std::string> errors = run_ranks(2, [&](train::Communicator& comm) {
    train::RunConfig mine = c;
    if (comm.rank() == 1) mine.optim.lr = 0.02;
    mine.train.threads = comm.rank() + 1;  // may differ: it does not change the result
    run_as(&comm, mine);
  });
  EXPECT_EQ(errors[0], "rank 1 of 2 got other options (command line, --config file or --resume) than rank 0");
  EXPECT_EQ(errors[1], errors[0] + " (this is rank 1)");
  EXPECT_FALSE(fs::exists(dir.file("model/config.yaml")));
  EXPECT_FALSE(fs::exists(dir.file("model/train.log.jsonl")));
}

}  // namespace
}  // namespace s2s::app
