// Same seed, same inputs, same thread count: bitwise-identical parameters.
#include <gtest/gtest.h>

#include <cstring>

#include "s2s/core/parallel.h"
#include "train/engine_step_fixture.h"

namespace s2s::testing {
namespace {

std::vector<float> train(int threads, int steps) {
  set_num_threads(threads);
  EngineStep step(5);
  for (int k = 0; k < steps; ++k) step.run();
  return step.weights();
}

TEST(Determinism, SameSeedSameThreadsSameWeights) {
  for (int threads : {1, 2}) {
    auto a = train(threads, 20), b = train(threads, 20);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(float))) << threads << " threads";
  }
}

TEST(Determinism, TrainingActuallyChangesWeightsAndLowersLoss) {
  set_num_threads(2);
  EngineStep step(5);
  auto before = step.weights();
  float first = step.run();
  float last = first;
  for (int k = 0; k < 60; ++k) last = step.run();
  EXPECT_NE(before, step.weights());
  EXPECT_LT(last, first * 0.8f);
}

}  // namespace
}  // namespace s2s::testing
