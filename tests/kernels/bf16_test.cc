// bf16 rounding (kernels/bf16.h) against a reference written from the
// definition: the nearest bf16 value, ties to the even one, NaN kept NaN,
// infinities kept, overflow to infinity.
#include "s2s/kernels/bf16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "s2s/core/rng.h"

namespace s2s::kernels {
namespace {

// The two bf16 neighbours of x compared in double: the nearer wins, a tie goes
// to the one whose last mantissa bit is 0.
std::uint16_t reference(float x) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  if (std::isnan(x)) return static_cast<std::uint16_t>((bits >> 16) | 0x40u);
  const std::uint16_t down = static_cast<std::uint16_t>(bits >> 16);
  if ((bits & 0xFFFFu) == 0) return down;  // exactly representable (infinities included)
  const std::uint16_t up = static_cast<std::uint16_t>(down + 1);  // away from zero: the next magnitude
  const double dx = x, dd = bf16_to_float(down);
  // `up` may be the infinity after the largest finite bf16: then it is 2^128 for the comparison.
  const double du = (up & 0x7FFFu) == 0x7F80u ? std::copysign(std::ldexp(1.0, 128), dx) : double(bf16_to_float(up));
  const double ed = std::fabs(dx - dd), eu = std::fabs(du - dx);
  if (ed < eu) return down;
  if (eu < ed) return up;
  return (down & 1u) ? up : down;
}

std::uint16_t bf16_bits(float x) { return bf16_from_float(x); }
float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

TEST(Bf16, TiesGoToEven) {
  EXPECT_EQ(bf16_bits(from_bits(0x3F808000u)), 0x3F80u);  // 1 + 2^-8: halfway, 0x3F80 is even
  EXPECT_EQ(bf16_bits(from_bits(0x3F818000u)), 0x3F82u);  // halfway between 0x3F81 and 0x3F82
  EXPECT_EQ(bf16_bits(from_bits(0xBF818000u)), 0xBF82u);  // the same for negatives
  EXPECT_EQ(bf16_bits(from_bits(0x3F808001u)), 0x3F81u);  // just above halfway
  EXPECT_EQ(bf16_bits(from_bits(0x3F807FFFu)), 0x3F80u);  // just below
  EXPECT_EQ(bf16_bits(from_bits(0x00008000u)), 0x0000u);  // subnormal tie
  EXPECT_EQ(bf16_bits(from_bits(0x00018000u)), 0x0002u);
  EXPECT_EQ(bf16_bits(from_bits(0x007FFFFFu)), 0x0080u);  // largest subnormal rounds up to the smallest normal
}

TEST(Bf16, InfinitiesNaNAndOverflow) {
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bf16_bits(inf), 0x7F80u);
  EXPECT_EQ(bf16_bits(-inf), 0xFF80u);
  EXPECT_EQ(bf16_bits(from_bits(0x7F7FFFFFu)), 0x7F80u);  // the largest float rounds past the largest bf16
  EXPECT_EQ(bf16_bits(from_bits(0x7F7F7FFFu)), 0x7F7Fu);  // below halfway: stays finite
  for (std::uint32_t nan : {0x7FC00000u, 0x7F800001u, 0xFFC00001u, 0x7FFFFFFFu}) {
    const std::uint16_t b = bf16_bits(from_bits(nan));
    EXPECT_TRUE(std::isnan(bf16_to_float(b))) << std::hex << nan;  // a signalling NaN must not become infinity
    EXPECT_EQ(b & 0x8000u, (nan >> 16) & 0x8000u) << std::hex << nan;
  }
  EXPECT_EQ(bf16_bits(0.0f), 0x0000u);
  EXPECT_EQ(bf16_bits(-0.0f), 0x8000u);
}

TEST(Bf16, MatchesTheReferenceOnRandomBitPatterns) {
  Rng rng(5);
  for (int i = 0; i < 200000; ++i) {
    const std::uint32_t bits = static_cast<std::uint32_t>(rng.below(std::uint64_t{1} << 32));
    const float x = from_bits(bits);
    ASSERT_EQ(bf16_bits(x), reference(x)) << std::hex << bits;
  }
  // Every tie pattern of a few exponents.
  for (std::uint32_t hi : {0x3F80u, 0x4049u, 0xC2F6u, 0x0001u, 0x7F7Eu})
    for (std::uint32_t lo : {0x8000u, 0x7FFFu, 0x8001u})
      ASSERT_EQ(bf16_bits(from_bits(hi << 16 | lo)), reference(from_bits(hi << 16 | lo))) << std::hex << hi << lo;
}

TEST(Bf16, TensorsConvertAndRoundInPlace) {
  Tensor x = Tensor::from_vector({1.0f, 1.00390625f, -3.14159f, 65504.0f, 1e-30f, 0.0f}, Shape{2, 3});
  Tensor b = to_bf16(x);
  EXPECT_EQ(b.dtype(), DType::BF16);
  EXPECT_EQ(b.shape(), x.shape());
  Tensor back = bf16_to_f32(b);
  std::vector<float> rounded = x.to_vector();
  round_to_bf16(rounded.data(), static_cast<std::int64_t>(rounded.size()));
  EXPECT_EQ(back.to_vector(), rounded);
  for (std::size_t i = 0; i < rounded.size(); ++i)
    EXPECT_EQ(rounded[i], bf16_to_float(bf16_from_float(x.to_vector()[i]))) << i;
  EXPECT_EQ(rounded[1], 1.0f);  // 1 + 2^-8 ties to 1
  // Rounding is idempotent: a bf16 value widens and narrows to itself.
  std::vector<float> again = rounded;
  round_to_bf16(again.data(), static_cast<std::int64_t>(again.size()));
  EXPECT_EQ(again, rounded);
}

}  // namespace
}  // namespace s2s::kernels
