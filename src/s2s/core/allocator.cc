#include "s2s/core/allocator.h"

#include <bit>
#include <cstdlib>
#include <new>

#include "s2s/core/error.h"

namespace s2s {

namespace {
constexpr std::size_t kAlign = 64;
constexpr std::size_t kHeader = (sizeof(Block) + kAlign - 1) / kAlign * kAlign;
constexpr std::size_t kMinBytes = 256;
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

Block* Allocator::allocate(std::size_t bytes) {
  int cls = size_class(bytes);
  S2S_CHECK(cls < kClasses, "allocator: request of ", bytes, " bytes is too large");
  std::size_t capacity = class_bytes(cls);
  Block* block = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.allocs;
    if (Block* cached = free_[cls]) {
      free_[cls] = cached->next_free;
      stats_.bytes_cached -= capacity;
      block = cached;
    } else {
      ++stats_.system_allocs;
    }
    stats_.bytes_in_use += capacity;
    if (stats_.bytes_in_use > stats_.peak_bytes_in_use) stats_.peak_bytes_in_use = stats_.bytes_in_use;
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
