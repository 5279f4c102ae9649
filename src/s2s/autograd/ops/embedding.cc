// embedding: row lookup; backward scatter-adds into the table's gradient.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/embedding.h"
#include "s2s/kernels/quantize.h"

namespace s2s::autograd {

namespace {

// dW[ids[i]] += dOut[i], skipping padding_idx (PyTorch keeps that row's gradient zero).
void embedding_backward(Node& n) {
  if (Tensor* gw = n.input_grad(0)) kernels::embedding_backward(n.grad, n.saved[0], static_cast<std::int32_t>(n.i[0]), *gw);
}

}  // namespace

const OpDef op_defs::embedding{OpId::embedding, "embedding", embedding_backward};

Var embedding(Var weight, const Tensor& ids, std::int32_t padding_idx) {
  S2S_CHECK(weight.ndim() == 2, "embedding: weight must be [vocab, dim], got ", weight.shape().str());
  S2S_CHECK(ids.defined() && ids.dtype() == DType::I32, "embedding: ids must be an I32 tensor");
  S2S_CHECK(ids.ndim() < Shape::kMaxDims, "embedding: ids may have at most ", Shape::kMaxDims - 1, " dimensions, got ",
            ids.shape().str());
  S2S_CHECK(padding_idx < weight.dim(0), "embedding: padding_idx ", padding_idx, " is out of range for vocabulary size ",
            weight.dim(0));
  Shape shape = ids.shape();
  shape.push_back(weight.dim(1));
  Tensor out = Tensor::empty(shape);
  if (const kernels::Int8Weight* q = weight.graph().int8_weight(weight)) kernels::dequantize_rows(*q, ids, out);
  else kernels::embedding_forward(weight.value(), ids, out);
  Node* n = weight.graph().record(op_defs::embedding, {weight}, std::move(out));
  if (n->requires_grad) {
    n->saved[0] = ids;  // shares storage: the caller must not overwrite ids before backward
    n->i[0] = padding_idx;
  }
  return Var(n);
}

}  // namespace s2s::autograd
