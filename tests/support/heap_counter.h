#pragma once
// Counts calls of the global operator new in a test program, for the tests
// that prove a hot loop allocates nothing. It defines the replacement
// allocation functions, so include it in exactly one .cc per test program.
#include <atomic>
#include <cstdlib>
#include <new>

// The replacements are not inlined: GCC would otherwise see malloc/free
// pairs mixed with new/delete in the callers and warn (-Wmismatched-new-delete).
namespace s2s::testing {
inline std::atomic<long> heap_allocations{0};
}  // namespace s2s::testing

[[gnu::noinline]] void* operator new(std::size_t n) {
  s2s::testing::heap_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// The nothrow forms too (std::stable_sort's buffer uses them), so that every
// block our operator delete frees came from malloc.
[[gnu::noinline]] void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  s2s::testing::heap_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
