#include "s2s/models/transformer_decoder_state.h"

#include "s2s/models/rnn_decoder_state.h"  // gather_rows

namespace s2s::models {

TransformerDecoderState::TransformerDecoderState(Memory memory) : memory_(std::move(memory)) {
  const std::int64_t batch = memory_.lengths.dim(0);
  memory_rows_ = Tensor::empty(Shape{batch}, DType::I32);
  for (std::int64_t b = 0; b < batch; ++b) memory_rows_.i32()[b] = static_cast<std::int32_t>(b);
  self_kv.resize(memory_.kv.size());
}

void TransformerDecoderState::select(const Tensor& indices) {
  Tensor next = gather_rows(memory_rows_, indices);  // checks the indices
  for (Tensor& kv : self_kv)
    if (kv.defined()) kv = gather_rows(kv, indices, 1);  // [t, rows, 2D]
  memory_rows_ = next;
}

}  // namespace s2s::models
