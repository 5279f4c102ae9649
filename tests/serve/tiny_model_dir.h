#pragma once
// A small trained model directory for the serve tests: the reverse-the-letters
// task of tests/train/tiny_run.h (words over a..h, char tokenizer; a GRU +
// Bahdanau attention or a tiny Transformer) trained for a few hundred steps,
// so outputs are varied and sensible ("abc" -> "cba" mostly) and the
// attention is worth drawing.
#include <string>

#include "s2s/app/training_run.h"
#include "train/tiny_run.h"

namespace s2s::serve::testing {

// Trains a model of `family` into `work`/model (a few seconds) and returns that directory.
inline std::string train_tiny_model_dir(const std::string& work, std::int64_t steps = 300,
                                        const std::string& family = "rnn") {
  s2s::testing::write_tiny_corpus(work);
  train::RunConfig c = s2s::testing::tiny_config(work, family);
  c.train.steps = steps;
  c.train.log = "none";
  app::TrainingRunOptions o;
  o.console = nullptr;
  return app::run_training(c, o).save_dir;
}

}  // namespace s2s::serve::testing
