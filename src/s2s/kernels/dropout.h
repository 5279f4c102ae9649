#pragma once
// Inverted dropout with a counter-based mask: element i is kept when
// Rng::uniform_at(seed, first + i) >= p, so the mask depends only on
// (seed, first, i) and never on the thread count.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// Words of the packed keep-mask for n elements (bit k of word w is element 32w + k).
inline std::int64_t dropout_mask_words(std::int64_t n) { return (n + 31) / 32; }

// out = keep ? x / (1 - p) : 0. When mask is given (I32 [dropout_mask_words(n)])
// the keep bits are stored there for the backward pass: 1 bit per element.
void dropout_forward(const Tensor& x, float p, std::uint64_t seed, std::uint64_t first, Tensor& out, Tensor* mask);

// grad_x += keep ? grad * scale : 0.
void dropout_backward(const Tensor& grad, const Tensor& mask, float scale, Tensor& grad_x);

}  // namespace s2s::kernels
