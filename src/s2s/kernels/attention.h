#pragma once
// Fused additive (Bahdanau) attention for one decoder step:
//
//   e[b, s] = v . tanh(keys[s, b, :] + query[b, :])      (-1e30 where mask[b, s] != 0)
//   w[b, :] = softmax(e[b, :])
//   context[b, :] = sum_s w[b, s] values[b, s, :]
//
// keys [S, B, A] time-major (U h_j + b_U, projected once per batch), query
// [B, A] (W s), v [A] (any shape with A elements), values [B, S, D]
// batch-major, mask F32 [B, S] (nullptr: no padding). The tanh layer is not
// stored: backward recomputes it (S*A tanh per row, cheap next to storing
// [S, B, A] per decoder step). Rows are independent and each row's sums run in
// a fixed order, so results depend neither on the thread count nor on the
// batch size.
//
// rows (inference, optional): I32 [B] mapping each query row to the memory row
// it reads (keys, values and mask then hold one row per source sentence,
// however many beams query it): the beams of a sentence share one copy.
//
// Coverage (See et al. 2017; optional): the scores read each position's
// coverage, the sum of the earlier steps' weights,
//   e[b, s] = v . tanh(keys[s, b, :] + query[b, :] + coverage[b, s] w_c)
// coverage F32 [B, S] per query row (beams of one sentence differ), w_c A
// elements. Without it the arithmetic is exactly the plain one's.
#include "s2s/core/tensor.h"

namespace s2s::kernels {

// The score written at masked positions (finite: a fully masked row gets
// uniform weights instead of NaN, as with masked_fill + softmax).
inline constexpr float kAttentionMaskedScore = -1e30f;

struct AttentionCoverage {
  const Tensor* coverage = nullptr;  // [B, S]; nullptr: no coverage
  const Tensor* w = nullptr;         // w_c, A elements
};

void additive_attention_forward(const Tensor& keys, const Tensor& query, const Tensor& v, const Tensor& values,
                                const Tensor* mask, Tensor& context, Tensor& weights, const Tensor* rows = nullptr,
                                const AttentionCoverage& coverage = {});

// Gradients given dcontext [B, D] and (optionally) dweights [B, S]; each
// output pointer may be nullptr and is accumulated into (+=). `weights` is
// the forward's output.
struct AttentionGrads {
  Tensor* keys = nullptr;    // [S, B, A]
  Tensor* query = nullptr;   // [B, A]
  Tensor* v = nullptr;       // [A]
  Tensor* values = nullptr;  // [B, S, D]
  Tensor* coverage = nullptr;    // [B, S]
  Tensor* coverage_w = nullptr;  // [A]
};
void additive_attention_backward(const Tensor& keys, const Tensor& query, const Tensor& v, const Tensor& values,
                                 const Tensor& weights, const Tensor& dcontext, const Tensor* dweights,
                                 const AttentionGrads& grads, const AttentionCoverage& coverage = {});

}  // namespace s2s::kernels
