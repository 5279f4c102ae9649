// After the first step, a training step performs no heap allocation: neither
// through the tensor allocator (its system_allocs hook) nor through global
// operator new (counted by tests/support/heap_counter.h).
#include <gtest/gtest.h>

#include "support/heap_counter.h"

#include "s2s/core/allocator.h"
#include "s2s/core/parallel.h"
#include "train/engine_step_fixture.h"

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

}  // namespace
}  // namespace s2s::testing
