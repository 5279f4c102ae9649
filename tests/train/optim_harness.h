#pragma once
// Runs an optimizer and its double reference side by side on the same
// gradients and reports how far the float parameters strayed.
#include <cmath>

#include "s2s/train/optimizer.h"
#include "train/optim_reference.h"

namespace s2s::testing {

struct Trajectory {
  double max_error = 0;  // worst |float param - reference| over all steps
  Vec final_param;       // the optimizer's parameter after the last step
};

template <typename Ref>
Trajectory run_against_reference(train::Optimizer& opt, autograd::Parameter& p, Ref& ref, int steps) {
  Trajectory out;
  Vec rp = to_doubles(p.value);
  for (int t = 1; t <= steps; ++t) {
    Vec g = fill_test_grad(p, t);
    opt.step();
    ref.step(rp, g);
    for (std::int64_t i = 0; i < p.value.numel(); ++i)
      out.max_error = std::max(out.max_error, std::abs(static_cast<double>(p.value.f32()[i]) - rp[i]));
  }
  out.final_param = to_doubles(p.value);
  return out;
}

inline double max_abs_diff(const Vec& a, const Vec& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

// 19 elements: two 8-wide vector blocks and a 3-element scalar remainder.
constexpr std::int64_t kTestSize = 19;
constexpr int kTestSteps = 12;
constexpr double kTolerance = 3e-6;  // float rounding over kTestSteps steps of O(1) parameters

}  // namespace s2s::testing
