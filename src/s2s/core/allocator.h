#pragma once
// Caching allocator for tensor storage: once a training step has run with
// given shapes, later steps with the same shapes never call the system
// allocator (`stats().system_allocs` is the hook tests use to prove it).
//
// Small requests (< 64 KiB) come from a free list per size class. Large ones
// are carved best-fit out of mmap'ed arenas (at least 2 MiB each,
// page-granular segments) and freed segments merge with free neighbours, as
// in PyTorch's CUDA caching allocator: memory a step frees (the logits,
// activations) is reused by requests of other sizes (parameter gradients, the
// next activations), so the resident set stays near the peak of bytes in use
// instead of the sum of every size's own peak. When a request fits nowhere
// (a longer batch than any before), the arenas that are entirely free are
// unmapped before a new one is mapped, so varying batch shapes do not pile up
// arenas sized for the shorter ones.
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "s2s/core/dtype.h"

namespace s2s {

class Allocator;

// Header placed in front of every storage block; refcounted by Tensor.
struct Block {
  std::size_t capacity = 0;  // usable bytes after the header
  std::atomic<std::int32_t> refs{0};
  std::uint8_t size_class = 0;  // kLargeClass for arena segments
  bool is_free = false;         // arena segments: on the free index
  Block* next_free = nullptr;   // size-class free list
  Block* prev_segment = nullptr;  // arena neighbours in address order
  Block* next_segment = nullptr;
  Allocator* owner = nullptr;
  void* data();
};

struct AllocatorStats {
  std::uint64_t system_allocs = 0;  // calls to the system allocator
  std::uint64_t allocs = 0;         // blocks handed out (cached or new)
  std::size_t bytes_in_use = 0;
  std::size_t bytes_cached = 0;     // held in free lists and free arena segments
  std::size_t peak_bytes_in_use = 0;
};

class Allocator {
 public:
  explicit Allocator(Device device = kCPU) : device_(device) {}
  ~Allocator();
  Allocator(const Allocator&) = delete;
  Allocator& operator=(const Allocator&) = delete;

  // Returns a block with refs == 1 and at least `bytes` usable, 64-byte aligned.
  Block* allocate(std::size_t bytes);
  void release(Block* block);  // drops one reference; caches the block at zero
  void empty_cache();          // returns every cached block to the system

  AllocatorStats stats() const;
  Device device() const { return device_; }

  // The process-wide allocator of a device, like cudaMalloc's heap: storage
  // is a property of the device, not of any model or graph.
  static Allocator& for_device(Device device);

 private:
  static constexpr int kClasses = 192;
  static int size_class(std::size_t bytes);
  static std::size_t class_bytes(int cls);

  // Callers hold mutex_.
  void count_handed_out(std::size_t capacity);
  // Arena segments; callers hold mutex_.
  Block* allocate_large(std::size_t bytes);
  void release_large(Block* block);
  void index_free(Block* segment);
  void unindex_free(Block* segment);
  void release_free_arenas();

  Device device_;
  mutable std::mutex mutex_;
  std::array<Block*, kClasses> free_{};
  std::vector<Block*> free_large_;  // free segments by (capacity, address)
  std::vector<Block*> arenas_;      // first segment of each arena (its base)
  AllocatorStats stats_;
};

}  // namespace s2s
