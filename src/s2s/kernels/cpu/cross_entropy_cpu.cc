#include <algorithm>
#include <cmath>
#include <limits>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/vecmath.h"
#include "s2s/kernels/cross_entropy.h"

namespace s2s::kernels {

namespace {

std::int64_t row_grain(std::int64_t classes) {
  return std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(classes, 1));
}

void check_targets(const std::int32_t* t, std::int64_t n, std::int64_t classes, std::int32_t ignore_index) {
  for (std::int64_t i = 0; i < n; ++i)
    S2S_CHECK(t[i] == ignore_index || (t[i] >= 0 && t[i] < classes), "cross_entropy: target ", t[i], " at position ",
              i, " is out of range for ", classes, " classes (ignore_index is ", ignore_index, ")");
}

}  // namespace

CrossEntropySums cross_entropy_forward(const Tensor& logits, const Tensor& targets, std::int32_t ignore_index,
                                       float label_smoothing, Tensor* lse, std::int64_t smooth_classes) {
  std::int64_t n = logits.dim(0), classes = logits.dim(1);
  const std::int32_t* t = targets.i32();
  check_targets(t, n, classes, ignore_index);
  CrossEntropySums sums;
  for (std::int64_t i = 0; i < n; ++i) sums.count += t[i] != ignore_index;
  // Per-row losses land in a buffer and are summed in row order afterwards,
  // so the total does not depend on how rows were split between threads.
  Tensor row_loss = Tensor::empty(Shape{n});
  const float* px = logits.f32();
  float* pl = row_loss.f32();
  float* plse = lse ? lse->f32() : nullptr;
  const std::int64_t smooth = smooth_classes > 0 ? std::min(smooth_classes, classes) : classes;
  float eps = label_smoothing, inv_classes = 1.0f / static_cast<float>(std::max<std::int64_t>(smooth, 1));
  parallel_for(0, n, row_grain(classes), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      if (t[i] == ignore_index) {
        pl[i] = 0.0f;
        if (plse) plse[i] = 0.0f;
        continue;
      }
      const float* x = px + i * classes;
      float m = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : m)
      for (std::int64_t v = 0; v < classes; ++v) m = x[v] > m ? x[v] : m;
      float se = 0.0f, sx = 0.0f;
      if (smooth == classes) {
#pragma omp simd reduction(+ : se, sx)
        for (std::int64_t v = 0; v < classes; ++v) {
          se += cpu::fast_exp(x[v] - m);
          sx += x[v];
        }
      } else {
#pragma omp simd reduction(+ : se)
        for (std::int64_t v = 0; v < classes; ++v) se += cpu::fast_exp(x[v] - m);
#pragma omp simd reduction(+ : sx)
        for (std::int64_t v = 0; v < smooth; ++v) sx += x[v];
      }
      float l = m + std::log(se);
      float loss = (1.0f - eps) * (l - x[t[i]]);
      if (eps != 0.0f) loss += eps * (l - sx * inv_classes);
      pl[i] = loss;
      if (plse) plse[i] = l;
    }
  });
  for (std::int64_t i = 0; i < n; ++i) sums.loss += pl[i];
  return sums;
}

void cross_entropy_backward(const Tensor& logits, const Tensor& targets, const Tensor& lse, std::int32_t ignore_index,
                            float label_smoothing, float scale, Tensor& grad_logits, bool accumulate,
                            std::int64_t smooth_classes) {
  std::int64_t n = logits.dim(0), classes = logits.dim(1);
  const std::int32_t* t = targets.i32();
  const float *px = logits.f32(), *plse = lse.f32();
  float* pg = grad_logits.f32();
  float eps = label_smoothing;
  const std::int64_t smooth = smooth_classes > 0 ? std::min(smooth_classes, classes) : classes;
  float off = scale * eps / static_cast<float>(std::max<std::int64_t>(smooth, 1));  // smoothing mass per class
  float on = scale * (1.0f - eps);                                                  // extra mass on the target
  parallel_for(0, n, row_grain(classes), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) {
      float* g = pg + i * classes;
      if (t[i] == ignore_index) {
        if (!accumulate) std::fill(g, g + classes, 0.0f);
        continue;
      }
      const float* x = px + i * classes;
      float l = plse[i];
      if (accumulate) {
#pragma omp simd
        for (std::int64_t v = 0; v < classes; ++v) g[v] += scale * cpu::fast_exp(x[v] - l) - off;
      } else {
#pragma omp simd
        for (std::int64_t v = 0; v < classes; ++v) g[v] = scale * cpu::fast_exp(x[v] - l) - off;
      }
      for (std::int64_t v = smooth; v < classes; ++v) g[v] += off;  // columns outside the smoothing get none
      g[t[i]] -= on;
    }
  });
}

}  // namespace s2s::kernels
