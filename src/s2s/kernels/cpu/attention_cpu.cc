// Fused additive attention step, forward and backward (see kernels/attention.h).
#include <algorithm>

#include "s2s/core/parallel.h"
#include "s2s/kernels/attention.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace s2s::kernels {

namespace {

struct Dims {
  std::int64_t S, B, A, D, M;  // M: memory rows (B unless a row map is given)
};

Dims check(const Tensor& keys, const Tensor& query, const Tensor& v, const Tensor& values, const Tensor* mask,
           const Tensor* rows = nullptr) {
  S2S_CHECK(keys.ndim() == 3, "additive_attention: keys must be [S, B, A], got ", keys.shape().str());
  S2S_CHECK(query.ndim() == 2, "additive_attention: query must be [B, A], got ", query.shape().str());
  Dims d{keys.dim(0), query.dim(0), keys.dim(2), values.ndim() == 3 ? values.dim(2) : 0, keys.dim(1)};
  S2S_CHECK(query.dim(1) == d.A && (rows || d.M == d.B), "additive_attention: query must be [", d.M, ", ", d.A,
            "], got ", query.shape().str());
  S2S_CHECK(v.numel() == d.A, "additive_attention: v must hold ", d.A, " values, got ", v.shape().str());
  S2S_CHECK(values.ndim() == 3 && values.dim(0) == d.M && values.dim(1) == d.S,
            "additive_attention: values must be [", d.M, ", ", d.S, ", D], got ", values.shape().str());
  S2S_CHECK(!mask || mask->shape() == Shape({d.M, d.S}), "additive_attention: mask must be [", d.M, ", ", d.S,
            "], got ", mask->shape().str());
  if (rows) {
    S2S_CHECK(rows->dtype() == DType::I32 && rows->shape() == Shape({d.B}), "additive_attention: rows must be I32 [",
              d.B, "], got ", rows->shape().str());
    for (std::int64_t b = 0; b < d.B; ++b)
      S2S_CHECK(rows->i32()[b] >= 0 && rows->i32()[b] < d.M, "additive_attention: rows[", b, "] = ", rows->i32()[b],
                " is outside 0..", d.M - 1);
  }
  return d;
}

// Rows per chunk: a row costs about S * (A tanh + D) flops.
std::int64_t grain(const Dims& d) {
  return std::max<std::int64_t>(1, cpu::kMathGrain / std::max<std::int64_t>(d.S * (d.A + d.D), 1));
}

// v . tanh(k + q [+ c w_c]) over A, in a fixed order. kCov as a template
// argument: without coverage the loop is exactly the plain one.
template <bool kCov>
inline float score(const float* __restrict k, const float* __restrict q, const float* __restrict v, std::int64_t A,
                   float c = 0.0f, const float* __restrict wc = nullptr) {
  float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
  for (std::int64_t a = 0; a < A; ++a) {
    float x = k[a] + q[a];
    if constexpr (kCov) x += c * wc[a];
    acc += v[a] * cpu::fast_tanh(x);
  }
  return acc;
}

// dkeys_row += dh, dq_row += dh, dv_row += de t, with dh = de v (1 - t^2), t = tanh(k + q [+ c w_c]);
// with coverage also dwc_row += dh c, and the result is dL/dc = sum_a dh w_c (else 0).
// kDk, kCov as template arguments: a branch inside would keep GCC from vectorising.
template <bool kDk, bool kCov>
inline float score_backward(const float* __restrict k, const float* __restrict q, const float* __restrict v, float de,
                            float* __restrict dk, float* __restrict dq, float* __restrict dv, std::int64_t A,
                            float c = 0.0f, const float* __restrict wc = nullptr, float* __restrict dwc = nullptr) {
  float dc = 0.0f;
#pragma omp simd reduction(+ : dc)
  for (std::int64_t a = 0; a < A; ++a) {
    float x = k[a] + q[a];
    if constexpr (kCov) x += c * wc[a];
    float t = cpu::fast_tanh(x);
    float dh = de * v[a] * (1.0f - t * t);
    if constexpr (kDk) dk[a] += dh;
    dq[a] += dh;
    dv[a] += de * t;
    if constexpr (kCov) {
      dwc[a] += dh * c;
      dc += dh * wc[a];
    }
  }
  return dc;
}

void check_coverage(const AttentionCoverage& cov, const Dims& d) {
  if (!cov.coverage) return;
  S2S_CHECK(cov.coverage->shape() == Shape({d.B, d.S}), "additive_attention: coverage must be [", d.B, ", ", d.S,
            "], got ", cov.coverage->shape().str());
  S2S_CHECK(cov.w && cov.w->numel() == d.A, "additive_attention: the coverage weight must hold ", d.A, " values");
}

}  // namespace

