#pragma once
// Multi-head scaled dot-product attention (Vaswani et al. 2017), optionally
// with Shaw et al. (2018) relative positions:
//   q = x Wq + bq, k = m Wk + bk, v = m Wv + bv, split into H heads of d/H;
//   e_ij = q_i . (k_j + aK[clip(j - i')]) / sqrt(d/H), masked keys excluded,
//   a = softmax_j(e), z_i = sum_j a_ij (v_j + aV[clip(j - i')]),
//   out = concat_heads(z) Wo + bo,
// i' = i + Tk - Tq (the queries are the last Tq positions of the keys).
// aK, aV [2k+1, d/H] are shared by the heads; clip(r) = min(max(r, -k), k).
//
// The arithmetic is the fused op autograd::multi_head_attention (heads read
// in place, masks from lengths and a causal flag, no per-head copies).
// Tensors are time-major [T, B, D]. The projections are fused: q, k, v (or
// k, v) are column windows of one gemm whose weight is the parameters
// concatenated at run time, so the parameters keep torch.nn's names:
// q_proj, k_proj, v_proj, out_proj (Linear with bias), and with relative
// positions relative_keys, relative_values.
#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/nn/linear.h"
#include "s2s/nn/module.h"

namespace s2s::nn {

class MultiHeadAttention : public Module {
 public:
  // relative_k > 0: relative positions clipped at distance k (self-attention).
  MultiHeadAttention(std::string name, std::int64_t d_model, std::int64_t heads, float dropout,
                     std::int64_t relative_k, Rng& rng);

  // memory [S, B, D] -> its keys and values side by side, [S, B, 2D]
  // (keys columns [0, D), values [D, 2D)): what attend() reads.
  autograd::Var project_kv(autograd::Graph& g, autograd::Var memory) const;

  // The q, k, v projections side by side (weight [3D, D], bias [3D]): what
  // self_attend concatenates per call, made once for a whole decoding run.
  struct QkvWeights {
    Tensor weight, bias;
  };
  QkvWeights qkv_weights() const;

  // Decoding: the keys and values [t, B, 2D] of the positions decoded so far.
  struct Cache {
    autograd::Var kv;  // in: the earlier positions' (undefined: none); out: with the new ones appended
    // Where the appended result goes ([t + T, B, 2D]; undefined: a new
    // tensor). When kv already sits at its start (the first rows of one
    // growing buffer) only the new positions are written.
    Tensor out;
  };

  // x [T, B, D] attends over itself. cache: nullptr, or (decoding) the
  // earlier positions', to which x's keys and values are appended, and x's
  // queries attend over all of them. qkv: qkv_weights() of the current
  // parameters (inference), or nullptr. -> [T, B, D]
  autograd::Var self_attend(autograd::Graph& g, autograd::Var x, const autograd::AttentionMasks& masks, Cache* cache,
                            bool training, Rng* rng, const QkvWeights* qkv = nullptr) const;

  // Cross-attention: query [T, B, D] over kv [S, M, 2D] (project_kv's).
  // kv_rows (inference): I32 [B], the kv row each query row reads (M
  // source sentences shared by their beams; masks.key_lengths is [M]).
  // weights_out: receives the weights averaged over heads, [B, T, S].
  // probs_out (copy attention): receives the same weights as a Var,
  // time-major [T, B, S], which with grad enabled passes gradients to the
  // query and the keys (head_average_weights); nothing is kept without it.
  autograd::Var attend(autograd::Graph& g, autograd::Var query, autograd::Var kv,
                       const autograd::AttentionMasks& masks, bool training, Rng* rng,
                       const Tensor& kv_rows = Tensor(), Tensor* weights_out = nullptr,
                       autograd::Var* probs_out = nullptr) const;

 private:
  // x [..., D] -> the listed projections side by side, one gemm.
  autograd::Var project(autograd::Graph& g, std::initializer_list<const Linear*> parts, autograd::Var x) const;
  autograd::AttentionOptions options(autograd::Graph& g, bool training, Rng* rng) const;
  // The weights of projected queries q [T, B, D] over kv's keys, averaged
  // over heads, [T, B, S], differentiable (training's probs_out).
  autograd::Var head_average_weights(autograd::Graph& g, autograd::Var q, autograd::Var kv,
                                     const autograd::AttentionMasks& masks) const;

  std::int64_t d_model_, heads_;
  float dropout_;
  Linear q_proj_, k_proj_, v_proj_, out_proj_;
  autograd::Parameter* relative_keys_ = nullptr;
  autograd::Parameter* relative_values_ = nullptr;
};

// Glorot/Xavier uniform initialisation of a [out, in] weight, and a zero bias.
void init_xavier(Linear& linear, Rng& rng);

}  // namespace s2s::nn
