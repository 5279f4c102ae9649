// Optimizer update loops. Each update is written once, generic over a float
// lane type (F8: eight AVX lanes, F1: one float for the remainder), and every
// option is a template parameter so the bodies are branch-free. Every element
// is computed independently with the same IEEE operations in either lane
// type, so splitting the range across threads cannot change any result.
//
// Contraction into fused multiply-add is off in this file: PyTorch's eager
// CPU ops round after each operation, and vector and scalar lanes must round
// alike. (Plain loops would not vectorise here: std::sqrt under the default
// -fmath-errno keeps GCC from using vsqrtps, hence the explicit lanes.)
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "s2s/kernels/optim.h"

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "s2s/core/parallel.h"

namespace s2s::kernels {

namespace {

constexpr std::int64_t kGrain = 1 << 15;  // elements per thread below which threading costs more than it saves

struct F1 {
  float v;
  static F1 load(const float* p) { return {*p}; }
  static F1 splat(float x) { return {x}; }
  void store(float* p) const { *p = v; }
  friend F1 operator+(F1 a, F1 b) { return {a.v + b.v}; }
  friend F1 operator-(F1 a, F1 b) { return {a.v - b.v}; }
  friend F1 operator*(F1 a, F1 b) { return {a.v * b.v}; }
  friend F1 operator/(F1 a, F1 b) { return {a.v / b.v}; }
  friend F1 sqrt(F1 a) { return {std::sqrt(a.v)}; }
  // b when b > a, else a (the vector form below matches this NaN handling).
  friend F1 max(F1 a, F1 b) { return {b.v > a.v ? b.v : a.v}; }
  friend F1 min(F1 a, F1 b) { return {b.v < a.v ? b.v : a.v}; }
};

#if defined(__AVX__)
struct F8 {
  __m256 v;
  static constexpr int kWidth = 8;
  static F8 load(const float* p) { return {_mm256_loadu_ps(p)}; }
  static F8 splat(float x) { return {_mm256_set1_ps(x)}; }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
  friend F8 operator+(F8 a, F8 b) { return {_mm256_add_ps(a.v, b.v)}; }
  friend F8 operator-(F8 a, F8 b) { return {_mm256_sub_ps(a.v, b.v)}; }
  friend F8 operator*(F8 a, F8 b) { return {_mm256_mul_ps(a.v, b.v)}; }
  friend F8 operator/(F8 a, F8 b) { return {_mm256_div_ps(a.v, b.v)}; }
  friend F8 sqrt(F8 a) { return {_mm256_sqrt_ps(a.v)}; }
  friend F8 max(F8 a, F8 b) { return {_mm256_max_ps(b.v, a.v)}; }  // b > a ? b : a
  friend F8 min(F8 a, F8 b) { return {_mm256_min_ps(b.v, a.v)}; }  // b < a ? b : a
};
#endif

// Runs body.template operator()<Lane>(i) over [lo, hi): vector lanes, then single floats.
template <typename Body>
void for_lanes(std::int64_t lo, std::int64_t hi, const Body& body) {
  std::int64_t i = lo;
#if defined(__AVX__)
  for (; i + F8::kWidth <= hi; i += F8::kWidth) body.template operator()<F8>(i);
#endif
  for (; i < hi; ++i) body.template operator()<F1>(i);
}

// torch.lerp: start + w*(end-start) for |w| < 0.5, else end - (end-start)*(1-w).
template <bool kLowWeight, typename T>
inline T lerp(T start, T end, float w) {
  if constexpr (kLowWeight)
    return start + T::splat(w) * (end - start);
  else
    return end - (end - start) * T::splat(1.0f - w);
}

template <bool kWd, bool kMomentum, bool kFirst, bool kNesterov>
void sgd_loop(float* p, const float* g, float* buf, std::int64_t lo, std::int64_t hi, const SgdStep& s) {
  const float keep = 1.0f - s.dampening;
  for_lanes(lo, hi, [&]<typename T>(std::int64_t i) {
    T x = T::load(p + i), d = T::load(g + i);
    if constexpr (kWd) d = d + T::splat(s.weight_decay) * x;
    if constexpr (kMomentum) {
      T b = kFirst ? d : T::load(buf + i) * T::splat(s.momentum) + T::splat(keep) * d;
      b.store(buf + i);
      d = kNesterov ? d + T::splat(s.momentum) * b : b;
    }
    (x + T::splat(-s.lr) * d).store(p + i);
  });
}

template <bool kWd, bool kAmsgrad, bool kLowWeight>
void adam_loop(float* p, const float* g, float* m, float* v, float* vmax, std::int64_t lo, std::int64_t hi,
               const AdamStep& s) {
  for_lanes(lo, hi, [&]<typename T>(std::int64_t i) {
    T x = T::load(p + i) * T::splat(s.decay_factor);  // AdamW's decoupled decay; a factor of 1 is exact
    T gi = T::load(g + i);
    if constexpr (kWd) gi = gi + T::splat(s.weight_decay) * x;
    T mi = lerp<kLowWeight>(T::load(m + i), gi, s.one_minus_beta1);
    T vi = T::load(v + i) * T::splat(s.beta2);
    vi = vi + T::splat(s.one_minus_beta2) * gi * gi;
    mi.store(m + i);
    vi.store(v + i);
    if constexpr (kAmsgrad) {
      vi = max(T::load(vmax + i), vi);
      vi.store(vmax + i);
    }
    T denom = sqrt(vi) / T::splat(s.bias_correction2_sqrt) + T::splat(s.eps);
    (x + T::splat(s.neg_step_size) * mi / denom).store(p + i);
  });
}

template <bool kWd, bool kCentered, bool kMomentum, bool kLowWeight>
void rmsprop_loop(float* p, const float* g, float* sq, float* ga, float* buf, std::int64_t lo, std::int64_t hi,
                  const RmspropStep& s) {
  for_lanes(lo, hi, [&]<typename T>(std::int64_t i) {
    T x = T::load(p + i), gi = T::load(g + i);
    if constexpr (kWd) gi = gi + T::splat(s.weight_decay) * x;
    T si = T::load(sq + i) * T::splat(s.alpha);
    si = si + T::splat(s.one_minus_alpha) * gi * gi;
    si.store(sq + i);
    T avg;
    if constexpr (kCentered) {
      T gai = lerp<kLowWeight>(T::load(ga + i), gi, s.one_minus_alpha);
      gai.store(ga + i);
      avg = sqrt(si + T::splat(-1.0f) * gai * gai);
    } else {
      avg = sqrt(si);
    }
    avg = avg + T::splat(s.eps);
    if constexpr (kMomentum) {
      T b = T::load(buf + i) * T::splat(s.momentum);
      b = b + T::splat(1.0f) * gi / avg;
      b.store(buf + i);
      (x + T::splat(s.neg_lr) * b).store(p + i);
    } else {
      (x + T::splat(s.neg_lr) * gi / avg).store(p + i);
    }
  });
}

template <bool kWd>
void adagrad_loop(float* p, const float* g, float* sum, std::int64_t lo, std::int64_t hi, const AdagradStep& s) {
  for_lanes(lo, hi, [&]<typename T>(std::int64_t i) {
    T x = T::load(p + i), gi = T::load(g + i);
    if constexpr (kWd) gi = gi + T::splat(s.weight_decay) * x;
    T si = T::load(sum + i) + T::splat(1.0f) * gi * gi;
    si.store(sum + i);
    T std_dev = sqrt(si) + T::splat(s.eps);
    (x + T::splat(s.neg_clr) * gi / std_dev).store(p + i);
  });
}

// Calls fn.template operator()<B>() with the runtime flag turned into a constant.
template <typename F>
void with_flag(bool flag, const F& fn) {
  if (flag)
    fn(std::true_type{});
  else
    fn(std::false_type{});
}

}  // namespace

void sgd_step(float* param, const float* grad, float* buf, std::int64_t n, const SgdStep& s) {
  with_flag(s.weight_decay != 0.0f, [&](auto wd) {
    with_flag(s.momentum != 0.0f, [&](auto mom) {
      with_flag(s.first_step, [&](auto first) {
        with_flag(s.nesterov, [&](auto nest) {
          parallel_for(0, n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
            sgd_loop<decltype(wd)::value, decltype(mom)::value, decltype(first)::value, decltype(nest)::value>(
                param, grad, buf, lo, hi, s);
          });
        });
      });
    });
  });
}

