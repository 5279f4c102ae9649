// After the first step, a training step performs no heap allocation: neither
// through the tensor allocator (its system_allocs hook) nor through global
// operator new (counted by the replacement below, for this test program).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "s2s/core/allocator.h"
#include "s2s/core/parallel.h"
#include "train/engine_step_fixture.h"

namespace {
std::atomic<long> g_news{0};
}  // namespace

void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace s2s::testing {
namespace {

TEST(SteadyState, TrainingStepAllocatesNothingAfterTheFirst) {
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    EngineStep step(11);
    step.run();
    step.run();
    auto tensor_allocs = Allocator::for_device(kCPU).stats().system_allocs;
    long news = g_news.load();
    for (int k = 0; k < 5; ++k) step.run();
    EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, tensor_allocs) << threads << " threads";
    EXPECT_EQ(g_news.load(), news) << threads << " threads";
  }
}

}  // namespace
}  // namespace s2s::testing
