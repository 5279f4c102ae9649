#include "s2s/models/transformer_decoder_state.h"

#include <algorithm>

namespace s2s::models {

namespace {

// t [T, B, C] -> [T, rows, C], column block r = t's block indices[r].
Tensor gather_batch(const Tensor& t, const Tensor& indices) {
  const std::int64_t steps = t.dim(0), batch = t.dim(1), c = t.dim(2), rows = indices.dim(0);
  Tensor out = Tensor::empty(Shape{steps, rows, c});
  for (std::int64_t s = 0; s < steps; ++s)
    for (std::int64_t r = 0; r < rows; ++r)
      std::copy_n(t.f32() + (s * batch + indices.i32()[r]) * c, c, out.f32() + (s * rows + r) * c);
  return out;
}

}  // namespace

TransformerDecoderState::TransformerDecoderState(Memory memory) : memory_(std::move(memory)) {
  const std::int64_t batch = memory_.lengths.dim(0);
  memory_rows_ = Tensor::empty(Shape{batch}, DType::I32);
  for (std::int64_t b = 0; b < batch; ++b) memory_rows_.i32()[b] = static_cast<std::int32_t>(b);
  self_kv.resize(memory_.kv.size());
}

void TransformerDecoderState::select(const Tensor& indices) {
  S2S_CHECK(indices.dtype() == DType::I32 && indices.ndim() == 1, "select: expected I32 indices [rows], got ",
            indices.shape().str());
  Tensor next = Tensor::empty(Shape{indices.dim(0)}, DType::I32);
  for (std::int64_t r = 0; r < indices.dim(0); ++r) {
    std::int32_t k = indices.i32()[r];
    S2S_CHECK(k >= 0 && k < rows(), "select: row ", k, " out of range for ", rows(), " rows");
    next.i32()[r] = memory_rows_.i32()[k];
  }
  for (Tensor& kv : self_kv)
    if (kv.defined()) kv = gather_batch(kv, indices);
  memory_rows_ = next;
}

}  // namespace s2s::models
