#include "s2s/nn/attention_bahdanau.h"

#include "s2s/autograd/ops.h"
#include "s2s/nn/attention_luong.h"

namespace s2s::nn {

using autograd::Var;

BahdanauAttention::BahdanauAttention(std::string name, std::int64_t query_size, std::int64_t memory_size,
                                     std::int64_t attention_size, Rng& rng)
    : Attention(std::move(name)),
      w_(child_name("W"), query_size, attention_size, false, rng),
      u_(child_name("U"), memory_size, attention_size, true, rng),
      v_(child_name("v"), attention_size, 1, false, rng) {
  add_child(w_);
  add_child(u_);
  add_child(v_);
}

AttentionMemory BahdanauAttention::prepare(autograd::Graph& g, Var memory_tm, const Tensor& lengths) const {
  AttentionMemory m = base_memory(memory_tm, lengths);
  m.keys = u_.forward(g, memory_tm);  // [S, B, A]
  return m;
}

AttentionOutput BahdanauAttention::attend(autograd::Graph& g, Var query, const AttentionMemory& memory) const {
  const std::int64_t steps = memory.keys.dim(0), batch = memory.keys.dim(1), a = memory.keys.dim(2);
  Var q = w_.forward(g, query);  // [B, A]
  // [S, B*A] + [B*A] (row broadcast) == keys[s, b, :] + q[b, :] for every s.
  Var hidden = autograd::tanh(autograd::add(autograd::reshape(memory.keys, Shape{steps, batch * a}),
                                            autograd::reshape(q, Shape{batch * a})));
  Var scores = v_.forward(g, autograd::reshape(hidden, Shape{steps, batch, a}));  // [S, B, 1]
  scores = autograd::transpose(autograd::reshape(scores, Shape{steps, batch}), 0, 1);
  Var weights = masked_softmax(scores, memory.mask);
  return {weighted_sum(weights, memory.values), weights};
}

}  // namespace s2s::nn
