#include "s2s/core/philox.h"

#include <gtest/gtest.h>

#include "s2s/core/rng.h"

namespace s2s {
namespace {

// Known-answer vector of Random123 (kat_vectors: philox4x32 10, counter 0, key 0).
TEST(Philox, KnownAnswer) {
  std::uint32_t out[4];
  philox_blocks<1>(0, 0, out);
  EXPECT_EQ(out[0], 0x6627e8d5u);
  EXPECT_EQ(out[1], 0xe169c58du);
  EXPECT_EQ(out[2], 0xbc57ac4cu);
  EXPECT_EQ(out[3], 0x9b00dbd8u);
}

// The 8-wide form (dropout masks) gives exactly Rng::at's values, including
// seeds with high bits set and blocks crossing the counter's 32-bit boundary.
TEST(Philox, WideBlocksEqualRngAt) {
  for (std::uint64_t seed : {0ull, 1ull, 0x123456789abcdef0ull, ~0ull}) {
    for (std::uint64_t block : {0ull, 5ull, 0xfffffffcull, 0x1234567890ull}) {
      std::uint32_t out[32];
      philox_blocks<8>(block, seed, out);
      for (int k = 0; k < 32; ++k) ASSERT_EQ(out[k], Rng::at(seed, 4 * block + k)) << seed << " " << block << " " << k;
    }
  }
}

}  // namespace
}  // namespace s2s
