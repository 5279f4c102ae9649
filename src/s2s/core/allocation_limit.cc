#include "s2s/core/allocation_limit.h"

#include "s2s/core/error.h"

namespace s2s {

namespace {
thread_local AllocationLimit* t_limit = nullptr;
}  // namespace

AllocationLimit::AllocationLimit(std::size_t bytes) : limit_(bytes), left_(bytes), outer_(t_limit) { t_limit = this; }

AllocationLimit::~AllocationLimit() { t_limit = outer_; }

void AllocationLimit::charge(std::size_t bytes) {
  AllocationLimit* l = t_limit;
  if (!l) return;
  S2S_CHECK(bytes <= l->left_, "needs more than ", l->limit_, " bytes of memory");
  l->left_ -= bytes;
}

}  // namespace s2s
