// The batched Philox in kernels/cpu must give exactly Rng::at's values.
#include "s2s/kernels/cpu/philox.h"

#include <gtest/gtest.h>

#include "s2s/core/rng.h"

namespace s2s::kernels::cpu {
namespace {

TEST(PhiloxBatch, BitIdenticalToRngAt) {
  // Seeds with high bits set; blocks crossing the 32-bit boundary of the counter.
  for (std::uint64_t seed : {0ull, 1ull, 0x123456789abcdef0ull, ~0ull}) {
    for (std::uint64_t block : {0ull, 5ull, 0xfffffffcull, 0x1234567890ull}) {
      std::uint32_t out[kPhiloxBatch];
      philox_batch(block, seed, out);
      for (int k = 0; k < kPhiloxBatch; ++k) ASSERT_EQ(out[k], Rng::at(seed, 4 * block + k)) << seed << " " << block << " " << k;
    }
  }
}

}  // namespace
}  // namespace s2s::kernels::cpu
