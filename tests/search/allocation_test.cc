// The step loop allocates nothing per step: decoding 40 steps makes exactly
// as many heap allocations as decoding 5 (everything is sized per batch or
// per output), and tensors come from the allocator's cache.
#include <gtest/gtest.h>

#include "support/heap_counter.h"

#include "s2s/core/allocator.h"
#include "search/search_test_util.h"
#include "search/toy_model.h"

namespace s2s::testing {
namespace {

constexpr std::int32_t A = 4, B = 5;

long allocations_for(search::Ensemble& e, const models::TokenBatch& src, search::SearchOptions o) {
  o.max_length_ratio = 0.0f;
  search::decode(e, {&src, 1}, o);  // warm the tensor cache
  long before = heap_allocations.load();
  auto r = search::decode(e, {&src, 1}, o);
  long after = heap_allocations.load();
  for (const auto& s : r) EXPECT_EQ(static_cast<std::int64_t>(s.hypotheses[0].tokens.size()), o.max_length);
  return after - before;
}

TEST(Allocation, NoHeapAllocationPerStep) {
  // A and B loop on themselves; </s> is unlikely, so outputs run to max length.
  ToyModel m(8, bigram_table(8, {{models::kBos, A, 0.6}, {models::kBos, B, 0.3}, {A, A, 0.7}, {A, B, 0.2},
                                 {B, B, 0.7}, {B, A, 0.2}, {A, models::kEos, 1e-6}, {B, models::kEos, 1e-6}}));
  search::Ensemble e({&m});
  models::TokenBatch src = make_batch({{A, B}, {B}, {A, A, A}});
  for (int strategy = 0; strategy < 3; ++strategy) {
    search::SearchOptions o;
    o.beam_size = strategy == 1 ? 3 : 1;
    o.n_best = strategy == 0 ? 1 : 2;
    o.sampling = strategy == 2;
    o.no_repeat_ngram = 0;
    o.keep_attention = true;
    o.max_length = 5;
    long short_run = allocations_for(e, src, o);
    o.max_length = 40;
    long long_run = allocations_for(e, src, o);
    EXPECT_EQ(short_run, long_run) << "strategy " << strategy;

    // Repeating a decode takes no new memory from the system.
    const auto system = Allocator::for_device(kCPU).stats().system_allocs;
    search::decode(e, {&src, 1}, o);
    EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, system) << "strategy " << strategy;
  }
}

}  // namespace
}  // namespace s2s::testing
