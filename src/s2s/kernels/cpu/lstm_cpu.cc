// Fused LSTM gate pass, forward and backward (PyTorch's torch.nn.LSTM equations).
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

// One active row; the flags play the same role as in gru_cpu.cc.
template <bool kBih, bool kSave>
void lstm_row_forward(const float* __restrict x, const float* __restrict bih, const float* __restrict hp,
                      const float* __restrict bhh, const float* __restrict c, float* __restrict h_out,
                      float* __restrict c_out, float* __restrict gates, std::int64_t H) {
#pragma omp simd
  for (std::int64_t j = 0; j < H; ++j) {
    float ai = x[j] + (hp[j] + bhh[j]);
    float af = x[H + j] + (hp[H + j] + bhh[H + j]);
    float ag = x[2 * H + j] + (hp[2 * H + j] + bhh[2 * H + j]);
    float ao = x[3 * H + j] + (hp[3 * H + j] + bhh[3 * H + j]);
    if constexpr (kBih) {
      ai += bih[j];
      af += bih[H + j];
      ag += bih[2 * H + j];
      ao += bih[3 * H + j];
    }
    float i = fast_sigmoid(ai), f = fast_sigmoid(af), g = fast_tanh(ag), o = fast_sigmoid(ao);
    float cn = f * c[j] + i * g;
    c_out[j] = cn;
    h_out[j] = o * fast_tanh(cn);
    if constexpr (kSave) {
      gates[j] = i;
      gates[H + j] = f;
      gates[2 * H + j] = g;
      gates[3 * H + j] = o;
    }
  }
}

// With dh' (state + output) and dc' (state), tc = tanh(c'):
//   do = dh' tc                   dao = do o (1-o)
//   dc = dc' + dh' o (1 - tc²)    (the total gradient of c')
//   di = dc g                     dai = di i (1-i)
//   dg = dc i                     dag = dg (1 - g²)
//   df = dc c                     daf = df f (1-f)
//   dc_prev = dc f
template <bool kDy, bool kDxp, bool kDc>
void lstm_row_backward(const float* __restrict g4, const float* __restrict c, const float* __restrict cn,
                       const float* __restrict dh, const float* __restrict dy, const float* __restrict dc,
                       float* __restrict dgates, float* __restrict dxp, float* __restrict dc_prev, std::int64_t H) {
#pragma omp simd
  for (std::int64_t j = 0; j < H; ++j) {
    float gh = dh[j];
    if constexpr (kDy) gh += dy[j];
    float i = g4[j], f = g4[H + j], g = g4[2 * H + j], o = g4[3 * H + j];
    float tc = fast_tanh(cn[j]);
    float dct = dc[j] + gh * o * (1.0f - tc * tc);
    float dai = dct * g * i * (1.0f - i);
    float daf = dct * c[j] * f * (1.0f - f);
    float dag = dct * i * (1.0f - g * g);
    float dao = gh * tc * o * (1.0f - o);
    dgates[j] = dai;
    dgates[H + j] = daf;
    dgates[2 * H + j] = dag;
    dgates[3 * H + j] = dao;
    if constexpr (kDxp) {
      dxp[j] += dai;
      dxp[H + j] += daf;
      dxp[2 * H + j] += dag;
      dxp[3 * H + j] += dao;
    }
    if constexpr (kDc) dc_prev[j] += dct * f;
  }
}

}  // namespace

