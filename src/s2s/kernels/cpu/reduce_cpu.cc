#include "s2s/kernels/reduce.h"

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"

namespace s2s::kernels {

using cpu::kColBlock;
using cpu::kGrain;

void sum_axis(const Tensor& x, int axis, float scale, Tensor& out) {
  const Shape& s = x.shape();
  std::int64_t outer = s.outer(axis), d = s.dim(axis), inner = s.inner(axis);
  S2S_CHECK(out.numel() == outer * inner, "sum: output ", out.shape().str(), " does not fit ", s.str(), " reduced over axis ",
            axis);
  const float* xp = x.f32();
  float* op = out.f32();
  if (inner == 1) {  // contiguous rows
    parallel_for(0, outer, cpu::row_grain(d), [&](std::int64_t o0, std::int64_t o1) {
      for (std::int64_t o = o0; o < o1; ++o) op[o] = scale * cpu::sum(xp + o * d, d);
    });
    return;
  }
  // Column sums of each [d, inner] slab, one task per (slab, column block).
  std::int64_t blocks = (inner + kColBlock - 1) / kColBlock;
  parallel_for(0, outer * blocks, std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(d * kColBlock, 1)),
               [&](std::int64_t t0, std::int64_t t1) {
                 alignas(32) float sums[kColBlock];
                 for (std::int64_t t = t0; t < t1; ++t) {
                   std::int64_t o = t / blocks, j0 = (t % blocks) * kColBlock, len = std::min(kColBlock, inner - j0);
                   cpu::column_block_sums(xp + o * d * inner + j0, nullptr, d, len, inner, sums);
                   float* dst = op + o * inner + j0;
                   for (std::int64_t j = 0; j < len; ++j) dst[j] = scale * sums[j];
                 }
               });
}

void sum_axis_backward(const Tensor& g, int axis, float scale, Tensor& gx) {
  const Shape& s = gx.shape();
  std::int64_t outer = s.outer(axis), d = s.dim(axis), inner = s.inner(axis);
  S2S_CHECK(g.numel() == outer * inner, "sum backward: gradient ", g.shape().str(), " does not fit ", s.str());
  const float* gp = g.f32();
  float* out = gx.f32();
  if (inner == 1) {
    parallel_for(0, outer, cpu::row_grain(d), [&](std::int64_t o0, std::int64_t o1) {
      for (std::int64_t o = o0; o < o1; ++o) {
        float v = scale * gp[o];
        float* row = out + o * d;
        for (std::int64_t k = 0; k < d; ++k) row[k] += v;
      }
    });
    return;
  }
  parallel_for(0, outer * d, cpu::row_grain(inner), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      const float* src = gp + (r / d) * inner;
      float* dst = out + r * inner;
      if (scale == 1.0f)
        for (std::int64_t i = 0; i < inner; ++i) dst[i] += src[i];
      else
        for (std::int64_t i = 0; i < inner; ++i) dst[i] += scale * src[i];
    }
  });
}

float sum_all(const Tensor& x) { return static_cast<float>(cpu::total(x.f32(), nullptr, x.numel())); }

}  // namespace s2s::kernels
