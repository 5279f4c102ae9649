#include "s2s/nn/multi_head_attention.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

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
      dropout_(dropout),
      q_proj_(child_name("q_proj"), d_model, d_model, true, rng),
      k_proj_(child_name("k_proj"), d_model, d_model, true, rng),
      v_proj_(child_name("v_proj"), d_model, d_model, true, rng),
      out_proj_(child_name("out_proj"), d_model, d_model, true, rng) {
  S2S_CHECK(heads > 0 && d_model % heads == 0, this->name(), ": d_model ", d_model, " must divide by heads ", heads);
  S2S_CHECK(relative_k >= 0, this->name(), ": relative distance must be >= 0, got ", relative_k);
  S2S_CHECK(dropout >= 0.0f && dropout < 1.0f, this->name(), ": attention dropout must be in [0, 1), got ", dropout);
  for (Linear* l : {&q_proj_, &k_proj_, &v_proj_, &out_proj_}) {
    init_xavier(*l, rng);
    add_child(*l);
  }
  if (relative_k > 0) {
    const std::int64_t n = 2 * relative_k + 1, head_dim = d_model / heads;
    float bound = std::sqrt(6.0f / static_cast<float>(n + head_dim));
    relative_keys_ = &add_parameter("relative_keys", init_uniform(Shape{n, head_dim}, bound, rng));
    relative_values_ = &add_parameter("relative_values", init_uniform(Shape{n, head_dim}, bound, rng));
    // The attention kernel reads these tables in fp32 in every compute type.
    relative_keys_->quantizable = relative_values_->quantizable = false;
  }
}

Var MultiHeadAttention::project(autograd::Graph& g, std::initializer_list<const Linear*> parts, Var x) const {
  S2S_CHECK(x.ndim() == 3 && x.dim(2) == d_model_, name(), ": expected [T, B, ", d_model_, "], got ",
            x.shape().str());
  // The weights [k D, D] are copied per call (k D^2 floats); the gemm reads x once for all parts.
  S2S_CHECK(parts.size() <= 3, name(), ": at most q, k and v are projected together");
  std::array<Var, 3> w, b;  // no heap allocation per training step
  std::size_t n = 0;
  std::array<const autograd::Parameter*, 3> weights{};
  for (const Linear* l : parts) weights[n++] = &l->weight();
  if (const kernels::Int8Weight* joined = g.int8_joined(std::span(weights.data(), n))) {
    n = 0;
    for (const Linear* l : parts) b[n++] = g.param(*l->bias());
    return autograd::linear(x, *joined, autograd::concat(std::span<const Var>(b.data(), n), 0));
  }
  n = 0;
  for (const Linear* l : parts) {
    w[n] = g.param(l->weight());
    b[n] = g.param(*l->bias());
    ++n;
  }
  return autograd::linear(x, autograd::concat(std::span<const Var>(w.data(), n), 0),
                          autograd::concat(std::span<const Var>(b.data(), n), 0));
}

autograd::AttentionOptions MultiHeadAttention::options(autograd::Graph& g, bool training, Rng* rng) const {
  autograd::AttentionOptions o;
  if (training && dropout_ > 0.0f) {
    S2S_CHECK(rng != nullptr, name(), ": training with attention dropout ", dropout_, " needs an rng");
    o.dropout = dropout_;
    o.rng = rng;
  }
  if (relative_keys_) {
    o.rel_keys = g.param(*relative_keys_);
    o.rel_values = g.param(*relative_values_);
  }
  return o;
}

Var MultiHeadAttention::project_kv(autograd::Graph& g, Var memory) const {
  return project(g, {&k_proj_, &v_proj_}, memory);
}

MultiHeadAttention::QkvWeights MultiHeadAttention::qkv_weights() const {
  const std::int64_t d = d_model_;
  // Held in int8 there is no fp32 weight to fuse: self_attend projects through the joined int8 rows.
  if (q_proj_.weight().value.dtype() != DType::F32) return {};
  QkvWeights out{Tensor::empty(Shape{3 * d, d}), Tensor::empty(Shape{3 * d})};
  std::int64_t part = 0;
  for (const Linear* l : {&q_proj_, &k_proj_, &v_proj_}) {  // rows one after another, as project() concatenates
    std::copy_n(l->weight().value.f32(), d * d, out.weight.f32() + part * d * d);
    std::copy_n(l->bias()->value.f32(), d, out.bias.f32() + part * d);
    ++part;
  }
  return out;
}

