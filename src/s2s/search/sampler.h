#pragma once
// Drawing one token from a row of log-probabilities: temperature, then top-k,
// then top-p (nucleus) on the renormalised top-k distribution, as Hugging
// Face's generate orders them. Tokens are ranked by probability with the
// smaller id first on ties, so a draw depends only on the row and u.
#include <cstdint>
#include <span>

#include "s2s/core/rng.h"

namespace s2s::search {

struct SamplerOptions {
  float temperature = 1.0f;
  std::int64_t top_k = 0;  // 0: no limit
  float top_p = 1.0f;      // 1: no limit
};

// logp: one row (-inf marks banned tokens; at least one finite). u in [0, 1).
// scratch_ids / scratch_weights: at least logp.size() entries each.
std::int32_t sample_token(std::span<const float> logp, const SamplerOptions& options, float u,
                          std::span<std::int32_t> scratch_ids, std::span<float> scratch_weights);

// The tokens a draw can return (the support after top-k and top-p): writes
// them to out (ranked when top-k or top-p applies, else in id order) and
// returns how many.
std::int64_t sampling_support(std::span<const float> logp, const SamplerOptions& options,
                              std::span<std::int32_t> out, std::span<float> scratch_weights);

// The uniform number sampling uses for (sentence, sample, step): a fixed
// Philox counter per triple, so a sentence's samples do not depend on the
// batch it is decoded in.
float sampling_uniform(std::uint64_t seed, std::int64_t sentence, std::int64_t sample, std::int64_t step);

}  // namespace s2s::search
