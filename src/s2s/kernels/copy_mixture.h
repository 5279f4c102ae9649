#pragma once
// The pointer-generator's output distribution (See et al. 2017), per row r:
//   g     = sigmoid(gate[r])
//   p[w]  = g softmax(logits[r])[w]                      (w < V, the vocabulary)
//         + (1 - g) sum_{i : ids[m(r), i] == w} attn[r, i]   (copying source position i)
//   out[r, w] = log max(p[w], kCopyFloor)  for w < width, except
//   out[r, w] = -inf for an extended column (w >= V) that no source token of
//   the row maps to: a batch is as wide as its sentence with the most
//   source-only tokens, and the others' extra columns are not in their
//   vocabulary (search never picks them; the cross-entropy gives them 0).
// The floor (OpenNMT-py's copy loss adds 1e-20 likewise) keeps a vocabulary
// probability that underflows at a large but finite loss. No gradient flows
// through a floored entry.
// ids: I32 [M, S], each source position's id in the extended vocabulary
// (target ids, then V + k for the sentence's k-th source token outside the
// target vocabulary); id 0 (<pad>) marks a position that is not copied.
// m(r) = rows[r] when rows is given (I32 [N]), else r % M (training rows
// (t, b) over M = B sentences). Each row's arithmetic reads only its own
// values and its own source positions in order, so a sentence's row gets the
// same bits whatever the batch (the batch's width and padding add nothing).
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

inline constexpr float kCopyFloor = 1e-20f;

// logits [N, V], gate [N, 1], attn [N, S] -> out [N, width] (width >= V).
void copy_mixture_forward(const Tensor& logits, const Tensor& gate, const Tensor& attn, const Tensor& ids,
                          const Tensor* rows, Tensor& out);

// From the forward output y = log p and the upstream gradient dy (both
// [N, width]), with dp = dy / p (0 where p = 0):
//   dlogits[v] += g q[v] (dp[v] - sum_u q[u] dp[u])       (q = softmax(logits))
//   dgate      += g (1 - g) (sum_v q[v] dp[v] - sum_i attn[i] dp[ids[i]])
//   dattn[i]   += (1 - g) dp[ids[i]]
// Any of the gradient pointers may be null (that input needs none).
void copy_mixture_backward(const Tensor& logits, const Tensor& gate, const Tensor& attn, const Tensor& ids,
                           const Tensor& y, const Tensor& dy, Tensor* dlogits, Tensor* dgate, Tensor* dattn);

}  // namespace s2s::kernels
