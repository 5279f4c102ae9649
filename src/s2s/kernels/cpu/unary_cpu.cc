#include "s2s/kernels/unary.h"

#include <cmath>
#include <type_traits>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace s2s::kernels {

namespace {

// Phi(x) = erfc(-x / sqrt 2) / 2 and phi(x) = exp(-x^2 / 2) / sqrt(2 pi), with
// erfc(z), z >= 0, from Numerical Recipes' erfcc (fractional error < 1.2e-7):
// erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z / 2), and erfc(-z) = 2 - erfc(z).
// exp(-x^2 / 2) takes x^2 as the float x2 plus its rounding error x2e (one
// fma): rounded once, an argument near -50 would lose 1e-5 of relative
// accuracy. |x| is capped at 16 where both are 0 in float anyway (no inf *
// 0). Branch-free, so the loops calling it vectorise.
struct NormalParts {
  float cdf, pdf;
};
inline NormalParts normal_parts(float x) {
  float ax = std::fabs(x);
  ax = ax < 16.0f ? ax : 16.0f;
  const float x2 = ax * ax, x2e = std::fma(ax, ax, -x2);
  const float g = cpu::fast_exp(-0.5f * x2) * (1.0f - 0.5f * x2e);  // exp(-x^2 / 2)
  const float z = ax * 0.70710678118654752f;
  const float t = 1.0f / (1.0f + 0.5f * z);
  float p = std::fma(t, 0.17087277f, -0.82215223f);
  p = std::fma(t, p, 1.48851587f);
  p = std::fma(t, p, -1.13520398f);
  p = std::fma(t, p, 0.27886807f);
  p = std::fma(t, p, -0.18628806f);
  p = std::fma(t, p, 0.09678418f);
  p = std::fma(t, p, 0.37409196f);
  p = std::fma(t, p, 1.00002368f);
  p = std::fma(t, p, -1.26551223f);
  const float half_erfc = 0.5f * t * g * cpu::fast_exp(p);  // erfc(|x| / sqrt 2) / 2 = Phi(-|x|)
  return {cpu::vecmath_detail::select(x >= 0.0f, 1.0f - half_erfc, half_erfc), 0.39894228040143268f * g};
}

}  // namespace

void unary(UnaryOp op, const Tensor& x, Tensor& y) {
  S2S_CHECK(x.numel() == y.numel(), "unary: output ", y.shape().str(), " does not match input ", x.shape().str());
  const float* xp = x.f32();
  float* yp = y.f32();
  std::int64_t grain = op == UnaryOp::Relu ? cpu::kGrain : cpu::kMathGrain;
  parallel_for(0, x.numel(), grain, [&](std::int64_t s, std::int64_t e) {
    switch (op) {
      case UnaryOp::Tanh: cpu::vtanh(xp + s, yp + s, e - s); break;
      case UnaryOp::Sigmoid: cpu::vsigmoid(xp + s, yp + s, e - s); break;
      case UnaryOp::Exp: cpu::vexp(xp + s, yp + s, e - s); break;
      // (v < 0 ? 0 : v) maps onto maxps and keeps NaN, like torch.relu.
      case UnaryOp::Relu:
        for (std::int64_t i = s; i < e; ++i) yp[i] = xp[i] < 0.0f ? 0.0f : xp[i];
        break;
      case UnaryOp::Log:
        for (std::int64_t i = s; i < e; ++i) yp[i] = std::log(xp[i]);
        break;
      case UnaryOp::Gelu:
        for (std::int64_t i = s; i < e; ++i) yp[i] = xp[i] * normal_parts(xp[i]).cdf;
        break;
    }
  });
}

void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& g, Tensor& gx, bool accumulate) {
  S2S_CHECK(g.numel() == gx.numel() && y.numel() == g.numel(), "unary backward: gradient ", g.shape().str(),
            " does not match input ", gx.shape().str());
  const float* xp = x.f32();
  const float* yp = y.f32();
  const float* gp = g.f32();
  float* out = gx.f32();
  const std::int64_t grain = op == UnaryOp::Gelu ? cpu::kMathGrain : cpu::kGrain;
  auto run = [&](auto acc) {
    auto put = [](float& o, float v) {
      if constexpr (decltype(acc)::value) o += v;
      else o = v;
    };
    parallel_for(0, g.numel(), grain, [&](std::int64_t s, std::int64_t e) {
      switch (op) {
        case UnaryOp::Tanh:
          for (std::int64_t i = s; i < e; ++i) put(out[i], gp[i] * (1.0f - yp[i] * yp[i]));
          break;
        case UnaryOp::Sigmoid:
          for (std::int64_t i = s; i < e; ++i) put(out[i], gp[i] * yp[i] * (1.0f - yp[i]));
          break;
        case UnaryOp::Relu:
          for (std::int64_t i = s; i < e; ++i) put(out[i], yp[i] > 0.0f ? gp[i] : 0.0f);
          break;
        case UnaryOp::Exp:
          for (std::int64_t i = s; i < e; ++i) put(out[i], gp[i] * yp[i]);
          break;
        case UnaryOp::Log:
          for (std::int64_t i = s; i < e; ++i) put(out[i], gp[i] / xp[i]);
          break;
        case UnaryOp::Gelu:
          for (std::int64_t i = s; i < e; ++i) {
            const NormalParts n = normal_parts(xp[i]);
            put(out[i], gp[i] * (n.cdf + xp[i] * n.pdf));
          }
          break;
      }
    });
  };
  if (accumulate) run(std::true_type{});
  else run(std::false_type{});
}

}  // namespace s2s::kernels
