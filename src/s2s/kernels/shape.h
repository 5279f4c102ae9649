#pragma once
// Data movement for concat, slice and transpose.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// dst[r * dst_ld + j] (= or +=) src[r * src_ld + j] for r < rows, j < cols:
// one strided block copy serves concat and slice, forward and backward.
void copy_rows(const float* src, std::int64_t src_ld, float* dst, std::int64_t dst_ld, std::int64_t rows,
               std::int64_t cols, bool accumulate);

// out (= or +=) x with axes axis0 and axis1 swapped; out is contiguous with the
// swapped shape. Small innermost blocks are moved in cache-sized tiles.
void transpose(const Tensor& x, int axis0, int axis1, Tensor& out, bool accumulate);

}  // namespace s2s::kernels
