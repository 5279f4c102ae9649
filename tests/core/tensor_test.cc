#include "s2s/core/tensor.h"

#include <gtest/gtest.h>

#include "s2s/core/error.h"

namespace s2s {
namespace {

TEST(Tensor, ShapeAndViewsShareStorage) {
  Tensor t = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.numel(), 6);
  EXPECT_EQ(t.dim(-1), 3);
  Tensor v = t.reshape({3, 2});
  v.f32()[0] = 10;
  EXPECT_EQ(t.f32()[0], 10);
  Tensor row = t.narrow0(1, 1);
  EXPECT_EQ(row.shape(), (Shape{1, 3}));
  EXPECT_EQ(row.f32()[0], 4);
  Tensor c = t.clone();
  c.f32()[1] = 99;
  EXPECT_EQ(t.f32()[1], 2);
}

TEST(Tensor, ErrorsNameTheProblem) {
  Tensor t = Tensor::zeros({2, 3});
  try {
    t.reshape({4, 2});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "reshape: cannot view [2, 3] as [4, 2]");
  }
  EXPECT_THROW(t.i32(), Error);
  EXPECT_THROW(t.narrow0(2, 1), Error);
  EXPECT_THROW(t.dim(2), Error);
}

TEST(Tensor, EmptyRefusesAShapeWhoseSizeOverflows) {
  EXPECT_THROW(Tensor::empty(Shape{std::int64_t{1} << 40, std::int64_t{1} << 40}), Error);
  EXPECT_THROW(Tensor::empty(Shape{std::int64_t{1} << 47}), Error);
  EXPECT_THROW(Tensor::empty(Shape{4, -1}), Error);
  EXPECT_EQ(Tensor::empty(Shape{0, std::int64_t{1} << 40}).numel(), 0);
}

}  // namespace
}  // namespace s2s
