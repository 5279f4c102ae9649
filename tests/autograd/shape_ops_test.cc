// Forward values of concat, slice, split, reshape and transpose, and which of
// them are zero-copy views of their input.
#include <gtest/gtest.h>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"

namespace s2s::autograd {
namespace {

using Vec = std::vector<float>;

Tensor iota(const Shape& s) {
  Tensor t = Tensor::empty(s);
  for (std::int64_t k = 0; k < t.numel(); ++k) t.f32()[k] = static_cast<float>(k);
  return t;
}

TEST(ShapeOps, ConcatAlongEachAxis) {
  Graph g(false);
  Var a = g.input(Tensor::from_vector({1, 2, 3, 4}, {2, 2}));
  Var b = g.input(Tensor::from_vector({5, 6}, {2, 1}));
  Var c = g.input(Tensor::from_vector({7, 8}, {1, 2}));
  Var ab = concat({a, b}, 1);
  EXPECT_EQ(ab.shape(), (Shape{2, 3}));
  EXPECT_EQ(ab.value().to_vector(), (Vec{1, 2, 5, 3, 4, 6}));
  Var ac = concat({a, c, a}, 0);
  EXPECT_EQ(ac.shape(), (Shape{5, 2}));
  EXPECT_EQ(ac.value().to_vector(), (Vec{1, 2, 3, 4, 7, 8, 1, 2, 3, 4}));
  EXPECT_THROW(concat({a, b}, 0), Error);
  EXPECT_THROW(concat(std::span<const Var>(), 0), Error);
}

TEST(ShapeOps, ConcatGradientSplitsBack) {
  Graph g;
  Var a = g.input(Tensor::zeros({2, 2}), true);
  Var b = g.input(Tensor::zeros({2, 1}), true);
  Var y = concat({a, b}, -1);
  g.backward(y, Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}));
  EXPECT_EQ(a.grad().to_vector(), (Vec{1, 2, 4, 5}));
  EXPECT_EQ(b.grad().to_vector(), (Vec{3, 6}));
}

// Rows written in place by per-step concats are joined along axis 0 without a
// copy, and backward hands each step a view of its rows' gradient.
TEST(ShapeOps, ConcatIntoABufferAndJoinWithoutCopies) {
  Graph g;
  Var a = g.input(Tensor::from_vector({1, 2, 3, 4}, {2, 2}), true);
  Var b = g.input(Tensor::from_vector({5, 6}, {2, 1}), true);
  Tensor rows = Tensor::empty({4, 3});
  Var s0 = concat({a, b}, 1, rows.narrow0(0, 2));
  Var s1 = concat({b, a}, 1, rows.narrow0(2, 2));
  EXPECT_EQ(s1.value().f32(), rows.f32() + 6);
  Var joined = concat({s0, s1}, 0, rows);
  EXPECT_EQ(joined.value().f32(), rows.f32());
  EXPECT_EQ(joined.value().to_vector(), (Vec{1, 2, 5, 3, 4, 6, 5, 1, 2, 6, 3, 4}));
  EXPECT_THROW(concat({a, b}, 1, Tensor::empty({2, 2})), Error);  // the buffer must match the result
  g.backward(joined, iota({4, 3}));
  EXPECT_EQ(a.grad().to_vector(), (Vec{0 + 7, 1 + 8, 3 + 10, 4 + 11}));
  EXPECT_EQ(b.grad().to_vector(), (Vec{2 + 6, 5 + 9}));
}

