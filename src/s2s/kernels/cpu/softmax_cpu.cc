#include "s2s/kernels/softmax.h"

#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace s2s::kernels {

namespace {

struct Rows {
  std::int64_t rows, cols;
};

Rows rows_of(const Tensor& x, const Tensor& y, const char* what) {
  S2S_CHECK(x.ndim() >= 1, what, ": expected at least 1 dimension, got a scalar");
  S2S_CHECK(x.numel() == y.numel(), what, ": output ", y.shape().str(), " does not match ", x.shape().str());
  std::int64_t cols = x.dim(-1);
  return {cols ? x.numel() / cols : 0, cols};
}

// y = exp(x - max) written into y; returns sum(y) and the max.
inline float shifted_exp(const float* x, float* y, std::int64_t n, float& m) {
  m = cpu::max_of(x, n);
  // An all -inf row (everything masked) gives NaN, as in PyTorch.
  for (std::int64_t j = 0; j < n; ++j) y[j] = x[j] - m;
  cpu::vexp(y, y, n);
  return cpu::sum(y, n);
}

// sum_j exp(x[j] - m), m = max: the same bits as shifted_exp's sum (the
// exps in cpu::sum's lane order), without storing them.
inline float shifted_exp_sum(const float* x, std::int64_t n, float& m) {
  m = cpu::max_of(x, n);
#ifdef __AVX2__
  const __m256 mv = _mm256_set1_ps(m);
  return cpu::lane_sum(n, [&](__m256& a, std::int64_t i, const __m256i* mask) {
    __m256 e = cpu::exp8(_mm256_sub_ps(cpu::load8(x + i, mask), mv));
    if (mask) e = _mm256_and_ps(e, _mm256_castsi256_ps(*mask));  // masked lanes add 0, not exp(-m)
    a = _mm256_add_ps(e, a);
  });
#else
  float total = 0.0f;
  for (std::int64_t j = 0; j < n; ++j) total += cpu::fast_exp(x[j] - m);
  return total;
#endif
}

}  // namespace

void softmax(const Tensor& x, Tensor& y) {
  Rows r = rows_of(x, y, "softmax");
  if (r.cols == 0) return;
  const float* xp = x.f32();
  float* yp = y.f32();
  parallel_for(0, r.rows, cpu::row_grain(r.cols, cpu::kMathGrain), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t i = r0; i < r1; ++i) {
      float m;
      float* yr = yp + i * r.cols;
      float inv = 1.0f / shifted_exp(xp + i * r.cols, yr, r.cols, m);
      for (std::int64_t j = 0; j < r.cols; ++j) yr[j] *= inv;
    }
  });
}

void log_softmax(const Tensor& x, Tensor& y) {
  Rows r = rows_of(x, y, "log_softmax");
  if (r.cols == 0) return;
  const float* xp = x.f32();
  float* yp = y.f32();
  parallel_for(0, r.rows, cpu::row_grain(r.cols, cpu::kMathGrain), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t i = r0; i < r1; ++i) {
      float m;
      const float* xr = xp + i * r.cols;
      float* yr = yp + i * r.cols;
      float log_total = std::log(shifted_exp_sum(xr, r.cols, m));
      // (x - m) - log_total: subtracting m first stays exact for large logits.
      for (std::int64_t j = 0; j < r.cols; ++j) yr[j] = (xr[j] - m) - log_total;
    }
  });
}

void softmax_backward(const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate) {
  Rows r = rows_of(y, g, "softmax backward");
  S2S_CHECK(gx.numel() == g.numel(), "softmax backward: gradient shapes differ");
  const float* yp = y.f32();
  const float* gp = g.f32();
  float* out = gx.f32();
  parallel_for(0, r.rows, cpu::row_grain(r.cols), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t i = r0; i < r1; ++i) {
      const float* yr = yp + i * r.cols;
      const float* gr = gp + i * r.cols;
      float* o = out + i * r.cols;
      float s = cpu::dot(gr, yr, r.cols);
      if (accumulate)
        for (std::int64_t j = 0; j < r.cols; ++j) o[j] += yr[j] * (gr[j] - s);
      else
        for (std::int64_t j = 0; j < r.cols; ++j) o[j] = yr[j] * (gr[j] - s);
    }
  });
}

void log_softmax_backward(const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate) {
  Rows r = rows_of(y, g, "log_softmax backward");
  S2S_CHECK(gx.numel() == g.numel(), "log_softmax backward: gradient shapes differ");
  const float* yp = y.f32();
  const float* gp = g.f32();
  float* out = gx.f32();
  parallel_for(0, r.rows, cpu::row_grain(r.cols, cpu::kMathGrain), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t i = r0; i < r1; ++i) {
      const float* yr = yp + i * r.cols;
      const float* gr = gp + i * r.cols;
      float* o = out + i * r.cols;
      float s = cpu::sum(gr, r.cols);
      if (accumulate)
        for (std::int64_t j = 0; j < r.cols; ++j) o[j] += gr[j] - cpu::fast_exp(yr[j]) * s;
      else
        for (std::int64_t j = 0; j < r.cols; ++j) o[j] = gr[j] - cpu::fast_exp(yr[j]) * s;
    }
  });
}

}  // namespace s2s::kernels