void additive_attention_forward(const Tensor& keys, const Tensor& query, const Tensor& v, const Tensor& values,
                                const Tensor* mask, Tensor& context, Tensor& weights, const Tensor* rows,
                                const AttentionCoverage& cov) {
  const Dims d = check(keys, query, v, values, mask, rows);
  check_coverage(cov, d);
  S2S_CHECK(context.numel() == d.B * d.D && weights.numel() == d.B * d.S,
            "additive_attention: outputs must be [B, D] and [B, S]");
  const float *pk = keys.f32(), *pq = query.f32(), *pv = v.f32(), *pval = values.f32();
  const float* pm = mask ? mask->f32() : nullptr;
  const std::int32_t* map = rows ? rows->i32() : nullptr;
  const float *pcov = cov.coverage ? cov.coverage->f32() : nullptr, *pwc = cov.coverage ? cov.w->f32() : nullptr;
  float *pc = context.f32(), *pw = weights.f32();
  parallel_for(0, d.B, grain(d), [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b) {
      const std::int64_t mb = map ? map[b] : b;  // the memory row this query reads
      float* w = pw + b * d.S;
      for (std::int64_t s = 0; s < d.S; ++s)
        w[s] = pm && pm[mb * d.S + s] != 0.0f ? kAttentionMaskedScore
               : pcov ? score<true>(pk + (s * d.M + mb) * d.A, pq + b * d.A, pv, d.A, pcov[b * d.S + s], pwc)
                      : score<false>(pk + (s * d.M + mb) * d.A, pq + b * d.A, pv, d.A);
      // Softmax exactly as kernels::softmax computes it.
      float m = cpu::max_of(w, d.S);
      for (std::int64_t s = 0; s < d.S; ++s) w[s] -= m;
      cpu::vexp(w, w, d.S);
      float inv = 1.0f / cpu::sum(w, d.S);
      for (std::int64_t s = 0; s < d.S; ++s) w[s] *= inv;
      float* c = pc + b * d.D;
      std::fill(c, c + d.D, 0.0f);
      for (std::int64_t s = 0; s < d.S; ++s) {
        const float ws = w[s];
        const float* x = pval + (mb * d.S + s) * d.D;
#pragma omp simd
        for (std::int64_t j = 0; j < d.D; ++j) c[j] += ws * x[j];
      }
    }
  });
}

