#pragma once
// Fused log-softmax + negative log-likelihood with label smoothing, as
// PyTorch's nn.CrossEntropyLoss(ignore_index, label_smoothing = eps):
//   loss_i = (1 - eps) * (lse_i - x[i, t_i]) + eps * (lse_i - mean_v x[i, v])
// where lse_i = log sum_v exp(x[i, v]) and rows with t_i == ignore_index add nothing.
// smooth_classes K > 0 (< V) spreads the smoothing over the first K columns
// only (mean over v < K, eps / K each); 0: over all V.
#include <cstdint>

#include "s2s/core/tensor.h"

namespace s2s::kernels {

struct CrossEntropySums {
  double loss = 0;         // sum of loss_i over counted rows
  std::int64_t count = 0;  // rows whose target is not ignore_index
};

// logits [N, V], targets I32 [N]. Throws naming the first target that is
// neither in [0, V) nor ignore_index. Writes each row's lse to `lse` ([N]) when given.
CrossEntropySums cross_entropy_forward(const Tensor& logits, const Tensor& targets, std::int32_t ignore_index,
                                       float label_smoothing, Tensor* lse, std::int64_t smooth_classes = 0);

// grad_logits[i] += scale * (softmax(x_i) - q_i) for counted rows, where q_i
// is the smoothed target distribution (1 - eps) onehot(t_i) + eps / V. One
// pass per row from the saved lse; no one-hot or probabilities are stored.
// With accumulate false the rows are written (=), ignored rows with zeros.
void cross_entropy_backward(const Tensor& logits, const Tensor& targets, const Tensor& lse, std::int32_t ignore_index,
                            float label_smoothing, float scale, Tensor& grad_logits, bool accumulate = true,
                            std::int64_t smooth_classes = 0);

}  // namespace s2s::kernels
