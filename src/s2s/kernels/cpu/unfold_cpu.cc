#include "s2s/kernels/unfold.h"

#include <algorithm>

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"

namespace s2s::kernels {

void unfold_time(const Tensor& x, std::int64_t kernel, std::int64_t pad_left, Tensor& out) {
  S2S_CHECK(x.ndim() == 3 && out.ndim() == 3 && out.dim(1) == x.dim(1) && out.dim(2) == kernel * x.dim(2),
            "unfold_time: x ", x.shape().str(), " and out ", out.shape().str(), " do not match kernel ", kernel);
  const std::int64_t t_in = x.dim(0), batch = x.dim(1), c = x.dim(2), t_out = out.dim(0);
  const float* xp = x.f32();
  float* op = out.f32();
  parallel_for(0, t_out * batch, cpu::row_grain(kernel * c), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t r = s; r < e; ++r) {
      const std::int64_t t = r / batch, b = r % batch;
      float* row = op + r * kernel * c;
      for (std::int64_t j = 0; j < kernel; ++j) {
        const std::int64_t src = t + j - pad_left;
        if (src >= 0 && src < t_in) std::copy_n(xp + (src * batch + b) * c, c, row + j * c);
        else std::fill_n(row + j * c, c, 0.0f);
      }
    }
  });
}

void unfold_time_backward(const Tensor& gy, std::int64_t kernel, std::int64_t pad_left, Tensor& gx, bool accumulate) {
  S2S_CHECK(gy.ndim() == 3 && gx.ndim() == 3 && gy.dim(1) == gx.dim(1) && gy.dim(2) == kernel * gx.dim(2),
            "unfold_time backward: gradient ", gy.shape().str(), " does not match input ", gx.shape().str());
  const std::int64_t t_in = gx.dim(0), batch = gx.dim(1), c = gx.dim(2), t_out = gy.dim(0);
  const float* gp = gy.f32();
  float* xp = gx.f32();
  parallel_for(0, t_in * batch, cpu::row_grain(kernel * c), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t r = s; r < e; ++r) {
      const std::int64_t src = r / batch, b = r % batch;
      float* out = xp + r * c;
      if (!accumulate) std::fill_n(out, c, 0.0f);
      for (std::int64_t j = 0; j < kernel; ++j) {
        const std::int64_t t = src - j + pad_left;
        if (t < 0 || t >= t_out) continue;
        const float* in = gp + ((t * batch + b) * kernel + j) * c;
        for (std::int64_t k = 0; k < c; ++k) out[k] += in[k];
      }
    }
  });
}

}  // namespace s2s::kernels
