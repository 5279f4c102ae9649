#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/core/philox.h"
#include "s2s/kernels/dropout.h"

namespace s2s::kernels {

void dropout_forward(const Tensor& x, float p, std::uint64_t seed, std::uint64_t first, Tensor& out, Tensor* mask) {
  std::int64_t n = x.numel(), words = dropout_mask_words(n);
  S2S_CHECK(!mask || mask->numel() == words, "dropout: mask has ", mask ? mask->numel() : 0, " words, expected ", words);
  const float* px = x.f32();
  float* po = out.f32();
  std::uint32_t* pm = mask ? reinterpret_cast<std::uint32_t*>(mask->i32()) : nullptr;
  float scale = 1.0f / (1.0f - p);
  // Word w covers counters first + 32w + [0, 32): the tail of Philox batch
  // first/4 + 8w from offset first % 4 and the head of the next batch, which
  // is the following word's batch, so each word costs one batch.
  std::uint64_t block0 = first / 4;
  int off = static_cast<int>(first % 4);
  // Whole 32-element words per thread, so no two threads write one mask word.
  parallel_for(0, words, 64, [&](std::int64_t b, std::int64_t e) {
    std::uint32_t r[2 * 32];
    float m[32];
    const float drop_p = p, keep_scale = scale;  // locals: loads through the closure block vectorisation
    philox_blocks<8>(block0 + 8 * static_cast<std::uint64_t>(b), seed, r);
    for (std::int64_t w = b; w < e; ++w) {
      philox_blocks<8>(block0 + 8 * static_cast<std::uint64_t>(w + 1), seed, r + 32);
      const std::uint32_t* v = r + off;
      std::uint32_t bits = 0;
#pragma omp simd reduction(| : bits)
      for (int k = 0; k < 32; ++k) {
        // Rng::uniform_at; signed conversions because AVX2 has no unsigned int -> float.
        float u = static_cast<float>(static_cast<std::int32_t>(v[k] >> 8)) * 0x1.0p-24f;
        std::int32_t keep = u >= drop_p;
        m[k] = static_cast<float>(keep) * keep_scale;
        bits |= static_cast<std::uint32_t>(keep) << k;
      }
      std::int64_t i0 = w * 32, len = std::min<std::int64_t>(32, n - i0);
#pragma omp simd
      for (std::int64_t k = 0; k < len; ++k) po[i0 + k] = px[i0 + k] * m[k];
      if (pm) pm[w] = len == 32 ? bits : bits & ((1u << len) - 1u);  // no bits past the end
      std::copy(r + 32, r + 2 * 32, r);
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
      for (std::int64_t k = 0; k < len; ++k) d[k] += g[k] * (static_cast<float>((bits >> k) & 1u) * scale);
    }
  });
}

}  // namespace s2s::kernels
