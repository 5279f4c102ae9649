#include "s2s/core/rng.h"

#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/core/philox.h"

namespace s2s {


std::uint32_t Rng::at(std::uint64_t seed, std::uint64_t index) {
  std::uint32_t block[4];
  philox_blocks<1>(index >> 2, seed, block);
  return block[index & 3];
}

std::uint32_t Rng::next_u32() { return at(state_.seed, state_.offset++); }

float Rng::uniform() { return uniform_at(state_.seed, state_.offset++); }

float Rng::normal() {
  std::uint64_t i = skip(2);
  float u1 = uniform_at(state_.seed, i), u2 = uniform_at(state_.seed, i + 1);
  return std::sqrt(-2.0f * std::log(1.0f - u1)) * std::cos(6.283185307179586f * u2);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // 64 random bits reduce bias below 2^-32 for any n that fits 32 bits.
  std::uint64_t hi = next_u32(), lo = next_u32();
  return ((hi << 32) | lo) % n;
}

void Rng::fill_uniform(float* out, std::int64_t n, float lo, float hi) {
  std::uint64_t first = skip(static_cast<std::uint64_t>(n)), seed = state_.seed;
  parallel_for(0, n, 4096, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) out[i] = lo + (hi - lo) * uniform_at(seed, first + i);
  });
}

void Rng::fill_normal(float* out, std::int64_t n, float mean, float stddev) {
  std::uint64_t first = skip(2 * static_cast<std::uint64_t>(n)), seed = state_.seed;
  parallel_for(0, n, 4096, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      float u1 = uniform_at(seed, first + 2 * i), u2 = uniform_at(seed, first + 2 * i + 1);
      out[i] = mean + stddev * std::sqrt(-2.0f * std::log(1.0f - u1)) * std::cos(6.283185307179586f * u2);
    }
  });
}

}  // namespace s2s
