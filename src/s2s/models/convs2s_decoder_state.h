#pragma once
// The ConvS2S decoder's per-row state between search steps: for every
// decoder layer the last kernel_size - 1 inputs of its causal convolution
// (zeros before the first step), and, once per source sentence, the
// encoder's keys and values and the decoder's weight-normalised weights
// (computed once by encode, not at every step).
//
// The memory is never copied per beam: memory_rows maps each row to its
// sentence and the attention reads through it (kv_rows). select() gathers
// the windows along their row axis and composes memory_rows.
#include <vector>

#include "s2s/models/encoder_decoder.h"

namespace s2s::models {

class ConvS2SDecoderState : public DecoderState {
 public:
  struct Memory {
    Tensor keys, values;          // [S, M, E]: z and (z + e) sqrt(1/2)
    Tensor lengths;               // I32 [M]
    std::vector<Tensor> weights;  // ConvS2SDecoder::weights()
  };

  // windows: per layer [kernel - 1, M, C] (undefined for kernel 1).
  ConvS2SDecoderState(Memory memory, std::vector<Tensor> windows);

  void select(const Tensor& indices) override;
  std::int64_t rows() const override { return memory_rows_.dim(0); }

  const Memory& memory() const { return memory_; }
  const Tensor& memory_rows() const { return memory_rows_; }  // I32 [rows]: row -> encoded sentence

  std::int64_t position = 0;     // positions decoded so far
  std::vector<Tensor> windows;   // per layer [kernel - 1, rows, C]

 private:
  Memory memory_;
  Tensor memory_rows_;
};

}  // namespace s2s::models
