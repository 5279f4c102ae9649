#include <gtest/gtest.h>

#include "s2s/train/adagrad.h"
#include "s2s/train/rmsprop.h"
#include "train/optim_harness.h"

namespace s2s::train {
namespace {

using testing::kTestSize;
using testing::kTestSteps;
using testing::kTolerance;

TEST(Rmsprop, DefaultsMatchPyTorch) {
  RmspropOptions o;
  EXPECT_EQ(o.lr, 1e-2);
  EXPECT_EQ(o.alpha, 0.99);
  EXPECT_EQ(o.eps, 1e-8);
  EXPECT_EQ(o.weight_decay, 0.0);
  EXPECT_EQ(o.momentum, 0.0);
  EXPECT_FALSE(o.centered);
}

// p = 1, g = 0.5 then -0.25, defaults (lr 0.01, alpha 0.99).
// Step 1: s = 0.01*0.25 = 0.0025, p = 1 - 0.01*0.5/(0.05 + 1e-8) = 0.9 (+2e-8).
// Step 2: s = 0.002475 + 0.000625 = 0.0031, p = 0.9 + 0.01*0.25/sqrt(0.0031) = 0.9449013.
TEST(Rmsprop, HandComputedSteps) {
  autograd::Parameter p("w", Tensor::from_vector({1.0f}, {1}));
  p.grad = Tensor::zeros({1});
  Rmsprop opt({&p});
  p.grad.f32()[0] = 0.5f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.90000002, 1e-7);
  p.grad.f32()[0] = -0.25f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.9449013374, 1e-7);
}

TEST(Rmsprop, MatchesReferenceForEveryOptionCombination) {
  const RmspropOptions cases[] = {
      {.lr = 0.01},
      {.lr = 0.01, .weight_decay = 0.1},
      {.lr = 0.01, .eps = 0.05},
      {.lr = 0.01, .centered = true},
      {.lr = 0.005, .momentum = 0.9},
      {.lr = 0.005, .alpha = 0.9, .weight_decay = 0.1, .momentum = 0.5, .centered = true},
      {.lr = 0.005, .alpha = 0.45, .centered = true},  // lerp weight 0.55: PyTorch's other lerp branch
  };
  testing::Vec previous;
  for (const RmspropOptions& o : cases) {
    autograd::Parameter p = testing::make_test_param("w", kTestSize);
    Rmsprop opt({&p}, o);
    testing::RefRmsprop ref(o);
    testing::Trajectory tr = testing::run_against_reference(opt, p, ref, kTestSteps);
    EXPECT_LT(tr.max_error, kTolerance) << "centered " << o.centered << " momentum " << o.momentum;
    if (!previous.empty()) {
      EXPECT_GT(testing::max_abs_diff(previous, tr.final_param), 1e-4);
    }
    previous = tr.final_param;
  }
}

TEST(Rmsprop, RejectsInvalidOptions) {
  autograd::Parameter p("w", Tensor::zeros({2}));
  EXPECT_THROW(Rmsprop({&p}, {.alpha = -0.5}), Error);
  EXPECT_THROW(Rmsprop({&p}, {.eps = -1.0}), Error);
  EXPECT_THROW(Rmsprop({&p}, {.momentum = -1.0}), Error);
  EXPECT_THROW(Rmsprop({&p}, {.weight_decay = -1.0}), Error);
}

TEST(Adagrad, DefaultsMatchPyTorch) {
  AdagradOptions o;
  EXPECT_EQ(o.lr, 1e-2);
  EXPECT_EQ(o.lr_decay, 0.0);
  EXPECT_EQ(o.weight_decay, 0.0);
  EXPECT_EQ(o.initial_accumulator_value, 0.0);
  EXPECT_EQ(o.eps, 1e-10);
}

// p = 1, g = 0.5 then -0.25, lr 0.1, lr_decay 0.5, accumulator starting at 0.1.
// Step 1: clr = 0.1, sum = 0.35, p = 1 - 0.1*0.5/sqrt(0.35) = 0.9154846.
// Step 2: clr = 0.1/(1 + 0.5) = 0.0666667, sum = 0.4125, p += 0.0666667*0.25/sqrt(0.4125) = 0.9414345.
TEST(Adagrad, HandComputedSteps) {
  autograd::Parameter p("w", Tensor::from_vector({1.0f}, {1}));
  p.grad = Tensor::zeros({1});
  Adagrad opt({&p}, {.lr = 0.1, .lr_decay = 0.5, .initial_accumulator_value = 0.1});
  p.grad.f32()[0] = 0.5f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.9154845745, 1e-7);
  p.grad.f32()[0] = -0.25f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.9414345393, 1e-7);
}

TEST(Adagrad, MatchesReferenceForEveryOptionCombination) {
  const AdagradOptions cases[] = {
      {.lr = 0.1},
      {.lr = 0.1, .lr_decay = 0.2},
      {.lr = 0.1, .weight_decay = 0.1},
      {.lr = 0.1, .initial_accumulator_value = 0.5},
      {.lr = 0.1, .eps = 0.1},
      {.lr = 0.1, .lr_decay = 0.1, .weight_decay = 0.05, .initial_accumulator_value = 0.2, .eps = 1e-3},
  };
  testing::Vec previous;
  for (const AdagradOptions& o : cases) {
    autograd::Parameter p = testing::make_test_param("w", kTestSize);
    Adagrad opt({&p}, o);
    testing::RefAdagrad ref(o);
    testing::Trajectory tr = testing::run_against_reference(opt, p, ref, kTestSteps);
    EXPECT_LT(tr.max_error, kTolerance) << "lr_decay " << o.lr_decay << " wd " << o.weight_decay;
    if (!previous.empty()) {
      EXPECT_GT(testing::max_abs_diff(previous, tr.final_param), 1e-4);
    }
    previous = tr.final_param;
  }
}

TEST(Adagrad, RejectsInvalidOptions) {
  autograd::Parameter p("w", Tensor::zeros({2}));
  EXPECT_THROW(Adagrad({&p}, {.lr_decay = -1.0}), Error);
  EXPECT_THROW(Adagrad({&p}, {.weight_decay = -1.0}), Error);
  EXPECT_THROW(Adagrad({&p}, {.initial_accumulator_value = -1.0}), Error);
  EXPECT_THROW(Adagrad({&p}, {.eps = -1.0}), Error);
}

}  // namespace
}  // namespace s2s::train
