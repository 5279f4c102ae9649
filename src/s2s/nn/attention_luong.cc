#include "s2s/nn/attention_luong.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

AttentionMemory base_memory(Var memory_tm, const Tensor& lengths) {
  S2S_CHECK(memory_tm.ndim() == 3 && lengths.ndim() == 1 && lengths.dim(0) == memory_tm.dim(1),
            "attention: expected memory [S, B, D] and lengths [B], got ", memory_tm.shape().str(), " and ",
            lengths.shape().str());
  AttentionMemory m;
  m.values = autograd::transpose(memory_tm, 0, 1);
  m.mask = padding_mask(lengths, memory_tm.dim(0));
  m.lengths = lengths;
  return m;
}

DotAttention::DotAttention(std::string name, std::int64_t query_size, std::int64_t memory_size)
    : Attention(std::move(name)) {
  S2S_CHECK(query_size == memory_size, this->name(), ": dot attention needs the query (", query_size,
            ") and the memory (", memory_size, ") to be equally wide");
}

AttentionMemory DotAttention::prepare(autograd::Graph&, Var memory_tm, const Tensor& lengths) const {
  return base_memory(memory_tm, lengths);
}

AttentionOutput DotAttention::attend(autograd::Graph&, Var query, const AttentionMemory& memory) const {
  Var weights = masked_softmax(dot_scores(memory.values, query), memory.mask);
  return {weighted_sum(weights, memory.values), weights};
}

GeneralAttention::GeneralAttention(std::string name, std::int64_t query_size, std::int64_t memory_size, Rng& rng)
    : Attention(std::move(name)), w_a_(child_name("W_a"), memory_size, query_size, false, rng) {
  add_child(w_a_);
}

AttentionMemory GeneralAttention::prepare(autograd::Graph& g, Var memory_tm, const Tensor& lengths) const {
  AttentionMemory m = base_memory(memory_tm, lengths);
  m.keys = w_a_.forward(g, m.values);  // [B, S, Hq]
  return m;
}

AttentionOutput GeneralAttention::attend(autograd::Graph&, Var query, const AttentionMemory& memory) const {
  Var weights = masked_softmax(dot_scores(memory.keys, query), memory.mask);
  return {weighted_sum(weights, memory.values), weights};
}

}  // namespace s2s::nn
