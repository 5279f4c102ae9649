#include "s2s/search/forced_score.h"

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::search {

std::vector<ForcedScore> score_targets(Ensemble& ensemble, std::span<const models::TokenBatch> sources,
                                       std::span<const std::vector<std::int32_t>> targets) {
  S2S_CHECK(!sources.empty(), "score: no source batch");
  const std::int64_t B = sources[0].size();
  S2S_CHECK(static_cast<std::int64_t>(targets.size()) == B, "score: ", targets.size(), " targets for ", B, " sources");
  autograd::Graph g(/*grad_enabled=*/false);
  ensemble.encode(g, sources);
  g.clear();
  const std::int64_t V = ensemble.columns();  // with copying models: the extended vocabulary
  std::size_t longest = 0;
  for (const auto& y : targets) {
    longest = std::max(longest, y.size());
    for (std::int32_t id : y) S2S_CHECK(id >= 0 && id < V, "score: target id ", id, " outside the vocabulary of ", V);
  }
  std::vector<ForcedScore> out(static_cast<std::size_t>(B));
  Tensor prev = Tensor::empty({B}, DType::I32), logp, att;
  for (std::int64_t b = 0; b < B; ++b) prev.i32()[b] = models::kBos;
  // Every row steps to the longest target; rows past their </s> are fed padding and ignored.
  for (std::size_t t = 0; t <= longest; ++t) {
    ensemble.step(g, prev, logp, att);
    g.clear();
    for (std::int64_t b = 0; b < B; ++b) {
      const auto& y = targets[static_cast<std::size_t>(b)];
      if (t > y.size()) {
        prev.i32()[b] = models::kPad;
        continue;
      }
      const std::int32_t gold = t < y.size() ? y[t] : models::kEos;
      out[static_cast<std::size_t>(b)].log_prob += static_cast<double>(logp.f32()[b * V + gold]);
      out[static_cast<std::size_t>(b)].tokens += 1;
      prev.i32()[b] = gold;
    }
  }
  return out;
}

}  // namespace s2s::search
