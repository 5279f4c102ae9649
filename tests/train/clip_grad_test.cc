#include "s2s/train/clip_grad.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "s2s/core/parallel.h"
#include "train/optim_harness.h"

namespace s2s::train {
namespace {

struct Grads {
  autograd::Parameter a{"a", Tensor::zeros({2})};
  autograd::Parameter b{"b", Tensor::zeros({1})};
  autograd::Parameter frozen{"frozen", Tensor::zeros({1}), false};
  Grads() {
    for (autograd::Parameter* p : params()) p->grad = Tensor::zeros(p->value.shape());
    a.grad.f32()[0] = 3.0f;  // |a| = 5, |b| = 12, total sqrt(9 + 16 + 144) = 13
    a.grad.f32()[1] = -4.0f;
    b.grad.f32()[0] = 12.0f;
    frozen.grad.f32()[0] = 100.0f;  // not part of the norm, never clipped
  }
  std::vector<autograd::Parameter*> params() { return {&a, &b, &frozen}; }
};

TEST(ClipGradNorm, BelowMaxNormLeavesGradientsAlone) {
  Grads g;
  EXPECT_EQ(clip_grad_norm(g.params(), 26.0), 13.0);
  EXPECT_EQ(g.a.grad.f32()[0], 3.0f);
  EXPECT_EQ(g.a.grad.f32()[1], -4.0f);
  EXPECT_EQ(g.b.grad.f32()[0], 12.0f);
  EXPECT_EQ(grad_norm(g.params()), 13.0);
}

TEST(ClipGradNorm, AboveMaxNormScalesByMaxOverNormPlusEpsilon) {
  Grads g;
  EXPECT_EQ(clip_grad_norm(g.params(), 6.5), 13.0);  // the norm before clipping
  const float coef = static_cast<float>(6.5 / (13.0 + 1e-6));  // PyTorch's max_norm / (total + 1e-6)
  EXPECT_EQ(g.a.grad.f32()[0], 3.0f * coef);
  EXPECT_EQ(g.a.grad.f32()[1], -4.0f * coef);
  EXPECT_EQ(g.b.grad.f32()[0], 12.0f * coef);
  EXPECT_NEAR(g.b.grad.f32()[0], 6.0, 1e-6);
  EXPECT_EQ(g.frozen.grad.f32()[0], 100.0f);
  EXPECT_NEAR(grad_norm(g.params()), 6.5, 1e-6);
}

TEST(ClipGradNorm, NormEqualToMaxNormIsScaledByTheEpsilonOnly) {
  Grads g;
  clip_grad_norm(g.params(), 13.0);
  EXPECT_EQ(g.b.grad.f32()[0], 12.0f * static_cast<float>(13.0 / (13.0 + 1e-6)));
}

TEST(ClipGradNorm, NonFiniteNormLeavesGradientsAlone) {
  Grads g;
  g.a.grad.f32()[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(clip_grad_norm(g.params(), 1.0)));
  EXPECT_EQ(g.b.grad.f32()[0], 12.0f);
  g.a.grad.f32()[0] = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(std::isinf(clip_grad_norm(g.params(), 1.0)));
  EXPECT_EQ(g.b.grad.f32()[0], 12.0f);
  EXPECT_THROW(clip_grad_norm(g.params(), -1.0), Error);
}

TEST(ClipGradNorm, AMissingGradientCountsAsZero) {
  Grads g;
  autograd::Parameter unreached{"unreached", Tensor::zeros({4})};  // no backward pass reached it
  std::vector<autograd::Parameter*> params = g.params();
  params.push_back(&unreached);
  EXPECT_EQ(grad_norm(params), 13.0);
  EXPECT_EQ(clip_grad_norm(params, 6.5), 13.0);
  EXPECT_FALSE(unreached.grad.defined());
  EXPECT_EQ(g.b.grad.f32()[0], 12.0f * static_cast<float>(6.5 / (13.0 + 1e-6)));
}

TEST(ClipGradNorm, LargeGradientsNormIsAccurateAndThreadIndependent) {
  const std::int64_t n = 1000003;
  autograd::Parameter p = testing::make_test_param("w", n);
  double naive = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    p.grad.f32()[i] = testing::test_grad(p.value.f32()[i], i, 1);
    naive += static_cast<double>(p.grad.f32()[i]) * p.grad.f32()[i];
  }
  std::vector<autograd::Parameter*> params{&p};
  int saved = num_threads();
  set_num_threads(1);
  double one = grad_norm(params);
  set_num_threads(3);
  double three = grad_norm(params);
  set_num_threads(saved);
  EXPECT_EQ(std::memcmp(&one, &three, sizeof one), 0);
  EXPECT_NEAR(one, std::sqrt(naive), 1e-12 * std::sqrt(naive));

  Tensor before = p.grad.clone();
  double total = clip_grad_norm(params, 1.0);
  float coef = static_cast<float>(1.0 / (total + 1e-6));
  for (std::int64_t i = 0; i < n; i += 9973) EXPECT_EQ(p.grad.f32()[i], before.f32()[i] * coef);
  EXPECT_NEAR(grad_norm(params), 1.0, 1e-5);
}

TEST(ClipGradValue, ClampsTrainableGradientsElementwise) {
  autograd::Parameter p("p", Tensor::zeros({11})), frozen("frozen", Tensor::zeros({1}), false);
  const float in[11] = {-3, 0.5f, 2, -0.25f, 1, -1, 7, 0, -9, 0.75f, std::numeric_limits<float>::quiet_NaN()};
  const float out[10] = {-1, 0.5f, 1, -0.25f, 1, -1, 1, 0, -1, 0.75f};
  p.grad = Tensor::empty({11});
  frozen.grad = Tensor::empty({1});
  std::memcpy(p.grad.f32(), in, sizeof in);
  frozen.grad.f32()[0] = 5.0f;
  clip_grad_value({&p, &frozen}, 1.0);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(p.grad.f32()[i], out[i]) << i;
  EXPECT_TRUE(std::isnan(p.grad.f32()[10]));
  EXPECT_EQ(frozen.grad.f32()[0], 5.0f);
  EXPECT_THROW(clip_grad_value({&p}, -1.0), Error);
}

}  // namespace
}  // namespace s2s::train
