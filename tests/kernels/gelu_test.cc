// GELU (erf form): values against std::erfc in double, and its derivative.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/kernels/unary.h"

namespace s2s::kernels {
namespace {

double gelu_ref(double x) { return 0.5 * x * std::erfc(-x / std::sqrt(2.0)); }
double gelu_grad_ref(double x) {
  return 0.5 * std::erfc(-x / std::sqrt(2.0)) + x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI);
}

TEST(Gelu, MatchesTheErfFormToFloatPrecision) {
  const std::int64_t n = 4001;
  Tensor x = Tensor::empty(Shape{n}), y = Tensor::empty(Shape{n});
  for (std::int64_t i = 0; i < n; ++i) x.f32()[i] = -10.0f + 20.0f * static_cast<float>(i) / (n - 1);
  unary(UnaryOp::Gelu, x, y);
  for (std::int64_t i = 0; i < n; ++i) {
    const double want = gelu_ref(x.f32()[i]);
    // Relative accuracy in both tails (the negative one is tiny, not zero).
    EXPECT_NEAR(y.f32()[i], want, 1e-30 + 5e-7 * std::abs(want)) << "x = " << x.f32()[i];
  }
}

// x Phi(x) in double at hand-picked points (what torch.nn.functional.gelu rounds to float).
TEST(Gelu, AgreesWithReferenceValues) {
  Tensor x = Tensor::from_vector({-3.0f, -1.0f, -0.5f, 0.0f, 0.5f, 1.0f, 3.0f}, Shape{7});
  Tensor y = Tensor::empty(Shape{7});
  unary(UnaryOp::Gelu, x, y);
  const float torch[] = {-0.0040496941f, -0.15865526f, -0.15426877f, 0.0f, 0.34573123f, 0.84134474f, 2.9959503f};
  for (int i = 0; i < 7; ++i) EXPECT_NEAR(y.f32()[i], torch[i], 2e-7f + 2e-7f * std::abs(torch[i])) << i;
}

TEST(Gelu, BackwardIsPhiPlusXPhi) {
  const std::int64_t n = 801;
  Tensor x = Tensor::empty(Shape{n}), y = Tensor::empty(Shape{n}), g = Tensor::full(Shape{n}, 2.0f);
  for (std::int64_t i = 0; i < n; ++i) x.f32()[i] = -8.0f + 16.0f * static_cast<float>(i) / (n - 1);
  unary(UnaryOp::Gelu, x, y);
  Tensor gx = Tensor::full(Shape{n}, 1.0f);
  unary_backward(UnaryOp::Gelu, x, y, g, gx);  // accumulates onto 1
  for (std::int64_t i = 0; i < n; ++i)
    EXPECT_NEAR(gx.f32()[i], 1.0 + 2.0 * gelu_grad_ref(x.f32()[i]), 2e-6) << "x = " << x.f32()[i];
}

}  // namespace
}  // namespace s2s::kernels
