#pragma once
// Every decoding option, as one plain struct shared by greedy search, beam
// search and sampling. docs/decoding.md explains each one to users.
#include <cstdint>
#include <functional>
#include <string_view>

#include "s2s/core/error.h"

namespace s2s::search {

// How a finished hypothesis's summed log-probability becomes its score.
//   None     score = log P(y|x)
//   Average  score = log P(y|x) / |y|
//   Gnmt     score = log P(y|x) / ((5 + |y|)^alpha / 6^alpha)   (Wu et al. 2016)
// |y| counts the output tokens including the final </s>.
enum class LengthNorm : std::uint8_t { None, Average, Gnmt };

struct SearchOptions {
  std::int64_t beam_size = 5;  // 1: greedy search; ignored when sampling
  std::int64_t n_best = 1;     // hypotheses returned per sentence (<= beam_size; samples when sampling)

  LengthNorm length_norm = LengthNorm::Average;
  float alpha = 0.6f;          // GNMT length-penalty exponent
  float coverage_beta = 0.0f;  // GNMT coverage penalty weight (0: off; needs attention)

  // Output length in tokens, </s> not counted. Per sentence of source length
  // s (tokens as the model sees them):
  //   max = min(max_length, floor(max_length_ratio * s) + max_length_extra)   (ratio 0: max_length only)
  //   min = max(min_length, ceil(min_length_ratio * s)), never above max
  std::int64_t max_length = 256;
  float max_length_ratio = 2.0f;
  std::int64_t max_length_extra = 10;
  std::int64_t min_length = 0;
  float min_length_ratio = 0.0f;

  // Never produce an n-gram of this order twice in one output (0: off).
  std::int64_t no_repeat_ngram = 0;

  // Sampling instead of search: n_best independent samples per sentence from
  // softmax(log p / temperature), restricted to the top_k tokens (0: all) and
  // then to the smallest set whose probability reaches top_p (1: all).
  bool sampling = false;
  float temperature = 1.0f;
  std::int64_t top_k = 0;
  float top_p = 1.0f;
  std::uint64_t seed = 0;

  // Keep each output's attention matrix (alignments, UNK replacement, plots).
  bool keep_attention = false;

  // Polled once per output step by every strategy (before the step); when
  // it returns true, decoding stops by throwing Cancelled. The server sets
  // it so that work whose client left or whose deadline passed stops.
  std::function<bool()> cancelled;
};

// Thrown when SearchOptions::cancelled asked decoding to stop.
class Cancelled : public Error {
 public:
  using Error::Error;
};

// Throws s2s::Error naming the offending option.
void validate(const SearchOptions& options);

// "none" | "average" | "gnmt"; anything else is an error naming the choices.
LengthNorm parse_length_norm(std::string_view name);
const char* length_norm_name(LengthNorm norm);

}  // namespace s2s::search
