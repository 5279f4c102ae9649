#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/dropout.h"

namespace s2s::kernels {

void dropout_forward(const Tensor& x, float p, std::uint64_t seed, std::uint64_t first, Tensor& out, Tensor* mask) {
  std::int64_t n = x.numel(), words = dropout_mask_words(n);
  S2S_CHECK(!mask || mask->numel() == words, "dropout: mask has ", mask ? mask->numel() : 0, " words, expected ", words);
  const float* px = x.f32();
  float* po = out.f32();
  std::uint32_t* pm = mask ? reinterpret_cast<std::uint32_t*>(mask->i32()) : nullptr;
  float scale = 1.0f / (1.0f - p);
  // Whole 32-element words per thread, so no two threads write one mask word.
  parallel_for(0, words, 64, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t w = b; w < e; ++w) {
      std::int64_t i0 = w * 32, i1 = std::min(n, i0 + 32);
      std::uint32_t bits = 0;
      for (std::int64_t i = i0; i < i1; ++i) {
        bool keep = Rng::uniform_at(seed, first + static_cast<std::uint64_t>(i)) >= p;
        po[i] = keep ? px[i] * scale : 0.0f;
        bits |= static_cast<std::uint32_t>(keep) << (i - i0);
      }
      if (pm) pm[w] = bits;
    }
  });
}

void dropout_backward(const Tensor& grad, const Tensor& mask, float scale, Tensor& grad_x) {
  std::int64_t n = grad.numel(), words = dropout_mask_words(n);
  S2S_CHECK(mask.numel() == words, "dropout backward: mask has ", mask.numel(), " words, expected ", words);
  const float* pg = grad.f32();
  float* px = grad_x.f32();
  const std::uint32_t* pm = reinterpret_cast<const std::uint32_t*>(mask.i32());
  parallel_for(0, words, 256, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t w = b; w < e; ++w) {
      std::int64_t i0 = w * 32, len = std::min<std::int64_t>(32, n - i0);
      std::uint32_t bits = pm[w];
      const float* g = pg + i0;
      float* d = px + i0;
#pragma omp simd
      for (std::int64_t k = 0; k < len; ++k) d[k] += ((bits >> k) & 1u) ? g[k] * scale : 0.0f;
    }
  });
}

}  // namespace s2s::kernels
