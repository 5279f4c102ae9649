#pragma once
// A whole training run from its configuration: vocabularies (built or
// loaded), the model directory, data, model, optimizer, schedule, trainer,
// log, checkpoints and resuming. `s2s train` is this call; a library user
// who wants the same run with files calls it too.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

#include "s2s/io/yaml_config.h"
#include "s2s/train/communicator.h"
#include "s2s/train/run_config.h"
#include "s2s/train/trainer.h"

namespace s2s::app {

struct TrainingRunOptions {
  // A model directory (or one of its checkpoint directories) to continue;
  // config.train.save_dir must be that model directory. "" = a fresh run,
  // which refuses a save_dir that already holds one.
  std::string resume;
  std::FILE* console = stdout;            // nullptr: silent
  std::function<bool()> interrupted;      // polled after every update
  // Every log record (the JSON object of its train.log.jsonl line), as it is
  // written: start, train reports, validations, done. It must not throw.
  std::function<void(const std::string& json)> on_record;
  // The processes of a data-parallel run (mpirun; train::make_communicator),
  // nullptr: this one alone. All ranks call run_training with the same
  // config; they check that they agree (app/data_parallel.h), and only rank
  // 0 writes: model directory, log, checkpoints, console.
  train::Communicator* processes = nullptr;
};

struct TrainingRunResult {
  train::TrainResult train;
  std::int64_t parameters = 0;  // trainable values
  std::string save_dir;
};

TrainingRunResult run_training(const train::RunConfig& config, const TrainingRunOptions& options = {});

// The effective configuration to resume `dir` with: its config.yaml with
// `overrides` on top. Model options cannot change.
train::RunConfig resume_config(const std::string& dir, const train::FlatOptions& overrides);

// What `s2s train` runs: defaults < the YAML file < the command line. Errors
// in values from the file name file:line. With `resume`, the model
// directory's config.yaml comes first (see resume_config).
train::RunConfig assemble_run_config(const io::ConfigFile& file, const train::FlatOptions& command_line,
                                     const std::string& resume = "");

}  // namespace s2s::app
