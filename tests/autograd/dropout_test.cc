// dropout: determinism from the seed, keep fraction, 1/(1-p) scaling, gradient
// through the stored mask, thread-count independence, identity at p = 0.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"

namespace s2s::autograd {
namespace {

std::vector<float> drop(std::uint64_t seed, std::int64_t n, float p) {
  Graph g(false);
  Rng rng(seed);
  return dropout(g.input(Tensor::full({n}, 1.0f)), p, rng).value().to_vector();
}

TEST(Dropout, SameSeedSameMaskOtherSeedOtherMask) {
  EXPECT_EQ(drop(11, 1000, 0.4f), drop(11, 1000, 0.4f));
  EXPECT_NE(drop(11, 1000, 0.4f), drop(12, 1000, 0.4f));
}

TEST(Dropout, KeepsAboutOneMinusPScaled) {
  const std::int64_t n = 1 << 20;
  const float p = 0.3f;
  std::vector<float> y = drop(7, n, p);
  std::int64_t kept = 0;
  for (float v : y) {
    if (v == 0.0f) continue;
    ++kept;
    ASSERT_FLOAT_EQ(v, 1.0f / (1.0f - p));
  }
  // Binomial standard deviation sqrt(p (1 - p) / n) ~ 4.5e-4: 6 sigma is 0.0027.
  EXPECT_NEAR(static_cast<double>(kept) / n, 1.0 - p, 0.0027);
}

TEST(Dropout, AdvancesRngByNumelSoSuccessiveMasksDiffer) {
  Graph g(false);
  Rng rng(3);
  Var x = g.input(Tensor::full({2, 49}, 1.0f));  // 98: the second mask starts mid Philox block
  std::vector<float> a = dropout(x, 0.5f, rng).value().to_vector();
  EXPECT_EQ(rng.state().offset, 98u);
  std::vector<float> b = dropout(x, 0.5f, rng).value().to_vector();
  EXPECT_EQ(rng.state().offset, 196u);
  EXPECT_NE(a, b);
  // Element i is dropped exactly when the counter value at offset + i is below p.
  for (int i = 0; i < 98; ++i) {
    EXPECT_EQ(a[i] == 0.0f, Rng::uniform_at(3, i) < 0.5f) << i;
    EXPECT_EQ(b[i] == 0.0f, Rng::uniform_at(3, 98 + i) < 0.5f) << i;
  }
}

TEST(Dropout, GradientFollowsTheMask) {
  Graph g;
  Rng rng(21);
  Var x = g.input(Tensor::full({3, 45}, 2.0f), true);  // 135 elements: a partial last mask word
  Var y = dropout(x, 0.25f, rng);
  g.backward(y, Tensor::full({3, 45}, 3.0f));
  std::vector<float> out = y.value().to_vector(), grad = x.grad().to_vector();
  int dropped = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    dropped += out[i] == 0.0f;
    EXPECT_FLOAT_EQ(grad[i], out[i] == 0.0f ? 0.0f : 3.0f / 0.75f) << i;
  }
  EXPECT_GT(dropped, 0);
}

TEST(Dropout, IndependentOfThreadCount) {
  auto with = [](int threads) {
    int before = num_threads();
    set_num_threads(threads);
    std::vector<float> y = drop(5, 100003, 0.1f);
    set_num_threads(before);
    return y;
  };
  EXPECT_EQ(with(1), with(4));
}

TEST(Dropout, ZeroIsIdentityAndBadPThrows) {
  Graph g;
  Rng rng(1);
  Var x = g.input(Tensor::full({4}, 1.0f), true);
  Var y = dropout(x, 0.0f, rng);
  EXPECT_EQ(y.node(), x.node());
  EXPECT_EQ(rng.state().offset, 0u);
  EXPECT_THROW(dropout(x, 1.0f, rng), Error);
  EXPECT_THROW(dropout(x, -0.1f, rng), Error);
  EXPECT_THROW(dropout(x, std::nanf(""), rng), Error);
}

}  // namespace
}  // namespace s2s::autograd
