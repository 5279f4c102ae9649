#pragma once
// Luong et al. (2015) global attention on the decoder's current state h_t:
//   dot:     score(h_t, h_s) = h_t . h_s          (needs Dm == Hq)
//   general: score(h_t, h_s) = h_t . (W_a h_s)    (W_a [Hq, Dm], no bias; W_a h_s precomputed per batch)
#include "s2s/nn/attention.h"
#include "s2s/nn/linear.h"

namespace s2s::nn {

class DotAttention : public Attention {
 public:
  DotAttention(std::string name, std::int64_t query_size, std::int64_t memory_size);
  AttentionMemory prepare(autograd::Graph& g, autograd::Var memory_tm, const Tensor& lengths) const override;
  AttentionOutput attend(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory) const override;
};

class GeneralAttention : public Attention {
 public:
  GeneralAttention(std::string name, std::int64_t query_size, std::int64_t memory_size, Rng& rng);
  AttentionMemory prepare(autograd::Graph& g, autograd::Var memory_tm, const Tensor& lengths) const override;
  AttentionOutput attend(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory) const override;

 private:
  Linear w_a_;
};

// The batch-major values and padding mask every kind starts from.
AttentionMemory base_memory(autograd::Var memory_tm, const Tensor& lengths);

}  // namespace s2s::nn
