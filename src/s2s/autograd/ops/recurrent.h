#pragma once
// Shared glue of the fused recurrent ops (gru.cc, lstm.cc, rnn.cc): argument
// checks, the input projection, the weight-gradient gemms, and the row views
// (autograd::rows_view) that split one packed node into the Vars an op returns.
#include <cstdint>
#include <initializer_list>

#include "s2s/autograd/ops.h"

namespace s2s::autograd::recurrent {

// Whether Graph::record will make a node that needs its saved tensors.
bool records_grad(const Graph& g, std::initializer_list<Var> inputs);

// Row k of t along axis 0, as a view without that axis.
Tensor row(const Tensor& t, std::int64_t k);

inline std::int64_t time_at(std::int64_t step, std::int64_t steps, bool reverse) {
  return reverse ? steps - 1 - step : step;
}

// Views of a packed sequence node: output [T, B, H], h [B, H], c [B, H] when with_c.
SequenceOutput sequence_views(const OpDef& view_def, Var packed, bool with_c);

// Checks a cell op's operands; returns {B, H}.
struct CellDims {
  std::int64_t B, H;
};
CellDims check_cell(const char* op, std::int64_t gates, Var x_proj, Var h, const Var* c, Var w_hh, Var b_hh);

struct SeqDims {
  std::int64_t T, B, I, H;
};
SeqDims check_sequence(const char* op, std::int64_t gates, Var x, Var h0, const Var* c0, Var w_ih, Var w_hh, Var b_ih,
                       Var b_hh, const Tensor& lengths);

// x [T, B, I] W_ih^T for all steps in one gemm: [T, B, G*H] (biases are added in the gate pass).
Tensor project_inputs(Graph& g, const Tensor& x, const Var& w_ih);

// A cell's recurrent gradients from dhp [B, G*H] (the gradient of h W_hh^T + b_hh):
// dh += dhp W_hh, dW_hh += dhp^T h, db_hh += column sums of dhp.
void cell_grads(Node& n, int h_index, int w_hh_index, const Tensor& dhp);

// A sequence's gradients of x and the weights from per-step gate gradients,
// one gemm each over all T*B rows. dxp / dhp [T, B, G*H]: gradients of the
// input and hidden projections (the same tensor for LSTM and RNN); h_prev
// [T, B, H]: the state each step started from. Inputs are (x, ..., w_ih,
// w_hh, b_ih, b_hh) with w_ih at w_index.
void sequence_grads(Node& n, int w_index, const Tensor& dxp, const Tensor& dhp, const Tensor& h_prev);

}  // namespace s2s::autograd::recurrent
