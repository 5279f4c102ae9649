// run_training with nothing on the console: what most training tests call.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "s2s/app/training_run.h"

namespace s2s::testing {

inline app::TrainingRunResult run_quietly(const train::RunConfig& c, const std::string& resume = "",
                                          std::function<bool()> interrupted = {}) {
  app::TrainingRunOptions o;
  o.console = nullptr;
  o.resume = resume;
  o.interrupted = std::move(interrupted);
  return app::run_training(c, o);
}

}  // namespace s2s::testing
