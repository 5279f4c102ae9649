#pragma once
// The Transformer decoder's per-row state between search steps: for every
// decoder layer the self-attention keys and values of the positions decoded
// so far, and the encoder memory projected by that layer's cross-attention.
//
// The memory is kept per source sentence with src_index mapping each row to
// its sentence; select() gathers the self-attention caches and composes
// src_index, and the memory is re-gathered lazily, only when the row ->
// sentence mapping changed (beam search expands rows once; reordering beams
// within a sentence leaves it unchanged).
#include <vector>

#include "s2s/models/encoder_decoder.h"

namespace s2s::models {

class TransformerDecoderState : public DecoderState {
 public:
  struct Memory {
    std::vector<Tensor> k, v;  // per layer [B*H, S, d/H], row b*H + h
    Tensor lengths;            // I32 [B]
  };

  TransformerDecoderState(Memory memory, std::int64_t heads);

  void select(const Tensor& indices) override;
  std::int64_t rows() const override { return static_cast<std::int64_t>(src_index_.size()); }

  // The memory row-aligned with the current rows, gathered on demand.
  const Memory& memory();

  std::int64_t position = 0;  // positions decoded so far
  std::vector<Tensor> self_k, self_v;  // per layer [B*H, position, d/H]; undefined before the first step

 private:
  Memory original_, current_;
  std::int64_t heads_;
  std::vector<std::int32_t> src_index_;      // row -> encoded sentence
  std::vector<std::int32_t> current_index_;  // what current_ was gathered for
};

}  // namespace s2s::models
