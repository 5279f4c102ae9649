#include <algorithm>
#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/kernels/layer_norm.h"

namespace s2s::kernels {

namespace {

std::int64_t row_grain(std::int64_t dim) { return std::max<std::int64_t>(1, 8192 / std::max<std::int64_t>(dim, 1)); }

}  // namespace

void layer_norm_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y, Tensor* mean,
                        Tensor* rstd) {
  std::int64_t dim = x.dim(-1), rows = dim == 0 ? 0 : x.numel() / dim;
  const float *px = x.f32(), *pg = gamma.f32(), *pb = beta.f32();
  float* py = y.f32();
  float* pmean = mean ? mean->f32() : nullptr;
  float* prstd = rstd ? rstd->f32() : nullptr;
  float inv_dim = 1.0f / static_cast<float>(std::max<std::int64_t>(dim, 1));
  parallel_for(0, rows, row_grain(dim), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r) {
      const float* xr = px + r * dim;
      float* yr = py + r * dim;
      // Two passes (mean, then squared deviations) avoid the cancellation of E[x^2] - E[x]^2.
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (std::int64_t c = 0; c < dim; ++c) s += xr[c];
      float mu = s * inv_dim;
      float v = 0.0f;
#pragma omp simd reduction(+ : v)
      for (std::int64_t c = 0; c < dim; ++c) v += (xr[c] - mu) * (xr[c] - mu);
      float rs = 1.0f / std::sqrt(v * inv_dim + eps);
#pragma omp simd
      for (std::int64_t c = 0; c < dim; ++c) yr[c] = (xr[c] - mu) * rs * pg[c] + pb[c];
      if (pmean) pmean[r] = mu;
      if (prstd) prstd[r] = rs;
    }
  });
}

void layer_norm_backward(const Tensor& grad_y, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                         const Tensor& rstd, Tensor* grad_x, Tensor* grad_gamma, Tensor* grad_beta) {
  std::int64_t dim = x.dim(-1), rows = dim == 0 ? 0 : x.numel() / dim;
  const float *pdy = grad_y.f32(), *px = x.f32(), *pg = gamma.f32(), *pmean = mean.f32(), *prstd = rstd.f32();
  float inv_dim = 1.0f / static_cast<float>(std::max<std::int64_t>(dim, 1));
  if (grad_x) {
    float* pdx = grad_x->f32();
    parallel_for(0, rows, row_grain(dim), [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r) {
        const float *dy = pdy + r * dim, *xr = px + r * dim;
        float* dx = pdx + r * dim;
        float mu = pmean[r], rs = prstd[r];
        float s1 = 0.0f, s2 = 0.0f;  // sum(dxhat), sum(dxhat * xhat)
#pragma omp simd reduction(+ : s1, s2)
        for (std::int64_t c = 0; c < dim; ++c) {
          float dxhat = dy[c] * pg[c];
          s1 += dxhat;
          s2 += dxhat * (xr[c] - mu) * rs;
        }
        float m1 = s1 * inv_dim, m2 = s2 * inv_dim;
#pragma omp simd
        for (std::int64_t c = 0; c < dim; ++c) {
          float xhat = (xr[c] - mu) * rs;
          dx[c] += rs * (dy[c] * pg[c] - m1 - xhat * m2);
        }
      }
    });
  }
  if (grad_gamma || grad_beta) {
    // Column sums: each thread owns whole 16-column blocks and adds rows in
    // order, so the sums do not depend on the thread count.
    float* dgamma = grad_gamma ? grad_gamma->f32() : nullptr;
    float* dbeta = grad_beta ? grad_beta->f32() : nullptr;
    constexpr std::int64_t kBlock = 16;
    std::int64_t blocks = (dim + kBlock - 1) / kBlock;
    std::int64_t grain = std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(rows * kBlock, 1));
    parallel_for(0, blocks, grain, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t blk = b; blk < e; ++blk) {
        std::int64_t c0 = blk * kBlock, width = std::min(dim, c0 + kBlock) - c0;
        float sg[kBlock] = {}, sb[kBlock] = {};
        for (std::int64_t r = 0; r < rows; ++r) {
          const float *dy = pdy + r * dim + c0, *xr = px + r * dim + c0;
          float mu = pmean[r], rs = prstd[r];
#pragma omp simd
          for (std::int64_t c = 0; c < width; ++c) {
            sg[c] += dy[c] * (xr[c] - mu) * rs;
            sb[c] += dy[c];
          }
        }
        for (std::int64_t c = 0; c < width; ++c) {
          if (dgamma) dgamma[c0 + c] += sg[c];
          if (dbeta) dbeta[c0 + c] += sb[c];
        }
      }
    });
  }
}

}  // namespace s2s::kernels