// Along axis 0 the inputs' gradients are consecutive rows of one buffer (the
// concat's own), not copies.
TEST(ShapeOps, ConcatAlongAxis0PassesGradientViews) {
  Graph g;
  Var a = g.input(Tensor::zeros({2, 3}), true);
  Var b = g.input(Tensor::zeros({1, 3}), true);
  g.backward(concat({a, b}, 0), iota({3, 3}));
  EXPECT_EQ(a.grad().to_vector(), (Vec{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(b.grad().to_vector(), (Vec{6, 7, 8}));
  EXPECT_EQ(a.grad().f32() + 6, b.grad().f32());
}

TEST(ShapeOps, SliceValuesAndViews) {
  Graph g(false);
  Var x = g.input(iota({4, 3}));
  Var rows = slice(x, 0, 1, 2);
  EXPECT_EQ(rows.value().to_vector(), (Vec{3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(rows.value().f32(), x.value().f32() + 3);  // narrow0 view, no copy
  Var cols = slice(x, 1, 1, 2);
  EXPECT_EQ(cols.shape(), (Shape{4, 2}));
  EXPECT_EQ(cols.value().to_vector(), (Vec{1, 2, 4, 5, 7, 8, 10, 11}));
  Var y = g.input(iota({1, 5, 2}));
  Var mid = slice(y, 1, 3, 2);  // outer 1: still a contiguous run, still a view
  EXPECT_EQ(mid.shape(), (Shape{1, 2, 2}));
  EXPECT_EQ(mid.value().to_vector(), (Vec{6, 7, 8, 9}));
  EXPECT_EQ(mid.value().f32(), y.value().f32() + 6);
  EXPECT_THROW(slice(x, 0, 3, 2), Error);
  EXPECT_THROW(slice(x, 1, -1, 1), Error);
  EXPECT_THROW(slice(x, 2, 0, 1), Error);
}

TEST(ShapeOps, SliceGradientLandsInPlace) {
  Graph g;
  Var x = g.input(Tensor::zeros({2, 4}), true);
  Var y = slice(x, 1, 1, 2);
  g.backward(y, Tensor::from_vector({1, 2, 3, 4}, {2, 2}));
  EXPECT_EQ(x.grad().to_vector(), (Vec{0, 1, 2, 0, 0, 3, 4, 0}));
}

TEST(ShapeOps, SplitIntoSizes) {
  Graph g(false);
  Var x = g.input(iota({2, 5}));
  const std::int64_t sizes[] = {2, 3};
  std::vector<Var> parts = split(x, 1, sizes);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].value().to_vector(), (Vec{0, 1, 5, 6}));
  EXPECT_EQ(parts[1].value().to_vector(), (Vec{2, 3, 4, 7, 8, 9}));
  const std::int64_t bad[] = {2, 2};
  EXPECT_THROW(split(x, 1, bad), Error);
}

TEST(ShapeOps, ReshapeIsAView) {
  Graph g(false);
  Var x = g.input(iota({2, 3, 4}));
  Var y = reshape(x, {6, 4});
  EXPECT_EQ(y.shape(), (Shape{6, 4}));
  EXPECT_TRUE(y.value().same_storage(x.value()));
  EXPECT_THROW(reshape(x, {5, 5}), Error);
}

TEST(ShapeOps, TransposeSwapsAxes) {
  Graph g(false);
  Var x = g.input(iota({2, 3}));
  EXPECT_EQ(transpose(x, 0, 1).value().to_vector(), (Vec{0, 3, 1, 4, 2, 5}));
  Var y = g.input(iota({2, 2, 3}));
  Var t01 = transpose(y, 0, 1);
  EXPECT_EQ(t01.shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(t01.value().to_vector(), (Vec{0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}));
  Var t02 = transpose(y, 2, 0);
  EXPECT_EQ(t02.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(t02.value().to_vector(), (Vec{0, 6, 3, 9, 1, 7, 4, 10, 2, 8, 5, 11}));
}

TEST(ShapeOps, TransposeMatchesNaiveOnLargeShapes) {
  Graph g(false);
  Shape s{3, 37, 5, 41};
  Var x = g.input(iota(s));
  for (auto [a0, a1] : {std::pair{0, 1}, {1, 3}, {2, 3}, {0, 3}}) {
    SCOPED_TRACE(a0 * 10 + a1);
    Vec got = transpose(x, a0, a1).value().to_vector();
    std::int64_t idx[4];
    for (std::int64_t k = 0; k < s.numel(); ++k) {
      std::int64_t r = k;
      for (int d = 3; d >= 0; --d) idx[d] = r % s[d], r /= s[d];
      std::swap(idx[a0], idx[a1]);
      Shape o = s;
      std::swap(o[a0], o[a1]);
      std::int64_t dst = ((idx[0] * o[1] + idx[1]) * o[2] + idx[2]) * o[3] + idx[3];
      ASSERT_EQ(got[dst], static_cast<float>(k));
    }
  }
}

TEST(ShapeOps, TransposeOfAUnitAxisIsAView) {
  Graph g(false);
  Var x = g.input(iota({1, 4, 1, 3}));
  Var y = transpose(x, 0, 2);  // swaps two unit dims
  EXPECT_TRUE(y.value().same_storage(x.value()));
  Var z = transpose(x, 1, 2);  // [1, 1, 4, 3]: same bytes
  EXPECT_TRUE(z.value().same_storage(x.value()));
  EXPECT_EQ(z.shape(), (Shape{1, 1, 4, 3}));
  Var w = transpose(x, 1, 3);  // a real permutation
  EXPECT_FALSE(w.value().same_storage(x.value()));
  EXPECT_EQ(w.shape(), (Shape{1, 3, 1, 4}));
}

}  // namespace
}  // namespace s2s::autograd
