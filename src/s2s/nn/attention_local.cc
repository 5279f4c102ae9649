#include "s2s/nn/attention_local.h"

#include <cmath>

#include "s2s/autograd/ops.h"
#include "s2s/nn/attention_luong.h"

namespace s2s::nn {

using autograd::Var;

LocalPAttention::LocalPAttention(std::string name, std::int64_t query_size, std::int64_t memory_size,
                                 std::int64_t window, Rng& rng)
    : Attention(std::move(name)),
      w_a_(child_name("W_a"), memory_size, query_size, false, rng),
      w_p_(child_name("W_p"), query_size, query_size, false, rng),
      v_p_(child_name("v_p"), query_size, 1, false, rng),
      window_(window) {
  S2S_CHECK(window >= 1, this->name(), ": the local window must be >= 1, got ", window);
  add_child(w_a_);
  add_child(w_p_);
  add_child(v_p_);
}

AttentionMemory LocalPAttention::prepare(autograd::Graph& g, Var memory_tm, const Tensor& lengths) const {
  AttentionMemory m = base_memory(memory_tm, lengths);
  m.keys = w_a_.forward(g, m.values);  // [B, S, Hq]
  return m;
}

AttentionOutput LocalPAttention::attend(autograd::Graph& g, Var query, const AttentionMemory& memory) const {
  const std::int64_t batch = memory.values.dim(0), steps = memory.values.dim(1);
  const std::int32_t* len = memory.lengths.i32();
  Tensor len_f = Tensor::empty(Shape{batch, 1});
  for (std::int64_t b = 0; b < batch; ++b) len_f.f32()[b] = static_cast<float>(len[b]);
  Var gate = autograd::sigmoid(v_p_.forward(g, autograd::tanh(w_p_.forward(g, query))));  // [B, 1]
  Var p = autograd::mul(gate, g.input(len_f));                                            // [B, 1]

  // Window and padding mask, and the positions, from p's value.
  Tensor mask = Tensor::empty(Shape{batch, steps});
  Tensor positions = Tensor::empty(Shape{batch, steps});
  const float* pv = p.value().f32();
  const float d = static_cast<float>(window_);
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::int64_t s = 0; s < steps; ++s) {
      float pos = static_cast<float>(s);
      positions.f32()[b * steps + s] = pos;
      mask.f32()[b * steps + s] = (s >= len[b] || std::fabs(pos - pv[b]) > d) ? 1.0f : 0.0f;
    }
  Var align = masked_softmax(dot_scores(memory.keys, query), mask);
  Var dist = autograd::sub(g.input(positions), p);  // [B, S] - [B, 1] (column broadcast)
  // sigma = D / 2:  -(s - p)^2 / (2 sigma^2) = -2 (s - p)^2 / D^2
  Var gauss = autograd::exp(autograd::scale(autograd::mul(dist, dist), -2.0f / (d * d)));
  Var weights = autograd::mul(align, gauss);
  return {weighted_sum(weights, memory.values), weights};
}

}  // namespace s2s::nn
