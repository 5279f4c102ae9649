#pragma once
// Bahdanau et al. (2015) additive ("concat", MLP) attention, exactly as the
// PyTorch peer (bench/peer_torch_seq2seq.py) computes it:
//   e_j = v^T tanh(W s + U h_j + b_U),  W [A, Hq] and v [1, A] without bias, U [A, Dm] with bias.
// U h_j + b_U is computed once per batch, kept time-major [S, B, A] so that
// adding W s [B, A] is a plain row broadcast.
#include "s2s/nn/attention.h"
#include "s2s/nn/linear.h"

namespace s2s::nn {

class BahdanauAttention : public Attention {
 public:
  BahdanauAttention(std::string name, std::int64_t query_size, std::int64_t memory_size, std::int64_t attention_size,
                    Rng& rng);
  AttentionMemory prepare(autograd::Graph& g, autograd::Var memory_tm, const Tensor& lengths) const override;
  AttentionOutput attend(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory) const override;
  int keys_batch_axis() const override { return 1; }
  bool reads_through_rows() const override { return true; }

 private:
  Linear w_, u_, v_;
};

}  // namespace s2s::nn