void adam_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
               std::int64_t n, const AdamStep& s) {
  with_flag(s.weight_decay != 0.0f, [&](auto wd) {
    with_flag(s.amsgrad, [&](auto ams) {
      with_flag(std::abs(s.one_minus_beta1) < 0.5f, [&](auto low) {
        parallel_for(0, n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
          adam_loop<decltype(wd)::value, decltype(ams)::value, decltype(low)::value>(param, grad, exp_avg, exp_avg_sq,
                                                                                     max_exp_avg_sq, lo, hi, s);
        });
      });
    });
  });
}

void rmsprop_step(float* param, const float* grad, float* square_avg, float* grad_avg, float* buf, std::int64_t n,
                  const RmspropStep& s) {
  with_flag(s.weight_decay != 0.0f, [&](auto wd) {
    with_flag(s.centered, [&](auto centered) {
      with_flag(s.momentum > 0.0f, [&](auto mom) {
        with_flag(std::abs(s.one_minus_alpha) < 0.5f, [&](auto low) {
          parallel_for(0, n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
            rmsprop_loop<decltype(wd)::value, decltype(centered)::value, decltype(mom)::value, decltype(low)::value>(
                param, grad, square_avg, grad_avg, buf, lo, hi, s);
          });
        });
      });
    });
  });
}

