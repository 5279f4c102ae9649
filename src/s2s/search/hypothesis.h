#pragma once
// What a search returns for each source sentence: its n-best outputs.
#include <cstdint>
#include <string>
#include <vector>

namespace s2s::search {

struct Hypothesis {
  std::vector<std::int32_t> tokens;  // output ids without <s> and </s>
  double score = 0.0;                // the ranking score (length / coverage normalised)
  double log_prob = 0.0;             // summed log-probability, </s> included
  // With SearchOptions::keep_attention: [(tokens.size() + 1), src_len]
  // row-major, one row per output token and a last row for </s>.
  std::vector<float> attention;
};

struct SentenceResult {
  std::int64_t src_len = 0;
  std::vector<Hypothesis> hypotheses;  // best first
  // Non-empty when the sentence could not be decoded because the model's
  // scores became non-finite (NaN or infinite: corrupt weights, or logits
  // that overflow); hypotheses is then empty. Other sentences of the batch
  // are unaffected.
  std::string error;
};

}  // namespace s2s::search
