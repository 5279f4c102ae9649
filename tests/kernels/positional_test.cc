// Sinusoidal positional encodings: the interleaved layout of the PyTorch
// tutorial / OpenNMT-py on hand-computed values, and offsets for decoding steps.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/kernels/positional.h"

namespace s2s::kernels {
namespace {

TEST(SinusoidalPositions, InterleavesSinAndCos) {
  Tensor pe = sinusoidal_positions(0, 3, 4);
  ASSERT_EQ(pe.shape(), (Shape{3, 4}));
  // Position 0: sin 0 = 0, cos 0 = 1 in every pair.
  EXPECT_EQ(pe.to_vector()[0], 0.0f);
  EXPECT_EQ(pe.to_vector()[1], 1.0f);
  EXPECT_EQ(pe.to_vector()[2], 0.0f);
  EXPECT_EQ(pe.to_vector()[3], 1.0f);
  // Position 1, d = 4: frequencies 1 and 1 / 10000^(2/4) = 0.01.
  EXPECT_FLOAT_EQ(pe.f32()[4], 0.84147098f);
  EXPECT_FLOAT_EQ(pe.f32()[5], 0.54030231f);
  EXPECT_FLOAT_EQ(pe.f32()[6], 0.0099998333f);
  EXPECT_FLOAT_EQ(pe.f32()[7], 0.99995f);
  EXPECT_FLOAT_EQ(pe.f32()[8 + 2], static_cast<float>(std::sin(0.02)));
}

TEST(SinusoidalPositions, MatchesTheFormulaAtLargePositionsAndOddWidths) {
  const std::int64_t d = 7;
  Tensor pe = sinusoidal_positions(0, 600, d);
  for (std::int64_t t : {0, 1, 57, 599})
    for (std::int64_t c = 0; c < d; ++c) {
      const double angle = static_cast<double>(t) / std::pow(10000.0, static_cast<double>(c - c % 2) / d);
      const double want = c % 2 == 0 ? std::sin(angle) : std::cos(angle);
      EXPECT_NEAR(pe.f32()[t * d + c], want, 1e-6) << t << " " << c;
    }
}

// A decoding step at position p reads row p of the whole table.
TEST(SinusoidalPositions, FirstPositionOffsetsTheRows) {
  Tensor all = sinusoidal_positions(0, 12, 10), tail = sinusoidal_positions(5, 7, 10);
  for (std::int64_t e = 0; e < tail.numel(); ++e) EXPECT_EQ(tail.f32()[e], all.f32()[5 * 10 + e]);
  Tensor bad = Tensor::empty(Shape{3});
  EXPECT_THROW(sinusoidal_positions(0, bad), Error);
}

}  // namespace
}  // namespace s2s::kernels