void adagrad_step(float* param, const float* grad, float* sum, std::int64_t n, const AdagradStep& s) {
  with_flag(s.weight_decay != 0.0f, [&](auto wd) {
    parallel_for(0, n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
      adagrad_loop<decltype(wd)::value>(param, grad, sum, lo, hi, s);
    });
  });
}

namespace {

constexpr int kLanes = 8;                  // independent accumulators: two AVX2 double vectors
constexpr int kMaxBlocks = 64;             // partial sums, summed in order at the end
constexpr std::int64_t kMinBlock = 1 << 14;  // below this one block does it all

double sum_squares_serial(const float* x, std::int64_t n) {
  double acc[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      double v = x[i + j];
      acc[j] += v * v;
    }
  for (int j = 0; i < n; ++i, ++j) {
    double v = x[i];
    acc[j] += v * v;
  }
  double total = 0;
  for (double a : acc) total += a;
  return total;
}

}  // namespace

double sum_squares(const float* x, std::int64_t n) {
  if (n <= 0) return 0.0;
  // Block size depends on n alone, so the grouping of the additions does too.
  std::int64_t block = std::max<std::int64_t>(kMinBlock, (n + kMaxBlocks - 1) / kMaxBlocks);
  block = (block + kLanes - 1) / kLanes * kLanes;
  std::int64_t blocks = (n + block - 1) / block;
  double partial[kMaxBlocks];
  parallel_for(0, blocks, 1, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t b = lo; b < hi; ++b) {
      std::int64_t start = b * block;
      partial[b] = sum_squares_serial(x + start, std::min(block, n - start));
    }
  });
  double total = 0;
  for (std::int64_t b = 0; b < blocks; ++b) total += partial[b];
  return total;
}

void scale(float* x, std::int64_t n, float s) {
  parallel_for(0, n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
    for_lanes(lo, hi, [&]<typename T>(std::int64_t i) { (T::load(x + i) * T::splat(s)).store(x + i); });
  });
}

void clamp(float* x, std::int64_t n, float lo_value, float hi_value) {
  parallel_for(0, n, kGrain, [&](std::int64_t lo, std::int64_t hi) {
    // max/min keep the first operand when the comparison fails, so NaN stays NaN.
    for_lanes(lo, hi, [&]<typename T>(std::int64_t i) {
      min(max(T::load(x + i), T::splat(lo_value)), T::splat(hi_value)).store(x + i);
    });
  });
}

}  // namespace s2s::kernels
