#pragma once
// Time windows of a time-major sequence (im2col along time), so that a
// convolution over time is one gemm: conv(x) = unfold_time(x) w^T + b with w
// [out, kernel C] (ConvS2S, models/convs2s*).
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

// x [T_in, B, C] -> out [T_out, B, kernel C]:
//   out[t, b, j C + c] = x[t + j - pad_left, b, c], and 0 where t + j - pad_left
// falls outside [0, T_in) (the convolution's zero padding).
void unfold_time(const Tensor& x, std::int64_t kernel, std::int64_t pad_left, Tensor& out);

// The gradient: gx[s, b, c] (= or +=) the sum over j = 0 .. kernel-1 of
// gy[s - j + pad_left, b, j C + c] for the windows t = s - j + pad_left inside
// [0, T_out), summed in j order. Parallel over s, so it does not depend on the threads.
void unfold_time_backward(const Tensor& gy, std::int64_t kernel, std::int64_t pad_left, Tensor& gx, bool accumulate);

}  // namespace s2s::kernels
