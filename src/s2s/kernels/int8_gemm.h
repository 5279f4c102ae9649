#pragma once
// The int8 product of the int8 compute type: C = beta C + A w^T (+ bias) with
// A's rows quantized per row on the fly (quantize_rows), w an Int8Weight,
// the products summed exactly in int32 and dequantized once per element:
//
//   c(i, j) = fma(float(sum_k qa(i, k) qw(j, k)), sa_i * sw_j, beta c(i, j) + bias_j)
//
// The integer sum is exact on every path (the AVX2 path widens to 16 bits and
// uses vpmaddwd; the VNNI path's vpdpbusd takes qa + 128 as u8 and subtracts
// 128 * sum_k qw(j, k)), so c depends only on row i of A and row j of w:
// the same bits on every path, for any batch, row split or thread count.
#include <cstdint>

#include "s2s/core/tensor.h"
#include "s2s/kernels/cpu_isa.h"
#include "s2s/kernels/quantize.h"

namespace s2s::kernels {

// c [m, n] (row stride ldc), a [m, k] (row stride lda), w [n, k]; bias [n] or
// nullptr; beta 0 (c is not read) or any other value. Takes active_cpu_isa().
void gemm_int8_nt(std::int64_t m, const float* a, std::int64_t lda, const Int8Weight& w, const float* bias, float beta,
                  float* c, std::int64_t ldc);
// The same on an explicit path (tests and benchmarks); fails when the CPU lacks it.
void gemm_int8_nt(CpuIsa isa, std::int64_t m, const float* a, std::int64_t lda, const Int8Weight& w, const float* bias,
                  float beta, float* c, std::int64_t ldc);

// y = x w^T + b through the int8 product: x [..., in], w [out, in], b [out] or
// nullptr, y [..., out].
void linear(const Tensor& x, const Int8Weight& w, const Tensor* b, Tensor& y);

}  // namespace s2s::kernels
