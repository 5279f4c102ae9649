#pragma once
// The rules every search strategy shares: per-sentence length limits, the
// constraints applied to a row of log-probabilities before choosing (minimum
// and maximum length, repeated n-grams), and the score of a finished output.
#include <cstdint>
#include <span>
#include <string>

#include "s2s/search/options.h"

namespace s2s::search {

struct LengthLimits {
  std::int64_t min = 0;  // </s> is banned before this many tokens
  std::int64_t max = 0;  // </s> is forced after this many tokens
};

LengthLimits length_limits(const SearchOptions& options, std::int64_t src_len);

// Applies the constraints to `logp` (one row over the target vocabulary) for
// the token at position `t` (0-based) of an output: -inf for <pad> and <s>
// always; for </s> while
// t < min; for everything but </s> when t >= max; and, when no_repeat_ngram
// > 0, for tokens that would complete an n-gram already in `history` (the
// output's first t tokens; </s> exempt). If nothing is left, </s> stays open.
void constrain_row(std::span<float> logp, std::int64_t t, std::span<const std::int32_t> history,
                   const LengthLimits& limits, std::int64_t no_repeat_ngram);

// True when a constrained row can be chosen from: no value is NaN or +inf,
// and at least one token is above -inf. log-softmax of finite logits always
// passes; NaN/Inf weights, or finite weights so large that the logits
// overflow, make whole rows NaN. Every search strategy checks each row before
// choosing from it and fails the row's sentence when this is false (no
// argmax or sampling over NaN, which could pass the forced </s> at the
// length limit and run past it).
bool usable_scores(std::span<const float> logp);

// SentenceResult::error of a sentence whose scores at output position t
// (0-based) were not usable.
std::string non_finite_scores_error(std::int64_t t);

// The GNMT length penalty lp(n) = ((5 + n) / 6)^alpha.
double gnmt_length_penalty(std::int64_t length, float alpha);

// Score of an output of `length` tokens (</s> included) with summed
// log-probability `log_prob` and, when coverage_beta > 0, the GNMT coverage
// penalty beta * sum_i log(min(coverage_i, 1)) over `coverage` (the summed
// attention each source position received).
double normalized_score(const SearchOptions& options, double log_prob, std::int64_t length,
                        std::span<const float> coverage = {});

// An upper bound on the score that any continuation of a live hypothesis with
// summed log-probability `log_prob` (<= 0) can reach when it stops at most at
// `max_length` tokens (</s> included): log-probabilities only fall as tokens
// are added, and the coverage penalty is never above 0.
double best_reachable_score(const SearchOptions& options, double log_prob, std::int64_t max_length);

}  // namespace s2s::search
