#pragma once
// Fused recurrent gate passes (PyTorch gate layout), forward and backward.
// One call handles one time step of a batch: the recurrent gemm h W_hh^T runs
// before it (forward) and dgates W_hh after it (backward), both through
// kernels::gemm; everything elementwise in between is one pass here.
//
// Shapes: B rows, H hidden units, G gates (GRU 3: r,z,n; LSTM 4: i,f,g,o;
// RNN 1). xp = x W_ih^T [B, G*H] (plus b_ih if b_ih is given, else already
// included), hp = h_prev W_hh^T [B, G*H] without b_hh.
//
// Masking (packed-sequence semantics): a row b is active at step t when
// t < lengths[b]. An inactive row keeps its state (h_new = h_prev), outputs
// zeros in y, and in backward passes the state gradient straight through with
// zero gate gradients. StepMask{} (no lengths) makes every row active.
//
// Backward outputs named d*_prev and dxp ACCUMULATE (+=) so a cell op can
// write straight into its inputs' gradients; dhp / dgates are overwritten
// (the caller feeds them to the gemms for dW_hh, db_hh and dh_prev).
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

struct StepMask {
  const std::int32_t* lengths = nullptr;  // [B] or nullptr: all rows active
  std::int64_t t = 0;
  bool active(std::int64_t b) const { return lengths == nullptr || t < lengths[b]; }
};

enum class RnnAct : std::uint8_t { Tanh, Relu };

// --- GRU: r = σ(xr + hr), z = σ(xz + hz), n = tanh(xn + r ⊙ hn), h' = (1-z) ⊙ n + z ⊙ h
// (hr, hz, hn include b_hh). gates [B, 4H] (if given) receives r, z, n, hn for backward;
// y [B, H] (if given) receives h' on active rows and 0 elsewhere.
void gru_step_forward(const Tensor& xp, const Tensor* b_ih, const Tensor& hp, const Tensor& b_hh, const Tensor& h_prev,
                      Tensor& h_new, Tensor* y, Tensor* gates, StepMask mask = {});
// dh: gradient of h' as a state; dy (optional): gradient of y. dhp [B, 3H] is
// the gradient of hp (the n block scaled by r), dxp that of xp.
void gru_step_backward(const Tensor& gates, const Tensor& h_prev, const Tensor& dh, const Tensor* dy, Tensor& dhp,
                       Tensor* dxp, Tensor* dh_prev, StepMask mask = {});

// --- LSTM: i, f, o = σ(.), g = tanh(.), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
// gates [B, 4H] (if given) receives the activated i, f, g, o.
void lstm_step_forward(const Tensor& xp, const Tensor* b_ih, const Tensor& hp, const Tensor& b_hh, const Tensor& h_prev,
                       const Tensor& c_prev, Tensor& h_new, Tensor& c_new, Tensor* y, Tensor* gates, StepMask mask = {});
// c_new is the cell state the forward step produced (read on active rows only).
// dgates [B, 4H] is the gradient of the gate pre-activations (= of xp and hp).
// dh_prev gets only the pass-through of inactive rows (active rows reach h
// through dgates W_hh alone).
void lstm_step_backward(const Tensor& gates, const Tensor& c_prev, const Tensor& c_new, const Tensor& dh, const Tensor* dy,
                        const Tensor& dc, Tensor& dgates, Tensor* dxp, Tensor* dh_prev, Tensor* dc_prev,
                        StepMask mask = {});

// --- Elman RNN: h' = act(xp + hp + biases).
void rnn_step_forward(const Tensor& xp, const Tensor* b_ih, const Tensor& hp, const Tensor& b_hh, const Tensor& h_prev,
                      Tensor& h_new, Tensor* y, RnnAct act, StepMask mask = {});
// h_new: the step's output (read on active rows only). dpre [B, H] is the
// gradient of the pre-activation (= of xp and hp).
void rnn_step_backward(const Tensor& h_new, const Tensor& dh, const Tensor* dy, Tensor& dpre, Tensor* dxp,
                       Tensor* dh_prev, RnnAct act, StepMask mask = {});

// out[j] += sum_i x[i, j] for x viewed as [rows, out.numel()] (bias gradients).
// Each column is summed in row order, whatever the thread count.
void add_column_sums(const Tensor& x, Tensor& out);

}  // namespace s2s::kernels
