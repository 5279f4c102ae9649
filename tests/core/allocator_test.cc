#include "s2s/core/allocator.h"
#include "s2s/core/allocation_limit.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "s2s/core/error.h"

namespace s2s {
namespace {

TEST(Allocator, ReusesFreedBlocksWithoutSystemCalls) {
  Allocator alloc;
  Block* a = alloc.allocate(1000);
  alloc.release(a);
  auto before = alloc.stats().system_allocs;
  Block* b = alloc.allocate(900);  // same size class (896 < 900 <= 1024)
  EXPECT_EQ(alloc.stats().system_allocs, before);
  EXPECT_EQ(a, b);
  EXPECT_GE(b->capacity, 900u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(b->data()) % 64, 0u);
  alloc.release(b);
  Block* big = alloc.allocate(5000);
  EXPECT_EQ(alloc.stats().system_allocs, before + 1);
  alloc.release(big);
  alloc.empty_cache();
  EXPECT_EQ(alloc.stats().bytes_cached, 0u);
  EXPECT_EQ(alloc.stats().bytes_in_use, 0u);
}

TEST(Allocator, SizeClassesCoverRequests) {
  Allocator alloc;
  for (std::size_t bytes : {1ul, 255ul, 256ul, 257ul, 320ul, 321ul, 511ul, 512ul, 513ul, 4097ul, 1000000ul}) {
    Block* b = alloc.allocate(bytes);
    EXPECT_GE(b->capacity, bytes);
    EXPECT_LE(b->capacity, std::max<std::size_t>(256, bytes + bytes / 4 + 1));
    alloc.release(b);
  }
}


bool aligned64(Block* b) { return reinterpret_cast<std::uintptr_t>(b->data()) % 64 == 0; }

TEST(Allocator, LargeBlocksShareAnArenaAndDoNotOverlap) {
  Allocator alloc;
  Block* a = alloc.allocate(512 << 10);
  Block* b = alloc.allocate(512 << 10);  // the rest of a's 2 MiB arena
  EXPECT_EQ(alloc.stats().system_allocs, 1u);
  EXPECT_TRUE(aligned64(a) && aligned64(b));
  auto* pa = static_cast<char*>(a->data());
  auto* pb = static_cast<char*>(b->data());
  EXPECT_TRUE(pa + a->capacity <= pb || pb + b->capacity <= pa);
  std::memset(pa, 1, 512 << 10);
  std::memset(pb, 2, 512 << 10);
  EXPECT_EQ(pa[(512 << 10) - 1], 1);
  alloc.release(a);
  alloc.release(b);
  EXPECT_EQ(alloc.stats().bytes_in_use, 0u);
}

TEST(Allocator, FreedSegmentsMergeAndServeOtherSizes) {
  Allocator alloc;
  Block* big = alloc.allocate(6 << 20);  // an arena of its own
  alloc.release(big);
  const auto arenas = alloc.stats().system_allocs;
  // Smaller requests of other sizes come out of the freed block...
  std::vector<Block*> parts;
  for (std::size_t bytes : {std::size_t{1} << 20, std::size_t{3} << 20, std::size_t{700} << 10})
    parts.push_back(alloc.allocate(bytes));
  EXPECT_EQ(alloc.stats().system_allocs, arenas);
  // ...and once they are freed, in any order, it is whole again.
  alloc.release(parts[1]);
  alloc.release(parts[0]);
  alloc.release(parts[2]);
  Block* again = alloc.allocate(6 << 20);
  EXPECT_EQ(alloc.stats().system_allocs, arenas);
  EXPECT_EQ(again, big);
  alloc.release(again);
}

TEST(Allocator, BestFitTakesTheSmallestFreeSegmentThatFits) {
  Allocator alloc;
  Block* large = alloc.allocate(4 << 20);
  Block* small = alloc.allocate(1 << 20);
  alloc.release(large);
  alloc.release(small);
  Block* b = alloc.allocate(900 << 10);
  EXPECT_EQ(b, small);
  alloc.release(b);
}

TEST(Allocator, EmptyCacheReturnsFreeArenasOnly) {
  Allocator alloc;
  Block* kept = alloc.allocate(3 << 20);
  Block* dropped = alloc.allocate(5 << 20);
  alloc.release(dropped);
  EXPECT_GT(alloc.stats().bytes_cached, 0u);
  alloc.empty_cache();
  EXPECT_EQ(alloc.stats().bytes_cached, 0u);
  EXPECT_GE(alloc.stats().bytes_in_use, std::size_t{3} << 20);
  std::memset(kept->data(), 7, 3 << 20);  // still usable
  alloc.release(kept);
  alloc.empty_cache();
  EXPECT_EQ(alloc.stats().bytes_cached, 0u);
  EXPECT_EQ(alloc.stats().bytes_in_use, 0u);
}

// Growing shapes: a request that fits nowhere first unmaps the arenas that are
// entirely free (those sized for the shorter batches), then maps its own.
TEST(Allocator, ARequestThatFitsNowhereReleasesFreeArenas) {
  Allocator alloc;
  Block* kept = alloc.allocate(3 << 20);
  Block* shorter = alloc.allocate(4 << 20);
  alloc.release(shorter);
  EXPECT_GE(alloc.stats().bytes_cached, std::size_t{4} << 20);
  Block* longer = alloc.allocate(6 << 20);
  EXPECT_EQ(alloc.stats().bytes_cached, 0u);
  std::memset(kept->data(), 1, 3 << 20);
  std::memset(longer->data(), 2, 6 << 20);
  alloc.release(kept);
  alloc.release(longer);
  Block* fits = alloc.allocate(5 << 20);  // into longer's arena: no release, no new arena
  EXPECT_EQ(fits, longer);
  EXPECT_GT(alloc.stats().bytes_cached, 0u);
  alloc.release(fits);
}

TEST(Allocator, RejectsAnAbsurdRequest) { EXPECT_THROW(Allocator().allocate(std::size_t{1} << 62), Error); }

TEST(AllocationLimit, RefusesWhatGoesPastItInThisThreadOnly) {
  Allocator a;
  {
    AllocationLimit limit(1000);
    a.release(a.allocate(600));
    a.release(a.allocate(400));  // freed blocks still count: the limit is on requests
    try {
      a.allocate(1);
      FAIL() << "no error past the limit";
    } catch (const Error& e) {
      EXPECT_STREQ(e.what(), "needs more than 1000 bytes of memory");
    }
    {
      AllocationLimit inner(10);
      EXPECT_THROW(a.allocate(11), Error);
    }
    EXPECT_THROW(a.allocate(1), Error);  // the outer limit again, still spent
  }
  a.release(a.allocate(std::size_t{1} << 20));  // no limit any more
}

}  // namespace
}  // namespace s2s
