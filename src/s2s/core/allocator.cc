#include "s2s/core/allocator.h"
#include "s2s/core/allocation_limit.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <new>

#include <sys/mman.h>

#include "s2s/core/error.h"

namespace s2s {

namespace {
constexpr std::size_t kAlign = 64;
constexpr std::size_t kHeader = (sizeof(Block) + kAlign - 1) / kAlign * kAlign;
constexpr std::size_t kMinBytes = 256;
constexpr std::size_t kLargeBytes = std::size_t{64} << 10;  // from here up: arena segments
constexpr std::size_t kPage = 4096;
constexpr std::size_t kArenaBytes = std::size_t{2} << 20;
constexpr std::uint8_t kLargeClass = 255;

// Free segments are ordered by size, then address: best fit, lowest first.
bool fits_before(const Block* a, const Block* b) {
  return a->capacity != b->capacity ? a->capacity < b->capacity : a < b;
}
}  // namespace

void* Block::data() { return reinterpret_cast<char*>(this) + kHeader; }

// Four classes per power of two (at most 25% waste) above 256 bytes, so
// batches whose lengths vary a little still reuse cached blocks.
int Allocator::size_class(std::size_t bytes) {
  if (bytes <= kMinBytes) return 0;
  int hi = std::bit_width(bytes - 1) - 1;  // 2^hi < bytes <= 2^(hi+1)
  std::size_t base = std::size_t{1} << hi;
  int quarter = static_cast<int>((bytes - 1 - base) / (base / 4));
  return (hi - 7) * 4 + quarter - 3;
}

std::size_t Allocator::class_bytes(int cls) {
  if (cls == 0) return kMinBytes;
  int c = cls + 3;
  int hi = c / 4 + 7;
  std::size_t base = std::size_t{1} << hi;
  return base + (base / 4) * static_cast<std::size_t>(c % 4 + 1);
}

Allocator::~Allocator() { empty_cache(); }

void Allocator::index_free(Block* segment) {
  segment->is_free = true;
  free_large_.insert(std::lower_bound(free_large_.begin(), free_large_.end(), segment, fits_before), segment);
  stats_.bytes_cached += segment->capacity;
}

void Allocator::unindex_free(Block* segment) {
  auto it = std::lower_bound(free_large_.begin(), free_large_.end(), segment, fits_before);
  free_large_.erase(it);
  segment->is_free = false;
  stats_.bytes_cached -= segment->capacity;
}

Block* Allocator::allocate_large(std::size_t bytes) {
  S2S_CHECK(bytes <= (std::size_t{1} << 48), "allocator: request of ", bytes, " bytes is too large");
  const std::size_t span = (kHeader + bytes + kPage - 1) / kPage * kPage;  // header + data, whole pages
  const std::size_t capacity = span - kHeader;
  auto it = std::lower_bound(free_large_.begin(), free_large_.end(), capacity,
                             [](const Block* b, std::size_t c) { return b->capacity < c; });
  Block* block = nullptr;
  if (it != free_large_.end()) {
    block = *it;
    unindex_free(block);
  } else {
    // Nothing fits (a longer batch than any before, say): give the arenas that
    // are entirely free back first, so that growing shapes do not leave a
    // trail of arenas sized for the shorter ones.
    release_free_arenas();
    const std::size_t arena = std::max(span, kArenaBytes);
    // mmap, not malloc: the pages come back to the system when the arena does.
    void* raw = mmap(nullptr, arena, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    ++stats_.system_allocs;
    block = new (raw) Block();
    block->capacity = arena - kHeader;
    block->size_class = kLargeClass;
    block->owner = this;
    arenas_.push_back(block);
  }
  // Split off the tail when it is worth a segment of its own.
  if (block->capacity - capacity >= kLargeBytes + kHeader) {
    Block* rest = new (reinterpret_cast<char*>(block) + span) Block();
    rest->capacity = block->capacity - span;
    rest->size_class = kLargeClass;
    rest->owner = this;
    rest->prev_segment = block;
    rest->next_segment = block->next_segment;
    if (rest->next_segment) rest->next_segment->prev_segment = rest;
    block->next_segment = rest;
    block->capacity = capacity;
    index_free(rest);
  }
  return block;
}

void Allocator::release_large(Block* block) {
  // Merges the segment after `left` into it.
  auto absorb_next = [](Block* left) {
    Block* right = left->next_segment;
    left->capacity += kHeader + right->capacity;
    left->next_segment = right->next_segment;
    if (left->next_segment) left->next_segment->prev_segment = left;
    right->~Block();
  };
  if (Block* next = block->next_segment; next && next->is_free) {
    unindex_free(next);
    absorb_next(block);
  }
  if (Block* prev = block->prev_segment; prev && prev->is_free) {
    unindex_free(prev);
    absorb_next(prev);
    block = prev;
  }
  index_free(block);
}

void Allocator::count_handed_out(std::size_t capacity) {
  ++stats_.allocs;
  stats_.bytes_in_use += capacity;
  stats_.peak_bytes_in_use = std::max(stats_.peak_bytes_in_use, stats_.bytes_in_use);
}

Block* Allocator::allocate(std::size_t bytes) {
  AllocationLimit::charge(bytes);
  if (bytes >= kLargeBytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    Block* block = allocate_large(bytes);
    count_handed_out(block->capacity);
    block->refs.store(1, std::memory_order_relaxed);
    return block;
  }
  int cls = size_class(bytes);
  S2S_CHECK(cls < kClasses, "allocator: request of ", bytes, " bytes is too large");
  std::size_t capacity = class_bytes(cls);
  Block* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Block* cached = free_[cls]) {
      free_[cls] = cached->next_free;
      stats_.bytes_cached -= capacity;
      block = cached;
    } else {
      ++stats_.system_allocs;
    }
    count_handed_out(capacity);
  }
  if (!block) {
    void* raw = std::aligned_alloc(kAlign, kHeader + capacity);
    if (!raw) {
      std::lock_guard<std::mutex> lock(mutex_);
      stats_.bytes_in_use -= capacity;
      throw std::bad_alloc();
    }
    block = new (raw) Block();
    block->capacity = capacity;
    block->size_class = static_cast<std::uint8_t>(cls);
    block->owner = this;
  }
  block->next_free = nullptr;
  block->refs.store(1, std::memory_order_relaxed);
  return block;
}

