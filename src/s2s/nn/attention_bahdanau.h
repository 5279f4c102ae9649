#pragma once
// Bahdanau et al. (2015) additive ("concat", MLP) attention, exactly as the
// PyTorch peer (bench/peer_torch_seq2seq.py) computes it:
//   e_j = v^T tanh(W s + U h_j + b_U),  W [A, Hq] and v [1, A] without bias, U [A, Dm] with bias.
// U h_j + b_U is computed once per batch, kept time-major [S, B, A] so that
// adding W s [B, A] is a plain row broadcast.
// With coverage (add_coverage; See et al. 2017, OpenNMT-py's coverage_attn):
//   e_j = v^T tanh(W s + U h_j + b_U + w_c c_j),  c_j the coverage of position j,
// w_c = "<name>.coverage.weight" [A, 1] (torch.nn.Linear(1, A, bias=False)).
#include <memory>

#include "s2s/nn/attention.h"
#include "s2s/nn/linear.h"

namespace s2s::nn {

class BahdanauAttention : public Attention {
 public:
  BahdanauAttention(std::string name, std::int64_t query_size, std::int64_t memory_size, std::int64_t attention_size,
                    Rng& rng);
  AttentionMemory prepare(autograd::Graph& g, autograd::Var memory_tm, const Tensor& lengths) const override;
  AttentionOutput attend(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory) const override;
  AttentionOutput attend_with_coverage(autograd::Graph& g, autograd::Var query, const AttentionMemory& memory,
                                       autograd::Var coverage) const override;
  int keys_batch_axis() const override { return 1; }
  bool reads_through_rows() const override { return true; }

  // Adds w_c, drawn from rng now: a model calls this after building its other
  // parameters, so that they start as they would without coverage.
  void add_coverage(Rng& rng);
  bool has_coverage() const override { return coverage_ != nullptr; }

 private:
  Linear w_, u_, v_;
  std::unique_ptr<Linear> coverage_;
};

}  // namespace s2s::nn
