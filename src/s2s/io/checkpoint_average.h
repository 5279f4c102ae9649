#pragma once
// Checkpoint averaging (`s2s average`): the element-wise mean of the
// parameters of several checkpoints of one model directory, written as a new
// model directory with the same config.yaml and vocabularies, ready for
// `s2s translate`. Works on the parameters by name, so for every model family.
//
// The mean is accumulated in double, the checkpoints added in the order
// given (oldest first for `last`), then divided and rounded to fp32 once:
// the result does not depend on threads, and averaging one checkpoint gives
// it back bit for bit.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "s2s/autograd/parameter.h"

namespace s2s::io {

struct AverageOptions {
  std::string model_dir;                 // the training run's model directory
  std::int64_t last = 0;                 // the newest N complete checkpoints, or
  std::vector<std::string> checkpoints;  // these: paths, or names under model_dir/checkpoints/
  std::string output;                    // the new model directory (must not exist)
};

struct AverageResult {
  std::vector<std::string> checkpoints;  // the checkpoint directories averaged, in order
  std::string output;
};

// Picks the checkpoints, checks each against the model the directory's
// config describes, averages and writes `output` atomically (a temporary
// directory renamed into place). Refuses an existing output, an output that
// is an input, a checkpoint named twice or one of another directory.
AverageResult average_checkpoints(const AverageOptions& options);

// Sets every parameter to the mean of its values in the safetensors files
// (each checked to hold exactly the model's parameters, F32), accumulated in
// double in file order.
void average_weight_files(std::span<const std::string> files, std::span<autograd::Parameter* const> params);

}  // namespace s2s::io
