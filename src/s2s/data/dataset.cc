#include "s2s/data/dataset.h"

#include <algorithm>
#include <cstring>

#include "s2s/core/error.h"

namespace s2s::data {

namespace {
constexpr std::size_t kBlockBytes = std::size_t{1} << 20;
}

Dataset::Dataset(std::int64_t vocab_size, bool with_copy) : vocab_size_(vocab_size), with_copy_(with_copy) {
  S2S_CHECK(vocab_size > 0 && vocab_size <= INT32_MAX, "dataset: vocabulary size ", vocab_size, " out of range");
  width_ = vocab_size <= 256 ? 1 : vocab_size <= 65536 ? 2 : 4;
}

void Dataset::add(std::span<const std::int32_t> src, std::span<const std::int32_t> tgt,
                  std::span<const std::int32_t> copy) {
  S2S_CHECK(with_copy_ ? copy.size() == src.size() : copy.empty(), "dataset: ", copy.size(), " copy ids for ",
            src.size(), " source tokens", with_copy_ ? "" : " (this dataset keeps none)");
  std::size_t n = src.size() + tgt.size() + copy.size();
  S2S_CHECK(src.size() <= UINT32_MAX && tgt.size() <= UINT32_MAX, "dataset: sequence of ", n, " ids is too long");
  if (blocks_.empty() || used_ + n > blocks_.back().capacity) {
    std::size_t capacity = std::max(kBlockBytes / static_cast<std::size_t>(width_), n);
    S2S_CHECK(blocks_.size() < UINT32_MAX, "dataset: too many blocks");
    blocks_.push_back({std::unique_ptr<std::byte[]>(new std::byte[capacity * static_cast<std::size_t>(width_)]), capacity});
    used_ = 0;
  }
  std::byte* dst = blocks_.back().data.get() + used_ * static_cast<std::size_t>(width_);
  auto put = [&](std::span<const std::int32_t> ids) {
    for (std::int32_t id : ids) {
      S2S_CHECK(id >= 0 && id < vocab_size_, "dataset: id ", id, " is outside the vocabulary [0, ", vocab_size_, ")");
      if (width_ == 1) {
        *reinterpret_cast<std::uint8_t*>(dst) = static_cast<std::uint8_t>(id);
      } else if (width_ == 2) {
        auto v = static_cast<std::uint16_t>(id);
        std::memcpy(dst, &v, 2);
      } else {
        std::memcpy(dst, &id, 4);
      }
      dst += width_;
    }
  };
  put(src);
  put(tgt);
  put(copy);
  meta_.push_back({static_cast<std::uint32_t>(blocks_.size() - 1), static_cast<std::uint32_t>(used_),
                   static_cast<std::uint32_t>(src.size()), static_cast<std::uint32_t>(tgt.size())});
  used_ += n;
  tokens_ += src.size() + tgt.size();
}

void Dataset::clear() {
  if (blocks_.size() > 1) blocks_.resize(1);
  if (!blocks_.empty() && blocks_[0].capacity * static_cast<std::size_t>(width_) > kBlockBytes) blocks_.clear();
  used_ = 0;
  meta_.clear();
  tokens_ = 0;
}

void Dataset::copy_ids(const Meta& m, std::size_t first, std::uint32_t n, std::int32_t* out, std::ptrdiff_t stride) const {
  const std::byte* p = blocks_[m.block].data.get() + (m.offset + first) * static_cast<std::size_t>(width_);
  if (width_ == 1) {
    for (std::uint32_t k = 0; k < n; ++k) out[k * stride] = static_cast<std::int32_t>(reinterpret_cast<const std::uint8_t*>(p)[k]);
  } else if (width_ == 2) {
    for (std::uint32_t k = 0; k < n; ++k) {
      std::uint16_t v;
      std::memcpy(&v, p + 2 * k, 2);
      out[k * stride] = v;
    }
  } else {
    for (std::uint32_t k = 0; k < n; ++k) std::memcpy(out + k * stride, p + 4 * k, 4);
  }
}

void Dataset::copy_src(std::size_t i, std::int32_t* out, std::ptrdiff_t stride) const {
  const Meta& m = meta_[i];
  copy_ids(m, 0, m.src_len, out, stride);
}

void Dataset::copy_tgt(std::size_t i, std::int32_t* out, std::ptrdiff_t stride) const {
  const Meta& m = meta_[i];
  copy_ids(m, m.src_len, m.tgt_len, out, stride);
}

void Dataset::copy_src_copy_ids(std::size_t i, std::int32_t* out, std::ptrdiff_t stride) const {
  S2S_CHECK(with_copy_, "dataset: no copy ids kept");
  const Meta& m = meta_[i];
  copy_ids(m, m.src_len + m.tgt_len, m.src_len, out, stride);
}

std::vector<std::int32_t> Dataset::src(std::size_t i) const {
  std::vector<std::int32_t> v(src_len(i));
  copy_src(i, v.data());
  return v;
}

std::vector<std::int32_t> Dataset::tgt(std::size_t i) const {
  std::vector<std::int32_t> v(tgt_len(i));
  copy_tgt(i, v.data());
  return v;
}

std::size_t Dataset::memory_bytes() const {
  std::size_t bytes = meta_.size() * sizeof(Meta) + blocks_.capacity() * sizeof(Block);
  for (const Block& b : blocks_) bytes += b.capacity * static_cast<std::size_t>(width_);
  return bytes;
}

}  // namespace s2s::data
