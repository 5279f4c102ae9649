#include "s2s/core/shape.h"

#include "s2s/core/error.h"

namespace s2s {

Shape::Shape(std::initializer_list<std::int64_t> dims) {
  for (auto d : dims) push_back(d);
}

void Shape::push_back(std::int64_t d) {
  S2S_CHECK(ndim_ < kMaxDims, "shape: at most ", kMaxDims, " dimensions are supported");
  S2S_CHECK(d >= 0, "shape: dimension ", ndim_, " is negative (", d, ")");
  dims_[ndim_++] = d;
}

int Shape::normalize(int axis) const {
  int a = axis < 0 ? axis + ndim_ : axis;
  S2S_CHECK(a >= 0 && a < ndim_, "axis ", axis, " is out of range for shape ", str());
  return a;
}

std::int64_t Shape::numel() const {
  std::int64_t n = 1;
  for (int i = 0; i < ndim_; ++i) n *= dims_[i];
  return n;
}

std::int64_t Shape::outer(int axis) const {
  std::int64_t n = 1;
  for (int i = 0; i < normalize(axis); ++i) n *= dims_[i];
  return n;
}

std::int64_t Shape::inner(int axis) const {
  std::int64_t n = 1;
  for (int i = normalize(axis) + 1; i < ndim_; ++i) n *= dims_[i];
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < ndim_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.ndim_ != b.ndim_) return false;
  for (int i = 0; i < a.ndim_; ++i)
    if (a.dims_[i] != b.dims_[i]) return false;
  return true;
}

}  // namespace s2s
