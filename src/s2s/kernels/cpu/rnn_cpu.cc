// Fused Elman RNN step (tanh or relu), forward and backward, and the column
// sums that give every recurrent op its bias gradients.
#include <algorithm>
#include <cstring>

#include "s2s/kernels/cpu/rnn_rows.h"
#include "s2s/kernels/cpu/vecmath.h"
#include "s2s/kernels/rnn.h"

namespace s2s::kernels {

namespace {

using cpu::rnn_rows::with_flag;

template <bool kBih, RnnAct kAct>
void rnn_row_forward(const float* __restrict x, const float* __restrict bih, const float* __restrict hp,
                     const float* __restrict bhh, float* __restrict out, std::int64_t H) {
#pragma omp simd
  for (std::int64_t j = 0; j < H; ++j) {
    float a = x[j] + (hp[j] + bhh[j]);
    if constexpr (kBih) a += bih[j];
    if constexpr (kAct == RnnAct::Tanh) out[j] = cpu::fast_tanh(a);
    else out[j] = a > 0.0f ? a : 0.0f;
  }
}

// h' = act(a): da = g tanh'(a) = g (1 - h'²), or g [h' > 0] for relu (0 at the kink, as PyTorch).
template <bool kDy, bool kDxp, RnnAct kAct>
void rnn_row_backward(const float* __restrict h, const float* __restrict dh, const float* __restrict dy,
                      float* __restrict da, float* __restrict dxp, std::int64_t H) {
#pragma omp simd
  for (std::int64_t j = 0; j < H; ++j) {
    float g = dh[j];
    if constexpr (kDy) g += dy[j];
    float v = kAct == RnnAct::Tanh ? g * (1.0f - h[j] * h[j]) : (h[j] > 0.0f ? g : 0.0f);
    da[j] = v;
    if constexpr (kDxp) dxp[j] += v;
  }
}

template <typename F>
void with_act(RnnAct act, const F& fn) {
  if (act == RnnAct::Tanh) fn(std::integral_constant<RnnAct, RnnAct::Tanh>{});
  else fn(std::integral_constant<RnnAct, RnnAct::Relu>{});
}

}  // namespace

void rnn_step_forward(const Tensor& xp, const Tensor* b_ih, const Tensor& hp, const Tensor& b_hh, const Tensor& h_prev,
                      Tensor& h_new, Tensor* y, RnnAct act, StepMask mask) {
  const cpu::rnn_rows::Dims d = cpu::rnn_rows::dims("rnn", h_prev, xp, hp, 1);
  const std::int64_t B = d.B, H = d.H;  // not a structured binding: lambdas capture these
  cpu::rnn_rows::check_numel("rnn", "b_ih", b_ih, H);
  cpu::rnn_rows::check_numel("rnn", "b_hh", &b_hh, H);
  cpu::rnn_rows::check_numel("rnn", "h_new", &h_new, B * H);
  cpu::rnn_rows::check_numel("rnn", "y", y, B * H);
  const float *px = xp.f32(), *pbi = cpu::rnn_rows::data_or_null(b_ih), *php = hp.f32(), *pbh = b_hh.f32();
  const float* ph = h_prev.f32();
  float *po = h_new.f32(), *py = cpu::rnn_rows::data_or_null(y);
  const std::size_t row_bytes = static_cast<std::size_t>(H) * sizeof(float);
  with_flag(pbi != nullptr, [&](auto bih) {
    with_act(act, [&](auto kind) {
      cpu::rnn_rows::for_rows(B, 2 * H, [&](std::int64_t b) {
        float* out = po + b * H;
        if (!mask.active(b)) {
          if (out != ph + b * H) std::memcpy(out, ph + b * H, row_bytes);
          if (py) std::fill(py + b * H, py + (b + 1) * H, 0.0f);
          return;
        }
        rnn_row_forward<bih.value, kind.value>(px + b * H, pbi, php + b * H, pbh, out, H);
        if (py) std::memcpy(py + b * H, out, row_bytes);
      });
    });
  });
}

void rnn_step_backward(const Tensor& h_new, const Tensor& dh, const Tensor* dy, Tensor& dpre, Tensor* dxp,
                       Tensor* dh_prev, RnnAct act, StepMask mask) {
  std::int64_t H = h_new.dim(-1), B = H == 0 ? 0 : h_new.numel() / H;
  const char* op = "rnn backward";
  cpu::rnn_rows::check_numel(op, "dh", &dh, B * H);
  cpu::rnn_rows::check_numel(op, "dy", dy, B * H);
  cpu::rnn_rows::check_numel(op, "dpre", &dpre, B * H);
  cpu::rnn_rows::check_numel(op, "dxp", dxp, B * H);
  cpu::rnn_rows::check_numel(op, "dh_prev", dh_prev, B * H);
  const float *ph = h_new.f32(), *pdh = dh.f32(), *pdy = cpu::rnn_rows::data_or_null(dy);
  float *pda = dpre.f32(), *pdxp = cpu::rnn_rows::data_or_null(dxp), *pdhp = cpu::rnn_rows::data_or_null(dh_prev);
  with_flag(pdy != nullptr, [&](auto has_dy) {
    with_flag(pdxp != nullptr, [&](auto has_dxp) {
      with_act(act, [&](auto kind) {
        cpu::rnn_rows::for_rows(B, 3 * H, [&](std::int64_t b) {
          const float* d = pdh + b * H;
          float* oa = pda + b * H;
          if (!mask.active(b)) {
            std::fill(oa, oa + H, 0.0f);
            if (pdhp)
              for (std::int64_t j = 0; j < H; ++j) pdhp[b * H + j] += d[j];
            return;
          }
          rnn_row_backward<has_dy.value, has_dxp.value, kind.value>(
              ph + b * H, d, has_dy.value ? pdy + b * H : nullptr, oa, has_dxp.value ? pdxp + b * H : nullptr, H);
        });
      });
    });
  });
}

void add_column_sums(const Tensor& x, Tensor& out) {
  std::int64_t cols = out.numel();
  S2S_CHECK(cols > 0 && x.numel() % cols == 0, "add_column_sums: ", x.shape().str(), " does not split into rows of ",
            cols);
  std::int64_t rows = x.numel() / cols;
  const float* px = x.f32();
  float* po = out.f32();
  // Columns in blocks of kBlock with a local accumulator each: every column
  // is summed over rows 0..rows-1 in order, then added once to out.
  constexpr std::int64_t kBlock = 64;
  std::int64_t blocks = (cols + kBlock - 1) / kBlock;
  std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(rows * kBlock, 1));
  parallel_for(0, blocks, grain, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t blk = lo; blk < hi; ++blk) {
      std::int64_t c0 = blk * kBlock, w = std::min(kBlock, cols - c0);
      float acc[kBlock] = {};
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = px + r * cols + c0;
        for (std::int64_t j = 0; j < w; ++j) acc[j] += row[j];
      }
      for (std::int64_t j = 0; j < w; ++j) po[c0 + j] += acc[j];
    }
  });
}

}  // namespace s2s::kernels
