#pragma once
// Test helpers: random tensors from a fixed seed.
#include <cmath>

#include "s2s/core/rng.h"
#include "s2s/core/tensor.h"

namespace s2s::testing {

inline Tensor random_tensor(Rng& rng, const Shape& shape, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = Tensor::empty(shape);
  rng.fill_uniform(t.f32(), t.numel(), lo, hi);
  return t;
}

// Uniform in +-[min_abs, max_abs]: keeps inputs off kinks (relu) and poles (div).
inline Tensor random_away_from_zero(Rng& rng, const Shape& shape, float min_abs = 0.2f, float max_abs = 1.0f) {
  Tensor t = Tensor::empty(shape);
  for (float& v : t.span()) {
    float m = min_abs + (max_abs - min_abs) * rng.uniform();
    v = rng.uniform() < 0.5f ? -m : m;
  }
  return t;
}

inline Tensor random_ids(Rng& rng, const Shape& shape, std::int32_t vocab) {
  Tensor t = Tensor::empty(shape, DType::I32);
  for (std::int64_t k = 0; k < t.numel(); ++k) t.i32()[k] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab)));
  return t;
}

}  // namespace s2s::testing
