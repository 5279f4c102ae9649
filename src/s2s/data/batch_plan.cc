#include "s2s/data/batch_plan.h"

#include <algorithm>

#include "s2s/core/error.h"

namespace s2s::data {

void BatchOptions::validate() const {
  S2S_CHECK(batch_tokens > 0 || batch_sentences > 0, "batching: set --batch-tokens or --batch-sentences (above 0)");
  S2S_CHECK(batch_tokens >= 0 && batch_sentences >= 0 && maxi_batch >= 0,
            "batching: batch sizes and maxi-batch must not be negative");
  S2S_CHECK(buffer_pairs > 0, "batching: the shuffle buffer must hold at least one pair");
}

namespace {

template <typename T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace

BatchPlan plan_batches(const Dataset& pool, const BatchOptions& o, Rng& rng) {
  o.validate();
  S2S_CHECK(pool.size() <= UINT32_MAX, "batching: more than 2^32 pairs in one pool");
  const std::size_t n = pool.size();
  const std::int64_t eos = o.src_eos ? 1 : 0;
  auto src_len = [&](std::uint32_t i) { return static_cast<std::int64_t>(pool.src_len(i)) + eos; };
  auto tgt_len = [&](std::uint32_t i) { return static_cast<std::int64_t>(pool.tgt_len(i)) + 1; };

  std::vector<std::uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
  if (o.shuffle) shuffle(order, rng);

  // Batches as [begin, end) ranges of `order`, built maxi-batch by maxi-batch.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  std::size_t pos = 0;
  while (pos < n) {
    std::size_t end = n;
    if (o.maxi_batch > 1) {
      if (o.batch_tokens > 0) {
        std::int64_t budget = o.maxi_batch * o.batch_tokens, used = 0;
        end = pos;
        while (end < n && used < budget) {
          used += std::max(src_len(order[end]), tgt_len(order[end]));
          ++end;
        }
      } else {
        end = pos + std::min<std::size_t>(n - pos, static_cast<std::size_t>(o.maxi_batch * o.batch_sentences));
      }
      std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(pos), order.begin() + static_cast<std::ptrdiff_t>(end),
                       [&](std::uint32_t a, std::uint32_t b) {
                         std::int64_t ta = tgt_len(a), tb = tgt_len(b);
                         return ta != tb ? ta < tb : src_len(a) < src_len(b);
                       });
    }
    std::size_t begin = pos;
    std::int64_t max_s = 0, max_t = 0;
    for (std::size_t i = pos; i < end; ++i) {
      std::int64_t s = std::max(max_s, src_len(order[i])), t = std::max(max_t, tgt_len(order[i]));
      auto count = static_cast<std::int64_t>(i - begin + 1);
      bool over = (o.batch_tokens > 0 && count * std::max(s, t) > o.batch_tokens) ||
                  (o.batch_sentences > 0 && count > o.batch_sentences);
      if (over && i > begin) {
        ranges.emplace_back(static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(i));
        begin = i;
        s = src_len(order[i]);
        t = tgt_len(order[i]);
      }
      max_s = s;
      max_t = t;
    }
    if (end > begin) ranges.emplace_back(static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end));
    pos = end;
  }
  if (o.shuffle) shuffle(ranges, rng);

  BatchPlan plan;
  plan.order.reserve(n);
  plan.starts.reserve(ranges.size() + 1);
  plan.starts.push_back(0);
  for (auto [b, e] : ranges) {
    plan.order.insert(plan.order.end(), order.begin() + b, order.begin() + e);
    plan.starts.push_back(static_cast<std::uint32_t>(plan.order.size()));
  }
  return plan;
}

}  // namespace s2s::data
