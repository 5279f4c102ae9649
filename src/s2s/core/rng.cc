#include "s2s/core/rng.h"

#include <cmath>

#include "s2s/core/parallel.h"

namespace s2s {

namespace {

struct Block4 {
  std::uint32_t v[4];
};

// Philox4x32-10 (Salmon et al., 2011) on counter (index / 4, seed-derived key).
Block4 philox(std::uint64_t counter, std::uint64_t seed) {
  std::uint32_t c0 = static_cast<std::uint32_t>(counter), c1 = static_cast<std::uint32_t>(counter >> 32), c2 = 0, c3 = 0;
  std::uint32_t k0 = static_cast<std::uint32_t>(seed), k1 = static_cast<std::uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    std::uint64_t p0 = std::uint64_t{0xD2511F53u} * c0;
    std::uint64_t p1 = std::uint64_t{0xCD9E8D57u} * c2;
    std::uint32_t n0 = static_cast<std::uint32_t>(p1 >> 32) ^ c1 ^ k0;
    std::uint32_t n1 = static_cast<std::uint32_t>(p1);
    std::uint32_t n2 = static_cast<std::uint32_t>(p0 >> 32) ^ c3 ^ k1;
    std::uint32_t n3 = static_cast<std::uint32_t>(p0);
    c0 = n0, c1 = n1, c2 = n2, c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

}  // namespace

std::uint32_t Rng::at(std::uint64_t seed, std::uint64_t index) { return philox(index >> 2, seed).v[index & 3]; }

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