void lstm_step_forward(const Tensor& xp, const Tensor* b_ih, const Tensor& hp, const Tensor& b_hh, const Tensor& h_prev,
                       const Tensor& c_prev, Tensor& h_new, Tensor& c_new, Tensor* y, Tensor* gates, StepMask mask) {
  const cpu::rnn_rows::Dims d = cpu::rnn_rows::dims("lstm", h_prev, xp, hp, 4);
  const std::int64_t B = d.B, H = d.H;  // not a structured binding: lambdas capture these
  cpu::rnn_rows::check_numel("lstm", "b_ih", b_ih, 4 * H);
  cpu::rnn_rows::check_numel("lstm", "b_hh", &b_hh, 4 * H);
  cpu::rnn_rows::check_numel("lstm", "c_prev", &c_prev, B * H);
  cpu::rnn_rows::check_numel("lstm", "h_new", &h_new, B * H);
  cpu::rnn_rows::check_numel("lstm", "c_new", &c_new, B * H);
  cpu::rnn_rows::check_numel("lstm", "y", y, B * H);
  cpu::rnn_rows::check_numel("lstm", "gates", gates, B * 4 * H);
  const float *px = xp.f32(), *pbi = cpu::rnn_rows::data_or_null(b_ih), *php = hp.f32(), *pbh = b_hh.f32();
  const float *ph = h_prev.f32(), *pc = c_prev.f32();
  float *poh = h_new.f32(), *poc = c_new.f32(), *py = cpu::rnn_rows::data_or_null(y);
  float* pg = cpu::rnn_rows::data_or_null(gates);
  const std::size_t row_bytes = static_cast<std::size_t>(H) * sizeof(float);
  with_flag(pbi != nullptr, [&](auto bih) {
    with_flag(pg != nullptr, [&](auto save) {
      cpu::rnn_rows::for_rows(B, 5 * H, [&](std::int64_t b) {
        float *oh = poh + b * H, *oc = poc + b * H;
        if (!mask.active(b)) {
          if (oh != ph + b * H) std::memcpy(oh, ph + b * H, row_bytes);
          if (oc != pc + b * H) std::memcpy(oc, pc + b * H, row_bytes);
          if (py) std::fill(py + b * H, py + (b + 1) * H, 0.0f);
          return;
        }
        lstm_row_forward<bih.value, save.value>(px + b * 4 * H, pbi, php + b * 4 * H, pbh, pc + b * H, oh, oc,
                                                save.value ? pg + b * 4 * H : nullptr, H);
        if (py) std::memcpy(py + b * H, oh, row_bytes);
      });
    });
  });
}

void lstm_step_backward(const Tensor& gates, const Tensor& c_prev, const Tensor& c_new, const Tensor& dh, const Tensor* dy,
                        const Tensor& dc, Tensor& dgates, Tensor* dxp, Tensor* dh_prev, Tensor* dc_prev,
                        StepMask mask) {
  std::int64_t H = c_prev.dim(-1), B = H == 0 ? 0 : c_prev.numel() / H;
  const char* op = "lstm backward";
  cpu::rnn_rows::check_numel(op, "gates", &gates, B * 4 * H);
  cpu::rnn_rows::check_numel(op, "c_new", &c_new, B * H);
  cpu::rnn_rows::check_numel(op, "dh", &dh, B * H);
  cpu::rnn_rows::check_numel(op, "dy", dy, B * H);
  cpu::rnn_rows::check_numel(op, "dc", &dc, B * H);
  cpu::rnn_rows::check_numel(op, "dgates", &dgates, B * 4 * H);
  cpu::rnn_rows::check_numel(op, "dxp", dxp, B * 4 * H);
  cpu::rnn_rows::check_numel(op, "dh_prev", dh_prev, B * H);
  cpu::rnn_rows::check_numel(op, "dc_prev", dc_prev, B * H);
  const float *pg = gates.f32(), *pc = c_prev.f32(), *pcn = c_new.f32(), *pdh = dh.f32(), *pdc = dc.f32();
  const float* pdy = cpu::rnn_rows::data_or_null(dy);
  float *pdg = dgates.f32(), *pdxp = cpu::rnn_rows::data_or_null(dxp);
  float *pdhp = cpu::rnn_rows::data_or_null(dh_prev), *pdcp = cpu::rnn_rows::data_or_null(dc_prev);
  with_flag(pdy != nullptr, [&](auto has_dy) {
    with_flag(pdxp != nullptr, [&](auto has_dxp) {
      with_flag(pdcp != nullptr, [&](auto has_dc) {
        cpu::rnn_rows::for_rows(B, 10 * H, [&](std::int64_t b) {
          const float *dhr = pdh + b * H, *dcr = pdc + b * H;
          float* og = pdg + b * 4 * H;
          if (!mask.active(b)) {
            std::fill(og, og + 4 * H, 0.0f);
            if (pdhp)
              for (std::int64_t j = 0; j < H; ++j) pdhp[b * H + j] += dhr[j];
            if (pdcp)
              for (std::int64_t j = 0; j < H; ++j) pdcp[b * H + j] += dcr[j];
            return;
          }
          lstm_row_backward<has_dy.value, has_dxp.value, has_dc.value>(
              pg + b * 4 * H, pc + b * H, pcn + b * H, dhr, has_dy.value ? pdy + b * H : nullptr, dcr, og,
              has_dxp.value ? pdxp + b * 4 * H : nullptr, has_dc.value ? pdcp + b * H : nullptr, H);
        });
      });
    });
  });
}

}  // namespace s2s::kernels
