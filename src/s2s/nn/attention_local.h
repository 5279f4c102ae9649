#pragma once
// Luong et al. (2015) local-p attention. The decoder state predicts an
// aligned source position p_t = S_b * sigmoid(v_p^T tanh(W_p h_t)) (S_b the
// sentence's source length, positions 0-based); general scores are
// softmax-normalised over the window |s - p_t| <= D (and s < S_b), then
// weighted by a Gaussian exp(-(s - p_t)^2 / (2 sigma^2)), sigma = D / 2.
// The window is chosen from p_t's value; the gradient reaches W_p and v_p
// through the Gaussian.
#include "s2s/nn/attention.h"
#include "s2s/nn/linear.h"

namespace s2s::nn {

class LocalPAttention : public Attention {
 public:
  LocalPAttention(std::string name, std::int64_t query_size, std::int64_t memory_size, std::int64_t window, Rng& rng);
  AttentionMemory prepare(autograd::Graph& g, autograd::Var memory_tm, const Tensor& lengths) const override;
  AttentionOutput attend(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory) const override;

 private:
  Linear w_a_, w_p_, v_p_;
  std::int64_t window_;
};

}  // namespace s2s::nn
