#include "s2s/train/sgd.h"

#include <gtest/gtest.h>

#include "train/optim_harness.h"

namespace s2s::train {
namespace {

using testing::kTestSize;
using testing::kTestSteps;
using testing::kTolerance;

autograd::Parameter scalar_param(float v) {
  autograd::Parameter p("w", Tensor::from_vector({v}, {1}));
  p.grad = Tensor::zeros({1});
  return p;
}

TEST(Sgd, DefaultsMatchPyTorch) {
  SgdOptions o;
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.momentum, 0.0);
  EXPECT_EQ(o.dampening, 0.0);
  EXPECT_EQ(o.weight_decay, 0.0);
  EXPECT_FALSE(o.nesterov);
}

TEST(Sgd, HandComputedSteps) {
  // p = 1, g = 0.5 on both steps, lr 0.1.
  struct Case {
    SgdOptions o;
    float after1, after2;
  };
  SgdOptions plain{.lr = 0.1};
  SgdOptions wd{.lr = 0.1, .weight_decay = 0.1};
  SgdOptions damp{.lr = 0.1, .momentum = 0.9, .dampening = 0.1};
  SgdOptions nest{.lr = 0.1, .momentum = 0.9, .nesterov = true};
  const Case cases[] = {
      {plain, 0.95f, 0.90f},  // p -= 0.1 * 0.5 twice
      {wd, 0.94f, 0.8806f},   // d = 0.5 + 0.1*1 = 0.6; then d = 0.5 + 0.1*0.94 = 0.594
      {damp, 0.95f, 0.86f},   // buf = 0.5 (first step: no dampening); buf = 0.9*0.5 + 0.9*0.5 = 0.9
      {nest, 0.905f, 0.7695f},  // buf = 0.5, d = 0.5 + 0.45; buf = 0.95, d = 0.5 + 0.855
  };
  for (const Case& c : cases) {
    autograd::Parameter p = scalar_param(1.0f);
    Sgd opt({&p}, c.o);
    p.grad.f32()[0] = 0.5f;
    opt.step();
    EXPECT_NEAR(p.value.f32()[0], c.after1, 1e-6);
    p.grad.f32()[0] = 0.5f;
    opt.step();
    EXPECT_NEAR(p.value.f32()[0], c.after2, 1e-6);
  }
}

TEST(Sgd, MatchesReferenceForEveryOptionCombination) {
  const SgdOptions cases[] = {
      {.lr = 0.1},
      {.lr = 0.1, .weight_decay = 0.05},
      {.lr = 0.05, .momentum = 0.9},
      {.lr = 0.05, .momentum = 0.8, .dampening = 0.3, .weight_decay = 0.01},
      {.lr = 0.05, .momentum = 0.9, .nesterov = true},
      {.lr = 0.05, .momentum = 0.7, .weight_decay = 0.02, .nesterov = true},
  };
  testing::Vec previous;
  for (const SgdOptions& o : cases) {
    autograd::Parameter p = testing::make_test_param("w", kTestSize);
    Sgd opt({&p}, o);
    testing::RefSgd ref(o);
    testing::Trajectory tr = testing::run_against_reference(opt, p, ref, kTestSteps);
    EXPECT_LT(tr.max_error, kTolerance) << "momentum " << o.momentum << " nesterov " << o.nesterov;
    if (!previous.empty()) {
      EXPECT_GT(testing::max_abs_diff(previous, tr.final_param), 1e-3);
    }
    previous = tr.final_param;
    EXPECT_EQ(opt.step_count(), kTestSteps);
  }
}

TEST(Sgd, SkipsFrozenParametersAndReleasesAllGradients) {
  autograd::Parameter a = scalar_param(1.0f), frozen("frozen", Tensor::from_vector({2.0f}, {1}), false);
  frozen.grad = Tensor::zeros({1});
  Sgd opt({&a, &frozen}, {.lr = 0.5});
  a.grad.f32()[0] = 1.0f;
  frozen.grad.f32()[0] = 1.0f;
  opt.step();
  EXPECT_EQ(a.value.f32()[0], 0.5f);
  EXPECT_EQ(frozen.value.f32()[0], 2.0f);
  ASSERT_EQ(opt.params().size(), 1u);
  opt.zero_grad();
  EXPECT_FALSE(a.grad.defined());
  EXPECT_FALSE(frozen.grad.defined());
}

// A parameter no backward pass reached has no gradient: the update treats it
// as zero (momentum still moves the parameter, as in PyTorch's dense update).
TEST(Sgd, AMissingGradientIsAZeroGradient) {
  autograd::Parameter p = scalar_param(1.0f);
  Sgd opt({&p}, {.lr = 0.1, .momentum = 0.5});
  p.grad.f32()[0] = 1.0f;
  opt.step();  // buf = 1, p = 0.9
  opt.zero_grad();
  opt.step();  // buf = 0.5, p = 0.85
  EXPECT_FLOAT_EQ(p.value.f32()[0], 0.85f);
  ASSERT_TRUE(p.grad.defined());
  EXPECT_EQ(p.grad.f32()[0], 0.0f);
}

TEST(Sgd, RejectsInvalidOptions) {
  autograd::Parameter p = scalar_param(1.0f);
  EXPECT_THROW(Sgd({&p}, {.lr = -1.0}), Error);
  EXPECT_THROW(Sgd({&p}, {.momentum = -0.1}), Error);
  EXPECT_THROW(Sgd({&p}, {.weight_decay = -0.1}), Error);
  EXPECT_THROW(Sgd({&p}, {.nesterov = true}), Error);                                  // no momentum
  EXPECT_THROW(Sgd({&p}, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}), Error);  // dampening
  EXPECT_THROW(Sgd({&p, &p}), Error);                                                  // listed twice
  autograd::Parameter q = scalar_param(1.0f);
  EXPECT_THROW(Sgd({&p, &q}), Error);  // both named "w"
}

TEST(Sgd, RejectsAGradientOfTheWrongShape) {
  autograd::Parameter p = scalar_param(1.0f);
  Sgd opt({&p});
  p.grad = Tensor::zeros({2});
  EXPECT_THROW(opt.step(), Error);
  EXPECT_EQ(opt.step_count(), 0);
}

}  // namespace
}  // namespace s2s::train
