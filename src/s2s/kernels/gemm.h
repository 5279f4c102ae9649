#pragma once
// The one gemm interface. Every matrix product in s2s goes through here, so a
// CUDA backend (cuBLAS) or an int8/bf16 path plugs in behind these calls.
//
//   C = alpha * op(A) * op(B) + beta * C, row-major, op(X) = X or X^T.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

struct GemmOp {
  bool trans_a = false;
  bool trans_b = false;
  float alpha = 1.0f;
  float beta = 0.0f;
};

// Raw row-major single-precision gemm on host memory (OpenBLAS).
void sgemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
           std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc);

// Tensor gemm: a and b are viewed as matrices [rows = numel / last dim, last dim];
// c must already have the product's shape (as a matrix view). Dispatches on device.
void gemm(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op = {});

// Affine map y = x w^T (+ b): x [..., in], w [out, in], b [out] or nullptr,
// y [..., out]. The bias rows are written first and the gemm adds onto them
// (beta 1), as torch's addmm does: one pass over y instead of two.
void linear(const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y);

// Batched: a [batch, ., .], b [batch, ., .] or [., .] (shared), c [batch, ., .].
void gemm_batched(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op = {});

}  // namespace s2s::kernels
