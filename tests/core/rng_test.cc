#include "s2s/core/rng.h"

#include <gtest/gtest.h>

#include <vector>

#include "s2s/core/parallel.h"

namespace s2s {
namespace {

TEST(Rng, SameSeedSameSequenceAndStateRestores) {
  Rng a(42), b(42);
  for (int k = 0; k < 100; ++k) EXPECT_EQ(a.next_u32(), b.next_u32());
  RngState saved = a.state();
  float x = a.uniform(), y = a.normal();
  Rng c(saved);
  EXPECT_EQ(c.uniform(), x);
  EXPECT_EQ(c.normal(), y);
  EXPECT_NE(Rng(1).next_u32(), Rng(2).next_u32());
}

TEST(Rng, UniformRangeAndMean) {
  Rng r(7);
  double sum = 0;
  for (int k = 0; k < 100000; ++k) {
    float u = r.uniform();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
  for (int k = 0; k < 1000; ++k) ASSERT_LT(r.below(7), 7u);
}

TEST(Rng, ParallelFillIsIndependentOfThreadCount) {
  std::vector<float> one(100003), two(100003);
  int saved = num_threads();
  set_num_threads(1);
  Rng(5).fill_normal(one.data(), 100003, 0.0f, 1.0f);
  set_num_threads(2);
  Rng(5).fill_normal(two.data(), 100003, 0.0f, 1.0f);
  set_num_threads(saved);
  EXPECT_EQ(one, two);
  double mean = 0, var = 0;
  for (float v : one) mean += v;
  mean /= one.size();
  for (float v : one) var += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(var / one.size(), 1.0, 0.02);
}

}  // namespace
}  // namespace s2s
