#include "s2s/search/scoring.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "s2s/core/error.h"
#include "s2s/models/batch.h"

namespace s2s::search {

namespace {
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNegInf = -kInf;
// Coverage below this counts as this much: log(0) would make every score -inf.
constexpr float kMinCoverage = 1e-10f;
}  // namespace

LengthLimits length_limits(const SearchOptions& o, std::int64_t src_len) {
  LengthLimits l;
  l.max = o.max_length;
  if (o.max_length_ratio > 0.0f) {
    auto by_ratio = static_cast<std::int64_t>(std::floor(static_cast<double>(o.max_length_ratio) * static_cast<double>(src_len)));
    l.max = std::min(l.max, by_ratio + o.max_length_extra);
  }
  l.max = std::max<std::int64_t>(l.max, 0);
  auto min_ratio = static_cast<std::int64_t>(std::ceil(static_cast<double>(o.min_length_ratio) * static_cast<double>(src_len)));
  l.min = std::min(std::max(o.min_length, min_ratio), l.max);
  return l;
}

void constrain_row(std::span<float> logp, std::int64_t t, std::span<const std::int32_t> history,
                   const LengthLimits& limits, std::int64_t n) {
  const float eos = logp[models::kEos];
  // Padding and <s> are never outputs.
  logp[models::kPad] = kNegInf;
  logp[models::kBos] = kNegInf;
  if (t >= limits.max) {
    std::fill(logp.begin(), logp.end(), kNegInf);
    logp[models::kEos] = eos;
    return;
  }
  if (t < limits.min) logp[models::kEos] = kNegInf;
  if (n > 0 && t >= n) {
    S2S_CHECK(static_cast<std::int64_t>(history.size()) >= t, "constrain_row: history shorter than ", t);
    // The last n-1 tokens followed by v would repeat the n-gram at i.
    const std::int32_t* suffix = history.data() + (t - n + 1);
    for (std::int64_t i = 0; i + n <= t; ++i) {
      if (std::equal(suffix, suffix + (n - 1), history.data() + i)) {
        std::int32_t v = history[static_cast<std::size_t>(i + n - 1)];
        if (v != models::kEos) logp[static_cast<std::size_t>(v)] = kNegInf;
      }
    }
  }
  // A row must keep a choice: if the constraints left none, </s> stays open.
  if (std::none_of(logp.begin(), logp.end(), [](float x) { return x > kNegInf; })) logp[models::kEos] = eos;
}

bool usable_scores(std::span<const float> logp) {
  // Branch-free so that it vectorises: x < +inf is false for NaN and +inf.
  int bad = 0, open = 0;
  for (float x : logp) {
    bad |= !(x < kInf);
    open |= x > kNegInf;
  }
  return !bad && open;
}

std::string non_finite_scores_error(std::int64_t t) {
  return "the model's scores became non-finite (NaN or infinite) at output token " + std::to_string(t + 1) +
         ": its weights hold NaN/Inf or are so large that the logits overflow";
}

double gnmt_length_penalty(std::int64_t length, float alpha) {
  return std::pow((5.0 + static_cast<double>(length)) / 6.0, static_cast<double>(alpha));
}

double normalized_score(const SearchOptions& o, double log_prob, std::int64_t length, std::span<const float> coverage) {
  double s = log_prob;
  switch (o.length_norm) {
    case LengthNorm::None: break;
    case LengthNorm::Average: s /= static_cast<double>(std::max<std::int64_t>(length, 1)); break;
    case LengthNorm::Gnmt: s /= gnmt_length_penalty(length, o.alpha); break;
  }
  if (o.coverage_beta > 0.0f) {
    double cp = 0.0;
    for (float c : coverage) cp += std::log(static_cast<double>(std::clamp(c, kMinCoverage, 1.0f)));
    s += static_cast<double>(o.coverage_beta) * cp;
  }
  return s;
}

double best_reachable_score(const SearchOptions& o, double log_prob, std::int64_t max_length) {
  switch (o.length_norm) {
    case LengthNorm::None: return log_prob;
    case LengthNorm::Average: return log_prob / static_cast<double>(std::max<std::int64_t>(max_length, 1));
    case LengthNorm::Gnmt: return log_prob / gnmt_length_penalty(max_length, o.alpha);
  }
  return log_prob;
}

}  // namespace s2s::search
