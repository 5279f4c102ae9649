#pragma once
// Philox4x32-10 (Salmon et al., SC'11), the one implementation behind Rng:
// counter position i is word i % 4 of the block with counter i / 4, keyed by
// the seed. philox_blocks computes W consecutive blocks at once so that
// kernels consuming long runs of positions (dropout masks) vectorise.
#include <cstdint>

namespace s2s {

// out[4 * j + w] = word w of block (first_block + j), j in [0, W).
template <int W>
inline void philox_blocks(std::uint64_t first_block, std::uint64_t seed, std::uint32_t* out) {
  std::uint32_t c0[W], c1[W], c2[W], c3[W];
  for (int j = 0; j < W; ++j) {
    std::uint64_t c = first_block + static_cast<std::uint64_t>(j);
    c0[j] = static_cast<std::uint32_t>(c), c1[j] = static_cast<std::uint32_t>(c >> 32), c2[j] = 0, c3[j] = 0;
  }
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
#pragma omp simd
    for (int j = 0; j < W; ++j) {
      std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c0[j];
      std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c2[j];
      std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1[j] ^ k0;
      std::uint32_t n1 = static_cast<std::uint32_t>(p1);
      std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3[j] ^ k1;
      std::uint32_t n3 = static_cast<std::uint32_t>(p0);
      c0[j] = n0, c1[j] = n1, c2[j] = n2, c3[j] = n3;
    }
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  for (int j = 0; j < W; ++j) out[4 * j] = c0[j], out[4 * j + 1] = c1[j], out[4 * j + 2] = c2[j], out[4 * j + 3] = c3[j];
}

}  // namespace s2s
