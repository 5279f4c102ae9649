#pragma once
// The Transformer decoder's per-row state between search steps: for every
// decoder layer the self-attention keys and values of the positions decoded
// so far, and the encoder memory projected by that layer's cross-attention.
//
// The memory is kept once per source sentence and never copied per beam:
// memory_rows maps each row to its sentence, and the fused attention op reads
// the sentence's keys and values through it (kv_rows). select() gathers the
// self-attention caches and composes memory_rows. Everything a step can
// reuse is made by encode: the memory's projections and the fused
// self-attention projection weights.
#include <vector>

#include "s2s/models/encoder_decoder.h"
#include "s2s/nn/multi_head_attention.h"

namespace s2s::models {

class TransformerDecoderState : public DecoderState {
 public:
  struct Memory {
    std::vector<Tensor> kv;  // per layer [S, M, 2D]: keys columns [0, D), values [D, 2D)
    Tensor lengths;          // I32 [M]
    // Per layer the self-attention's q, k, v weights side by side, joined
    // once here rather than at every step.
    std::vector<nn::MultiHeadAttention::QkvWeights> self_qkv;
    // Copy attention only: the encoder's output batch-major [M, S, D] (the
    // context of the copy switch), the copy ids [M, S] and the extended width.
    Tensor source;
    Tensor copy_ids;
    std::int64_t copy_width = 0;
  };

  explicit TransformerDecoderState(Memory memory);

  void select(const Tensor& indices) override;
  std::int64_t rows() const override { return memory_rows_.dim(0); }

  const Memory& memory() const { return memory_; }
  const Tensor& memory_rows() const { return memory_rows_; }  // I32 [rows]: row -> encoded sentence

  std::int64_t position = 0;    // positions decoded so far
  std::vector<Tensor> self_kv;  // per layer [position, rows, 2D]; undefined before the first step

  // Where the next step puts layer l's keys and values, [position + 1, rows,
  // 2D]: the first rows of a buffer that self_kv[l] already starts, so a
  // step writes its own position only (the buffer doubles when full).
  Tensor self_kv_out(std::size_t l);

  // Copy attention: Memory::source's rows of the current rows' sentences,
  // [rows, S, D], gathered again only when the row -> sentence map changed
  // (not when beams are reordered within their sentences).
  const Tensor& copy_source();

 private:
  Memory memory_;
  Tensor memory_rows_;
  std::vector<Tensor> buffer_;  // per layer [capacity, rows, 2D]
  Tensor copy_source_, copy_source_rows_;  // copy_source() and the memory_rows_ it was gathered for
};

}  // namespace s2s::models
