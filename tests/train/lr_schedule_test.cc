#include "s2s/train/lr_schedule.h"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "s2s/core/error.h"

namespace s2s::train {
namespace {

// The lr used by each of the next `n` updates.
std::vector<double> next_lrs(LrSchedule& s, int n) {
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(s.lr());
    s.step();
  }
  return out;
}

TEST(LrSchedule, ConstantNeverChanges) {
  ConstantLr s(0.25);
  EXPECT_EQ(next_lrs(s, 4), (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  EXPECT_FALSE(s.report(1.0));
  EXPECT_EQ(s.lr(), 0.25);
  EXPECT_EQ(s.state().step, 4);
  EXPECT_EQ(s.state().reports, 1);
}

TEST(LrSchedule, StepDecayMultipliesEveryStepSizeUpdates) {
  StepDecayLr s(1.0, 3, 0.5);
  EXPECT_EQ(next_lrs(s, 8), (std::vector<double>{1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25}));
}

TEST(LrSchedule, InverseSqrtWarmsUpLinearlyThenDecays) {
  InverseSqrtLr s(1.0, 4);
  std::vector<double> got = next_lrs(s, 9);
  // t/4 for t <= 4, then sqrt(4/t).
  const double expected[9] = {0.25, 0.5, 0.75, 1.0, 0.8944271909999159, 0.8164965809277260, 0.7559289460184544,
                              0.7071067811865476, 0.6666666666666666};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(got[i], expected[i], 1e-15) << "update " << i + 1;
  InverseSqrtLr big(7e-4, 4000);
  for (int i = 0; i < 15999; ++i) big.step();
  EXPECT_NEAR(big.lr(), 7e-4 * 0.5, 1e-18);  // t = 16000 = 4 * warmup: half the peak
}

TEST(LrSchedule, InverseSqrtWarmsUpFromWarmupInitLr) {
  InverseSqrtLr s(1.0, 4, 0.2);
  std::vector<double> got = next_lrs(s, 9);
  // 0.2 + 0.8 t/4 for t <= 4, then sqrt(4/t).
  const double expected[9] = {0.4, 0.6, 0.8, 1.0, 0.8944271909999159, 0.8164965809277260, 0.7559289460184544,
                              0.7071067811865476, 0.6666666666666666};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(got[i], expected[i], 1e-15) << "update " << i + 1;
}

// fairseq's InverseSquareRootSchedule.step_update(num_updates), transcribed.
double fairseq_inverse_sqrt(double lr, double warmup, double init, double num_updates) {
  const double lr_step = (lr - init) / warmup, decay_factor = lr * std::sqrt(warmup);
  return num_updates < warmup ? init + num_updates * lr_step : decay_factor * std::pow(num_updates, -0.5);
}

TEST(LrSchedule, InverseSqrtIsFairseqsCurveOneUpdateAhead) {
  // fairseq sets the rate after each update from the count of finished ones,
  // so its update t runs at step_update(t - 1); s2s's update t runs at step_update(t).
  InverseSqrtLr s(5e-4, 10, 1e-7);
  for (int t = 1; t <= 40; ++t) {
    EXPECT_NEAR(s.lr(), fairseq_inverse_sqrt(5e-4, 10, 1e-7, t), 1e-18) << "update " << t;
    s.step();
  }
}

TEST(LrSchedule, NoamIsOpenNmtPysNoamDecay) {
  // 2 * 512^-0.5 * min(t^-0.5, t * 4000^-1.5), computed in Python.
  NoamLr s(2.0, 512, 4000);
  const std::pair<std::int64_t, double> expected[] = {
      {1, 3.493856214843422e-07},     {2, 6.987712429686844e-07},    {100, 3.493856214843422e-05},
      {3999, 0.0013971931003158842},  {4000, 0.0013975424859373686}, {4001, 0.001397367825874706},
      {16000, 0.0006987712429686843}, {100000, 0.00027950849718747374}};
  for (auto [t, lr] : expected) {
    // The schedule is a pure function of the step: a restored state (a
    // resumed run) gives the same rate as counting up to it.
    NoamLr at(2.0, 512, 4000);
    at.load_state({.step = t - 1});
    EXPECT_NEAR(at.lr(), lr, lr * 1e-15) << "update " << t;
    while (s.state().step < t - 1) s.step();
    EXPECT_EQ(s.lr(), at.lr()) << "update " << t;
  }
  // The peak is at t = warmup: factor * (model_dim * warmup)^-0.5.
  EXPECT_NEAR(expected[4].second, 2.0 / std::sqrt(512.0 * 4000.0), 1e-18);
}

TEST(LrSchedule, PlateauFollowsReduceLROnPlateauWithCooldown) {
  PlateauLr s({.lr = 1.0, .factor = 0.5, .patience = 2, .threshold = 0.1, .cooldown = 1});
  const double metrics[] = {10, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 9.5, 8.0, 8.5};
  // 9.5 is no improvement on 10 with a 10% relative threshold (needs < 9).
  const double lrs[] = {1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25};
  const bool reduced[] = {false, false, false, true, false, false, false, true, false, false};
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(s.report(metrics[i]), reduced[i]) << "report " << i + 1;
    EXPECT_EQ(s.lr(), lrs[i]) << "report " << i + 1;
  }
  EXPECT_EQ(s.state().best, 8.0);
  EXPECT_EQ(s.state().num_bad, 1);
}

TEST(LrSchedule, PlateauMaxModeAbsoluteThresholdAndMinLr) {
  PlateauLr s({.lr = 1.0, .maximize = true, .factor = 0.1, .patience = 0, .threshold = 0.5,
               .threshold_relative = false, .min_lr = 0.015});
  EXPECT_FALSE(s.report(20.0));  // first report is always an improvement
  EXPECT_TRUE(s.report(20.4));   // needs > 20.5
  EXPECT_EQ(s.lr(), 0.1);
  EXPECT_FALSE(s.report(21.0));
  EXPECT_TRUE(s.report(21.2));
  EXPECT_EQ(s.lr(), 0.015);       // 0.01 clamped to min_lr
  EXPECT_FALSE(s.report(21.3));  // a reduction to min_lr again changes nothing
  EXPECT_EQ(s.lr(), 0.015);
  EXPECT_EQ(s.state().best, 21.0);
}

TEST(LrSchedule, PlateauStepsDoNotChangeTheRate) {
  PlateauLr s({.lr = 0.3});
  EXPECT_EQ(next_lrs(s, 3), (std::vector<double>{0.3, 0.3, 0.3}));
  EXPECT_TRUE(std::isinf(s.state().best));
}

std::unique_ptr<LrSchedule> make(const std::string& kind) {
  LrScheduleConfig c;
  c.kind = kind;
  c.lr = 0.5;
  c.step_size = 2;
  c.gamma = 0.7;
  c.warmup = 3;
  c.warmup_init_lr = 0.1;
  c.model_dim = 16;
  c.plateau.patience = 1;
  c.plateau.factor = 0.3;
  return make_lr_schedule(c);
}

TEST(LrSchedule, SavedStateContinuesIdentically) {
  const double metrics[] = {5, 4, 4.5, 4.4, 4.3, 4.2, 4.6, 3.0, 3.1, 3.2, 3.3, 3.4};
  for (const char* kind : {"constant", "step", "inverse_sqrt", "noam", "plateau"}) {
    auto straight = make(kind);
    std::vector<double> expected;
    for (int i = 0; i < 12; ++i) {
      expected.push_back(straight->lr());
      straight->step();
      if (i % 2 == 1) straight->report(metrics[i]);
    }
    auto first = make(kind);
    std::vector<double> got;
    for (int i = 0; i < 6; ++i) {
      got.push_back(first->lr());
      first->step();
      if (i % 2 == 1) first->report(metrics[i]);
    }
    LrScheduleState saved = first->state();
    auto resumed = make(kind);
    resumed->load_state(saved);
    for (int i = 6; i < 12; ++i) {
      got.push_back(resumed->lr());
      resumed->step();
      if (i % 2 == 1) resumed->report(metrics[i]);
    }
    EXPECT_EQ(got, expected) << kind;
    EXPECT_EQ(resumed->state().step, 12);
    if (std::string(kind) != "constant") {
      EXPECT_NE(expected.front(), expected.back()) << kind;  // it did change
    }
  }
}

TEST(LrSchedule, RejectsInvalidSettings) {
  EXPECT_THROW(ConstantLr(-1.0), Error);
  EXPECT_THROW(StepDecayLr(1.0, 0), Error);
  EXPECT_THROW(InverseSqrtLr(1.0, 0), Error);
  EXPECT_THROW(InverseSqrtLr(1.0, 4, -0.1), Error);
  EXPECT_THROW(NoamLr(2.0, 0, 4000), Error);
  EXPECT_THROW(NoamLr(2.0, 512, 0), Error);
  EXPECT_THROW(PlateauLr({.factor = 1.0}), Error);
  EXPECT_THROW(PlateauLr({.patience = -1}), Error);
  EXPECT_THROW(make("cosine"), Error);
  ConstantLr s(1.0);
  EXPECT_THROW(s.load_state({.step = -1}), Error);
}

}  // namespace
}  // namespace s2s::train
