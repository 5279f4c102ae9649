#include "s2s/kernels/glu.h"

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace s2s::kernels {

void glu(const Tensor& x, Tensor& y) {
  const std::int64_t c = y.ndim() > 0 ? y.dim(-1) : 0;
  S2S_CHECK(x.ndim() >= 1 && x.dim(-1) == 2 * c && x.numel() == 2 * y.numel(), "glu: input ", x.shape().str(),
            " does not halve into output ", y.shape().str());
  const std::int64_t rows = c > 0 ? y.numel() / c : 0;
  const float* xp = x.f32();
  float* yp = y.f32();
  parallel_for(0, rows, cpu::row_grain(c, cpu::kMathGrain), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t r = s; r < e; ++r) {
      const float* a = xp + r * 2 * c;
      const float* b = a + c;
      float* out = yp + r * c;
      for (std::int64_t k = 0; k < c; ++k) out[k] = a[k] * cpu::fast_sigmoid(b[k]);
    }
  });
}

void glu_backward(const Tensor& x, const Tensor& gy, Tensor& gx, bool accumulate) {
  const std::int64_t c = gy.ndim() > 0 ? gy.dim(-1) : 0;
  S2S_CHECK(gx.numel() == x.numel() && x.dim(-1) == 2 * c && x.numel() == 2 * gy.numel(), "glu backward: gradient ",
            gy.shape().str(), " does not match input ", x.shape().str());
  const std::int64_t rows = c > 0 ? gy.numel() / c : 0;
  const float* xp = x.f32();
  const float* gp = gy.f32();
  float* op = gx.f32();
  parallel_for(0, rows, cpu::row_grain(c, cpu::kMathGrain), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t r = s; r < e; ++r) {
      const float* a = xp + r * 2 * c;
      const float* b = a + c;
      const float* g = gp + r * c;
      float* ga = op + r * 2 * c;
      float* gb = ga + c;
      for (std::int64_t k = 0; k < c; ++k) {
        const float sig = cpu::fast_sigmoid(b[k]);
        const float da = g[k] * sig, db = g[k] * a[k] * sig * (1.0f - sig);
        if (accumulate) {
          ga[k] += da;
          gb[k] += db;
        } else {
          ga[k] = da;
          gb[k] = db;
        }
      }
    }
  });
}

}  // namespace s2s::kernels
