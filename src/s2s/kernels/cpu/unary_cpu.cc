#include "s2s/kernels/unary.h"

#include <cmath>
#include <type_traits>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace s2s::kernels {

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
  auto run = [&](auto acc) {
    auto put = [](float& o, float v) {
      if constexpr (decltype(acc)::value) o += v;
      else o = v;
    };
    parallel_for(0, g.numel(), cpu::kGrain, [&](std::int64_t s, std::int64_t e) {
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
      }
    });
  };
  if (accumulate) run(std::true_type{});
  else run(std::false_type{});
}

}  // namespace s2s::kernels
