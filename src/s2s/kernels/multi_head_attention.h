#pragma once
// Fused scaled dot-product multi-head attention (Vaswani et al. 2017), with
// optional relative positions (Shaw et al. 2018), forward and backward:
//
//   for each batch row b and head h (q_i, k_j, v_j: head h's slices of row i / j):
//   s_ij = scale * q_i . (k_j + aK[r_ij])          aK: relative keys (optional)
//   p_ij = softmax_j(s_ij) over the visible keys j (0 for the others)
//   d_ij = p_ij * keep_ij / (1 - dropout)          attention dropout (optional)
//   o_i  = sum_j d_ij (v_j + aV[r_ij])             aV: relative values (optional)
//   r_ij = clip(j - pos_i, -K, K) + K,   pos_i = i + Tk - Tq,   K = (table rows - 1) / 2
//
// Key j is visible to query i when j < key_lengths[b] (padding) and, with
// causal, j <= pos_i: query positions are aligned to the end of the keys,
// so a decoding step (Tq 1 against the Tk keys so far) sees all of them.
//
// Layouts (no per-head copies): q, k, v and the output are either time-major
// [T, B, d] (as the models' TokenBatch ids [T, B] embed to) or batch-major
// [B, T, d]; head h is columns [h dh, (h + 1) dh) of d, read in place through
// the row stride (B w time-major, w batch-major, w the tensor's width). q, k
// and v may be column windows of wider tensors (offset, width), e.g. of one
// fused projection [T, B, 3d] passed as all three. v's width may differ from
// q's and k's (each a multiple of the heads).
//
// Arithmetic: every (b, h) is one task of a parallel_for over B * H, computing
// its products through the gemm interface on strided views and its softmax in
// fp32 with the max subtracted; no task reads another's outputs and no sum
// crosses tasks, so the result does not depend on the thread count. With
// row_invariant (inference) the products are kernels::sgemm_row_invariant's
// chains, and each row's softmax and sums run over its visible keys only, so
// a sentence gets the same bits alone or in any batch. Dropout draws keep_ij
// from Philox counter first + ((b H + h) Tq + i) Tk + j, exactly the mask that
// kernels::dropout_forward draws for the [B, H, Tq, Tk] weights with the same
// first counter, whatever the threads.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

struct MhaParams {
  int heads = 1;
  bool time_major = true;
  float scale = 0.0f;  // 0: 1 / sqrt(dh)
  bool causal = false;
  const Tensor* key_lengths = nullptr;  // I32 [M], 1..Tk (nullptr: all Tk keys)
  // Inference: I32 [B], the k/v batch row (of M) each query row reads, so the
  // beams of a sentence share one copy of its keys and values.
  const Tensor* kv_rows = nullptr;
  const Tensor* rel_keys = nullptr;    // [2K + 1, dh]
  const Tensor* rel_values = nullptr;  // [2K + 1, dv / heads]
  // Column windows of q, k, v (width 0: from offset to the last column).
  std::int64_t q_offset = 0, q_width = 0, k_offset = 0, k_width = 0, v_offset = 0, v_width = 0;
  float dropout = 0.0f;                // on the weights; > 0 needs seed and first
  std::uint64_t seed = 0, first = 0;
  bool row_invariant = false;
};

// Sizes derived from the operands (checked against each other).
struct MhaDims {
  std::int64_t B, M, Tq, Tk, H, dh, dv, K;  // dh, dv per head; K = -1 without relative tables
};
MhaDims mha_dims(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p);

// out: q's layout with width H dv; probs [B, H, Tq, Tk]: the weights p_ij
// before dropout (0 at invisible keys), which backward reads.
void mha_forward(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p, Tensor& out, Tensor& probs);

// weights [B, Tq, Tk] = the mean over heads of probs (summed in head order).
void mha_average_heads(const Tensor& probs, Tensor& weights);

// Gradients given dout (out's shape), accumulated (+=) into each non-null
// pointer (the inputs' shapes). kv_rows must be null (training).
struct MhaGrads {
  Tensor* q = nullptr;
  Tensor* k = nullptr;
  Tensor* v = nullptr;
  Tensor* rel_keys = nullptr;
  Tensor* rel_values = nullptr;
};
void mha_backward(const Tensor& q, const Tensor& k, const Tensor& v, const MhaParams& p, const Tensor& probs,
                  const Tensor& dout, const MhaGrads& grads);

}  // namespace s2s::kernels
