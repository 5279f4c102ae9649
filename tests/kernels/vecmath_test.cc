// Accuracy of the fast vector exp / tanh / sigmoid against double-precision
// std:: references over a wide range, their special values, and bitwise
// agreement between the array, __m256 and scalar forms.
#include "s2s/kernels/cpu/vecmath.h"

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

namespace s2s::kernels::cpu {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Dense sweep over [-120, 120], a fine sweep near 0, and tiny magnitudes.
std::vector<float> inputs() {
  std::vector<float> x;
  for (double v = -120.0; v <= 120.0; v += 0.000731) x.push_back(static_cast<float>(v));
  for (double v = -1.0; v <= 1.0; v += 3.1e-6) x.push_back(static_cast<float>(v));
  for (int e = -60; e < 0; ++e) {
    x.push_back(std::ldexp(1.37f, e));
    x.push_back(-std::ldexp(1.71f, e));
  }
  return x;
}

// Relative error where the reference is a normal float; where it underflows
// (denormal or 0) the result must be within one smallest-normal of it.
double error(float got, double want) {
  if (std::isinf(static_cast<float>(want))) return got == static_cast<float>(want) ? 0.0 : 1.0;
  if (std::abs(want) < FLT_MIN) return std::abs(got - want) <= FLT_MIN ? 0.0 : 1.0;
  return std::abs(got - want) / std::abs(want);
}

template <typename Vector, typename Reference>
void check_accuracy(Vector vfn, Reference ref, const char* name) {
  std::vector<float> x = inputs(), y(x.size());
  vfn(x.data(), y.data(), static_cast<std::int64_t>(x.size()));
  double worst = 0;
  float worst_x = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    double e = error(y[k], ref(static_cast<double>(x[k])));
    if (e > worst) worst = e, worst_x = x[k];
  }
  EXPECT_LE(worst, 1e-6) << name << " worst at x = " << worst_x;
}

TEST(VecMath, ExpAccuracy) {
  check_accuracy(vexp, [](double v) { return std::exp(v); }, "exp");
}
TEST(VecMath, TanhAccuracy) {
  check_accuracy(vtanh, [](double v) { return std::tanh(v); }, "tanh");
}
TEST(VecMath, SigmoidAccuracy) {
  check_accuracy(vsigmoid, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, "sigmoid");
}

TEST(VecMath, SpecialValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x{kInf, -kInf, nan, 50.0f, -50.0f, -100.0f, 100.0f, 88.8f, 0.0f};
  std::int64_t n = static_cast<std::int64_t>(x.size());
  std::vector<float> e(x.size()), t(x.size()), s(x.size());
  vexp(x.data(), e.data(), n);
  vtanh(x.data(), t.data(), n);
  vsigmoid(x.data(), s.data(), n);
  EXPECT_EQ(e[0], kInf);
  EXPECT_EQ(e[1], 0.0f);
  EXPECT_TRUE(std::isnan(e[2]));
  EXPECT_EQ(e[6], kInf);
  EXPECT_EQ(e[7], kInf);  // just past FLT_MAX, like std::exp
  EXPECT_EQ(e[8], 1.0f);
  EXPECT_EQ(t[0], 1.0f);
  EXPECT_EQ(t[1], -1.0f);
  EXPECT_TRUE(std::isnan(t[2]));
  EXPECT_EQ(t[3], 1.0f);
  EXPECT_EQ(t[4], -1.0f);
  EXPECT_EQ(t[8], 0.0f);
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], 0.0f);
  EXPECT_TRUE(std::isnan(s[2]));
  EXPECT_EQ(s[3], 1.0f);
  EXPECT_GE(s[5], 0.0f);
  EXPECT_LT(s[5], 1e-40f);  // sigmoid(-100) = 3.7e-44, a denormal
  EXPECT_EQ(s[8], 0.5f);
}

TEST(VecMath, ScalarFormsMatchArrayFormsBitwise) {
  std::vector<float> x = inputs(), e(x.size()), t(x.size()), s(x.size());
  std::int64_t n = static_cast<std::int64_t>(x.size());
  vexp(x.data(), e.data(), n);
  vtanh(x.data(), t.data(), n);
  vsigmoid(x.data(), s.data(), n);
  for (std::size_t k = 0; k < x.size(); ++k) {
    ASSERT_EQ(fast_exp(x[k]), e[k]) << x[k];
    ASSERT_EQ(fast_tanh(x[k]), t[k]) << x[k];
    ASSERT_EQ(fast_sigmoid(x[k]), s[k]) << x[k];
  }
}

TEST(VecMath, InPlaceAndOddLengths) {
  for (std::int64_t n : {1, 7, 8, 9, 31}) {
    std::vector<float> x(static_cast<std::size_t>(n)), y(x.size());
    for (std::int64_t k = 0; k < n; ++k) x[static_cast<std::size_t>(k)] = 0.3f * static_cast<float>(k) - 2.0f;
    vtanh(x.data(), y.data(), n);
    vtanh(x.data(), x.data(), n);
    EXPECT_EQ(x, y);
  }
}

}  // namespace
}  // namespace s2s::kernels::cpu
