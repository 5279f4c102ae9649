#include <cblas.h>

#include <algorithm>
#include <cstring>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/gemm_common.h"
#include "s2s/kernels/gemm.h"

extern "C" int openblas_get_parallel(void);

namespace s2s::kernels {

int blas_parallel_mode() { return openblas_get_parallel(); }

void sgemm(bool trans_a, bool trans_b, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, const float* a,
           std::int64_t lda, const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // BLAS leaves C untouched for k == 0 only when beta == 1
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

namespace {

struct MatView {
  std::int64_t rows, cols;
};

MatView as_matrix(const Tensor& t, int skip_leading) {
  std::int64_t cols = t.dim(-1);
  std::int64_t rows = 1;
  for (int i = skip_leading; i < t.ndim() - 1; ++i) rows *= t.shape()[i];
  return {rows, cols};
}

void check_gemm(MatView a, MatView b, MatView c, const GemmOp& op) {
  std::int64_t m = op.trans_a ? a.cols : a.rows, k = op.trans_a ? a.rows : a.cols;
  std::int64_t kb = op.trans_b ? b.cols : b.rows, n = op.trans_b ? b.rows : b.cols;
  S2S_CHECK(k == kb && c.rows == m && c.cols == n, "gemm: shapes do not match: op(A) is ", m, "x", k, ", op(B) is ", kb,
            "x", n, ", C is ", c.rows, "x", c.cols);
}

bool is_nt(const GemmOp& op) { return !op.trans_a && op.trans_b && op.alpha == 1.0f && (op.beta == 0.0f || op.beta == 1.0f); }

}  // namespace

// The same chains either way (bit-identical): in place for a few rows
// (batch-1 decoding), through packed panels otherwise.
void row_invariant_nt(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda, const float* b,
                      std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  if (m <= kGemmSmallRows && gemm_nt_small_m_available())
    gemm_nt_small_m(m, n, k, a, lda, b, ldb, beta, c, ldc);
  else
    sgemm_row_invariant(false, true, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

void gemm(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op) {
  S2S_CHECK(a.device() == c.device() && b.device() == c.device(), "gemm: operands are on different devices");
  MatView ma = as_matrix(a, 0), mb = as_matrix(b, 0), mc = as_matrix(c, 0);
  check_gemm(ma, mb, mc, op);
  if (op.row_invariant && is_nt(op)) {
    row_invariant_nt(mc.rows, mc.cols, ma.cols, a.f32(), ma.cols, b.f32(), mb.cols, op.beta, c.f32(), mc.cols);
    return;
  }
  if (op.row_invariant) {  // the other transposes, alpha and beta
    sgemm_row_invariant(op.trans_a, op.trans_b, mc.rows, mc.cols, op.trans_a ? ma.rows : ma.cols, op.alpha, a.f32(),
                        ma.cols, b.f32(), mb.cols, op.beta, c.f32(), mc.cols);
    return;
  }
  sgemm(op.trans_a, op.trans_b, mc.rows, mc.cols, op.trans_a ? ma.rows : ma.cols, op.alpha, a.f32(), ma.cols, b.f32(),
        mb.cols, op.beta, c.f32(), mc.cols);
}

namespace {

void check_linear(const Tensor& x, const Tensor& w, const Tensor* b, const Tensor& y) {
  S2S_CHECK(w.ndim() == 2 && x.dim(-1) == w.dim(1) && y.dim(-1) == w.dim(0) && y.numel() / w.dim(0) == x.numel() / w.dim(1),
            "linear: x ", x.shape().str(), ", weight ", w.shape().str(), " and output ", y.shape().str(), " do not match");
  S2S_CHECK(!b || b->numel() == w.dim(0), "linear: bias ", b->shape().str(), " does not match weight ", w.shape().str());
}

// Every row of y [rows, b.numel()] = b.
void fill_bias_rows(const Tensor& b, Tensor& y) {
  const std::int64_t cols = b.numel(), rows = y.numel() / std::max<std::int64_t>(cols, 1);
  const float* pb = b.f32();
  float* py = y.f32();
  parallel_for(0, rows, std::max<std::int64_t>(1, (1 << 15) / std::max<std::int64_t>(cols, 1)),
               [&](std::int64_t r0, std::int64_t r1) {
                 for (std::int64_t r = r0; r < r1; ++r) std::memcpy(py + r * cols, pb, static_cast<std::size_t>(cols) * sizeof(float));
               });
}

}  // namespace

void linear(const Tensor& x, const Tensor& w, const Tensor* b, Tensor& y, bool row_invariant) {
  check_linear(x, w, b, y);
  if (b) fill_bias_rows(*b, y);
  gemm(x, w, y, {false, true, 1.0f, b ? 1.0f : 0.0f, row_invariant});
}

void linear(const Tensor& x, const PackedNT& w, const Tensor* b, Tensor& y) {
  check_linear(x, w.weight(), b, y);
  S2S_CHECK(x.device() == y.device() && w.weight().device() == y.device(), "linear: operands are on different devices");
  if (b) fill_bias_rows(*b, y);
  const std::int64_t k = w.weight().dim(1);
  gemm_packed_nt(x.numel() / std::max<std::int64_t>(k, 1), x.f32(), k, w, b ? 1.0f : 0.0f, y.f32(), w.weight().dim(0));
}

void gemm_batched(const Tensor& a, const Tensor& b, Tensor& c, GemmOp op) {
  S2S_CHECK(a.ndim() == 3 && c.ndim() == 3 && (b.ndim() == 3 || b.ndim() == 2), "gemm_batched: expected 3-d operands, got ",
            a.shape().str(), " ", b.shape().str(), " ", c.shape().str());
  std::int64_t batch = a.dim(0);
  bool shared_b = b.ndim() == 2;
  S2S_CHECK(c.dim(0) == batch && (shared_b || b.dim(0) == batch), "gemm_batched: batch sizes differ: ", a.shape().str(),
            " ", b.shape().str(), " ", c.shape().str());
  MatView ma = as_matrix(a, 1), mb = as_matrix(b, shared_b ? 0 : 1), mc = as_matrix(c, 1);
  check_gemm(ma, mb, mc, op);
  std::int64_t k = op.trans_a ? ma.rows : ma.cols;
  std::int64_t sa = ma.rows * ma.cols, sb = shared_b ? 0 : mb.rows * mb.cols, sc = mc.rows * mc.cols;
  const float *pa = a.f32(), *pb = b.f32();
  float* pc = c.f32();
  // Many small products: one per thread (BLAS runs serially inside the region);
  // each product is computed the same way whatever thread runs it.
  std::int64_t flops = mc.rows * mc.cols * k;
  std::int64_t grain = flops >= (1 << 18) ? 1 : std::max<std::int64_t>(1, (1 << 18) / std::max<std::int64_t>(flops, 1));
  parallel_for(0, batch, grain, [&](std::int64_t lo, std::int64_t hi) {
    const bool nt = is_nt(op);
    for (std::int64_t i = lo; i < hi; ++i) {
      if (op.row_invariant && nt)  // the same kernels as gemm picks, per product
        row_invariant_nt(mc.rows, mc.cols, k, pa + i * sa, ma.cols, pb + i * sb, mb.cols, op.beta, pc + i * sc, mc.cols);
      else if (op.row_invariant)
        sgemm_row_invariant(op.trans_a, op.trans_b, mc.rows, mc.cols, k, op.alpha, pa + i * sa, ma.cols, pb + i * sb,
                            mb.cols, op.beta, pc + i * sc, mc.cols);
      else
        sgemm(op.trans_a, op.trans_b, mc.rows, mc.cols, k, op.alpha, pa + i * sa, ma.cols, pb + i * sb, mb.cols, op.beta,
              pc + i * sc, mc.cols);
    }
  });
}

}  // namespace s2s::kernels
