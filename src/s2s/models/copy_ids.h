#pragma once
// Copy attention's source ids as the models read them: one row per sentence,
// I32 [B, S] (from TokenBatch::copy_ids, time-major [S, B]), and the
// extended vocabulary's width, the target vocabulary and the batch's
// source-only tokens. Every family that copies (models::copies_source) takes
// them from here for autograd::copy_mixture.
#include <cstdint>

#include "s2s/models/batch.h"

namespace s2s::models {

struct CopyIds {
  Tensor ids;              // I32 [B, S]: each source position's extended id, kPad after the end
  std::int64_t width = 0;  // max(vocab, the largest id + 1)
};

// Throws "copy attention: expected the source's copy ids ..." when src has none.
CopyIds sentence_copy_ids(const TokenBatch& src, std::int64_t vocab);

// ids with every extended id (>= vocab: a copied source token, fed back to
// the decoder) read as <unk>; ids itself when it has none.
Tensor ids_in_vocabulary(const Tensor& ids, std::int64_t vocab);

}  // namespace s2s::models
