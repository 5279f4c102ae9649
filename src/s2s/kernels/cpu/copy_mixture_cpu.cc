#include <algorithm>
#include <cmath>
#include <limits>

#include "s2s/core/error.h"
#include "s2s/core/parallel.h"
#include "s2s/kernels/copy_mixture.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace s2s::kernels {

namespace {

struct Dims {
  std::int64_t n, v, s, m, width;
};

Dims check(const Tensor& logits, const Tensor& gate, const Tensor& attn, const Tensor& ids, const Tensor* rows,
           std::int64_t width) {
  S2S_CHECK(logits.ndim() == 2 && gate.ndim() == 2 && gate.dim(1) == 1 && attn.ndim() == 2 &&
                gate.dim(0) == logits.dim(0) && attn.dim(0) == logits.dim(0),
            "copy_mixture: expected logits [N, V], gate [N, 1] and attention [N, S], got ", logits.shape().str(), ", ",
            gate.shape().str(), " and ", attn.shape().str());
  S2S_CHECK(ids.dtype() == DType::I32 && ids.ndim() == 2 && ids.dim(1) == attn.dim(1) && ids.dim(0) >= 1,
            "copy_mixture: expected I32 source ids [M, ", attn.dim(1), "], got ", ids.shape().str());
  S2S_CHECK(!rows || (rows->dtype() == DType::I32 && rows->ndim() == 1 && rows->dim(0) == logits.dim(0)),
            "copy_mixture: expected I32 rows [", logits.dim(0), "]");
  S2S_CHECK(width >= logits.dim(1), "copy_mixture: width ", width, " is less than the vocabulary ", logits.dim(1));
  // Checked here, not inside the parallel loops (nothing may throw there).
  for (std::int64_t k = 0; k < ids.numel(); ++k)
    S2S_CHECK(ids.i32()[k] >= 0 && ids.i32()[k] < width, "copy_mixture: source id ", ids.i32()[k],
              " outside the extended vocabulary of ", width);
  if (rows)
    for (std::int64_t r = 0; r < rows->dim(0); ++r)
      S2S_CHECK(rows->i32()[r] >= 0 && rows->i32()[r] < ids.dim(0), "copy_mixture: row ", r, " reads source row ",
                rows->i32()[r], " of ", ids.dim(0));
  return {logits.dim(0), logits.dim(1), attn.dim(1), ids.dim(0), width};
}

// max and sum_j exp(x[j] - max) of one row of logits.
inline float row_max_sum(const float* x, std::int64_t n, float& m) {
  m = -std::numeric_limits<float>::infinity();
  for (std::int64_t j = 0; j < n; ++j) m = x[j] > m ? x[j] : m;
  float se = 0.0f;
  for (std::int64_t j = 0; j < n; ++j) se += cpu::fast_exp(x[j] - m);
  return se;
}

inline float sigmoid(float u) { return 1.0f / (1.0f + std::exp(-u)); }

// Whether source position i is the first with its id (each copied column is
// handled once, at its first position); id 0 is never copied.
inline bool first_of_its_id(const std::int32_t* id, std::int64_t i) {
  if (id[i] == 0) return false;
  for (std::int64_t j = 0; j < i; ++j)
    if (id[j] == id[i]) return false;
  return true;
}

}  // namespace

// Per row, most columns get no copy mass: there p = g q, so
// log p = log g - log se + (z - max) needs no log of its own (and in backward
// q dp = dy / g). Only the columns the row's source positions map to (at most
// S) are computed from p itself; their mass is added in position order.
void copy_mixture_forward(const Tensor& logits, const Tensor& gate, const Tensor& attn, const Tensor& ids,
                          const Tensor* rows, Tensor& out) {
  S2S_CHECK(out.ndim() == 2 && out.dim(0) == logits.dim(0), "copy_mixture: output ", out.shape().str(), " for ",
            logits.dim(0), " rows");
  const Dims d = check(logits, gate, attn, ids, rows, out.dim(1));
  const float *pz = logits.f32(), *pg = gate.f32(), *pa = attn.f32();
  const std::int32_t* pid = ids.i32();
  const std::int32_t* prow = rows ? rows->i32() : nullptr;
  float* po = out.f32();
  const float log_floor = std::log(kCopyFloor);
  parallel_for(0, d.n, cpu::row_grain(d.width + d.s), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      const std::int64_t m = prow ? prow[r] : r % d.m;
      const float *z = pz + r * d.v, *a = pa + r * d.s;
      const std::int32_t* id = pid + m * d.s;
      float* o = po + r * d.width;
      // 1 - g as sigmoid(-u): no cancellation when g is near 1.
      const float g = sigmoid(pg[r]), h = sigmoid(-pg[r]);
      float mx;
      const float se = row_max_sum(z, d.v, mx);
      const float shift = std::log(g) - std::log(se) - mx;
      for (std::int64_t v = 0; v < d.v; ++v) o[v] = std::max(z[v] + shift, log_floor);
      // Extended columns no source token of this row maps to are not in its vocabulary at all.
      for (std::int64_t w = d.v; w < d.width; ++w) o[w] = -std::numeric_limits<float>::infinity();
      const float gs = g / se;
      for (std::int64_t i = 0; i < d.s; ++i) {
        if (!first_of_its_id(id, i)) continue;
        const std::int32_t w = id[i];
        float p = w < d.v ? gs * cpu::fast_exp(z[w] - mx) : 0.0f;
        for (std::int64_t j = i; j < d.s; ++j)
          if (id[j] == w) p += h * a[j];
        o[w] = std::log(std::max(p, kCopyFloor));
      }
    }
  });
}

