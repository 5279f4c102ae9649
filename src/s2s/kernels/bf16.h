#pragma once
// bfloat16: the upper 16 bits of an IEEE fp32 number (8 exponent bits, 7
// mantissa bits). A bf16 model (`s2s quantize --to bf16`) stores its
// weights so; decoding widens them back to fp32 exactly (docs/precision.md).
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// fp32 -> bf16 rounded to nearest, ties to even (as PyTorch's
// tensor.to(torch.bfloat16) and AVX512-BF16's vcvtneps2bf16 do). Infinities
// stay infinities; a NaN stays a (quiet) NaN of the same sign; a finite
// value that rounds past the largest bf16 becomes an infinity.
std::uint16_t bf16_from_float(float x);
// bf16 -> fp32, exact.
float bf16_to_float(std::uint16_t b);

// x[i] = bf16_to_float(bf16_from_float(x[i])) for n values, in place.
void round_to_bf16(float* x, std::int64_t n);
// F32 -> BF16 (a new tensor of the same shape), and back (exact).
Tensor to_bf16(const Tensor& x);
Tensor bf16_to_f32(const Tensor& x);

}  // namespace s2s::kernels
