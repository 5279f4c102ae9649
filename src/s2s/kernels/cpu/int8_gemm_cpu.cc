// gemm_int8_nt's driver: quantizes A's rows, prepares them in the form the
// path reads, then walks w in blocks of 16 rows (16 output columns, kept in
// L1 while every row block of A passes over them), the blocks split over
// threads. Each path returns exact int32 sums; one epilogue, shared by all
// paths, dequantizes them, so every path gives the same bits.
#include <algorithm>
#include <cmath>
#include <vector>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/int8_gemm_paths.h"
#include "s2s/kernels/int8_gemm.h"

namespace s2s::kernels {

namespace {

constexpr std::int64_t kColBlock = 16;  // output columns (rows of w) per task
constexpr std::int64_t kRowBlock = 16;  // rows of A per int32 block

// Per-thread buffers: decoding calls this every step, and after the first
// call with the largest shape no call allocates.
struct Scratch {
  std::vector<std::int8_t> q8;
  std::vector<std::int16_t> q16;
  std::vector<std::uint8_t> qu8;
  std::vector<float> scales;
};

Scratch& scratch() {
  static thread_local Scratch s;
  return s;
}

void dequantize_block(std::int64_t m, std::int64_t nb, const std::int32_t* acc, const float* sa, const float* sw,
                      const float* bias, float beta, float* c, std::int64_t ldc) {
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < nb; ++j) {
      float& out = c[i * ldc + j];
      const float b = bias ? bias[j] : 0.0f;
      const float init = beta == 0.0f ? b : std::fma(beta, out, b);
      out = std::fma(static_cast<float>(acc[i * kColBlock + j]), sa[i] * sw[j], init);
    }
}

}  // namespace

namespace int8_paths {

void dot_reference(std::int64_t m, std::int64_t nb, std::int64_t k, const std::int8_t* qa, std::int64_t ldq,
                   const std::int8_t* w, std::int32_t* acc, std::int64_t ldacc) {
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < nb; ++j) {
      std::int32_t s = 0;
      for (std::int64_t p = 0; p < k; ++p) s += static_cast<std::int32_t>(qa[i * ldq + p]) * w[j * k + p];
      acc[i * ldacc + j] = s;
    }
}

}  // namespace int8_paths

void gemm_int8_nt(CpuIsa isa, std::int64_t m, const float* a, std::int64_t lda, const Int8Weight& w, const float* bias,
                  float beta, float* c, std::int64_t ldc) {
  S2S_CHECK(cpu_supports(isa), "int8 gemm: this CPU does not support the ", cpu_isa_name(isa), " path");
  S2S_CHECK(w.defined(), "int8 gemm: no weight");
  const std::int64_t n = w.rows(), k = w.cols();
  if (m <= 0 || n <= 0) return;
  Scratch& s = scratch();
  s.q8.resize(static_cast<std::size_t>(m * k));
  s.scales.resize(static_cast<std::size_t>(m));
  std::int8_t* q8 = s.q8.data();
  float* sa = s.scales.data();
  parallel_for(0, m, 8, [&](std::int64_t b, std::int64_t e) { quantize_rows(a + b * lda, e - b, k, lda, q8 + b * k, sa + b); });
  std::int16_t* q16 = nullptr;
  std::uint8_t* qu8 = nullptr;
  if (isa == CpuIsa::Avx2) {
    s.q16.resize(static_cast<std::size_t>(m * k));
    q16 = s.q16.data();
    for (std::int64_t p = 0; p < m * k; ++p) q16[p] = q8[p];
  } else if (isa == CpuIsa::Avx512Vnni) {
    s.qu8.resize(static_cast<std::size_t>(m * k));
    qu8 = s.qu8.data();
    for (std::int64_t p = 0; p < m * k; ++p) qu8[p] = static_cast<std::uint8_t>(q8[p] + 128);
  }
  const std::int8_t* wq = w.values().data<std::int8_t>();
  const float* sw = w.scales().f32();
  const std::int32_t* sums = w.row_sums();
  const std::int64_t blocks = (n + kColBlock - 1) / kColBlock;
  parallel_for(0, blocks, 1, [&](std::int64_t b0, std::int64_t b1) {
    std::int32_t acc[kRowBlock * kColBlock];
    for (std::int64_t blk = b0; blk < b1; ++blk) {
      const std::int64_t j0 = blk * kColBlock, nb = std::min(kColBlock, n - j0);
      const std::int8_t* wb = wq + j0 * k;
      for (std::int64_t i0 = 0; i0 < m; i0 += kRowBlock) {
        const std::int64_t mb = std::min(kRowBlock, m - i0);
        switch (isa) {
          case CpuIsa::Reference: int8_paths::dot_reference(mb, nb, k, q8 + i0 * k, k, wb, acc, kColBlock); break;
          case CpuIsa::Avx2: int8_paths::dot_avx2(mb, nb, k, q16 + i0 * k, k, wb, acc, kColBlock); break;
          case CpuIsa::Avx512Vnni: int8_paths::dot_vnni(mb, nb, k, qu8 + i0 * k, k, wb, sums + j0, acc, kColBlock); break;
        }
        dequantize_block(mb, nb, acc, sa + i0, sw + j0, bias ? bias + j0 : nullptr, beta, c + i0 * ldc + j0, ldc);
      }
    }
  });
}

void gemm_int8_nt(std::int64_t m, const float* a, std::int64_t lda, const Int8Weight& w, const float* bias, float beta,
                  float* c, std::int64_t ldc) {
  gemm_int8_nt(active_cpu_isa(), m, a, lda, w, bias, beta, c, ldc);
}

void linear(const Tensor& x, const Int8Weight& w, const Tensor* b, Tensor& y) {
  const std::int64_t in = w.cols(), out = w.rows();
  S2S_CHECK(x.dtype() == DType::F32 && x.ndim() >= 1 && x.dim(-1) == in, "int8 linear: expected x [..., ", in,
            "] for weight [", out, ", ", in, "], got ", x.shape().str());
  const std::int64_t rows = x.numel() / std::max<std::int64_t>(in, 1);
  S2S_CHECK(y.dtype() == DType::F32 && y.numel() == rows * out, "int8 linear: output ", y.shape().str(), " for ", rows,
            " rows of ", out);
  S2S_CHECK(b == nullptr || (b->dtype() == DType::F32 && b->numel() == out), "int8 linear: bias must be [", out, "]");
  gemm_int8_nt(rows, x.f32(), in, w, b ? b->f32() : nullptr, 0.0f, y.f32(), out);
}

}  // namespace s2s::kernels
