#include "s2s/nn/multi_head_attention.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

void init_xavier(Linear& linear, Rng& rng) {
  Tensor& w = linear.weight().value;
  float bound = std::sqrt(6.0f / static_cast<float>(w.dim(0) + w.dim(1)));
  w = init_uniform(w.shape(), bound, rng);
  if (linear.bias()) linear.bias()->value.zero();
}

MultiHeadAttention::MultiHeadAttention(std::string name, std::int64_t d_model, std::int64_t heads, float dropout,
                                       std::int64_t relative_k, Rng& rng)
    : Module(std::move(name)),
      d_model_(d_model),
      heads_(heads),
      head_dim_(heads > 0 ? d_model / heads : 0),
      relative_k_(relative_k),
      dropout_(dropout),
      q_proj_(child_name("q_proj"), d_model, d_model, true, rng),
      k_proj_(child_name("k_proj"), d_model, d_model, true, rng),
      v_proj_(child_name("v_proj"), d_model, d_model, true, rng),
      out_proj_(child_name("out_proj"), d_model, d_model, true, rng) {
  S2S_CHECK(heads > 0 && d_model % heads == 0, this->name(), ": d_model ", d_model, " must divide by heads ", heads);
  S2S_CHECK(relative_k >= 0, this->name(), ": relative distance must be >= 0, got ", relative_k);
  for (Linear* l : {&q_proj_, &k_proj_, &v_proj_, &out_proj_}) {
    init_xavier(*l, rng);
    add_child(*l);
  }
  if (relative_k > 0) {
    const std::int64_t n = 2 * relative_k + 1;
    float bound = std::sqrt(6.0f / static_cast<float>(n + head_dim_));
    relative_keys_ = &add_parameter("relative_keys", init_uniform(Shape{n, head_dim_}, bound, rng));
    relative_values_ = &add_parameter("relative_values", init_uniform(Shape{n, head_dim_}, bound, rng));
  }
}

Var MultiHeadAttention::split_heads(Var x) const {
  const std::int64_t b = x.dim(0), t = x.dim(1);
  Var h = autograd::transpose(autograd::reshape(x, Shape{b, t, heads_, head_dim_}), 1, 2);  // [B, H, T, dh]
  return autograd::reshape(h, Shape{b * heads_, t, head_dim_});
}

MultiHeadAttention::KeyValues MultiHeadAttention::project_kv(autograd::Graph& g, Var memory) const {
  S2S_CHECK(memory.ndim() == 3 && memory.dim(2) == d_model_, name(), ": expected memory [B, S, ", d_model_, "], got ",
            memory.shape().str());
  return {split_heads(k_proj_.forward(g, memory)), split_heads(v_proj_.forward(g, memory))};
}

MultiHeadAttention::KeyValues MultiHeadAttention::append(const KeyValues& past, const KeyValues& next) {
  if (!past.k.defined()) return next;
  return {autograd::concat({past.k, next.k}, 1), autograd::concat({past.v, next.v}, 1)};
}

Tensor MultiHeadAttention::relative_ids(std::int64_t queries, std::int64_t keys, std::int64_t offset) const {
  Tensor ids = Tensor::empty(Shape{queries, keys}, DType::I32);
  for (std::int64_t i = 0; i < queries; ++i)
    for (std::int64_t j = 0; j < keys; ++j)
      ids.i32()[i * keys + j] =
          static_cast<std::int32_t>(std::clamp(j - (i + offset), -relative_k_, relative_k_) + relative_k_);
  return ids;
}

MultiHeadAttention::Output MultiHeadAttention::attend(autograd::Graph& g, Var query, const KeyValues& kv,
                                                      const Tensor& mask, std::int64_t query_offset, bool training,
                                                      Rng* rng) const {
  S2S_CHECK(query.ndim() == 3 && query.dim(2) == d_model_, name(), ": expected queries [B, T, ", d_model_, "], got ",
            query.shape().str());
  const std::int64_t batch = query.dim(0), tq = query.dim(1), tk = kv.k.dim(1);
  S2S_CHECK(kv.k.dim(0) == batch * heads_, name(), ": ", kv.k.dim(0), " key rows for ", batch, " x ", heads_,
            " heads");
  Var q = autograd::scale(split_heads(q_proj_.forward(g, query)), 1.0f / std::sqrt(static_cast<float>(head_dim_)));
  Var scores = autograd::bmm(q, kv.k, false, true);  // [B*H, Tq, Tk]
  Tensor rel;
  if (relative_k_ > 0) {
    // Shaw et al.'s reordering: per query position one [B*H, dh] x [dh, Tk] product.
    rel = relative_ids(tq, tk, query_offset);
    Var rk = autograd::embedding(g.param(*relative_keys_), rel);  // [Tq, Tk, dh]
    Var qt = autograd::transpose(q, 0, 1);                        // [Tq, B*H, dh]
    scores = autograd::add(scores, autograd::transpose(autograd::bmm(qt, rk, false, true), 0, 1));
  }
  if (mask.defined()) scores = autograd::masked_fill(scores, mask, -std::numeric_limits<float>::infinity());
  Var weights = autograd::softmax(scores);
  Var w = dropout_.forward(weights, training, rng);
  Var z = autograd::bmm(w, kv.v);  // [B*H, Tq, dh]
  if (relative_k_ > 0) {
    Var rv = autograd::embedding(g.param(*relative_values_), rel);  // [Tq, Tk, dh]
    z = autograd::add(z, autograd::transpose(autograd::bmm(autograd::transpose(w, 0, 1), rv), 0, 1));
  }
  Var merged = autograd::transpose(autograd::reshape(z, Shape{batch, heads_, tq, head_dim_}), 1, 2);  // [B, Tq, H, dh]
  return {out_proj_.forward(g, autograd::reshape(merged, Shape{batch, tq, d_model_})), weights};
}

}  // namespace s2s::nn
