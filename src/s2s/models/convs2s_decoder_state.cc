#include "s2s/models/convs2s_decoder_state.h"

#include "s2s/models/rnn_decoder_state.h"  // gather_rows

namespace s2s::models {

ConvS2SDecoderState::ConvS2SDecoderState(Memory memory, std::vector<Tensor> w)
    : windows(std::move(w)), memory_(std::move(memory)) {
  const std::int64_t batch = memory_.lengths.dim(0);
  memory_rows_ = Tensor::empty(Shape{batch}, DType::I32);
  for (std::int64_t b = 0; b < batch; ++b) memory_rows_.i32()[b] = static_cast<std::int32_t>(b);
}

void ConvS2SDecoderState::select(const Tensor& indices) {
  Tensor next = gather_rows(memory_rows_, indices);  // checks the indices
  for (Tensor& window : windows)
    if (window.defined()) window = gather_rows(window, indices, 1);
  memory_rows_ = next;
}

}  // namespace s2s::models
