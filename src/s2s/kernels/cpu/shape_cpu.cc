#include "s2s/kernels/shape.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "s2s/core/parallel.h"
#include "s2s/kernels/cpu/loops.h"

namespace s2s::kernels {

namespace {

inline void move(const float* src, float* dst, std::int64_t n, bool accumulate) {
  if (accumulate)
    for (std::int64_t j = 0; j < n; ++j) dst[j] += src[j];
  else
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
}

}  // namespace

void copy_rows(const float* src, std::int64_t src_ld, float* dst, std::int64_t dst_ld, std::int64_t rows,
               std::int64_t cols, bool accumulate) {
  if (rows <= 0 || cols <= 0) return;
  parallel_for(0, rows, cpu::row_grain(cols), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) move(src + r * src_ld, dst + r * dst_ld, cols, accumulate);
  });
}

void transpose(const Tensor& x, int axis0, int axis1, Tensor& out, bool accumulate) {
  const Shape& s = x.shape();
  int a0 = s.normalize(axis0), a1 = s.normalize(axis1);
  if (a0 > a1) std::swap(a0, a1);
  S2S_CHECK(out.numel() == x.numel(), "transpose: output ", out.shape().str(), " does not match ", s.str());
  // x as [A, d0, B, d1, C] -> out [A, d1, B, d0, C].
  std::int64_t d0 = s[a0], d1 = s[a1], c = s.inner(a1), a = s.outer(a0);
  std::int64_t b = 1;
  for (int k = a0 + 1; k < a1; ++k) b *= s[k];
  const float* xp = x.f32();
  float* op = out.f32();
  if (x.numel() == 0) return;
  // Source element (i0, i1) of the 2-D slice (a, b), and its destination.
  std::int64_t src_i0 = b * d1 * c, src_i1 = c;  // strides in x
  std::int64_t dst_i1 = b * d0 * c, dst_i0 = c;  // strides in out
  // Tiles of kTile x kTile blocks keep both the strided reads and the writes
  // in cache when blocks are small; long blocks are streamed one at a time.
  constexpr std::int64_t kTile = 16;
  std::int64_t tile = c >= kTile ? 1 : kTile;
  std::int64_t tiles1 = (d1 + tile - 1) / tile;
  std::int64_t tasks = a * b * tiles1;
  std::int64_t per_task = std::max<std::int64_t>(1, tile * d0 * c);
  parallel_for(0, tasks, std::max<std::int64_t>(1, cpu::kGrain / per_task), [&](std::int64_t t0, std::int64_t t1) {
    for (std::int64_t t = t0; t < t1; ++t) {
      std::int64_t ab = t / tiles1, j0 = (t % tiles1) * tile, j1 = std::min(d1, j0 + tile);
      std::int64_t ai = ab / b, bi = ab % b;
      const float* src = xp + (ai * d0 * b + bi) * d1 * c;
      float* dst = op + (ai * d1 * b + bi) * d0 * c;
      for (std::int64_t i0 = 0; i0 < d0; i0 += tile) {
        std::int64_t i0e = std::min(d0, i0 + tile);
        for (std::int64_t i1 = j0; i1 < j1; ++i1) {
          if (c == 1) {
            float* dr = dst + i1 * dst_i1;
            const float* sr = src + i1;
            if (accumulate)
              for (std::int64_t i = i0; i < i0e; ++i) dr[i] += sr[i * src_i0];
            else
              for (std::int64_t i = i0; i < i0e; ++i) dr[i] = sr[i * src_i0];
          } else {
            for (std::int64_t i = i0; i < i0e; ++i)
              move(src + i * src_i0 + i1 * src_i1, dst + i1 * dst_i1 + i * dst_i0, c, accumulate);
          }
        }
      }
    }
  });
}

}  // namespace s2s::kernels
