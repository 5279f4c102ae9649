#include "s2s/search/sampler.h"

#include <algorithm>
#include <cmath>

#include "s2s/core/error.h"

namespace s2s::search {

namespace {

// Ranks the finite entries into ids (probability order when `ranked`),
// weights[i] = exp((x - max) / T) for ids[i]; returns how many are kept.
std::int64_t support(std::span<const float> logp, const SamplerOptions& o, std::span<std::int32_t> ids,
                     std::span<float> weights) {
  S2S_CHECK(ids.size() >= logp.size() && weights.size() >= logp.size(), "sampler: scratch too small");
  std::int64_t n = 0;
  for (std::size_t v = 0; v < logp.size(); ++v)
    if (logp[v] > -INFINITY && logp[v] == logp[v]) ids[static_cast<std::size_t>(n++)] = static_cast<std::int32_t>(v);
  S2S_CHECK(n > 0, "sampler: every token is banned");
  auto better = [&](std::int32_t a, std::int32_t b) {
    return logp[static_cast<std::size_t>(a)] > logp[static_cast<std::size_t>(b)] ||
           (logp[static_cast<std::size_t>(a)] == logp[static_cast<std::size_t>(b)] && a < b);
  };
  const bool limit_k = o.top_k > 0 && o.top_k < n, limit_p = o.top_p < 1.0f;
  if (limit_k) {
    std::partial_sort(ids.begin(), ids.begin() + o.top_k, ids.begin() + n, better);
    n = o.top_k;
  } else if (limit_p) {
    std::sort(ids.begin(), ids.begin() + n, better);
  }
  float top = logp[static_cast<std::size_t>(ids[0])];
  if (!limit_k && !limit_p)
    for (std::int64_t i = 1; i < n; ++i) top = std::max(top, logp[static_cast<std::size_t>(ids[static_cast<std::size_t>(i)])]);
  const float inv_t = 1.0f / o.temperature;
  double total = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    float w = std::exp((logp[static_cast<std::size_t>(ids[static_cast<std::size_t>(i)])] - top) * inv_t);
    weights[static_cast<std::size_t>(i)] = w;
    total += w;
  }
  if (limit_p) {
    // The smallest prefix whose probability reaches top_p (at least one token).
    double cum = 0.0, need = static_cast<double>(o.top_p) * total;
    std::int64_t keep = 0;
    while (keep < n) {
      cum += weights[static_cast<std::size_t>(keep++)];
      if (cum >= need) break;
    }
    n = keep;
  }
  return n;
}

}  // namespace

std::int32_t sample_token(std::span<const float> logp, const SamplerOptions& o, float u,
                          std::span<std::int32_t> ids, std::span<float> weights) {
  const std::int64_t n = support(logp, o, ids, weights);
  double total = 0.0;
  for (std::int64_t i = 0; i < n; ++i) total += weights[static_cast<std::size_t>(i)];
  const double target = static_cast<double>(u) * total;
  double cum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) {
    cum += weights[static_cast<std::size_t>(i)];
    if (target < cum) return ids[static_cast<std::size_t>(i)];
  }
  return ids[static_cast<std::size_t>(n - 1)];  // u * total rounded up to the total
}

std::int64_t sampling_support(std::span<const float> logp, const SamplerOptions& o, std::span<std::int32_t> out,
                              std::span<float> weights) {
  return support(logp, o, out, weights);
}

float sampling_uniform(std::uint64_t seed, std::int64_t sentence, std::int64_t sample, std::int64_t step) {
  S2S_CHECK(sentence >= 0 && sentence < (std::int64_t{1} << 32) && sample >= 0 && sample < (1 << 12) && step >= 0 &&
                step < (1 << 20),
            "sampling: sentence ", sentence, ", sample ", sample, " or step ", step, " out of range");
  auto index = (static_cast<std::uint64_t>(sentence) << 32) | (static_cast<std::uint64_t>(sample) << 20) |
               static_cast<std::uint64_t>(step);
  return Rng::uniform_at(seed, index);
}

}  // namespace s2s::search
