#pragma once
// Teacher-forced scoring through encode + step: the log-probability a model
// (or an ensemble, by its averaged log-probabilities) gives each reference
// output. Perplexity on a reference set is exp(-sum log_prob / sum tokens).
#include <cstdint>
#include <span>
#include <vector>

#include "s2s/models/batch.h"
#include "s2s/search/ensemble.h"

namespace s2s::search {

struct ForcedScore {
  double log_prob = 0.0;   // natural log, </s> included; NaN or -inf when the model's scores are not finite
  std::int64_t tokens = 0; // target tokens + 1 for </s>
};

// targets[b]: the output ids of batch column b, without <s> and </s>.
std::vector<ForcedScore> score_targets(Ensemble& ensemble, std::span<const models::TokenBatch> sources,
                                       std::span<const std::vector<std::int32_t>> targets);

}  // namespace s2s::search
