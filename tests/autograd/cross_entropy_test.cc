// cross_entropy: hand-computed loss and gradient with label smoothing, a
// double-precision reference, ignore_index, reductions, stability, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "support/random.h"

namespace s2s::autograd {
namespace {

CrossEntropyOptions opts(float smoothing, Reduction reduction = Reduction::Mean, std::int32_t ignore = -100) {
  CrossEntropyOptions o;
  o.label_smoothing = smoothing;
  o.reduction = reduction;
  o.ignore_index = ignore;
  return o;
}

// Rows: [0, ln 2, ln 3] -> p = [1/6, 2/6, 3/6], target 2; [0, 0, 0] -> p = 1/3, target 0;
// a third row whose target is ignore_index (-100) and adds nothing.
// With eps = 0.1 (PyTorch: loss_i = (1 - eps)(-log p[t]) + eps mean_v(-log p[v])):
//   row 0: 0.9 ln 2 + 0.1 (ln 6 + ln 3 + ln 2) / 3 = 0.9 ln 2 + 0.1 (2/3) ln 6 = 0.743283094
//   row 1: 0.9 ln 3 + 0.1 ln 3 = ln 3 = 1.098612289
//   mean over the 2 counted rows = 0.920947691, sum = 1.841895383.
// Gradient (mean): (p - q) / 2 with q = 0.9 onehot(t) + 0.1 / 3:
//   row 0: ([5, 10, 15] - [1, 1, 28]) / 60 = [4, 9, -13] / 60
//   row 1: ([10, 10, 10] - [28, 1, 1]) / 60 = [-18, 9, 9] / 60;  row 2: 0.
Tensor hand_logits() {
  return Tensor::from_vector({0, std::log(2.0f), std::log(3.0f), 0, 0, 0, 5, -1, 2}, {3, 3});
}
Tensor hand_targets() { return Tensor::from_ids({2, 0, -100}, {3}); }

TEST(CrossEntropy, LabelSmoothingByHand) {
  Graph g;
  Var x = g.input(hand_logits(), true);
  Var loss = cross_entropy(x, hand_targets(), opts(0.1f));
  ASSERT_EQ(loss.shape(), (Shape{1}));
  EXPECT_NEAR(loss.value().f32()[0], 0.920947691, 1e-6);
  g.backward(loss);
  std::vector<float> want = {4 / 60.f, 9 / 60.f, -13 / 60.f, -18 / 60.f, 9 / 60.f, 9 / 60.f, 0, 0, 0};
  std::vector<float> got = x.grad().to_vector();
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;

  Graph g2(false);
  EXPECT_NEAR(cross_entropy(g2.input(hand_logits()), hand_targets(), opts(0.1f, Reduction::Sum)).value().f32()[0],
              1.841895383, 2e-6);
  // Without smoothing: (ln 2 + ln 3) / 2 = ln 6 / 2.
  EXPECT_NEAR(cross_entropy(g2.input(hand_logits()), hand_targets(), opts(0.0f)).value().f32()[0], 0.895879735, 1e-6);
}

// Reference in double: loss and d(loss)/d(logits) for one upstream gradient of 1.
struct Reference {
  double loss;
  std::vector<double> grad;
};
Reference reference(const Tensor& logits, const Tensor& targets, const CrossEntropyOptions& o) {
  std::int64_t n = logits.dim(0), v = logits.dim(1);
  double eps = o.label_smoothing, total = 0;
  std::int64_t count = 0;
  std::vector<double> grad(static_cast<std::size_t>(n * v), 0.0);
  for (std::int64_t i = 0; i < n; ++i) count += targets.i32()[i] != o.ignore_index;
  double norm = o.reduction == Reduction::Sum ? 1.0 : (count ? 1.0 / count : 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    std::int32_t t = targets.i32()[i];
    if (t == o.ignore_index) continue;
    const float* x = logits.f32() + i * v;
    double m = x[0], s = 0, mean_x = 0;
    for (std::int64_t k = 0; k < v; ++k) m = std::max(m, static_cast<double>(x[k]));
    for (std::int64_t k = 0; k < v; ++k) s += std::exp(x[k] - m), mean_x += x[k];
    double lse = m + std::log(s);
    mean_x /= v;
    total += (1 - eps) * (lse - x[t]) + eps * (lse - mean_x);
    for (std::int64_t k = 0; k < v; ++k)
      grad[i * v + k] = norm * (std::exp(x[k] - lse) - eps / v - (k == t ? 1 - eps : 0.0));
  }
  return {total * norm, grad};
}

TEST(CrossEntropy, MatchesDoubleReference) {
  Rng rng(17);
  Tensor logits = testing::random_tensor(rng, {37, 101}, -6.0f, 6.0f);
  Tensor targets = testing::random_ids(rng, {37}, 101);
  for (int i = 0; i < 37; i += 5) targets.i32()[i] = 3;  // ignore_index inside the vocabulary
  for (Reduction red : {Reduction::Mean, Reduction::Sum}) {
    for (float eps : {0.0f, 0.2f}) {
      SCOPED_TRACE(::testing::Message() << "eps " << eps << (red == Reduction::Sum ? " sum" : " mean"));
      CrossEntropyOptions o = opts(eps, red, 3);
      Reference ref = reference(logits, targets, o);
      Graph g;
      Var x = g.input(logits, true);
      Var loss = cross_entropy(x, targets, o);
      EXPECT_NEAR(loss.value().f32()[0], ref.loss, 1e-5 * std::max(1.0, std::abs(ref.loss)));
      g.backward(loss, Tensor::full({1}, 0.5f));  // upstream gradient scales the result
      std::vector<float> got = x.grad().to_vector();
      for (std::size_t k = 0; k < got.size(); ++k) ASSERT_NEAR(got[k], 0.5 * ref.grad[k], 1e-6) << k;
    }
  }
}

TEST(CrossEntropy, AllIgnoredGivesZeroNotNaN) {
  Graph g;
  Var x = g.input(Tensor::from_vector({1, 2, 3, 4}, {2, 2}), true);
  Var loss = cross_entropy(x, Tensor::from_ids({-100, -100}, {2}), opts(0.1f));
  EXPECT_EQ(loss.value().f32()[0], 0.0f);
  g.backward(loss);
  if (x.grad().defined()) {
    EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{0, 0, 0, 0}));
  }
}

