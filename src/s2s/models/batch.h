#pragma once
// Token batches as the model sees them: time-major ids with per-sequence lengths.
#include "s2s/core/tensor.h"

namespace s2s::models {

// Reserved ids, fixed project-wide (data/ vocabularies use the same).
inline constexpr std::int32_t kPad = 0;
inline constexpr std::int32_t kBos = 1;
inline constexpr std::int32_t kEos = 2;
inline constexpr std::int32_t kUnk = 3;

struct TokenBatch {
  Tensor ids;      // I32 [T, B], kPad after each sequence's end
  Tensor lengths;  // I32 [B], 1..T
  // Source batches for models that copy (models::copies_source): I32 [T, B],
  // each position's id in the extended target vocabulary (its target id, or
  // V_tgt + k for the sentence's k-th distinct token outside the target
  // vocabulary; data/source_copy.h), kPad after the end. Undefined otherwise.
  Tensor copy_ids;
  std::int64_t steps() const { return ids.dim(0); }
  std::int64_t size() const { return ids.dim(1); }
};

}  // namespace s2s::models
