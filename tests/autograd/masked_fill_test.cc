// masked_fill: forward values for each broadcast layout, blocked gradient, shape errors.
#include <gtest/gtest.h>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"

namespace s2s::autograd {
namespace {

Tensor x23() { return Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}); }

std::vector<float> fill(const Tensor& mask) {
  Graph g(false);
  return masked_fill(g.input(x23()), mask, -9.0f).value().to_vector();
}

TEST(MaskedFill, EachBroadcastLayout) {
  EXPECT_EQ(fill(Tensor::from_vector({0, 1, 0, 1, 0, 0}, {2, 3})), (std::vector<float>{1, -9, 3, -9, 5, 6}));
  EXPECT_EQ(fill(Tensor::from_vector({0, 0, 1}, {3})), (std::vector<float>{1, 2, -9, 4, 5, -9}));
  EXPECT_EQ(fill(Tensor::from_vector({1, 0, 0}, {1, 3})), (std::vector<float>{-9, 2, 3, -9, 5, 6}));
  EXPECT_EQ(fill(Tensor::from_vector({0, 1}, {2, 1})), (std::vector<float>{1, 2, 3, -9, -9, -9}));
  EXPECT_EQ(fill(Tensor::from_vector({1}, {1})), (std::vector<float>{-9, -9, -9, -9, -9, -9}));
  EXPECT_EQ(fill(Tensor::from_vector({0}, {1})), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // Any non-zero mask value counts as set.
  EXPECT_EQ(fill(Tensor::from_vector({0.5f, 0, -2}, {3})), (std::vector<float>{-9, 2, -9, -9, 5, -9}));
}

TEST(MaskedFill, NoGradientWhereFilled) {
  Graph g;
  Var x = g.input(x23(), true);
  Var y = masked_fill(x, Tensor::from_vector({0, 1}, {2, 1}), 0.0f);
  g.backward(y, Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1, 2, 3, 0, 0, 0}));
}

// An attention padding mask [B, 1, Tk] over scores [B, Tq, Tk] (NumPy's rule).
TEST(MaskedFill, BroadcastsByNumPysRule) {
  Graph g;
  Var x = g.input(Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2}), true);
  Var y = masked_fill(x, Tensor::from_vector({0, 1, 1, 0}, {2, 1, 2}), -9.0f);
  EXPECT_EQ(y.value().to_vector(), (std::vector<float>{1, -9, 3, -9, -9, 6, -9, 8}));
  g.backward(y, Tensor::full({2, 2, 2}, 1.0f));
  EXPECT_EQ(x.grad().to_vector(), (std::vector<float>{1, 0, 1, 0, 0, 1, 0, 1}));
  EXPECT_THROW(masked_fill(x, Tensor::zeros({2, 2, 2, 2}), 0.0f), Error);  // a mask larger than x
}

TEST(MaskedFill, RejectsMasksThatDoNotBroadcast) {
  Graph g;
  Var x = g.input(x23(), true);
  EXPECT_THROW(masked_fill(x, Tensor::from_vector({1, 0}, {2}), 0.0f), Error);
  EXPECT_THROW(masked_fill(x, Tensor::from_vector({1, 0, 1}, {3, 1}), 0.0f), Error);
  EXPECT_THROW(masked_fill(x, Tensor::from_ids({1, 0, 1}, {3}), 0.0f), Error);  // mask must be F32
}

}  // namespace
}  // namespace s2s::autograd
