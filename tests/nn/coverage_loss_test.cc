// The coverage loss (See et al. 2017) against values worked out by hand for
// fixed attention distributions, with target and source padding; and its
// gradient, d/da min(a, c) = 1 where a <= c and d/dc = 1 where c < a.
#include <gtest/gtest.h>

#include "s2s/autograd/ops.h"
#include "s2s/nn/coverage_loss.h"

namespace s2s::nn {
namespace {

using autograd::Graph;
using autograd::Var;

// Two sentences (b = 0, 1), three target positions, three source positions;
// sentence 1 has 2 source positions (the third gets weight 0) and 2 target
// positions (t = 2 is padding). Rows are (t, b).
const std::vector<float> kWeights = {
    0.5f, 0.3f, 0.2f,  // t0 b0
    0.6f, 0.4f, 0.0f,  // t0 b1
    0.1f, 0.2f, 0.7f,  // t1 b0
    0.3f, 0.7f, 0.0f,  // t1 b1
    0.4f, 0.4f, 0.2f,  // t2 b0
    0.9f, 0.1f, 0.0f,  // t2 b1 (target padding)
};

// c_t = sum of the earlier rows of the same sentence.
std::vector<float> coverage_of(const std::vector<float>& w) {
  std::vector<float> c(w.size(), 0.0f);
  for (std::size_t r = 2; r < 6; ++r)
    for (std::size_t s = 0; s < 3; ++s) c[r * 3 + s] = c[(r - 2) * 3 + s] + w[(r - 2) * 3 + s];
  return c;
}

TEST(CoverageLoss, EqualsTheHandComputedSum) {
  Tensor lengths = Tensor::from_ids({3, 2}, Shape{2});
  Tensor padded = padded_target_rows(lengths, 3);
  EXPECT_EQ(padded.to_vector(), (std::vector<float>{0, 0, 0, 0, 0, 1}));
  std::vector<float> c = coverage_of(kWeights);
  Graph g;
  Var w = g.input(Tensor::from_vector(kWeights, Shape{6, 3}), true);
  Var cv = g.input(Tensor::from_vector(c, Shape{6, 3}), true);
  Var loss = coverage_loss(w, cv, padded);
  // t0: coverage 0 -> 0.
  // t1 b0: min(.1,.5) + min(.2,.3) + min(.7,.2) = .1 + .2 + .2 = .5
  // t1 b1: min(.3,.6) + min(.7,.4) + 0          = .3 + .4      = .7
  // t2 b0: coverage (.6,.5,.9): min(.4,.6) + min(.4,.5) + min(.2,.9) = 1.0
  // t2 b1: padding, left out.
  EXPECT_NEAR(loss.value().f32()[0], 2.2f, 1e-6f);
  g.backward(loss);
  // On the rows that count, min picks a where a <= c (d/da = 1) and c where
  // c < a (d/dc = 1); the padded row gets nothing.
  const std::vector<float> da = {0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 0};
  const std::vector<float> dc = {1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(w.grad().to_vector(), da);
  EXPECT_EQ(cv.grad().to_vector(), dc);
}

TEST(CoverageLoss, RefusesMismatchedShapes) {
  Graph g;
  Var w = g.input(Tensor::zeros(Shape{6, 3}));
  EXPECT_THROW(coverage_loss(w, g.input(Tensor::zeros(Shape{6, 2})), Tensor::zeros(Shape{6, 1})), Error);
  EXPECT_THROW(coverage_loss(w, w, Tensor::zeros(Shape{5, 1})), Error);
  EXPECT_THROW(padded_target_rows(Tensor(), 3), Error);
}

}  // namespace
}  // namespace s2s::nn
