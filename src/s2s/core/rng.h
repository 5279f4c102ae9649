#pragma once
// Deterministic counter-based RNG (Philox4x32-10). The value at position i
// depends only on (seed, i), so parallel fills give the same numbers whatever
// the thread count, and the whole state is two integers that a checkpoint
// stores for exact resume. There is no global generator: every consumer owns one.
#include <cstdint>

namespace s2s {

struct RngState {
  std::uint64_t seed = 0;
  std::uint64_t offset = 0;  // counter: how many 32-bit values were consumed
};

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) : state_{seed, 0} {}
  explicit Rng(RngState state) : state_(state) {}

  RngState state() const { return state_; }
  void set_state(RngState s) { state_ = s; }

  std::uint32_t next_u32();
  float uniform();                            // [0, 1)
  float normal();                             // standard normal (Box-Muller)
  std::uint64_t below(std::uint64_t n);       // uniform integer in [0, n)

  // Fills n values and advances the counter by n (or 2n for normal), using
  // all threads; the result does not depend on the thread count.
  void fill_uniform(float* out, std::int64_t n, float lo, float hi);
  void fill_normal(float* out, std::int64_t n, float mean, float stddev);

  // The 32-bit value at absolute counter `index` for `seed` (stateless).
  static std::uint32_t at(std::uint64_t seed, std::uint64_t index);
  static float uniform_at(std::uint64_t seed, std::uint64_t index) {
    return static_cast<float>(at(seed, index) >> 8) * 0x1.0p-24f;
  }

  // Reserves n counter positions and returns the first; callers then use *_at.
  std::uint64_t skip(std::uint64_t n) {
    std::uint64_t first = state_.offset;
    state_.offset += n;
    return first;
  }

 private:
  RngState state_;
};

}  // namespace s2s
