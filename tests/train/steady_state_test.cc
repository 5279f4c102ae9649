// After the first step, a training step performs no heap allocation: neither
// through the tensor allocator (its system_allocs hook) nor through global
// operator new (counted by tests/support/heap_counter.h).
#include <gtest/gtest.h>

#include "support/heap_counter.h"

#include "s2s/core/allocator.h"
#include "s2s/core/parallel.h"
#include "train/engine_step_fixture.h"
#include "train/trainer_rig.h"

namespace s2s::testing {
namespace {

TEST(SteadyState, TrainingStepAllocatesNothingAfterTheFirst) {
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    EngineStep step(11);
    step.run();
    step.run();
    auto tensor_allocs = Allocator::for_device(kCPU).stats().system_allocs;
    long news = heap_allocations.load();
    for (int k = 0; k < 5; ++k) step.run();
    EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, tensor_allocs) << threads << " threads";
    EXPECT_EQ(heap_allocations.load(), news) << threads << " threads";
  }
}

// The trainer's update over accumulated batches (the real model of each
// family, Adam, clipping) allocates nothing once the shapes have been seen.

class FamilySteadyState : public ::testing::TestWithParam<std::string> {};

TEST_P(FamilySteadyState, AccumulatedUpdateAllocatesNothingAfterTheFirst) {
  set_num_threads(1);
  TrainerRig rig(merged(tiny_model_options(GetParam()), {{"train.accum_steps", "3"}}), {}, {});
  auto ds = reverse_dataset(48, 3);
  std::vector<data::Batch> parts(3);
  for (std::uint32_t k = 0; k < 3; ++k) {
    std::vector<std::uint32_t> ids;
    for (std::uint32_t i = 16 * k; i < 16 * (k + 1); ++i) ids.push_back(i);
    data::make_batch(*ds, ids, false, parts[k]);
  }
  rig.trainer->train_update(parts);
  rig.trainer->train_update(parts);
  auto tensor_allocs = Allocator::for_device(kCPU).stats().system_allocs;
  long news = heap_allocations.load();
  for (int k = 0; k < 3; ++k) rig.trainer->train_update(parts);
  EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, tensor_allocs);
  EXPECT_EQ(heap_allocations.load(), news);
  EXPECT_EQ(rig.trainer->state().step, 5);
}

INSTANTIATE_TEST_SUITE_P(Families, FamilySteadyState, ::testing::ValuesIn(model_families()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace s2s::testing
