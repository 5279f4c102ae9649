#pragma once
// Cutting a pool of pairs into batches, like Marian:
//  1. shuffle the pool (Fisher-Yates from the Rng) when shuffle is set;
//  2. take maxi-batches of about maxi_batch batches' worth of pairs and sort
//     each by (target length, source length), so pairs of similar length
//     share a batch and padding stays small (maxi_batch <= 1: no sorting);
//  3. cut batches greedily: a batch of B pairs whose longest source and
//     target (with </s>) are S and T obeys B * max(S, T) <= batch_tokens
//     and B <= batch_sentences (a single pair over batch_tokens forms a
//     batch of one: filter such pairs with a maximum length);
//  4. shuffle the order of the batches when shuffle is set.
// The plan depends only on the pool, the options and the Rng state.
#include <cstdint>
#include <span>
#include <vector>

#include "s2s/core/rng.h"
#include "s2s/data/dataset.h"

namespace s2s::data {

struct BatchOptions {
  std::int64_t batch_tokens = 0;     // 0: no token limit
  std::int64_t batch_sentences = 0;  // 0: no sentence limit (one of the two must be set)
  std::int64_t maxi_batch = 100;
  bool shuffle = true;
  bool src_eos = false;      // end every source with </s>
  std::uint64_t seed = 1;
  std::size_t buffer_pairs = 1000000;  // streaming only: pairs per shuffle buffer

  void validate() const;
};

struct BatchPlan {
  std::vector<std::uint32_t> order;   // pool positions, batch after batch
  std::vector<std::uint32_t> starts;  // batch k is order[starts[k], starts[k + 1])

  std::size_t batches() const { return starts.empty() ? 0 : starts.size() - 1; }
  std::span<const std::uint32_t> batch(std::size_t k) const {
    return {order.data() + starts[k], order.data() + starts[k + 1]};
  }
};

BatchPlan plan_batches(const Dataset& pool, const BatchOptions& options, Rng& rng);

}  // namespace s2s::data
