#pragma once
// `s2s train`'s command line turned into a run configuration: the option
// declarations, their aliases, --config, --resume and every check on them.
// The program and the Python binding (s2s.train) both call this, so the two
// accept the same options and refuse the same values with the same messages.
#include <cstdint>
#include <span>
#include <string>

#include "s2s/io/yaml_config.h"
#include "s2s/train/run_config.h"

namespace s2s::cli {

struct TrainArgs {
  bool help = false;  // --help was given: help_text is set, nothing else
  std::string help_text;
  train::RunConfig config;  // defaults < --config FILE < options (< the model directory's config on --resume)
  std::string resume;       // --resume DIR, or ""
  bool dump_config = false;
  std::int64_t examples = 0;
};

// `config`: a configuration already read, in place of --config FILE (the
// Python binding's dict, parsed as YAML).
TrainArgs parse_train_args(std::span<const std::string> argv, const io::ConfigFile* config = nullptr);

}  // namespace s2s::cli
