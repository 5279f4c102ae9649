#pragma once
// Double-precision scalar references for the optimizer tests, written from
// PyTorch's update rules (torch/optim/{sgd,adam,rmsprop,adagrad}.py) one
// element at a time, independent of the kernels they check.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "s2s/autograd/parameter.h"
#include "s2s/core/tensor.h"
#include "s2s/train/adagrad.h"
#include "s2s/train/adam.h"
#include "s2s/train/rmsprop.h"
#include "s2s/train/sgd.h"

namespace s2s::testing {

using Vec = std::vector<double>;

struct RefSgd {
  explicit RefSgd(const train::SgdOptions& o)
      : lr(o.lr), momentum(o.momentum), dampening(o.dampening), wd(o.weight_decay), nesterov(o.nesterov) {}
  double lr, momentum, dampening, wd;
  bool nesterov;
  Vec buf;
  int t = 0;
  void step(Vec& p, const Vec& grad) {
    ++t;
    if (buf.empty()) buf.assign(p.size(), 0.0);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double d = grad[i] + wd * p[i];
      if (momentum != 0) {
        buf[i] = t == 1 ? d : momentum * buf[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * buf[i] : buf[i];
      }
      p[i] -= lr * d;
    }
  }
};

struct RefAdam {
  template <typename Options>  // AdamOptions or AdamWOptions
  RefAdam(const Options& o, bool decoupled_decay)
      : lr(o.lr), beta1(o.beta1), beta2(o.beta2), eps(o.eps), wd(o.weight_decay), amsgrad(o.amsgrad),
        decoupled(decoupled_decay) {}
  double lr, beta1, beta2, eps, wd;
  bool amsgrad, decoupled;
  Vec m, v, vmax;
  int t = 0;
  void step(Vec& p, const Vec& grad) {
    ++t;
    if (m.empty()) m.assign(p.size(), 0.0), v.assign(p.size(), 0.0), vmax.assign(p.size(), 0.0);
    double bc1 = 1 - std::pow(beta1, t), bc2 = 1 - std::pow(beta2, t);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i];
      if (decoupled)
        p[i] *= 1 - lr * wd;
      else
        g += wd * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      vmax[i] = std::max(vmax[i], v[i]);
      double denom = std::sqrt(amsgrad ? vmax[i] : v[i]) / std::sqrt(bc2) + eps;
      p[i] -= lr / bc1 * m[i] / denom;
    }
  }
};

struct RefRmsprop {
  explicit RefRmsprop(const train::RmspropOptions& o)
      : lr(o.lr), alpha(o.alpha), eps(o.eps), wd(o.weight_decay), momentum(o.momentum), centered(o.centered) {}
  double lr, alpha, eps, wd, momentum;
  bool centered;
  Vec sq, ga, buf;
  void step(Vec& p, const Vec& grad) {
    if (sq.empty()) sq.assign(p.size(), 0.0), ga.assign(p.size(), 0.0), buf.assign(p.size(), 0.0);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i] + wd * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
      double avg;
      if (centered) {
        ga[i] = alpha * ga[i] + (1 - alpha) * g;
        avg = std::sqrt(sq[i] - ga[i] * ga[i]) + eps;
      } else {
        avg = std::sqrt(sq[i]) + eps;
      }
      if (momentum > 0) {
        buf[i] = momentum * buf[i] + g / avg;
        p[i] -= lr * buf[i];
      } else {
        p[i] -= lr * g / avg;
      }
    }
  }
};

struct RefAdagrad {
  explicit RefAdagrad(const train::AdagradOptions& o)
      : lr(o.lr), lr_decay(o.lr_decay), wd(o.weight_decay), init(o.initial_accumulator_value), eps(o.eps) {}
  double lr, lr_decay, wd, init, eps;
  Vec sum;
  int t = 0;
  void step(Vec& p, const Vec& grad) {
    ++t;
    if (sum.empty()) sum.assign(p.size(), init);
    double clr = lr / (1 + (t - 1) * lr_decay);
    for (std::size_t i = 0; i < p.size(); ++i) {
      double g = grad[i] + wd * p[i];
      sum[i] += g * g;
      p[i] -= clr * g / (std::sqrt(sum[i]) + eps);
    }
  }
};

// A gradient that depends on the parameter and changes size and sign over
// steps (so momentum, amsgrad's running max and centring all matter):
// g_i = (p_i - target_i) * (1 + i % 3) + 0.5 cos(0.7 t + i).
inline float test_grad(float p, std::int64_t i, int t) {
  double target = 0.3 * std::sin(static_cast<double>(i));
  return static_cast<float>((p - target) * (1 + i % 3) + 0.5 * std::cos(0.7 * t + static_cast<double>(i)));
}

inline autograd::Parameter make_test_param(const std::string& name, std::int64_t n) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) v[i] = static_cast<float>(0.8 * std::cos(1.3 * static_cast<double>(i)));
  autograd::Parameter p(name, Tensor::from_vector(v, {n}));
  p.grad = Tensor::zeros({n});
  return p;
}

// Fills p.grad with test_grad and returns it as doubles for the reference.
inline Vec fill_test_grad(autograd::Parameter& p, int t) {
  if (!p.grad.defined()) p.grad = Tensor::empty(p.value.shape());  // zero_grad releases it
  Vec g(static_cast<std::size_t>(p.value.numel()));
  for (std::int64_t i = 0; i < p.value.numel(); ++i) {
    p.grad.f32()[i] = test_grad(p.value.f32()[i], i, t);
    g[i] = p.grad.f32()[i];
  }
  return g;
}

inline Vec to_doubles(const Tensor& t) {
  Vec out(static_cast<std::size_t>(t.numel()));
  for (std::int64_t i = 0; i < t.numel(); ++i) out[i] = t.f32()[i];
  return out;
}

}  // namespace s2s::testing
