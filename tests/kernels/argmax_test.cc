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

TEST(TokenAccuracy, CountsCorrectOverNonIgnored) {
  Tensor logits = Tensor::from_vector({0, 1, 2, 5, 0, 0, 0, 9, 1, 1, 0, 0}, {4, 3});  // argmax 2, 0, 1, 0
  TokenCounts c = token_accuracy(logits, Tensor::from_ids({2, 1, 1, 0}, {4}), /*ignore_index=*/0);
  EXPECT_EQ(c.total, 3);    // the last row's target is ignored
  EXPECT_EQ(c.correct, 2);  // rows 0 and 2
}

}  // namespace
}  // namespace s2s::kernels
