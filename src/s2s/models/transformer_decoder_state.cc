#include "s2s/models/transformer_decoder_state.h"

#include "s2s/models/rnn_decoder_state.h"  // gather_rows

namespace s2s::models {

namespace {

// Rows of a per-head tensor [B*H, ...] picked per sentence row b (its H heads stay together).
Tensor gather_heads(const Tensor& t, const Tensor& indices, std::int64_t heads) {
  const std::int64_t rows = t.dim(0) / heads;
  Shape out_shape = t.shape();
  out_shape[0] = indices.dim(0) * heads;
  return gather_rows(t.reshape(Shape{rows, t.numel() / rows}), indices).reshape(out_shape);
}

Tensor index_tensor(const std::vector<std::int32_t>& v) {
  return Tensor::from_ids(v, Shape{static_cast<std::int64_t>(v.size())});
}

}  // namespace

TransformerDecoderState::TransformerDecoderState(Memory memory, std::int64_t heads)
    : original_(std::move(memory)), current_(original_), heads_(heads) {
  const std::int64_t batch = original_.lengths.dim(0);
  for (std::int64_t b = 0; b < batch; ++b) src_index_.push_back(static_cast<std::int32_t>(b));
  current_index_ = src_index_;
  self_k.resize(original_.k.size());
  self_v.resize(original_.v.size());
}

void TransformerDecoderState::select(const Tensor& indices) {
  S2S_CHECK(indices.dtype() == DType::I32 && indices.ndim() == 1, "select: expected I32 indices [rows], got ",
            indices.shape().str());
  std::vector<std::int32_t> next;
  next.reserve(static_cast<std::size_t>(indices.dim(0)));
  for (std::int64_t r = 0; r < indices.dim(0); ++r) {
    std::int32_t k = indices.i32()[r];
    S2S_CHECK(k >= 0 && k < rows(), "select: row ", k, " out of range for ", rows(), " rows");
    next.push_back(src_index_[static_cast<std::size_t>(k)]);
  }
  for (std::size_t l = 0; l < self_k.size(); ++l) {
    if (!self_k[l].defined()) continue;
    self_k[l] = gather_heads(self_k[l], indices, heads_);
    self_v[l] = gather_heads(self_v[l], indices, heads_);
  }
  src_index_ = std::move(next);
}

const TransformerDecoderState::Memory& TransformerDecoderState::memory() {
  if (src_index_ == current_index_) return current_;
  Tensor idx = index_tensor(src_index_);
  for (std::size_t l = 0; l < original_.k.size(); ++l) {
    current_.k[l] = gather_heads(original_.k[l], idx, heads_);
    current_.v[l] = gather_heads(original_.v[l], idx, heads_);
  }
  current_.lengths = gather_rows(original_.lengths, idx);
  current_index_ = src_index_;
  return current_;
}

}  // namespace s2s::models
