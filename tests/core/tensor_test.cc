#include "s2s/core/tensor.h"

#include <gtest/gtest.h>

namespace s2s {
namespace {

TEST(Tensor, ShapeAndViewsShareStorage) {
  Tensor t = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.dim(-1), 3);
  Tensor v = t.reshape({3, 2});
  v.f32()[0] = 10;
  EXPECT_EQ(t.f32()[0], 10);
  Tensor row = t.narrow0(1, 1);
  EXPECT_EQ(row.shape(), (Shape{1, 3}));
  EXPECT_EQ(row.f32()[0], 4);
  Tensor c = t.clone();
  c.f32()[1] = 99;
  EXPECT_EQ(t.f32()[1], 2);
}

TEST(Tensor, ErrorsNameTheProblem) {
  Tensor t = Tensor::zeros({2, 3});
  try {
    t.reshape({4, 2});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "reshape: cannot view [2, 3] as [4, 2]");
  }
  EXPECT_THROW(t.i32(), Error);
  EXPECT_THROW(t.narrow0(2, 1), Error);
  EXPECT_THROW(t.dim(2), Error);
}

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

}  // namespace
}  // namespace s2s
