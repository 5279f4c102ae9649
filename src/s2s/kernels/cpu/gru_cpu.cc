// Fused GRU gate pass, forward and backward (PyTorch's torch.nn.GRU equations).
#include <algorithm>
#include <cstring>

#include "s2s/kernels/cpu/rnn_rows.h"
#include "s2s/kernels/cpu/vecmath.h"
#include "s2s/kernels/rnn.h"

namespace s2s::kernels {

namespace {

using cpu::fast_sigmoid;
using cpu::fast_tanh;
using cpu::rnn_rows::with_flag;

// One active row. kBih: b_ih still has to be added to x; kSave: store the
// gates. Pointers never alias, which (with no branches inside) lets GCC
// vectorise the loop.
template <bool kBih, bool kSave>
void gru_row_forward(const float* __restrict x, const float* __restrict bih, const float* __restrict hp,
                     const float* __restrict bhh, const float* __restrict h, float* __restrict out,
                     float* __restrict gates, std::int64_t H) {
#pragma omp simd
  for (std::int64_t j = 0; j < H; ++j) {
    float xr = x[j], xz = x[H + j], xn = x[2 * H + j];
    if constexpr (kBih) {
      xr += bih[j];
      xz += bih[H + j];
      xn += bih[2 * H + j];
    }
    float r = fast_sigmoid(xr + (hp[j] + bhh[j]));
    float z = fast_sigmoid(xz + (hp[H + j] + bhh[H + j]));
    float hn = hp[2 * H + j] + bhh[2 * H + j];
    float n = fast_tanh(xn + r * hn);
    out[j] = (1.0f - z) * n + z * h[j];
    if constexpr (kSave) {
      gates[j] = r;
      gates[H + j] = z;
      gates[2 * H + j] = n;
      gates[3 * H + j] = hn;
    }
  }
}

// With g = dL/dh' (state + output), the chain rule through
//   h' = (1-z) n + z h,  n = tanh(an), an = xn + r hn,  r = σ(ar), z = σ(az):
//   dz = g (h - n)          daz = dz z (1-z)
//   dn = g (1-z)            dan = dn (1 - n²)
//   dr = dan hn             dar = dr r (1-r)
//   dh (direct) = g z;  d(hn) = dan r, so the n block of dhp is dan r while
//   that of dxp is dan.
template <bool kDy, bool kDxp, bool kDh>
void gru_row_backward(const float* __restrict g4, const float* __restrict h, const float* __restrict dh,
                      const float* __restrict dy, float* __restrict dhp, float* __restrict dxp,
                      float* __restrict dh_prev, std::int64_t H) {
#pragma omp simd
  for (std::int64_t j = 0; j < H; ++j) {
    float g = dh[j];
    if constexpr (kDy) g += dy[j];
    float r = g4[j], z = g4[H + j], n = g4[2 * H + j], hn = g4[3 * H + j];
    float daz = g * (h[j] - n) * z * (1.0f - z);
    float dan = g * (1.0f - z) * (1.0f - n * n);
    float dar = dan * hn * r * (1.0f - r);
    dhp[j] = dar;
    dhp[H + j] = daz;
    dhp[2 * H + j] = dan * r;
    if constexpr (kDxp) {
      dxp[j] += dar;
      dxp[H + j] += daz;
      dxp[2 * H + j] += dan;
    }
    if constexpr (kDh) dh_prev[j] += g * z;
  }
}

}  // namespace

void gru_step_forward(const Tensor& xp, const Tensor* b_ih, const Tensor& hp, const Tensor& b_hh, const Tensor& h_prev,
                      Tensor& h_new, Tensor* y, Tensor* gates, StepMask mask) {
  const cpu::rnn_rows::Dims d = cpu::rnn_rows::dims("gru", h_prev, xp, hp, 3);
  const std::int64_t B = d.B, H = d.H;  // not a structured binding: lambdas capture these
  cpu::rnn_rows::check_numel("gru", "b_ih", b_ih, 3 * H);
  cpu::rnn_rows::check_numel("gru", "b_hh", &b_hh, 3 * H);
  cpu::rnn_rows::check_numel("gru", "h_new", &h_new, B * H);
  cpu::rnn_rows::check_numel("gru", "y", y, B * H);
  cpu::rnn_rows::check_numel("gru", "gates", gates, B * 4 * H);
  const float *px = xp.f32(), *pbi = cpu::rnn_rows::data_or_null(b_ih), *php = hp.f32(), *pbh = b_hh.f32();
  const float* ph = h_prev.f32();
  float *po = h_new.f32(), *py = cpu::rnn_rows::data_or_null(y), *pg = cpu::rnn_rows::data_or_null(gates);
  with_flag(pbi != nullptr, [&](auto bih) {
    with_flag(pg != nullptr, [&](auto save) {
      cpu::rnn_rows::for_rows(B, 4 * H, [&](std::int64_t b) {
        const float* h = ph + b * H;
        float* out = po + b * H;
        if (!mask.active(b)) {
          if (out != h) std::memcpy(out, h, static_cast<std::size_t>(H) * sizeof(float));
          if (py) std::fill(py + b * H, py + (b + 1) * H, 0.0f);
          return;
        }
        gru_row_forward<bih.value, save.value>(px + b * 3 * H, pbi, php + b * 3 * H, pbh, h, out,
                                               save.value ? pg + b * 4 * H : nullptr, H);
        if (py) std::memcpy(py + b * H, out, static_cast<std::size_t>(H) * sizeof(float));
      });
    });
  });
}

void gru_step_backward(const Tensor& gates, const Tensor& h_prev, const Tensor& dh, const Tensor* dy, Tensor& dhp,
                       Tensor* dxp, Tensor* dh_prev, StepMask mask) {
  std::int64_t H = h_prev.dim(-1), B = H == 0 ? 0 : h_prev.numel() / H;
  const char* op = "gru backward";
  cpu::rnn_rows::check_numel(op, "gates", &gates, B * 4 * H);
  cpu::rnn_rows::check_numel(op, "dh", &dh, B * H);
  cpu::rnn_rows::check_numel(op, "dy", dy, B * H);
  cpu::rnn_rows::check_numel(op, "dhp", &dhp, B * 3 * H);
  cpu::rnn_rows::check_numel(op, "dxp", dxp, B * 3 * H);
  cpu::rnn_rows::check_numel(op, "dh_prev", dh_prev, B * H);
  const float *pg = gates.f32(), *ph = h_prev.f32(), *pdh = dh.f32(), *pdy = cpu::rnn_rows::data_or_null(dy);
  float *pdhp = dhp.f32(), *pdxp = cpu::rnn_rows::data_or_null(dxp), *pdhprev = cpu::rnn_rows::data_or_null(dh_prev);
  with_flag(pdy != nullptr, [&](auto has_dy) {
    with_flag(pdxp != nullptr, [&](auto has_dxp) {
      with_flag(pdhprev != nullptr, [&](auto has_dh) {
        cpu::rnn_rows::for_rows(B, 8 * H, [&](std::int64_t b) {
          const float* d = pdh + b * H;
          float* ohp = pdhp + b * 3 * H;
          if (!mask.active(b)) {
            std::fill(ohp, ohp + 3 * H, 0.0f);
            if (pdhprev)
              for (std::int64_t j = 0; j < H; ++j) pdhprev[b * H + j] += d[j];
            return;
          }
          gru_row_backward<has_dy.value, has_dxp.value, has_dh.value>(
              pg + b * 4 * H, ph + b * H, d, has_dy.value ? pdy + b * H : nullptr, ohp,
              has_dxp.value ? pdxp + b * 3 * H : nullptr, has_dh.value ? pdhprev + b * H : nullptr, H);
        });
      });
    });
  });
}

}  // namespace s2s::kernels
