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
  // Inference: compute each row of C the same way whatever the number of
  // rows (gemm_nt_rowwise), so decoding a sentence alone or in a batch gives
  // bit-identical results; used for the x w^T products (no transpose of a,
  // alpha 1, beta 0 or 1), BLAS otherwise.
  bool row_invariant = false;
};

// Raw row-major single-precision gemm on host memory (OpenBLAS).
void sgemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
           std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc);

// Tensor gemm: a and b are viewed as matrices [rows = numel / last dim, last dim];
// c must already have the product's shape (as a matrix view). Dispatches on device.
void gemm(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op = {});

// Affine map y = x w^T (+ b): x [..., in], w [out, in], b [out] or nullptr,
// y [..., out]. The bias rows are written first and the gemm adds onto them
// (beta 1), as torch's addmm does: one pass over y instead of two. With
// row_invariant the rows come from gemm_nt_rowwise (bias added last).
void linear(const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y, bool row_invariant = false);

// y[i, j] = sum_k x[i, k] w[j, k] (+ y[i, j] when beta is 1) (+ bias[j]), row-major,
// every element computed by the same instruction sequence (a fixed-order dot
// product) whatever m and the thread count. No packing: a single row streams w
// once, which is what batch-1 decoding needs (BLAS packs w for every call).
void gemm_nt_rowwise(std::int64_t m, std::int64_t n, std::int64_t k, const float* x, std::int64_t ldx, const float* w,
                     std::int64_t ldw, float beta, float* y, std::int64_t ldy, const float* bias = nullptr);

// Row-invariant gemm for every other case (any transposes, alpha, beta), same
// arguments as sgemm: each element is c = beta * C, then c = fma(a(i, k),
// alpha * b(k, j), c) for k in order, so it depends only on its row of op(A)
// and column of op(B), never on m, n, the tile or the thread count, and
// appending k-terms with a zero factor leaves it unchanged.
void sgemm_row_invariant(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                         const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                         std::int64_t ldc);

// Batched: a [batch, ., .], b [batch, ., .] or [., .] (shared), c [batch, ., .].
void gemm_batched(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op = {});

}  // namespace s2s::kernels
