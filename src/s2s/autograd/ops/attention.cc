// additive_attention: one fused op for a Bahdanau attention step (the
// arithmetic is in kernels/cpu/attention_cpu.cc). It replaces add + tanh +
// matmul(v) + transpose + masked_fill + softmax + bmm: one node instead of
// seven per decoder step, and no [S, B, A] tanh layer kept for backward.
#include "s2s/autograd/coverage_attention.h"
#include "s2s/autograd/ops.h"
#include "s2s/kernels/attention.h"

namespace s2s::autograd {

namespace {

// The node's value packs context [B, D] then weights [B, S] in one flat
// buffer; both results are row views of it (their grads view the node's grad).
// Inputs: keys, query, v, values (the weights already carry the mask), then
// with coverage: coverage [B, S], w_c. i[0..3] = S, B, A, D.
void additive_attention_backward(Node& n) {
  const std::int64_t S = n.i[0], B = n.i[1], D = n.i[3];
  Tensor weights = n.value.narrow0(B * D, B * S).reshape(Shape{B, S});
  Tensor dcontext = n.grad.narrow0(0, B * D).reshape(Shape{B, D});
  Tensor dweights = n.grad.narrow0(B * D, B * S).reshape(Shape{B, S});
  kernels::AttentionGrads grads{n.input_grad(0), n.input_grad(1), n.input_grad(2), n.input_grad(3)};
  kernels::AttentionCoverage cov;
  if (n.num_inputs == 6) {
    cov = {&n.input(4)->value, &n.input(5)->value};
    grads.coverage = n.input_grad(4);
    grads.coverage_w = n.input_grad(5);
  }
  kernels::additive_attention_backward(n.input(0)->value, n.input(1)->value, n.input(2)->value, n.input(3)->value,
                                       weights, dcontext, &dweights, grads, cov);
}

const OpDef kAttentionView{OpId::additive_attention, "additive_attention (view)", view_backward, true};

}  // namespace

const OpDef op_defs::additive_attention{OpId::additive_attention, "additive_attention", additive_attention_backward};

AttentionStep additive_attention(Var keys, Var query, Var v, Var values, const Tensor& mask, const Tensor& rows,
                                 Var coverage, Var coverage_w) {
  S2S_CHECK(keys.ndim() == 3 && values.ndim() == 3 && query.ndim() == 2,
            "additive_attention: expected keys [S, B, A], query [B, A] and values [B, S, D], got ", keys.shape().str(),
            ", ", query.shape().str(), " and ", values.shape().str());
  const std::int64_t S = keys.dim(0), B = query.dim(0), A = keys.dim(2), D = values.dim(2);
  S2S_CHECK(!mask.defined() || mask.dtype() == DType::F32, "additive_attention: mask must be an F32 tensor");
  S2S_CHECK(!rows.defined() || !keys.graph().grad_enabled(), "additive_attention: a row map is for inference only");
  S2S_CHECK(coverage.defined() == coverage_w.defined(), "additive_attention: coverage needs both the vector and its weight");
  Tensor packed = Tensor::empty(Shape{B * D + B * S});
  Tensor context = packed.narrow0(0, B * D).reshape(Shape{B, D});
  Tensor weights = packed.narrow0(B * D, B * S).reshape(Shape{B, S});
  kernels::AttentionCoverage cov;
  if (coverage.defined()) cov = {&coverage.value(), &coverage_w.value()};
  kernels::additive_attention_forward(keys.value(), query.value(), v.value(), values.value(),
                                      mask.defined() ? &mask : nullptr, context, weights,
                                      rows.defined() ? &rows : nullptr, cov);
  Node* n = coverage.defined()
                ? keys.graph().record(op_defs::additive_attention, {keys, query, v, values, coverage, coverage_w},
                                      std::move(packed))
                : keys.graph().record(op_defs::additive_attention, {keys, query, v, values}, std::move(packed));
  if (n->requires_grad) n->i = {S, B, A, D};
  // The packed gradient is zeroed when a view first needs it: an unused
  // weights view contributes nothing.
  Var p(n);
  return {rows_view(kAttentionView, p, 0, B * D, Shape{B, D}), rows_view(kAttentionView, p, B * D, B * S, Shape{B, S})};
}

AttentionStep additive_attention(Var keys, Var query, Var v, Var values, const Tensor& mask, const Tensor& rows) {
  return additive_attention(keys, query, v, values, mask, rows, Var(), Var());
}

}  // namespace s2s::autograd
