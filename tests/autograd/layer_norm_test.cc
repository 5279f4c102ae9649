// layer_norm: a small vector by hand, the batch statistics, and shape errors.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "support/random.h"

namespace s2s::autograd {
namespace {

TEST(LayerNorm, SmallVectorByHand) {
  // x = [1, 2, 3, 4]: mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25,
  // xhat = [-1.5, -0.5, 0.5, 1.5] / sqrt(1.25 + eps).
  Graph g(false);
  Var x = g.input(Tensor::from_vector({1, 2, 3, 4}, {1, 4}));
  Var gamma = g.input(Tensor::from_vector({1, 1, 2, 0.5f}, {4}));
  Var beta = g.input(Tensor::from_vector({0, 0, 1, -1}, {4}));
  std::vector<float> y = layer_norm(x, gamma, beta, 1e-5f).value().to_vector();
  double s = 1.0 / std::sqrt(1.25 + 1e-5);
  std::vector<double> want = {-1.5 * s, -0.5 * s, 2 * 0.5 * s + 1, 0.5 * 1.5 * s - 1};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(y[i], want[i], 1e-6) << i;
  EXPECT_NEAR(y[0], -1.3416355, 1e-6);  // -1.5 / sqrt(1.25001)
}

TEST(LayerNorm, RowsHaveZeroMeanUnitVariance) {
  Rng rng(4);
  Graph g(false);
  Tensor xt = Tensor::empty({5, 33});
  rng.fill_uniform(xt.f32(), xt.numel(), -3.0f, 5.0f);
  Var y = layer_norm(g.input(xt), g.input(Tensor::full({33}, 1.0f)), g.input(Tensor::zeros({33})), 1e-12f);
  std::vector<float> v = y.value().to_vector();
  for (int r = 0; r < 5; ++r) {
    double m = 0, q = 0;
    for (int c = 0; c < 33; ++c) m += v[r * 33 + c];
    m /= 33;
    for (int c = 0; c < 33; ++c) q += (v[r * 33 + c] - m) * (v[r * 33 + c] - m);
    EXPECT_NEAR(m, 0.0, 1e-6);
    EXPECT_NEAR(q / 33, 1.0, 1e-5);
  }
}

TEST(LayerNorm, GradientsByHand) {
  // x = [0, 1, 2]: mean 1, variance 2/3, rstd = sqrt(1.5), xhat = [-r, 0, r] with r = sqrt(1.5).
  // dy = [1, 0, 0], gamma = 1: dxhat = dy, mean(dxhat) = 1/3, mean(dxhat * xhat) = -r / 3,
  // dx = r * ([1, 0, 0] - 1/3 + xhat r / 3) = r * [1/6, -1/3, 1/6];
  // dgamma = dy * xhat = [-r, 0, 0], dbeta = dy.
  Graph g;
  Var x = g.input(Tensor::from_vector({0, 1, 2}, {1, 3}), true);
  Var gamma = g.input(Tensor::from_vector({1, 1, 1}, {3}), true);
  Var beta = g.input(Tensor::from_vector({0, 0, 0}, {3}), true);
  g.backward(layer_norm(x, gamma, beta, 1e-12f), Tensor::from_vector({1, 0, 0}, {1, 3}));
  double r = std::sqrt(1.5);
  std::vector<double> dx = {r / 6, -r / 3, r / 6}, dgamma = {-r, 0, 0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(x.grad().to_vector()[i], dx[i], 1e-6) << i;
    EXPECT_NEAR(gamma.grad().to_vector()[i], dgamma[i], 1e-6) << i;
  }
  EXPECT_EQ(beta.grad().to_vector(), (std::vector<float>{1, 0, 0}));
}

TEST(LayerNorm, BackwardIsIndependentOfThreadCount) {
  Rng rng(6);
  Tensor x = testing::random_tensor(rng, {300, 77}), gamma = testing::random_tensor(rng, {77});
  Tensor beta = testing::random_tensor(rng, {77}), seed = testing::random_tensor(rng, {300, 77});
  auto run = [&](int threads) {
    int before = num_threads();
    set_num_threads(threads);
    Graph g;
    Var xv = g.input(x, true), gv = g.input(gamma, true), bv = g.input(beta, true);
    g.backward(layer_norm(xv, gv, bv), seed);
    std::vector<float> all = xv.grad().to_vector(), gg = gv.grad().to_vector(), gb = bv.grad().to_vector();
    all.insert(all.end(), gg.begin(), gg.end());
    all.insert(all.end(), gb.begin(), gb.end());
    set_num_threads(before);
    return all;
  };
  EXPECT_EQ(run(1), run(4));
}

TEST(LayerNorm, RejectsMismatchedParameters) {
  Graph g;
  Var x = g.input(Tensor::zeros({2, 4}));
  EXPECT_THROW(layer_norm(x, g.input(Tensor::zeros({3})), g.input(Tensor::zeros({4}))), Error);
  EXPECT_THROW(layer_norm(x, g.input(Tensor::zeros({4})), g.input(Tensor::zeros({1, 4}))), Error);
}

}  // namespace
}  // namespace s2s::autograd
