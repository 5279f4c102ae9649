#pragma once
// A cap on the tensor storage one thread may allocate for a while.
#include <cstddef>

namespace s2s {

// Caps the bytes the calling thread may allocate while it lives (nested
// limits: the innermost counts). Loading a model whose config.yaml asks for
// far more than its weights file holds must fail at once with an s2s::Error
// saying so, not after mapping and touching gigabytes.
class AllocationLimit {
 public:
  explicit AllocationLimit(std::size_t bytes);
  ~AllocationLimit();
  AllocationLimit(const AllocationLimit&) = delete;
  AllocationLimit& operator=(const AllocationLimit&) = delete;

  // Counts `bytes` against the innermost limit of this thread, if any; fails past it.
  static void charge(std::size_t bytes);

 private:
  std::size_t limit_, left_;
  AllocationLimit* outer_;
};

}  // namespace s2s
