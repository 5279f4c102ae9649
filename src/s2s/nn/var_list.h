#pragma once
// A short list of Vars (per-layer recurrent states, bound per-layer weights)
// that keeps up to kInline entries inside the object, so building one per
// training step or decoder step does not touch the heap. Longer lists (deep
// bidirectional stacks) spill to a std::vector.
#include <array>
#include <cstddef>
#include <initializer_list>
#include <vector>

#include "s2s/autograd/var.h"

namespace s2s::nn {

class VarList {
 public:
  static constexpr std::size_t kInline = 16;

  VarList() = default;
  VarList(std::initializer_list<autograd::Var> vars) {
    for (const autograd::Var& v : vars) push_back(v);
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  autograd::Var* data() { return heap_.empty() ? inline_.data() : heap_.data(); }
  const autograd::Var* data() const { return heap_.empty() ? inline_.data() : heap_.data(); }
  autograd::Var& operator[](std::size_t i) { return data()[i]; }
  const autograd::Var& operator[](std::size_t i) const { return data()[i]; }
  autograd::Var& back() { return data()[size_ - 1]; }
  const autograd::Var& back() const { return data()[size_ - 1]; }
  autograd::Var* begin() { return data(); }
  autograd::Var* end() { return data() + size_; }
  const autograd::Var* begin() const { return data(); }
  const autograd::Var* end() const { return data() + size_; }

  void clear() {
    size_ = 0;
    heap_.clear();
  }
  void push_back(autograd::Var v) {
    if (heap_.empty() && size_ < kInline) {
      inline_[size_++] = v;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + static_cast<std::ptrdiff_t>(size_));
    heap_.push_back(v);
    ++size_;
  }
  void assign(std::size_t n, autograd::Var v) {
    clear();
    for (std::size_t k = 0; k < n; ++k) push_back(v);
  }
  void assign(const autograd::Var* first, const autograd::Var* last) {
    clear();
    for (; first != last; ++first) push_back(*first);
  }

 private:
  std::array<autograd::Var, kInline> inline_{};
  std::size_t size_ = 0;
  std::vector<autograd::Var> heap_;  // all entries once there are more than kInline
};

}  // namespace s2s::nn
