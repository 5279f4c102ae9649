#pragma once
// Embedding lookup: gather rows of a table by id, and the scatter-add back.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// out [ids.numel(), dim] (any shape with that numel) = weight [vocab, dim] rows
// picked by ids (I32). Throws naming the first id outside [0, vocab).
void embedding_forward(const Tensor& weight, const Tensor& ids, Tensor& out);

// grad_weight[ids[i]] += grad_out[i] for every i with ids[i] != padding_idx.
// Parallel over embedding columns, each column summed in id order, so the
// result does not depend on the thread count even when ids repeat.
void embedding_backward(const Tensor& grad_out, const Tensor& ids, std::int32_t padding_idx, Tensor& grad_weight);

}  // namespace s2s::kernels
