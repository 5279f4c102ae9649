#include "s2s/nn/attention_bahdanau.h"

#include "s2s/autograd/coverage_attention.h"
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
  // The fused additive-attention kernel reads v in fp32 in every compute type.
  v_.weight().quantizable = false;
}

AttentionMemory BahdanauAttention::prepare(autograd::Graph& g, Var memory_tm, const Tensor& lengths) const {
  AttentionMemory m = base_memory(memory_tm, lengths);
  m.keys = u_.forward(g, memory_tm);  // [S, B, A]
  return m;
}

void BahdanauAttention::add_coverage(Rng& rng) {
  S2S_CHECK(!coverage_, "attention ", name(), ": coverage added twice");
  coverage_ = std::make_unique<Linear>(child_name("coverage"), 1, w_.out_features(), false, rng);
  add_child(*coverage_);
  coverage_->weight().quantizable = false;  // read by the fused kernel in fp32, as v
}

AttentionOutput BahdanauAttention::attend(autograd::Graph& g, Var query, const AttentionMemory& memory) const {
  S2S_CHECK(!coverage_, "attention ", name(), ": built with coverage, so every step needs the coverage vector");
  return attend_with_coverage(g, query, memory, Var());
}

AttentionOutput BahdanauAttention::attend_with_coverage(autograd::Graph& g, Var query, const AttentionMemory& memory,
                                                        Var coverage) const {
  S2S_CHECK(coverage.defined() == (coverage_ != nullptr), "attention ", name(),
            coverage_ ? ": built with coverage, so every step needs the coverage vector"
                      : ": built without coverage (BahdanauAttention::add_coverage)");
  Var q = w_.forward(g, query);  // [B, A]
  // The rest of the step (v^T tanh(keys + q [+ c w_c]), masked softmax,
  // weighted sum) is one fused op: no [S, B, A] tanh layer is stored per step.
  autograd::AttentionStep a = autograd::additive_attention(memory.keys, q, g.param(v_.weight()), memory.values, memory.mask,
                                                            memory.rows, coverage,
                                                            coverage_ ? g.param(coverage_->weight()) : Var());
  return {a.context, a.weights};
}

}  // namespace s2s::nn
