#include "s2s/train/adam.h"

#include <gtest/gtest.h>

#include "train/optim_harness.h"

namespace s2s::train {
namespace {

using testing::kTestSize;
using testing::kTestSteps;
using testing::kTolerance;

TEST(Adam, DefaultsMatchPyTorch) {
  AdamOptions a;
  EXPECT_EQ(a.lr, 1e-3);
  EXPECT_EQ(a.beta1, 0.9);
  EXPECT_EQ(a.beta2, 0.999);
  EXPECT_EQ(a.eps, 1e-8);
  EXPECT_EQ(a.weight_decay, 0.0);
  EXPECT_FALSE(a.amsgrad);
  AdamWOptions w;
  EXPECT_EQ(w.lr, 1e-3);
  EXPECT_EQ(w.beta1, 0.9);
  EXPECT_EQ(w.beta2, 0.999);
  EXPECT_EQ(w.eps, 1e-8);
  EXPECT_EQ(w.weight_decay, 1e-2);
  EXPECT_FALSE(w.amsgrad);
}

// p = 1, g = 0.5 then -0.25, lr 0.1.
// Step 1: m = 0.05, v = 0.00025, bias corrections 0.1 and 0.001, so
//   denom = sqrt(0.00025)/sqrt(0.001) + 1e-8 = 0.5 + 1e-8 and p = 1 - (0.1/0.1) * 0.05/denom = 0.9 (+2e-9).
// Step 2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
//   bias corrections 0.19 and 0.001999: denom = sqrt(0.00031225/0.001999) + 1e-8 = 0.3952254,
//   p = 0.9 - (0.1/0.19) * 0.02/0.3952254 = 0.8733663.
TEST(Adam, HandComputedSteps) {
  autograd::Parameter p("w", Tensor::from_vector({1.0f}, {1}));
  p.grad = Tensor::zeros({1});
  Adam opt({&p}, {.lr = 0.1});
  p.grad.f32()[0] = 0.5f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.900000002, 1e-7);
  p.grad.f32()[0] = -0.25f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.8733662987, 1e-7);
}

// The same with AdamW, weight decay 0.1: p is first scaled by 1 - 0.1*0.1 = 0.99,
// then takes the same Adam step: 0.99 - 0.1 = 0.89; 0.89*0.99 - 0.0266337 = 0.8544663.
TEST(AdamW, HandComputedSteps) {
  autograd::Parameter p("w", Tensor::from_vector({1.0f}, {1}));
  p.grad = Tensor::zeros({1});
  AdamW opt({&p}, {.lr = 0.1, .weight_decay = 0.1});
  p.grad.f32()[0] = 0.5f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.890000002, 1e-7);
  p.grad.f32()[0] = -0.25f;
  opt.step();
  EXPECT_NEAR(p.value.f32()[0], 0.8544662987, 1e-7);
}

// The large eps makes its placement (after the bias-corrected sqrt) visible.
TEST(Adam, MatchesReferenceForEveryOptionCombination) {
  const AdamOptions cases[] = {
      {.lr = 0.05},
      {.lr = 0.05, .weight_decay = 0.1},
      {.lr = 0.05, .amsgrad = true},
      {.lr = 0.05, .weight_decay = 0.1, .amsgrad = true},
      {.lr = 0.05, .eps = 0.1},
      {.lr = 0.05, .beta1 = 0.3, .beta2 = 0.6},  // lerp weight 0.7: PyTorch's other lerp branch
  };
  testing::Vec previous;
  for (const AdamOptions& o : cases) {
    autograd::Parameter p = testing::make_test_param("w", kTestSize);
    Adam opt({&p}, o);
    testing::RefAdam ref(o, false);
    testing::Trajectory tr = testing::run_against_reference(opt, p, ref, kTestSteps);
    EXPECT_LT(tr.max_error, kTolerance) << "wd " << o.weight_decay << " amsgrad " << o.amsgrad << " eps " << o.eps;
    if (!previous.empty()) {
      EXPECT_GT(testing::max_abs_diff(previous, tr.final_param), 1e-4);
    }
    previous = tr.final_param;
  }
}

TEST(AdamW, MatchesReferenceForEveryOptionCombination) {
  const AdamWOptions cases[] = {
      {.lr = 0.05},
      {.lr = 0.05, .weight_decay = 0.5},
      {.lr = 0.05, .weight_decay = 0.5, .amsgrad = true},
      {.lr = 0.05, .beta1 = 0.3, .eps = 0.05, .weight_decay = 0.5},
  };
  testing::Vec previous;
  for (const AdamWOptions& o : cases) {
    autograd::Parameter p = testing::make_test_param("w", kTestSize);
    AdamW opt({&p}, o);
    testing::RefAdam ref(o, true);
    testing::Trajectory tr = testing::run_against_reference(opt, p, ref, kTestSteps);
    EXPECT_LT(tr.max_error, kTolerance) << "wd " << o.weight_decay << " amsgrad " << o.amsgrad;
    if (!previous.empty()) {
      EXPECT_GT(testing::max_abs_diff(previous, tr.final_param), 1e-5);
    }
    previous = tr.final_param;
  }
}

// With a short second-moment memory the running maximum is often above the
// current average, so amsgrad visibly changes the trajectory.
TEST(Adam, AmsgradUsesTheRunningMaximum) {
  testing::Vec finals[2];
  for (bool amsgrad : {false, true}) {
    AdamOptions o{.lr = 0.05, .beta2 = 0.5, .amsgrad = amsgrad};
    autograd::Parameter p = testing::make_test_param("w", kTestSize);
    Adam opt({&p}, o);
    testing::RefAdam ref(o, false);
    testing::Trajectory tr = testing::run_against_reference(opt, p, ref, kTestSteps);
    EXPECT_LT(tr.max_error, kTolerance) << "amsgrad " << amsgrad;
    finals[amsgrad] = tr.final_param;
  }
  EXPECT_GT(testing::max_abs_diff(finals[0], finals[1]), 1e-3);
}

TEST(Adam, AdamWDecayDiffersFromL2) {
  autograd::Parameter a = testing::make_test_param("w", kTestSize), b = testing::make_test_param("w", kTestSize);
  Adam adam({&a}, {.lr = 0.05, .weight_decay = 0.5});
  AdamW adamw({&b}, {.lr = 0.05, .weight_decay = 0.5});
  for (int t = 1; t <= 5; ++t) {
    testing::fill_test_grad(a, t);
    testing::fill_test_grad(b, t);
    adam.step();
    adamw.step();
  }
  EXPECT_GT(testing::max_abs_diff(testing::to_doubles(a.value), testing::to_doubles(b.value)), 1e-3);
  EXPECT_EQ(adam.name(), "adam");
  EXPECT_EQ(adamw.name(), "adamw");
}

TEST(Adam, RejectsInvalidOptions) {
  autograd::Parameter p("w", Tensor::zeros({2}));
  EXPECT_THROW(Adam({&p}, {.beta1 = 1.0}), Error);
  EXPECT_THROW(Adam({&p}, {.beta2 = -0.1}), Error);
  EXPECT_THROW(Adam({&p}, {.eps = -1.0}), Error);
  EXPECT_THROW(Adam({&p}, {.weight_decay = -1.0}), Error);
  EXPECT_THROW(AdamW({&p}, {.lr = -1.0}), Error);
}

}  // namespace
}  // namespace s2s::train
