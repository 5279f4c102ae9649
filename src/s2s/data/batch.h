#pragma once
// A batch of pairs as the model sees it: I32 token ids, time-major [T, B],
// padded with kPadId. The target comes twice, shifted for teacher forcing:
//   tgt_in  = <s> y1 ... yn          (what the decoder reads)
//   tgt_out = y1 ... yn </s>         (what it must predict)
// so tgt_len = n + 1. The source has no <s>; it ends with </s> only when
// BatchOptions::src_eos is set.
#include <cstdint>
#include <span>
#include <vector>

#include "s2s/core/tensor.h"
#include "s2s/data/dataset.h"

namespace s2s::data {

struct Batch {
  Tensor src;      // I32 [S, B]
  Tensor src_len;  // I32 [B]
  Tensor tgt_in;   // I32 [T, B]
  Tensor tgt_out;  // I32 [T, B]
  Tensor tgt_len;  // I32 [B]
  // I32 [S, B]: each source position's copy id (data/source_copy.h; </s> of
  // src_eos: kEosId), padded with kPadId; only from a Dataset with_copy. The
  // target ids are then in each pair's extended vocabulary.
  Tensor src_copy;
  std::vector<std::uint32_t> examples;  // position in the Dataset (or stream buffer) of each column

  std::int64_t size() const { return src.defined() ? src.dim(1) : 0; }
  std::int64_t src_tokens = 0;  // non-padding positions of src
  std::int64_t tgt_tokens = 0;  // non-padding positions of tgt_out (</s> included)
  std::int64_t positions = 0;   // all positions of src and tgt_out, padding included
  double padding_ratio() const {
    return positions ? 1.0 - static_cast<double>(src_tokens + tgt_tokens) / static_cast<double>(positions) : 0.0;
  }
};

// Builds the batch of data's pairs `examples` (in that column order) into `out`.
void make_batch(const Dataset& data, std::span<const std::uint32_t> examples, bool src_eos, Batch& out);

}  // namespace s2s::data