TEST(CrossEntropy, StableForLargeLogits) {
  Graph g(false);
  Var x = g.input(Tensor::from_vector({1000, -1000, 1000, -1000}, {2, 2}));
  // Row 0 predicts its target with probability 1; row 1 misses by 2000.
  float loss = cross_entropy(x, Tensor::from_ids({0, 1}, {2}), opts(0.0f, Reduction::Sum)).value().f32()[0];
  EXPECT_FLOAT_EQ(loss, 2000.0f);
}

TEST(CrossEntropy, IndependentOfThreadCount) {
  Rng rng(8);
  Tensor logits = testing::random_tensor(rng, {300, 1000}, -5.0f, 5.0f);
  Tensor targets = testing::random_ids(rng, {300}, 1000);
  auto run = [&](int threads) {
    int before = num_threads();
    set_num_threads(threads);
    Graph g;
    Var x = g.input(logits, true);
    Var loss = cross_entropy(x, targets, opts(0.1f));
    g.backward(loss);
    std::vector<float> out = x.grad().to_vector();
    out.push_back(loss.value().f32()[0]);
    set_num_threads(before);
    return out;
  };
  EXPECT_EQ(run(1), run(4));
}

TEST(CrossEntropy, BadTargetsNamePositionAndValue) {
  Graph g;
  Var x = g.input(Tensor::zeros({3, 4}), true);
  try {
    cross_entropy(x, Tensor::from_ids({0, 3, 4}, {3}));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("target 4"), std::string::npos) << msg;
    EXPECT_NE(msg.find("position 2"), std::string::npos) << msg;
  }
  EXPECT_THROW(cross_entropy(x, Tensor::from_ids({0, -1, 0}, {3})), Error);
  EXPECT_THROW(cross_entropy(x, Tensor::from_ids({0, 1}, {2})), Error);                // length
  EXPECT_THROW(cross_entropy(x, Tensor::from_vector({0, 1, 2}, {3})), Error);          // dtype
  EXPECT_THROW(cross_entropy(x, Tensor::from_ids({0, 1, 2}, {3}), opts(1.5f)), Error);  // smoothing
}

}  // namespace
}  // namespace s2s::autograd