void additive_attention_backward(const Tensor& keys, const Tensor& query, const Tensor& v, const Tensor& values,
                                 const Tensor& weights, const Tensor& dcontext, const Tensor* dweights,
                                 const AttentionGrads& grads, const AttentionCoverage& cov) {
  const Dims d = check(keys, query, v, values, nullptr);
  check_coverage(cov, d);
  S2S_CHECK(weights.numel() == d.B * d.S && dcontext.numel() == d.B * d.D &&
                (!dweights || dweights->numel() == d.B * d.S),
            "additive_attention backward: expected weights/dweights [B, S] and dcontext [B, D]");
  // Per-row scratch: dL/dweights, and each row's share of dv (summed over rows in order below).
  Tensor dw_buf = Tensor::empty(Shape{d.B, d.S});
  Tensor dq_buf, dv_buf = Tensor::zeros(Shape{d.B, d.A}), dwc_buf;
  if (cov.coverage) dwc_buf = Tensor::zeros(Shape{d.B, d.A});  // each row's share of dw_c, like dv
  if (!grads.query) dq_buf = Tensor::zeros(Shape{d.B, d.A});  // a sink: keys or v still need the pass
  const float *pk = keys.f32(), *pq = query.f32(), *pv = v.f32(), *pval = values.f32(), *pw = weights.f32();
  const float *pdc = dcontext.f32(), *pdw_in = dweights ? dweights->f32() : nullptr;
  float *pdk = grads.keys ? grads.keys->f32() : nullptr, *pdq = grads.query ? grads.query->f32() : dq_buf.f32();
  float *pdval = grads.values ? grads.values->f32() : nullptr, *pdv = dv_buf.f32(), *pdw = dw_buf.f32();
  const float *pcov = cov.coverage ? cov.coverage->f32() : nullptr, *pwc = cov.coverage ? cov.w->f32() : nullptr;
  float *pdcov = grads.coverage ? grads.coverage->f32() : nullptr, *pdwc = cov.coverage ? dwc_buf.f32() : nullptr;
  const bool need_scores = grads.keys || grads.query || grads.v || grads.coverage || grads.coverage_w;
  parallel_for(0, d.B, grain(d), [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b) {
      const float* w = pw + b * d.S;
      const float* dc = pdc + b * d.D;
      float* dw = pdw + b * d.S;
      for (std::int64_t s = 0; s < d.S; ++s) {
        const float* x = pval + (b * d.S + s) * d.D;
        dw[s] = cpu::dot(dc, x, d.D) + (pdw_in ? pdw_in[b * d.S + s] : 0.0f);
        if (pdval) {
          float* dx = pdval + (b * d.S + s) * d.D;
          const float ws = w[s];
#pragma omp simd
          for (std::int64_t j = 0; j < d.D; ++j) dx[j] += ws * dc[j];
        }
      }
      if (!need_scores) continue;
      // Softmax backward: de = w (dw - sum(w dw)); masked positions have w = 0.
      const float wdw = cpu::dot(w, dw, d.S);
      for (std::int64_t s = 0; s < d.S; ++s) {
        const float de = w[s] * (dw[s] - wdw);
        if (de == 0.0f) continue;  // masked (or no gradient): nothing flows
        const float* k = pk + (s * d.B + b) * d.A;
        float* dk = pdk ? pdk + (s * d.B + b) * d.A : nullptr;
        if (pcov) {
          const float c = pcov[b * d.S + s];
          float* dwc = pdwc + b * d.A;
          const float dcov = pdk ? score_backward<true, true>(k, pq + b * d.A, pv, de, dk, pdq + b * d.A, pdv + b * d.A, d.A, c, pwc, dwc)
                                 : score_backward<false, true>(k, pq + b * d.A, pv, de, dk, pdq + b * d.A, pdv + b * d.A, d.A, c, pwc, dwc);
          if (pdcov) pdcov[b * d.S + s] += dcov;
        } else if (pdk) {
          score_backward<true, false>(k, pq + b * d.A, pv, de, dk, pdq + b * d.A, pdv + b * d.A, d.A);
        } else {
          score_backward<false, false>(k, pq + b * d.A, pv, de, nullptr, pdq + b * d.A, pdv + b * d.A, d.A);
        }
      }
    }
  });
  // The rows' shares of dv (and dw_c), summed over rows in order.
  auto sum_rows = [&](const float* rows_share, Tensor& out_grad) {
    float* out = out_grad.f32();
    parallel_for(0, d.A, cpu::row_grain(d.B), [&](std::int64_t a0, std::int64_t a1) {
      for (std::int64_t a = a0; a < a1; ++a) {
        float acc = 0.0f;
        for (std::int64_t b = 0; b < d.B; ++b) acc += rows_share[b * d.A + a];
        out[a] += acc;
      }
    });
  };
  if (grads.v) sum_rows(pdv, *grads.v);
  if (grads.coverage_w && pdwc) sum_rows(pdwc, *grads.coverage_w);
}

}  // namespace s2s::kernels
