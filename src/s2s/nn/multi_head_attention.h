#pragma once
// Multi-head scaled dot-product attention (Vaswani et al. 2017), optionally
// with Shaw et al. (2018) relative positions:
//   q = x Wq + bq, k = m Wk + bk, v = m Wv + bv, split into H heads of d/H;
//   e_ij = q_i . (k_j + aK[clip(j - i)]) / sqrt(d/H), masked keys -> -inf,
//   a = softmax_j(e), z_i = sum_j a_ij (v_j + aV[clip(j - i)]),
//   out = concat_heads(z) Wo + bo.
// aK, aV [2k+1, d/H] are shared by the heads; clip(r) = min(max(r, -k), k).
// Parameters: q_proj, k_proj, v_proj, out_proj (Linear with bias), and with
// relative positions relative_keys, relative_values. Every attention
// computation of the Transformer goes through attend(), so that a fused op
// can replace its body.
#include "s2s/autograd/graph.h"
#include "s2s/nn/dropout.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

class MultiHeadAttention : public Module {
 public:
  // relative_k > 0: relative positions clipped at distance k (self-attention).
  MultiHeadAttention(std::string name, std::int64_t d_model, std::int64_t heads, float dropout,
                     std::int64_t relative_k, Rng& rng);

  // Keys and values split into heads, [B*H, S, d/H] (row b*H + h).
  struct KeyValues {
    autograd::Var k, v;
  };
  // memory [B, S, D] -> its keys and values.
  KeyValues project_kv(autograd::Graph& g, autograd::Var memory) const;
  // Appends `next` (this step's keys and values) to `past` along the positions.
  static KeyValues append(const KeyValues& past, const KeyValues& next);

  struct Output {
    autograd::Var out;      // [B, T, D]
    autograd::Var weights;  // [B*H, T, S], before attention dropout
  };
  // query [B, T, D] attends over kv. mask: F32 [B*H, T, S], nonzero = masked
  // (undefined = none). query_offset: position of query row 0 among the keys
  // (relative positions; the decoder's step passes its position).
  Output attend(autograd::Graph& g, autograd::Var query, const KeyValues& kv, const Tensor& mask,
                std::int64_t query_offset, bool training, Rng* rng) const;

  std::int64_t heads() const { return heads_; }
  std::int64_t head_dim() const { return head_dim_; }

 private:
  autograd::Var split_heads(autograd::Var x) const;  // [B, T, D] -> [B*H, T, d/H]
  Tensor relative_ids(std::int64_t queries, std::int64_t keys, std::int64_t offset) const;

  std::int64_t d_model_, heads_, head_dim_, relative_k_;
  Dropout dropout_;
  Linear q_proj_, k_proj_, v_proj_, out_proj_;
  autograd::Parameter* relative_keys_ = nullptr;
  autograd::Parameter* relative_values_ = nullptr;
};

// Glorot/Xavier uniform initialisation of a [out, in] weight, and a zero bias.
void init_xavier(Linear& linear, Rng& rng);

}  // namespace s2s::nn