Var MultiHeadAttention::self_attend(autograd::Graph& g, Var x, const autograd::AttentionMasks& masks, Cache* cache,
                                    bool training, Rng* rng, const QkvWeights* fused) const {
  const std::int64_t d = d_model_;
  // In int8 the fused fp32 copy is not used: project() takes the joined int8 weight.
  if (fused && g.int8_weight(q_proj_.weight())) fused = nullptr;
  Var qkv = fused ? autograd::linear(x, g.input(fused->weight), g.input(fused->bias))
                  : project(g, {&q_proj_, &k_proj_, &v_proj_}, x);  // [T, B, 3D]
  autograd::AttentionOptions o = options(g, training, rng);
  o.q_cols = {0, d};
  Var kv = qkv;
  o.k_cols = {d, d};
  o.v_cols = {2 * d, d};
  if (cache) {
    Var next = autograd::slice(qkv, 2, d, 2 * d);
    std::vector<Var> parts;
    if (cache->kv.defined()) parts.push_back(cache->kv);
    parts.push_back(next);
    cache->kv = parts.size() == 1 && !cache->out.defined() ? next : autograd::concat(parts, 0, cache->out);
    kv = cache->kv;
    o.k_cols = {0, d};
    o.v_cols = {d, d};
  }
  Var z = autograd::multi_head_attention(qkv, kv, kv, static_cast<int>(heads_), masks, o);
  return out_proj_.forward(g, z);
}

Var MultiHeadAttention::attend(autograd::Graph& g, Var query, Var kv, const autograd::AttentionMasks& masks,
                               bool training, Rng* rng, const Tensor& kv_rows, Tensor* weights_out,
                               Var* probs_out) const {
  S2S_CHECK(query.ndim() == 3 && query.dim(2) == d_model_, name(), ": expected queries [T, B, ", d_model_,
            "], got ", query.shape().str());
  S2S_CHECK(kv.ndim() == 3 && kv.dim(2) == 2 * d_model_, name(), ": expected keys and values [S, B, ",
            2 * d_model_, "], got ", kv.shape().str());
  autograd::AttentionOptions o = options(g, training, rng);
  o.k_cols = {0, d_model_};
  o.v_cols = {d_model_, d_model_};
  o.kv_rows = kv_rows;
  // Without grad the op's own average serves probs_out too (decoding: no extra work).
  Tensor averaged;
  const bool probs_from_op = probs_out && !g.grad_enabled();
  o.weights_out = weights_out ? weights_out : probs_from_op ? &averaged : nullptr;
  Var q = q_proj_.forward(g, query);
  Var z = autograd::multi_head_attention(q, kv, kv, static_cast<int>(heads_), masks, o);
  if (probs_from_op) {
    const Tensor& w = *o.weights_out;  // [B, T, S]
    *probs_out = autograd::transpose(g.input(w), 0, 1);  // a view when T = 1 (a decoding step)
  } else if (probs_out) {
    *probs_out = head_average_weights(g, q, kv, masks);
  }
  return out_proj_.forward(g, z);
}

Var MultiHeadAttention::head_average_weights(autograd::Graph& g, Var q, Var kv,
                                             const autograd::AttentionMasks& masks) const {
  // The fused op with the identity as values returns each head's weights as
  // its output, o_i = sum_j p_ij e_j = p_i (every other term adds an exact
  // zero), and its backward takes the gradient through the softmax to q and
  // k: the attention's own masking and softmax, no second implementation.
  // Values [S, B, H S]: head h's block is the identity over the S keys. No
  // dropout: the copy distribution reads the weights before it (as
  // weights_out does).
  const std::int64_t steps = q.dim(0), keys = kv.dim(0), batch = kv.dim(1), heads = heads_;
  Tensor eye = Tensor::zeros(Shape{keys, batch, heads * keys});
  for (std::int64_t j = 0; j < keys; ++j)
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t h = 0; h < heads; ++h) eye.f32()[((j * batch + b) * heads + h) * keys + j] = 1.0f;
  autograd::AttentionOptions o;
  o.k_cols = {0, d_model_};
  Var per_head = autograd::multi_head_attention(q, kv, g.input(eye), static_cast<int>(heads_), masks, o);
  return autograd::mean(autograd::reshape(per_head, Shape{steps, batch, heads, keys}), 2);  // [T, B, S]
}

}  // namespace s2s::nn
