#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/positional.h"

namespace s2s::kernels {

void sinusoidal_positions(std::int64_t first, Tensor& out) {
  S2S_CHECK(out.ndim() == 2 && out.dtype() == DType::F32, "sinusoidal_positions: output must be F32 [T, d], got ",
            out.shape().str());
  S2S_CHECK(first >= 0, "sinusoidal_positions: first position must be >= 0, got ", first);
  const std::int64_t T = out.dim(0), d = out.dim(1);
  float* po = out.f32();
  parallel_for(0, T, cpu::row_grain(d, cpu::kMathGrain), [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t) {
      const double pos = static_cast<double>(first + t);
      float* row = po + t * d;
      for (std::int64_t c = 0; c < d; c += 2) {
        const double angle = pos * std::exp(static_cast<double>(c) * (-std::log(10000.0) / static_cast<double>(d)));
        row[c] = static_cast<float>(std::sin(angle));
        if (c + 1 < d) row[c + 1] = static_cast<float>(std::cos(angle));
      }
    }
  });
}

Tensor sinusoidal_positions(std::int64_t first, std::int64_t steps, std::int64_t dim) {
  Tensor out = Tensor::empty(Shape{steps, dim});
  sinusoidal_positions(first, out);
  return out;
}

}  // namespace s2s::kernels