void copy_mixture_backward(const Tensor& logits, const Tensor& gate, const Tensor& attn, const Tensor& ids,
                           const Tensor& y, const Tensor& dy, Tensor* dlogits, Tensor* dgate, Tensor* dattn) {
  const Dims d = check(logits, gate, attn, ids, nullptr, y.dim(1));
  const float *pz = logits.f32(), *pg = gate.f32(), *pa = attn.f32(), *py = y.f32(), *pdy = dy.f32();
  const std::int32_t* pid = ids.i32();
  const float log_floor = std::log(kCopyFloor);  // the forward's value wherever it floored p
  parallel_for(0, d.n, cpu::row_grain(d.width + d.s), [&](std::int64_t r0, std::int64_t r1) {
    for (std::int64_t r = r0; r < r1; ++r) {
      const float *z = pz + r * d.v, *a = pa + r * d.s, *yr = py + r * d.width, *g_up = pdy + r * d.width;
      const std::int32_t* id = pid + (r % d.m) * d.s;
      // dL/dp[w] = dy / p (the forward's output is log p); nothing flows where p was floored.
      auto dp = [&](std::int64_t w) { return yr[w] > log_floor ? g_up[w] / std::exp(yr[w]) : 0.0f; };
      const float g = sigmoid(pg[r]), h = sigmoid(-pg[r]);
      float mx;
      const float inv_se = 1.0f / row_max_sum(z, d.v, mx);
      // s = sum_v q[v] dp[v]: dy[v] / g where p = g q, corrected at the copied vocabulary columns.
      double sum_dy = 0.0;
      for (std::int64_t v = 0; v < d.v; ++v) sum_dy += yr[v] > log_floor ? static_cast<double>(g_up[v]) : 0.0;
      double qdp = sum_dy / static_cast<double>(g);
      for (std::int64_t i = 0; i < d.s; ++i) {
        const std::int32_t w = id[i];
        if (w >= d.v || !first_of_its_id(id, i) || !(yr[w] > log_floor)) continue;
        const float q = cpu::fast_exp(z[w] - mx) * inv_se;
        qdp += static_cast<double>(q * dp(w)) - static_cast<double>(g_up[w]) / static_cast<double>(g);
      }
      const auto s = static_cast<float>(qdp);
      if (dlogits) {
        // g q (dp - s) = dy - g q s where p = g q; the copied columns are replaced below.
        float* dz = dlogits->f32() + r * d.v;
        const float gi = g * inv_se;
        for (std::int64_t v = 0; v < d.v; ++v)
          dz[v] += (yr[v] > log_floor ? g_up[v] : 0.0f) - gi * cpu::fast_exp(z[v] - mx) * s;
        for (std::int64_t i = 0; i < d.s; ++i) {
          const std::int32_t w = id[i];
          if (w >= d.v || !first_of_its_id(id, i) || !(yr[w] > log_floor)) continue;
          const float q = cpu::fast_exp(z[w] - mx) * inv_se;
          dz[w] += g * q * dp(w) - g_up[w];
        }
      }
      double adp = 0.0;  // sum_i attn[i] dp[ids[i]]
      for (std::int64_t i = 0; i < d.s; ++i) {
        if (id[i] == 0) continue;
        const float dpi = dp(id[i]);
        adp += static_cast<double>(a[i] * dpi);
        if (dattn) dattn->f32()[r * d.s + i] += h * dpi;
      }
      if (dgate) dgate->f32()[r] += g * h * (s - static_cast<float>(adp));
    }
  });
}

}  // namespace s2s::kernels
