#include "s2s/models/rnn_decoder_state.h"

#include "s2s/kernels/embedding.h"

namespace s2s::models {

Tensor gather_rows(const Tensor& t, const Tensor& indices, int axis) {
  S2S_CHECK(indices.dtype() == DType::I32 && indices.ndim() == 1, "select: expected I32 indices [rows], got ",
            indices.shape().str());
  const std::int64_t n = indices.dim(0);
  Shape out_shape = t.shape();
  out_shape[axis] = n;
  Tensor out = Tensor::empty(out_shape, t.dtype());
  if (t.dtype() == DType::I32) {
    S2S_CHECK(axis == 0 && t.ndim() == 1, "select: I32 tensors must be vectors");
    for (std::int64_t r = 0; r < n; ++r) {
      std::int32_t k = indices.i32()[r];
      S2S_CHECK(k >= 0 && k < t.dim(0), "select: row ", k, " out of range for ", t.dim(0), " rows");
      out.i32()[r] = t.i32()[k];
    }
    return out;
  }
  if (axis == 0) {
    Tensor dst = out.reshape(Shape{n, t.numel() / t.dim(0)});
    kernels::embedding_forward(t.reshape(Shape{t.dim(0), t.numel() / t.dim(0)}), indices, dst);
    return out;
  }
  S2S_CHECK(axis == 1 && t.ndim() >= 2, "select: cannot gather along axis ", axis, " of ", t.shape().str());
  const std::int64_t outer = t.dim(0), rows = t.dim(1), inner = t.numel() / (outer * rows);
  for (std::int64_t o = 0; o < outer; ++o) {
    Tensor dst = out.narrow0(o, 1).reshape(Shape{n, inner});
    kernels::embedding_forward(t.narrow0(o, 1).reshape(Shape{rows, inner}), indices, dst);
  }
  return out;
}

RnnDecoderState::RnnDecoderState(std::vector<Tensor> h_, std::vector<Tensor> c_, Tensor feed_, Source source,
                                 bool has_source, int keys_batch_axis, bool map_rows)
    : h(std::move(h_)),
      c(std::move(c_)),
      feed(std::move(feed_)),
      original_(std::move(source)),
      has_source_(has_source),
      keys_batch_axis_(keys_batch_axis),
      map_rows_(map_rows) {
  S2S_CHECK(!h.empty(), "decoder state: no layers");
  current_ = original_;
  const std::int64_t n = h[0].dim(0);
  src_index_.resize(static_cast<std::size_t>(n));
  for (std::int64_t r = 0; r < n; ++r) src_index_[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(r);
  current_index_ = src_index_;
}

void RnnDecoderState::select(const Tensor& indices) {
  S2S_CHECK(indices.dtype() == DType::I32 && indices.ndim() == 1 && indices.dim(0) > 0,
            "select: expected non-empty I32 indices [rows], got ", indices.shape().str());
  const std::int64_t old_rows = rows(), n = indices.dim(0);
  std::vector<std::int32_t>& next = scratch_;  // reused: select runs once per beam step
  next.resize(static_cast<std::size_t>(n));
  for (std::int64_t r = 0; r < n; ++r) {
    std::int32_t k = indices.i32()[r];
    S2S_CHECK(k >= 0 && k < old_rows, "select: row ", k, " out of range for ", old_rows, " rows");
    next[static_cast<std::size_t>(r)] = src_index_[static_cast<std::size_t>(k)];
  }
  for (Tensor& t : h) t = gather_rows(t, indices);
  for (Tensor& t : c) t = gather_rows(t, indices);
  if (feed.defined()) feed = gather_rows(feed, indices);
  if (coverage.defined()) coverage = gather_rows(coverage, indices);  // a beam's coverage moves with it
  std::swap(src_index_, scratch_);
}

Tensor RnnDecoderState::sentence_rows() const {
  return Tensor::from_ids(src_index_, Shape{static_cast<std::int64_t>(src_index_.size())});
}

const RnnDecoderState::Source& RnnDecoderState::source() {
  if (has_source_ && src_index_ != current_index_) {
    Tensor idx = Tensor::from_ids(src_index_, Shape{static_cast<std::int64_t>(src_index_.size())});
    current_.lengths = gather_rows(original_.lengths, idx);
    if (map_rows_) {
      current_.rows = idx;
    } else {
      current_.values = gather_rows(original_.values, idx);
      if (original_.keys.defined()) current_.keys = gather_rows(original_.keys, idx, keys_batch_axis_);
      current_.mask = gather_rows(original_.mask, idx);
    }
    current_index_ = src_index_;
  }
  return current_;
}

}  // namespace s2s::models
