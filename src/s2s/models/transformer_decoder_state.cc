#include "s2s/models/transformer_decoder_state.h"

#include <algorithm>

#include "s2s/models/rnn_decoder_state.h"  // gather_rows

namespace s2s::models {

TransformerDecoderState::TransformerDecoderState(Memory memory) : memory_(std::move(memory)) {
  const std::int64_t batch = memory_.lengths.dim(0);
  memory_rows_ = Tensor::empty(Shape{batch}, DType::I32);
  for (std::int64_t b = 0; b < batch; ++b) memory_rows_.i32()[b] = static_cast<std::int32_t>(b);
  self_kv.resize(memory_.kv.size());
  buffer_.resize(memory_.kv.size());
}

Tensor TransformerDecoderState::self_kv_out(std::size_t l) {
  const std::int64_t need = position + 1;
  Tensor& buf = buffer_[l];
  const bool in_place = buf.defined() && buf.dim(0) >= need && buf.dim(1) == rows() &&
                        (!self_kv[l].defined() || self_kv[l].f32() == buf.f32());
  // A new buffer: the step's concat copies the earlier positions into it once.
  if (!in_place) buf = Tensor::empty(Shape{std::max<std::int64_t>(16, 2 * need), rows(), memory_.kv[l].dim(2)});
  return buf.narrow0(0, need);
}

void TransformerDecoderState::select(const Tensor& indices) {
  Tensor next = gather_rows(memory_rows_, indices);  // checks the indices
  const std::int64_t n = indices.dim(0);
  for (std::size_t l = 0; l < self_kv.size(); ++l) {
    const Tensor& kv = self_kv[l];
    if (!kv.defined()) continue;
    // Gathered along the batch axis straight into a buffer with room for the next steps.
    const std::int64_t steps = kv.dim(0), rows = kv.dim(1), w = kv.dim(2);
    Tensor buf = Tensor::empty(Shape{std::max(buffer_[l].dim(0), 2 * (steps + 1)), n, w});
    for (std::int64_t t = 0; t < steps; ++t)
      for (std::int64_t r = 0; r < n; ++r)
        std::copy_n(kv.f32() + (t * rows + indices.i32()[r]) * w, w, buf.f32() + (t * n + r) * w);
    self_kv[l] = buf.narrow0(0, steps);
    buffer_[l] = buf;
  }
  memory_rows_ = next;
}

const Tensor& TransformerDecoderState::copy_source() {
  S2S_CHECK(memory_.source.defined(), "decoder state: no encoder output kept (the model does not copy)");
  const std::int64_t n = rows();
  const bool same = copy_source_.defined() && copy_source_rows_.dim(0) == n &&
                    std::equal(memory_rows_.i32(), memory_rows_.i32() + n, copy_source_rows_.i32());
  if (!same) {
    copy_source_ = gather_rows(memory_.source, memory_rows_);
    copy_source_rows_ = memory_rows_;
  }
  return copy_source_;
}

}  // namespace s2s::models
