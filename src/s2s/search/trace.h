#pragma once
// Back-pointers of a search: for every step t and every row r fed at that
// step, the token the row was fed (its last output) and the row of step t-1
// it extends, plus optionally the attention the row produced at step t.
// Outputs are read back by walking the pointers, so reordering and dropping
// rows between steps copies nothing but two integers per row. All storage is
// sized once per batch.
#include <cstdint>
#include <span>
#include <vector>

namespace s2s::search {

class Trace {
 public:
  // Room for `steps` steps of at most `rows` rows; attention rows of
  // `src_width` values when keep_attention.
  void reset(std::int64_t steps, std::int64_t rows, std::int64_t src_width, bool keep_attention);

  // Step t's rows. A step past the room reset() made is an s2s::Error, never
  // a write past the end (a search that failed to stop at its length limit).
  std::int32_t* tokens(std::int64_t t) { return tokens_.data() + checked(t) * rows_; }
  std::int32_t* parents(std::int64_t t) { return parents_.data() + checked(t) * rows_; }
  float* attention(std::int64_t t, std::int64_t r) { return attention_.data() + (checked(t) * rows_ + r) * width_; }
  std::int64_t steps() const { return steps_; }
  bool keeps_attention() const { return !attention_.empty(); }

  // The first t output tokens of row r of step t (the tokens it was fed after <s>).
  void history(std::int64_t t, std::int64_t r, std::span<std::int32_t> out) const;
  // The attention rows of steps 0..t along the path ending at row r of step
  // t, each cut to the first `src_len` positions: out is [(t + 1), src_len].
  void attention_path(std::int64_t t, std::int64_t r, std::int64_t src_len, std::span<float> out) const;
  // Column sums of attention_path (the coverage of each source position).
  void coverage(std::int64_t t, std::int64_t r, std::span<float> out) const;

 private:
  std::int64_t checked(std::int64_t t) const {
    if (t < 0 || t >= steps_) out_of_range(t);
    return t;
  }
  [[noreturn]] void out_of_range(std::int64_t t) const;

  std::int64_t steps_ = 0, rows_ = 0, width_ = 0;
  std::vector<std::int32_t> tokens_, parents_;
  std::vector<float> attention_;
};

}  // namespace s2s::search
