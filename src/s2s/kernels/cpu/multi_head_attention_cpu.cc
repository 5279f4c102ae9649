// Fused multi-head attention, forward and backward (see kernels/multi_head_attention.h).
// One task per (batch row, head); heads are column blocks of q, k, v read in
// place through their row strides, and every product is one gemm call on
// those strided views.
#include <algorithm>
#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/core/philox.h"
#include "s2s/kernels/cpu/gemm_common.h"
#include "s2s/kernels/cpu/loops.h"
#include "s2s/kernels/cpu/vecmath.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/multi_head_attention.h"

namespace s2s::kernels {

namespace {

// Where row t of batch row b starts: b * batch + t * row (elements).
struct Strides {
  std::int64_t row, batch;
};

Strides strides_of(bool time_major, std::int64_t steps, std::int64_t rows, std::int64_t width) {
  return time_major ? Strides{rows * width, width} : Strides{width, steps * width};
}

// Everything a task needs, resolved once per call.
struct Plan {
  MhaDims d;
  Strides qs, ks, vs, os;
  std::int64_t q0, k0, v0;  // first column of each window
  std::int64_t nr;          // relative table rows, 2K + 1 (0 without)
  float scale;
  const std::int32_t* lengths;
  const std::int32_t* rows;

  std::int64_t kv_row(std::int64_t b) const { return rows ? rows[b] : b; }
  std::int64_t key_len(std::int64_t mb) const { return lengths ? lengths[mb] : d.Tk; }
  // Keys [0, visible) are visible to query i.
  std::int64_t visible(const MhaParams& p, std::int64_t i, std::int64_t len) const {
    return p.causal ? std::min(len, i + d.Tk - d.Tq + 1) : len;
  }
  std::int64_t rel(std::int64_t i, std::int64_t j) const {
    return std::clamp<std::int64_t>(j - (i + d.Tk - d.Tq), -d.K, d.K) + d.K;
  }
};

Plan plan_of(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p) {
  Plan pl{mha_dims(q, k, v, p), {}, {}, {}, {}, p.q_offset, p.k_offset, p.v_offset, 0, 0.0f, nullptr, nullptr};
  const MhaDims& d = pl.d;
  pl.qs = strides_of(p.time_major, d.Tq, d.B, q.dim(2));
  pl.ks = strides_of(p.time_major, d.Tk, d.M, k.dim(2));
  pl.vs = strides_of(p.time_major, d.Tk, d.M, v.dim(2));
  pl.os = strides_of(p.time_major, d.Tq, d.B, d.H * d.dv);
  pl.nr = d.K >= 0 ? 2 * d.K + 1 : 0;
  pl.scale = p.scale != 0.0f ? p.scale : 1.0f / std::sqrt(static_cast<float>(d.dh));
  pl.lengths = p.key_lengths ? p.key_lengths->i32() : nullptr;
  pl.rows = p.kv_rows ? p.kv_rows->i32() : nullptr;
  return pl;
}

// Tasks per chunk: a task costs about 2 Tq Tk (dh + dv) flops.
std::int64_t task_grain(const MhaDims& d) {
  const std::int64_t flops = 2 * d.Tq * d.Tk * (d.dh + d.dv);
  return std::max<std::int64_t>(1, (std::int64_t{1} << 18) / std::max<std::int64_t>(flops, 1));
}

// C = beta C + A B^T, row-invariant chains in inference.
void gemm_nt(bool invariant, std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
             const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  if (invariant) row_invariant_nt(m, n, k, a, lda, b, ldb, beta, c, ldc);
  else sgemm(false, true, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

// C = beta C + A B.
void gemm_nn(bool invariant, std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
             const float* b, std::int64_t ldb, float beta, float* c, std::int64_t ldc) {
  if (invariant) sgemm_row_invariant(false, false, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  else sgemm(false, false, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

// out[j] = keep_j / (1 - p) for j < n, keep_j = Rng::uniform_at(seed, c0 + j) >= p:
// the same test, in the same float arithmetic, as kernels::dropout_forward.
void keep_scales(std::uint64_t seed, std::uint64_t c0, std::int64_t n, float p, float* out) {
  const float keep_scale = 1.0f / (1.0f - p);
  std::uint32_t r[32];
  std::uint64_t block = c0 / 4;
  int w = static_cast<int>(c0 % 4);
  for (std::int64_t j = 0; j < n; block += 8, w = 0) {
    philox_blocks<8>(block, seed, r);
    for (; w < 32 && j < n; ++w, ++j) {
      const float u = static_cast<float>(static_cast<std::int32_t>(r[w] >> 8)) * 0x1.0p-24f;
      out[j] = static_cast<float>(static_cast<std::int32_t>(u >= p)) * keep_scale;
    }
  }
}

// Philox counter of element (bh, i, 0) of the weights.
std::uint64_t counter(const MhaParams& p, const MhaDims& d, std::int64_t bh, std::int64_t i) {
  return p.first + static_cast<std::uint64_t>((bh * d.Tq + i) * d.Tk);
}

// buckets[i, r] = sum over visible j with r_ij = r of x[i, j], in j order.
void bucket_sums(const Plan& pl, const MhaParams& p, const float* x, std::int64_t len, float* buckets) {
  for (std::int64_t i = 0; i < pl.d.Tq; ++i) {
    float* bi = buckets + i * pl.nr;
    std::fill(bi, bi + pl.nr, 0.0f);
    const float* xi = x + i * pl.d.Tk;
    const std::int64_t n = pl.visible(p, i, len);
    for (std::int64_t j = 0; j < n; ++j) bi[pl.rel(i, j)] += xi[j];
  }
}

}  // namespace

MhaDims mha_dims(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p) {
  S2S_CHECK(q.ndim() == 3 && k.ndim() == 3 && v.ndim() == 3, "multi_head_attention: q, k and v must be 3-d (",
            p.time_major ? "[T, B, d]" : "[B, T, d]", "), got ", q.shape().str(), ", ", k.shape().str(), " and ",
            v.shape().str());
  const int t = p.time_major ? 0 : 1, b = 1 - t;
  MhaDims d{q.dim(b), k.dim(b), q.dim(t), k.dim(t), p.heads, 0, 0, -1};
  auto window = [](const Tensor& x, std::int64_t offset, std::int64_t width, const char* name) {
    const std::int64_t w = width ? width : x.dim(2) - offset;
    S2S_CHECK(offset >= 0 && w >= 1 && offset + w <= x.dim(2), "multi_head_attention: ", name, " columns [", offset,
              ", ", offset + w, ") are outside its width ", x.dim(2));
    return w;
  };
  const std::int64_t qw = window(q, p.q_offset, p.q_width, "q"), kw = window(k, p.k_offset, p.k_width, "k"),
                     vw = window(v, p.v_offset, p.v_width, "v");
  S2S_CHECK(p.heads >= 1 && qw % p.heads == 0 && vw % p.heads == 0, "multi_head_attention: q's width ", qw,
            " and v's width ", vw, " must be multiples of heads = ", p.heads);
  d.dh = qw / p.heads;
  d.dv = vw / p.heads;
  S2S_CHECK(kw == qw, "multi_head_attention: k's width ", kw, " differs from q's ", qw);
  S2S_CHECK(v.dim(t) == d.Tk && v.dim(b) == d.M, "multi_head_attention: v ", v.shape().str(),
            " does not match k ", k.shape().str());
  S2S_CHECK(d.Tq >= 1 && d.Tk >= 1, "multi_head_attention: empty query or key sequence");
  S2S_CHECK(p.kv_rows || d.M == d.B, "multi_head_attention: q has ", d.B, " batch rows but k and v have ", d.M);
  S2S_CHECK(!p.causal || d.Tq <= d.Tk, "multi_head_attention: causal attention needs Tq <= Tk, got Tq = ", d.Tq,
            ", Tk = ", d.Tk);
  if (p.kv_rows) {
    S2S_CHECK(p.kv_rows->dtype() == DType::I32 && p.kv_rows->shape() == Shape({d.B}),
              "multi_head_attention: kv_rows must be I32 [", d.B, "], got ", p.kv_rows->shape().str());
    for (std::int64_t r = 0; r < d.B; ++r)
      S2S_CHECK(p.kv_rows->i32()[r] >= 0 && p.kv_rows->i32()[r] < d.M, "multi_head_attention: kv_rows[", r,
                "] = ", p.kv_rows->i32()[r], " is outside 0..", d.M - 1);
  }
  if (p.key_lengths) {
    S2S_CHECK(p.key_lengths->dtype() == DType::I32 && p.key_lengths->shape() == Shape({d.M}),
              "multi_head_attention: key_lengths must be I32 [", d.M, "], got ", p.key_lengths->shape().str());
    for (std::int64_t r = 0; r < d.M; ++r)
      S2S_CHECK(p.key_lengths->i32()[r] >= 1 && p.key_lengths->i32()[r] <= d.Tk, "multi_head_attention: key_lengths[",
                r, "] = ", p.key_lengths->i32()[r], " is outside 1..", d.Tk);
  }
  for (const Tensor* table : {p.rel_keys, p.rel_values}) {
    if (!table) continue;
    const std::int64_t width = table == p.rel_keys ? d.dh : d.dv;
    S2S_CHECK(table->ndim() == 2 && table->dim(0) % 2 == 1 && table->dim(1) == width,
              "multi_head_attention: a relative-position table must be [2K + 1, ", width, "], got ",
              table->shape().str());
    const std::int64_t K = (table->dim(0) - 1) / 2;
    S2S_CHECK(d.K < 0 || d.K == K, "multi_head_attention: the relative key and value tables clip at different distances");
    d.K = K;
  }
  S2S_CHECK(p.dropout >= 0.0f && p.dropout < 1.0f, "multi_head_attention: dropout must be in [0, 1), got ", p.dropout);
  return d;
}

void mha_forward(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p, Tensor& out, Tensor& probs) {
  const Plan pl = plan_of(q, k, v, p);
  const MhaDims& d = pl.d;
  S2S_CHECK(out.numel() == d.B * d.Tq * d.H * d.dv && probs.numel() == d.B * d.H * d.Tq * d.Tk,
            "multi_head_attention: output or weights buffer has the wrong size");
  const float *pq = q.f32(), *pk = k.f32(), *pv = v.f32();
  const float* ak = p.rel_keys ? p.rel_keys->f32() : nullptr;
  const float* av = p.rel_values ? p.rel_values->f32() : nullptr;
  float *po = out.f32(), *pp = probs.f32();
  const bool inv = p.row_invariant;
  parallel_for(0, d.B * d.H, task_grain(d), [&](std::int64_t t0, std::int64_t t1) {
    // Scratch per chunk: relative scores / value buckets, dropped-out weights.
    Tensor rel_buf = pl.nr ? Tensor::empty(Shape{d.Tq, pl.nr}) : Tensor();
    Tensor drop_buf = p.dropout > 0.0f ? Tensor::empty(Shape{d.Tq, d.Tk}) : Tensor();
    for (std::int64_t bh = t0; bh < t1; ++bh) {
      const std::int64_t b = bh / d.H, h = bh % d.H, mb = pl.kv_row(b), len = pl.key_len(mb);
      const float* qh = pq + b * pl.qs.batch + pl.q0 + h * d.dh;
      const float* kh = pk + mb * pl.ks.batch + pl.k0 + h * d.dh;
      const float* vh = pv + mb * pl.vs.batch + pl.v0 + h * d.dv;
      float* oh = po + b * pl.os.batch + h * d.dv;
      float* P = pp + bh * d.Tq * d.Tk;
      gemm_nt(inv, d.Tq, len, d.dh, qh, pl.qs.row, kh, pl.ks.row, 0.0f, P, d.Tk);
      float* R = ak ? rel_buf.f32() : nullptr;
      if (ak) gemm_nt(inv, d.Tq, pl.nr, d.dh, qh, pl.qs.row, ak, d.dh, 0.0f, R, pl.nr);
      for (std::int64_t i = 0; i < d.Tq; ++i) {
        float* row = P + i * d.Tk;
        const std::int64_t n = pl.visible(p, i, len);
        if (R)
          for (std::int64_t j = 0; j < n; ++j) row[j] += R[i * pl.nr + pl.rel(i, j)];
        // Softmax over the visible keys, as kernels::softmax computes it.
        for (std::int64_t j = 0; j < n; ++j) row[j] *= pl.scale;
        const float m = cpu::max_of(row, n);
        for (std::int64_t j = 0; j < n; ++j) row[j] -= m;
        cpu::vexp(row, row, n);
        const float inv_sum = 1.0f / cpu::sum(row, n);
        for (std::int64_t j = 0; j < n; ++j) row[j] *= inv_sum;
        std::fill(row + n, row + d.Tk, 0.0f);
      }
      const float* D = P;
      if (p.dropout > 0.0f) {
        float* Dm = drop_buf.f32();
        for (std::int64_t i = 0; i < d.Tq; ++i) {
          keep_scales(p.seed, counter(p, d, bh, i), d.Tk, p.dropout, Dm + i * d.Tk);
          for (std::int64_t j = 0; j < d.Tk; ++j) Dm[i * d.Tk + j] *= P[i * d.Tk + j];
        }
        D = Dm;
      }
      gemm_nn(inv, d.Tq, d.dv, len, D, d.Tk, vh, pl.vs.row, 0.0f, oh, pl.os.row);
      if (av) {
        float* W = rel_buf.f32();
        bucket_sums(pl, p, D, len, W);
        gemm_nn(inv, d.Tq, d.dv, pl.nr, W, pl.nr, av, d.dv, 1.0f, oh, pl.os.row);
      }
    }
  });
}

void mha_average_heads(const Tensor& probs, Tensor& weights) {
  S2S_CHECK(probs.ndim() == 4, "multi_head_attention: weights must be [B, H, Tq, Tk], got ", probs.shape().str());
  const std::int64_t B = probs.dim(0), H = probs.dim(1), n = probs.dim(2) * probs.dim(3);
  S2S_CHECK(weights.numel() == B * n, "multi_head_attention: averaged weights must hold [B, Tq, Tk]");
  const float* pp = probs.f32();
  float* pw = weights.f32();
  const float inv = 1.0f / static_cast<float>(H);
  parallel_for(0, B, cpu::row_grain(n * H), [&](std::int64_t b0, std::int64_t b1) {
    for (std::int64_t b = b0; b < b1; ++b) {
      float* w = pw + b * n;
      std::copy(pp + b * H * n, pp + b * H * n + n, w);
      for (std::int64_t h = 1; h < H; ++h) {
        const float* src = pp + (b * H + h) * n;
        for (std::int64_t e = 0; e < n; ++e) w[e] += src[e];
      }
      for (std::int64_t e = 0; e < n; ++e) w[e] *= inv;
    }
  });
}

void mha_backward(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p, const Tensor& probs,
                  const Tensor& dout, const MhaGrads& grads) {
  S2S_CHECK(!p.kv_rows, "multi_head_attention backward: kv_rows is for inference only");
  const Plan pl = plan_of(q, k, v, p);
  const MhaDims& d = pl.d;
  S2S_CHECK(dout.numel() == d.B * d.Tq * d.H * d.dv && probs.numel() == d.B * d.H * d.Tq * d.Tk,
            "multi_head_attention backward: gradient or weights buffer has the wrong size");
  S2S_CHECK((!grads.rel_keys || p.rel_keys) && (!grads.rel_values || p.rel_values),
            "multi_head_attention backward: a relative-table gradient without its table");
  const float *pq = q.f32(), *pk = k.f32(), *pv = v.f32(), *pp = probs.f32(), *pdo = dout.f32();
  const float* ak = p.rel_keys ? p.rel_keys->f32() : nullptr;
  const float* av = p.rel_values ? p.rel_values->f32() : nullptr;
  float* gq = grads.q ? grads.q->f32() : nullptr;
  float* gk = grads.k ? grads.k->f32() : nullptr;
  float* gv = grads.v ? grads.v->f32() : nullptr;
  // Each task's share of the shared relative tables' gradients, summed in task order below.
  Tensor part_k = grads.rel_keys ? Tensor::empty(Shape{d.B * d.H, pl.nr, d.dh}) : Tensor();
  Tensor part_v = grads.rel_values ? Tensor::empty(Shape{d.B * d.H, pl.nr, d.dv}) : Tensor();
  const bool need_scores = gq || gk || grads.rel_keys;
  const bool dropout = p.dropout > 0.0f;
  parallel_for(0, d.B * d.H, task_grain(d), [&](std::int64_t t0, std::int64_t t1) {
    Tensor ds_buf = need_scores ? Tensor::empty(Shape{d.Tq, d.Tk}) : Tensor();
    Tensor keep_buf = dropout ? Tensor::empty(Shape{d.Tq, d.Tk}) : Tensor();
    Tensor drop_buf = dropout ? Tensor::empty(Shape{d.Tq, d.Tk}) : Tensor();
    Tensor rel_buf = pl.nr ? Tensor::empty(Shape{d.Tq, pl.nr}) : Tensor();
    for (std::int64_t bh = t0; bh < t1; ++bh) {
      const std::int64_t b = bh / d.H, h = bh % d.H, len = pl.key_len(b);
      const float* qh = pq + b * pl.qs.batch + pl.q0 + h * d.dh;
      const float* kh = pk + b * pl.ks.batch + pl.k0 + h * d.dh;
      const float* vh = pv + b * pl.vs.batch + pl.v0 + h * d.dv;
      const float* doh = pdo + b * pl.os.batch + h * d.dv;
      const float* P = pp + bh * d.Tq * d.Tk;
      // The weights the forward used (after dropout) and the keep scales.
      const float* D = P;
      const float* keep = nullptr;
      if (dropout) {
        float *kb = keep_buf.f32(), *Dm = drop_buf.f32();
        for (std::int64_t i = 0; i < d.Tq; ++i) keep_scales(p.seed, counter(p, d, bh, i), d.Tk, p.dropout, kb + i * d.Tk);
        for (std::int64_t e = 0; e < d.Tq * d.Tk; ++e) Dm[e] = P[e] * kb[e];
        D = Dm;
        keep = kb;
      }
      // o = D V (+ buckets(D) aV):  dV += D^T dO,  daV += buckets(D)^T dO.
      if (gv) sgemm(true, false, len, d.dv, d.Tq, 1.0f, D, d.Tk, doh, pl.os.row, 1.0f,
                    gv + b * pl.vs.batch + pl.v0 + h * d.dv, pl.vs.row);
      if (grads.rel_values) {
        float* W = rel_buf.f32();
        bucket_sums(pl, p, D, len, W);
        sgemm(true, false, pl.nr, d.dv, d.Tq, 1.0f, W, pl.nr, doh, pl.os.row, 0.0f, part_v.f32() + bh * pl.nr * d.dv,
              d.dv);
      }
      if (!need_scores) continue;
      // dD = dO V^T (+ dO aV^T gathered by r_ij); dP = dD keep; dS = scale P (dP - sum_j P dP).
      float* dS = ds_buf.f32();
      sgemm(false, true, d.Tq, len, d.dv, 1.0f, doh, pl.os.row, vh, pl.vs.row, 0.0f, dS, d.Tk);
      float* G = av ? rel_buf.f32() : nullptr;
      if (G) sgemm(false, true, d.Tq, pl.nr, d.dv, 1.0f, doh, pl.os.row, av, d.dv, 0.0f, G, pl.nr);
      for (std::int64_t i = 0; i < d.Tq; ++i) {
        float* row = dS + i * d.Tk;
        const float* Pi = P + i * d.Tk;
        const std::int64_t n = pl.visible(p, i, len);
        if (G)
          for (std::int64_t j = 0; j < n; ++j) row[j] += G[i * pl.nr + pl.rel(i, j)];
        if (keep)
          for (std::int64_t j = 0; j < n; ++j) row[j] *= keep[i * d.Tk + j];
        const float s = cpu::dot(Pi, row, n);
        for (std::int64_t j = 0; j < n; ++j) row[j] = pl.scale * (Pi[j] * (row[j] - s));
        std::fill(row + n, row + len, 0.0f);
      }
      // s = scale-folded dS:  dQ += dS K (+ buckets(dS) aK),  dK += dS^T Q,  daK += buckets(dS)^T Q.
      float* dqh = gq ? gq + b * pl.qs.batch + pl.q0 + h * d.dh : nullptr;
      if (dqh) sgemm(false, false, d.Tq, d.dh, len, 1.0f, dS, d.Tk, kh, pl.ks.row, 1.0f, dqh, pl.qs.row);
      if (gk) sgemm(true, false, len, d.dh, d.Tq, 1.0f, dS, d.Tk, qh, pl.qs.row, 1.0f,
                    gk + b * pl.ks.batch + pl.k0 + h * d.dh, pl.ks.row);
      if (ak && (dqh || grads.rel_keys)) {
        float* C = rel_buf.f32();
        bucket_sums(pl, p, dS, len, C);
        if (dqh) sgemm(false, false, d.Tq, d.dh, pl.nr, 1.0f, C, pl.nr, ak, d.dh, 1.0f, dqh, pl.qs.row);
        if (grads.rel_keys)
          sgemm(true, false, pl.nr, d.dh, d.Tq, 1.0f, C, pl.nr, qh, pl.qs.row, 0.0f, part_k.f32() + bh * pl.nr * d.dh,
                d.dh);
      }
    }
  });
  // Shared tables: each element sums its tasks' shares in task order.
  auto reduce = [&](const Tensor& part, Tensor& g) {
    const std::int64_t n = g.numel(), tasks = d.B * d.H;
    const float* src = part.f32();
    float* dst = g.f32();
    parallel_for(0, n, cpu::row_grain(tasks), [&](std::int64_t e0, std::int64_t e1) {
      for (std::int64_t e = e0; e < e1; ++e) {
        float acc = 0.0f;
        for (std::int64_t t = 0; t < tasks; ++t) acc += src[t * n + e];
        dst[e] += acc;
      }
    });
  };
  if (grads.rel_keys) reduce(part_k, *grads.rel_keys);
  if (grads.rel_values) reduce(part_v, *grads.rel_values);
}

}  // namespace s2s::kernels
