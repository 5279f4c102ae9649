#pragma once
// Sinusoidal positional encodings (Vaswani et al. 2017), as the PyTorch
// tutorial and OpenNMT-py lay them out: interleaved, not concatenated halves,
//   pe[t, 2i]     = sin(pos / 10000^(2i / d))
//   pe[t, 2i + 1] = cos(pos / 10000^(2i / d)),     pos = first + t,
// computed in double and rounded once (the tutorial's float32 frequencies
// differ in the last bits at large positions). An odd d ends with a sin
// column. A constant: no gradient; learned positions are an Embedding.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// out [T, d]: rows for positions first .. first + T - 1 (first > 0 for a
// decoding step at position `first`).
void sinusoidal_positions(std::int64_t first, Tensor& out);

// A new [steps, dim] table starting at position first.
Tensor sinusoidal_positions(std::int64_t first, std::int64_t steps, std::int64_t dim);

}  // namespace s2s::kernels
