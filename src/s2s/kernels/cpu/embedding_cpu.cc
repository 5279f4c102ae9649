#include <algorithm>
#include <cstring>

#include "s2s/core/parallel.h"
#include "s2s/kernels/embedding.h"

namespace s2s::kernels {

void embedding_forward(const Tensor& weight, const Tensor& ids, Tensor& out) {
  std::int64_t vocab = weight.dim(0), dim = weight.dim(1), n = ids.numel();
  S2S_CHECK(out.numel() == n * dim, "embedding: output has ", out.numel(), " values, expected ", n * dim);
  const std::int32_t* id = ids.i32();
  // Checked before the parallel loop: an exception must not leave an OpenMP region.
  for (std::int64_t i = 0; i < n; ++i)
    S2S_CHECK(id[i] >= 0 && id[i] < vocab, "embedding: id ", id[i], " at position ", i,
              " is out of range for vocabulary size ", vocab);
  const float* w = weight.f32();
  float* o = out.f32();
  std::size_t row_bytes = static_cast<std::size_t>(dim) * sizeof(float);
  parallel_for(0, n, std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(dim, 1)), [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) std::memcpy(o + i * dim, w + static_cast<std::int64_t>(id[i]) * dim, row_bytes);
  });
}

void embedding_backward(const Tensor& grad_out, const Tensor& ids, std::int32_t padding_idx, Tensor& grad_weight) {
  std::int64_t dim = grad_weight.dim(1), n = ids.numel();
  S2S_CHECK(grad_out.numel() == n * dim, "embedding backward: gradient has ", grad_out.numel(), " values, expected ",
            n * dim);
  const std::int32_t* id = ids.i32();
  const float* g = grad_out.f32();
  float* gw = grad_weight.f32();
  // Blocks of 16 columns (one cache line) so threads never share a line.
  constexpr std::int64_t kBlock = 16;
  std::int64_t blocks = (dim + kBlock - 1) / kBlock;
  std::int64_t grain = std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(n * kBlock, 1));
  parallel_for(0, blocks, grain, [&](std::int64_t b, std::int64_t e) {
    std::int64_t c0 = b * kBlock, c1 = std::min(dim, e * kBlock);
    for (std::int64_t i = 0; i < n; ++i) {
      if (id[i] == padding_idx) continue;
      const float* src = g + i * dim;
      float* dst = gw + static_cast<std::int64_t>(id[i]) * dim;
#pragma omp simd
      for (std::int64_t c = c0; c < c1; ++c) dst[c] += src[c];
    }
  });
}

}  // namespace s2s::kernels
