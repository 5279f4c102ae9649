#include "s2s/kernels/weight_norm.h"

#include <cmath>

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"

namespace s2s::kernels {

void weight_norm(const Tensor& v, const Tensor& g, Tensor& w, Tensor& norms) {
  S2S_CHECK(v.ndim() == 2 && g.numel() == v.dim(0) && w.shape() == v.shape() && norms.numel() == v.dim(0),
            "weight_norm: v ", v.shape().str(), ", g ", g.shape().str(), " and w ", w.shape().str(), " do not match");
  const std::int64_t in = v.dim(1);
  const float* vp = v.f32();
  const float* gp = g.f32();
  float* wp = w.f32();
  float* np = norms.f32();
  parallel_for(0, v.dim(0), cpu::row_grain(in), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t o = s; o < e; ++o) {
      const float* row = vp + o * in;
      double sq = 0.0;
      for (std::int64_t k = 0; k < in; ++k) sq += static_cast<double>(row[k]) * row[k];
      const float norm = static_cast<float>(std::sqrt(sq));
      np[o] = norm;
      const float f = gp[o] / norm;
      for (std::int64_t k = 0; k < in; ++k) wp[o * in + k] = f * row[k];
    }
  });
}

void weight_norm_backward(const Tensor& v, const Tensor& g, const Tensor& norms, const Tensor& gw, Tensor* gv,
                          bool accumulate_v, Tensor* gg, bool accumulate_g) {
  S2S_CHECK(gw.shape() == v.shape(), "weight_norm backward: gradient ", gw.shape().str(), " does not match v ",
            v.shape().str());
  const std::int64_t in = v.dim(1);
  const float* vp = v.f32();
  const float* gp = g.f32();
  const float* np = norms.f32();
  const float* dw = gw.f32();
  parallel_for(0, v.dim(0), cpu::row_grain(in), [&](std::int64_t s, std::int64_t e) {
    for (std::int64_t o = s; o < e; ++o) {
      const float* row = vp + o * in;
      const float* drow = dw + o * in;
      const float n = np[o];
      double dot = 0.0;
      for (std::int64_t k = 0; k < in; ++k) dot += static_cast<double>(drow[k]) * row[k];
      const float dg = static_cast<float>(dot / n);  // gw . u
      if (gg) {
        float* out = gg->f32() + o;
        *out = accumulate_g ? *out + dg : dg;
      }
      if (gv) {
        const float f = gp[o] / n, u = dg / n;  // dv = f (gw - dg v / n)
        float* out = gv->f32() + o * in;
        for (std::int64_t k = 0; k < in; ++k) {
          const float d = f * (drow[k] - u * row[k]);
          out[k] = accumulate_v ? out[k] + d : d;
        }
      }
    }
  });
}

}  // namespace s2s::kernels
