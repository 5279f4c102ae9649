#pragma once
// Shape with inline storage: building one never touches the heap, which keeps
// the training step allocation-free.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace s2s {

class Shape {
 public:
  static constexpr int kMaxDims = 6;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  template <typename It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
  }

  int ndim() const { return ndim_; }
  std::int64_t operator[](int i) const { return dims_[i]; }
  std::int64_t& operator[](int i) { return dims_[i]; }
  // Negative indices count from the end, as in Python.
  std::int64_t dim(int i) const { return dims_[normalize(i)]; }
  int normalize(int axis) const;
  std::int64_t numel() const;
  void push_back(std::int64_t d);
  const std::int64_t* begin() const { return dims_.data(); }
  const std::int64_t* end() const { return dims_.data() + ndim_; }

  // Product of dims before / after `axis`: views a tensor as [outer, dim(axis), inner].
  std::int64_t outer(int axis) const;
  std::int64_t inner(int axis) const;

  std::string str() const;
  friend bool operator==(const Shape& a, const Shape& b);

 private:
  std::array<std::int64_t, kMaxDims> dims_{};
  int ndim_ = 0;
};

}  // namespace s2s
