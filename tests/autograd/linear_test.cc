// linear (fused bias) against matmul + add, and the first-write gradient
// paths of the engine: an input used by several ops gets the sum of their
// gradients whichever op writes first.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/ops.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;

TEST(Linear, MatchesMatmulPlusBias) {
  Rng r(11);
  Tensor x = random_tensor(r, {2, 5, 33}), w = random_tensor(r, {19, 33}), b = random_tensor(r, {19});
  Tensor seed = random_tensor(r, {2, 5, 19});
  std::vector<Tensor> got, want;
  for (bool fused : {true, false}) {
    Graph g;
    Var vx = g.input(x.clone(), true), vw = g.input(w.clone(), true), vb = g.input(b.clone(), true);
    Var y = fused ? autograd::linear(vx, vw, vb) : autograd::add(autograd::matmul(vx, vw, false, true), vb);
    g.backward(y, seed);
    auto& out = fused ? got : want;
    for (const Tensor& t : {y.value(), vx.grad(), vw.grad(), vb.grad()}) out.push_back(t.clone());
  }
  for (std::size_t k = 0; k < got.size(); ++k) {
    ASSERT_EQ(got[k].shape(), want[k].shape()) << k;
    for (std::int64_t e = 0; e < got[k].numel(); ++e)
      ASSERT_NEAR(got[k].f32()[e], want[k].f32()[e], 1e-5 + 1e-5 * std::abs(want[k].f32()[e])) << k << " element " << e;
  }
}

// x flows through reshape (takes dy's buffer), tanh (writes a fresh buffer)
// and add (accumulates): the gradient is the sum of all three paths.
TEST(Linear, GradientsFromSeveralConsumersAdd) {
  Rng r(12);
  Tensor x = random_tensor(r, {3, 4});
  Graph g;
  Var vx = g.input(x.clone(), true);
  Var y = autograd::add(autograd::add(autograd::reshape(vx, Shape{3, 4}), autograd::tanh(vx)), autograd::scale(vx, 2.0f));
  g.backward(autograd::sum_all(y));
  for (std::int64_t e = 0; e < x.numel(); ++e) {
    float t = std::tanh(x.f32()[e]);
    EXPECT_NEAR(vx.grad().f32()[e], 1.0f + (1.0f - t * t) + 2.0f, 1e-5f) << e;
  }
}

// cross_entropy writes the gradient over the logits' values when linear's
// output feeds nothing else; the gradients equal those of the ordinary path
// (forced here by a second, zero-weighted use of the logits).
TEST(Linear, CrossEntropyInPlaceGradientMatches) {
  Rng r(13);
  Tensor x = random_tensor(r, {6, 9}), w = random_tensor(r, {11, 9}), b = random_tensor(r, {11});
  Tensor targets = Tensor::from_ids({3, 0, 10, 7, 0, 1}, Shape{6});
  autograd::CrossEntropyOptions ce;
  ce.ignore_index = 0;
  std::vector<Tensor> grads[2];
  for (int shared = 0; shared < 2; ++shared) {
    Graph g;
    Var vx = g.input(x.clone(), true), vw = g.input(w.clone(), true), vb = g.input(b.clone(), true);
    Var logits = autograd::linear(vx, vw, vb);
    Tensor before = logits.value().clone();
    Var loss = autograd::cross_entropy(logits, targets, ce);
    if (shared) loss = autograd::add(loss, autograd::scale(autograd::sum_all(logits), 0.0f));
    g.backward(loss);
    for (const Var& v : {vx, vw, vb}) grads[shared].push_back(v.grad().clone());
    // In place only without the second use: the values are then the gradient.
    bool overwritten = false;
    for (std::int64_t e = 0; e < before.numel(); ++e) overwritten |= logits.value().f32()[e] != before.f32()[e];
    EXPECT_EQ(overwritten, shared == 0);
  }
  for (std::size_t k = 0; k < grads[0].size(); ++k)
    for (std::int64_t e = 0; e < grads[0][k].numel(); ++e)
      ASSERT_NEAR(grads[0][k].f32()[e], grads[1][k].f32()[e], 1e-6f) << k << " element " << e;
}

}  // namespace
}  // namespace s2s::testing
