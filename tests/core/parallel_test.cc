#include "s2s/core/parallel.h"

#include <gtest/gtest.h>

#include <vector>

#include "s2s/core/error.h"

namespace s2s {
namespace {

TEST(Parallel, CoversRangeOnceInContiguousChunks) {
  std::vector<int> hits(1001, 0);
  parallel_for(0, 1001, 1, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) hits[i] += 1;
  });
  for (int h : hits) EXPECT_EQ(h, 1);
}

TEST(Parallel, ThreadKnobValidates) {
  int saved = num_threads();
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  EXPECT_THROW(set_num_threads(0), Error);
  set_num_threads(saved);
}

}  // namespace
}  // namespace s2s