void Allocator::release(Block* block) {
  if (block->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.bytes_in_use -= block->capacity;
  if (block->size_class == kLargeClass) {
    release_large(block);
    return;
  }
  stats_.bytes_cached += block->capacity;
  block->next_free = free_[block->size_class];
  free_[block->size_class] = block;
}

void Allocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& head : free_) {
    while (head) {
      Block* next = head->next_free;
      stats_.bytes_cached -= head->capacity;
      head->~Block();
      std::free(head);
      head = next;
    }
  }
  release_free_arenas();
  // The free segments of arenas still in use keep their address range but
  // give their pages back (all but the one holding the segment's header): a
  // model whose fp32 weights were dropped for int8 ones shrinks in resident
  // memory even when a few live tensors share the weights' arenas.
  for (Block* segment : free_large_) {
    const std::size_t bytes = kHeader + segment->capacity;  // whole pages, from a page boundary
    if (bytes > kPage) madvise(reinterpret_cast<char*>(segment) + kPage, bytes - kPage, MADV_DONTNEED);
  }
}

void Allocator::release_free_arenas() {
  // An arena whose segments have all been freed is one free segment again.
  std::erase_if(arenas_, [this](Block* base) {
    if (!base->is_free || base->next_segment) return false;
    unindex_free(base);
    const std::size_t bytes = kHeader + base->capacity;
    base->~Block();
    munmap(base, bytes);
    return true;
  });
}

AllocatorStats Allocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

Allocator& Allocator::for_device(Device device) {
  S2S_CHECK(device.type == DeviceType::CPU, "allocator: only the CPU device is available in this build");
  // Never destroyed: tensors held by static objects may outlive main().
  static Allocator* cpu = new Allocator(kCPU);
  return *cpu;
}

}  // namespace s2s
