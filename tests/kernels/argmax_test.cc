// argmax_rows and token_accuracy.
#include "s2s/kernels/argmax.h"

#include <gtest/gtest.h>

#include <cmath>

namespace s2s::kernels {
namespace {

TEST(ArgmaxRows, FirstMaximumWinsAndNaNIsSkipped) {
  float nan = std::nanf("");
  Tensor x = Tensor::from_vector({1, 3, 3, 0, -5, -2, -9, -2, nan, 4, 1, nan, 7, 7, 7, 7}, {4, 4});
  Tensor out = Tensor::empty({4}, DType::I32);
  argmax_rows(x, out);
  EXPECT_EQ(std::vector<std::int32_t>(out.i32(), out.i32() + 4), (std::vector<std::int32_t>{1, 1, 1, 0}));
}

// The vector scan against the plain "first strictly greater, NaN skipped" loop,
// over lengths around the vector width and rows with NaN, -inf, ties and -0.
TEST(Argmax, MatchesTheScalarScan) {
  const float nan = std::nanf(""), inf = INFINITY;
  const std::vector<float> pool = {nan, -inf, inf, 0.0f, -0.0f, 1.0f, 1.0f, -3.0f, 2.5f};
  std::uint64_t state = 7;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<float> x(static_cast<std::size_t>(1 + trial % 37));
    for (float& v : x) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      v = pool[(state >> 33) % pool.size()];
    }
    std::int64_t want = -1;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (x[i] == x[i] && (want < 0 || x[i] > x[static_cast<std::size_t>(want)])) want = static_cast<std::int64_t>(i);
    ASSERT_EQ(argmax(x.data(), static_cast<std::int64_t>(x.size())), want) << "trial " << trial;
  }
  const std::vector<float> all_nan(20, nan);
  EXPECT_EQ(argmax(all_nan.data(), 20), -1);
}

TEST(NextAbove, FirstGreaterFromAnyStart) {
  const float nan = std::nanf("");
  std::vector<float> x(21, 0.0f);
  x[3] = nan;
  x[9] = 1.0f;
  x[20] = 2.0f;
  EXPECT_EQ(next_above(x.data(), 21, 0, 0.5f), 9);
  EXPECT_EQ(next_above(x.data(), 21, 10, 0.5f), 20);
  EXPECT_EQ(next_above(x.data(), 21, 0, 2.0f), 21);  // strictly greater only
  EXPECT_EQ(next_above(x.data(), 21, 0, -INFINITY), 0);
  EXPECT_EQ(next_above(x.data(), 21, 3, -1.0f), 4);  // NaN is never above
  EXPECT_EQ(next_above(x.data(), 21, 21, -1.0f), 21);
}

TEST(TokenAccuracy, CountsCorrectOverNonIgnored) {
  Tensor logits = Tensor::from_vector({0, 1, 2, 5, 0, 0, 0, 9, 1, 1, 0, 0}, {4, 3});  // argmax 2, 0, 1, 0
  TokenCounts c = token_accuracy(logits, Tensor::from_ids({2, 1, 1, 0}, {4}), /*ignore_index=*/0);
  EXPECT_EQ(c.total, 3);    // the last row's target is ignored
  EXPECT_EQ(c.correct, 2);  // rows 0 and 2
}

}  // namespace
}  // namespace s2s::kernels
