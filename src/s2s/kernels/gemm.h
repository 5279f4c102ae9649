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
  // Inference: compute each element of C the same way whatever the number of
  // rows or threads (sgemm_row_invariant's chains), so decoding a sentence
  // alone or in a batch gives bit-identical results.
  bool row_invariant = false;
};

// 2 when the OpenMP build of OpenBLAS is loaded (one thread pool with ours),
// 1 for the pthread build, 0 serial.
int blas_parallel_mode();

// Raw row-major single-precision gemm on host memory (OpenBLAS).
void sgemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
           std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc);

// Tensor gemm: a and b are viewed as matrices [rows = numel / last dim, last dim];
// c must already have the product's shape (as a matrix view). Dispatches on device.
void gemm(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op = {});

// Affine map y = x w^T (+ b): x [..., in], w [out, in], b [out] or nullptr,
// y [..., out]. The bias rows are written first and the gemm adds onto them
// (beta 1), as torch's addmm does: one pass over y instead of two. With
// row_invariant each chain starts from the bias.
void linear(const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y, bool row_invariant = false);

// Row-invariant gemm for every other case (any transposes, alpha, beta), same
// arguments as sgemm: each element is c = beta * C, then c = fma(a(i, k),
// alpha * b(k, j), c) for k in order, so it depends only on its row of op(A)
// and column of op(B), never on m, n, the tile or the thread count, and
// appending k-terms with a zero factor leaves it unchanged.
void sgemm_row_invariant(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha,
                         const float* a, std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c,
                         std::int64_t ldc);

// sgemm_row_invariant's chains for C = beta C + A B^T (beta 0 or 1) with at
// most kGemmSmallRows rows of A, reading B in place (one row streams B once,
// where the general kernel first transposes all of it): bit-identical to
// sgemm_row_invariant(false, true, ...). Needs AVX-512 (..._available()).
inline constexpr std::int64_t kGemmSmallRows = 8;
bool gemm_nt_small_m_available();
void gemm_nt_small_m(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, const float* b,
                     std::int64_t ldb, float beta, float* c, std::int64_t ldc);

// A weight w [n, k] (the w of y = x w^T) packed once for many row-invariant
// products, where sgemm_row_invariant would re-pack it on every call: every
// weight product of every step of decoding. The panels hold w as
// [tiles, k, 16] (16 columns per k, zero-padded; with AVX-512 the tiles come
// in whole pairs). Holds w's storage, so it never dangles; it must be rebuilt
// when w changes.
class PackedNT {
 public:
  explicit PackedNT(const Tensor& w);
  const Tensor& weight() const { return weight_; }
  const Tensor& panels() const { return panels_; }

 private:
  Tensor weight_, panels_;
};

// Whether a product of `rows` rows gains from a packed weight: always on
// AVX2; with AVX-512 only above kGemmSmallRows (fewer read w in place).
bool packed_nt_pays(std::int64_t rows);

// C = beta C + A w^T with w packed: bit-identical to
// sgemm_row_invariant(false, true, m, n, k, 1, a, lda, w, k, beta, c, ldc).
// With AVX-512, few rows (<= kGemmSmallRows) read w in place (gemm_nt_small_m).
void gemm_packed_nt(std::int64_t m, const float* a, std::int64_t lda, const PackedNT& w, float beta, float* c,
                    std::int64_t ldc);

// linear() through a packed weight: y = x w^T + b, row-invariant.
void linear(const Tensor& x, const PackedNT& w, const Tensor* b, Tensor& y);

// Batched: a [batch, ., .], b [batch, ., .] or [., .] (shared), c [batch, ., .].
void gemm_batched(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op = {});

}  // namespace s2s::kernels
