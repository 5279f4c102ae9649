// multi_head_attention: one fused op for scaled dot-product attention over
// all heads (the arithmetic is in kernels/cpu/multi_head_attention_cpu.cc).
// It replaces the split-heads transposes, bmm, scale, masked_fill, softmax,
// dropout, bmm and merge-heads transposes of the composition, keeps one
// [B, H, Tq, Tk] tensor (the weights) for backward, and copies no head.
#include <algorithm>
#include <cmath>

#include "s2s/autograd/ops.h"
#include "s2s/kernels/multi_head_attention.h"

namespace s2s::autograd {

namespace {

// i[1] bits.
constexpr std::int64_t kTimeMajor = 1, kCausal = 2, kRelKeys = 4, kRelValues = 8;

// Inputs: q, k, v, then rel_keys and rel_values when given. saved[0]: the
// weights before dropout [B, H, Tq, Tk]; saved[1]: key lengths (may be
// undefined); saved[2]: I32 [6], the column windows (offset, width) of q, k,
// v (undefined: whole tensors). i[0] heads, i[1] flags, i[2] dropout seed,
// i[3] its first counter; f[0] scale, f[1] dropout.
kernels::MhaParams params_of(const Node& n) {
  kernels::MhaParams p;
  p.heads = static_cast<int>(n.i[0]);
  p.time_major = (n.i[1] & kTimeMajor) != 0;
  p.causal = (n.i[1] & kCausal) != 0;
  p.key_lengths = n.saved[1].defined() ? &n.saved[1] : nullptr;
  int next = 3;
  if (n.i[1] & kRelKeys) p.rel_keys = &n.input(next++)->value;
  if (n.i[1] & kRelValues) p.rel_values = &n.input(next)->value;
  p.scale = n.f[0];
  p.dropout = n.f[1];
  if (n.saved[2].defined()) {
    const std::int32_t* c = n.saved[2].i32();
    p.q_offset = c[0], p.q_width = c[1], p.k_offset = c[2], p.k_width = c[3], p.v_offset = c[4], p.v_width = c[5];
  }
  p.seed = static_cast<std::uint64_t>(n.i[2]);
  p.first = static_cast<std::uint64_t>(n.i[3]);
  return p;
}

void multi_head_attention_backward(Node& n) {
  const kernels::MhaParams p = params_of(n);
  kernels::MhaGrads grads{n.input_grad(0), n.input_grad(1), n.input_grad(2)};
  int next = 3;
  if (p.rel_keys) grads.rel_keys = n.input_grad(next++);
  if (p.rel_values) grads.rel_values = n.input_grad(next);
  kernels::mha_backward(n.input(0)->value, n.input(1)->value, n.input(2)->value, p, n.saved[0], n.grad, grads);
}

}  // namespace

const OpDef op_defs::multi_head_attention{OpId::multi_head_attention, "multi_head_attention",
                                          multi_head_attention_backward};

Var multi_head_attention(Var q, Var k, Var v, int heads, const AttentionMasks& masks, const AttentionOptions& options) {
  Graph& g = q.graph();
  const bool grad = g.grad_enabled();
  S2S_CHECK(!options.kv_rows.defined() || !grad, "multi_head_attention: kv_rows is for inference only");
  kernels::MhaParams p;
  p.heads = heads;
  p.time_major = options.time_major;
  p.scale = options.scale;
  p.causal = masks.causal;
  p.key_lengths = masks.key_lengths.defined() ? &masks.key_lengths : nullptr;
  p.kv_rows = options.kv_rows.defined() ? &options.kv_rows : nullptr;
  p.rel_keys = options.rel_keys.defined() ? &options.rel_keys.value() : nullptr;
  p.rel_values = options.rel_values.defined() ? &options.rel_values.value() : nullptr;
  p.row_invariant = !grad;
  p.q_offset = options.q_cols.offset, p.q_width = options.q_cols.width;
  p.k_offset = options.k_cols.offset, p.k_width = options.k_cols.width;
  p.v_offset = options.v_cols.offset, p.v_width = options.v_cols.width;
  const kernels::MhaDims d = kernels::mha_dims(q.value(), k.value(), v.value(), p);
  if (options.dropout > 0.0f) {
    S2S_CHECK(options.rng != nullptr, "multi_head_attention: dropout ", options.dropout, " needs an rng");
    p.dropout = options.dropout;
    p.first = options.rng->skip(static_cast<std::uint64_t>(d.B * d.H * d.Tq * d.Tk));
    p.seed = options.rng->state().seed;
  }
  if (p.scale == 0.0f) p.scale = 1.0f / std::sqrt(static_cast<float>(d.dh));

  Tensor out = Tensor::empty(options.time_major ? Shape{d.Tq, d.B, d.H * d.dv} : Shape{d.B, d.Tq, d.H * d.dv});
  Tensor probs = Tensor::empty(Shape{d.B, d.H, d.Tq, d.Tk});
  kernels::mha_forward(q.value(), k.value(), v.value(), p, out, probs);
  if (options.weights_out) {
    *options.weights_out = Tensor::empty(Shape{d.B, d.Tq, d.Tk});
    kernels::mha_average_heads(probs, *options.weights_out);
  }

  Var inputs[5] = {q, k, v};
  std::size_t count = 3;
  if (p.rel_keys) inputs[count++] = options.rel_keys;
  if (p.rel_values) inputs[count++] = options.rel_values;
  Node* n = g.record(op_defs::multi_head_attention, std::span<const Var>(inputs, count), std::move(out));
  if (n->requires_grad) {
    n->saved[0] = std::move(probs);
    n->saved[1] = masks.key_lengths;  // shares storage: not to be overwritten before backward
    const std::int64_t cols[6] = {p.q_offset, p.q_width, p.k_offset, p.k_width, p.v_offset, p.v_width};
    if (std::any_of(cols, cols + 6, [](std::int64_t c) { return c != 0; })) {
      n->saved[2] = Tensor::empty(Shape{6}, DType::I32);
      for (int c = 0; c < 6; ++c) n->saved[2].i32()[c] = static_cast<std::int32_t>(cols[c]);
    }
    n->i = {heads, (p.time_major ? kTimeMajor : 0) | (p.causal ? kCausal : 0) | (p.rel_keys ? kRelKeys : 0) |
                       (p.rel_values ? kRelValues : 0),
            static_cast<std::int64_t>(p.seed), static_cast<std::int64_t>(p.first)};
    n->f[0] = p.scale;
    n->f[1] = p.dropout;
  }
  return Var(n);
}

}  // namespace s2s::autograd
