#pragma once
// An in-memory tokenized corpus, stored compactly: ids take 1, 2 or 4 bytes
// each (by vocabulary size) in 1 MiB blocks that never move, so a corpus
// needs about (bytes per id x tokens + 16 bytes per pair) and loading never
// holds two copies of it. A streaming Batcher reuses one Dataset as its
// shuffle buffer.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

namespace s2s::data {

class Dataset {
 public:
  // `vocab_size`: one more than the largest id that will be stored.
  // with_copy: every pair also keeps its source's copy ids (one per source
  // token, data/source_copy.h), for models with copy attention.
  explicit Dataset(std::int64_t vocab_size = INT32_MAX, bool with_copy = false);

  // copy: the source's copy ids (with_copy only; as long as src).
  void add(std::span<const std::int32_t> src, std::span<const std::int32_t> tgt,
           std::span<const std::int32_t> copy = {});
  void clear();  // keeps the first block for reuse

  std::size_t size() const { return meta_.size(); }
  bool empty() const { return meta_.empty(); }
  std::uint32_t src_len(std::size_t i) const { return meta_[i].src_len; }
  std::uint32_t tgt_len(std::size_t i) const { return meta_[i].tgt_len; }
  // Writes the ids to out[0], out[stride], out[2 * stride], ...
  void copy_src(std::size_t i, std::int32_t* out, std::ptrdiff_t stride = 1) const;
  void copy_tgt(std::size_t i, std::int32_t* out, std::ptrdiff_t stride = 1) const;
  bool with_copy() const { return with_copy_; }
  void copy_src_copy_ids(std::size_t i, std::int32_t* out, std::ptrdiff_t stride = 1) const;
  std::vector<std::int32_t> src(std::size_t i) const;
  std::vector<std::int32_t> tgt(std::size_t i) const;

  int id_bytes() const { return width_; }
  std::uint64_t tokens() const { return tokens_; }
  // Bytes held by blocks and per-pair records.
  std::size_t memory_bytes() const;

 private:
  struct Meta {
    std::uint32_t block, offset;  // position of the source ids; target ids follow, then copy ids (with_copy)
    std::uint32_t src_len, tgt_len;
  };
  struct Block {
    std::unique_ptr<std::byte[]> data;
    std::size_t capacity = 0;  // in ids
  };
  void copy_ids(const Meta& m, std::size_t first, std::uint32_t n, std::int32_t* out, std::ptrdiff_t stride) const;

  std::int64_t vocab_size_;
  bool with_copy_;
  int width_;
  std::vector<Block> blocks_;
  std::size_t used_ = 0;  // ids used in the last block
  std::deque<Meta> meta_;
  std::uint64_t tokens_ = 0;
};

}  // namespace s2s::data
