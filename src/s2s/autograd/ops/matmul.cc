// matmul and bmm: forward and backward through the one gemm interface.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/gemm.h"

namespace s2s::autograd {

namespace {

Shape matmul_shape(const Shape& a, std::int64_t n, bool trans_a, std::int64_t m) {
  if (trans_a) return Shape{m, n};
  Shape out;
  for (int k = 0; k < a.ndim() - 1; ++k) out.push_back(a[k]);
  out.push_back(n);
  return out;
}

// C = op(A) op(B):  dA = dC op(B)^T (or its transpose), dB = op(A)^T dC (or its transpose).
// A first gradient is written by the gemm itself (beta 0) instead of added to zeros.
// Gemm: kernels::gemm (matmul) or kernels::gemm_batched (bmm).
template <void (*Gemm)(const Tensor&, const Tensor&, Tensor&, kernels::GemmOp)>
void product_backward(Node& n) {
  bool ta = n.i[0] != 0, tb = n.i[1] != 0;
  const Tensor& a = n.input(0)->value;
  const Tensor& b = n.input(1)->value;
  bool fresh = false;
  if (Tensor* ga = n.input_grad_for_write(0, fresh)) {
    float beta = fresh ? 0.0f : 1.0f;
    if (!ta) Gemm(n.grad, b, *ga, {false, !tb, 1.0f, beta});
    else Gemm(b, n.grad, *ga, {tb, true, 1.0f, beta});
  }
  if (Tensor* gb = n.input_grad_for_write(1, fresh)) {
    float beta = fresh ? 0.0f : 1.0f;
    if (!tb) Gemm(a, n.grad, *gb, {!ta, false, 1.0f, beta});
    else Gemm(n.grad, a, *gb, {true, ta, 1.0f, beta});
  }
}

}  // namespace

const OpDef op_defs::matmul{OpId::matmul, "matmul", product_backward<kernels::gemm>};
const OpDef op_defs::bmm{OpId::bmm, "bmm", product_backward<kernels::gemm_batched>};

Var matmul(Var a, Var b, bool trans_a, bool trans_b) {
  S2S_CHECK(b.ndim() == 2, "matmul: b must be 2-d, got ", b.shape().str());
  S2S_CHECK(!trans_a || a.ndim() == 2, "matmul: a transposed must be 2-d, got ", a.shape().str());
  std::int64_t k = trans_a ? a.dim(0) : a.dim(-1);
  std::int64_t kb = trans_b ? b.dim(1) : b.dim(0);
  S2S_CHECK(k == kb, "matmul: inner dimensions differ: ", a.shape().str(), (trans_a ? "^T" : ""), " x ", b.shape().str(),
            (trans_b ? "^T" : ""));
  std::int64_t n = trans_b ? b.dim(0) : b.dim(1);
  Tensor out = Tensor::empty(matmul_shape(a.shape(), n, trans_a, trans_a ? a.dim(1) : 0));
  // Inference (no tape): rows computed independently of the batch size.
  kernels::gemm(a.value(), b.value(), out, {trans_a, trans_b, 1.0f, 0.0f, !a.graph().grad_enabled()});
  Node* node = a.graph().record(op_defs::matmul, {a, b}, std::move(out));
  node->i[0] = trans_a;
  node->i[1] = trans_b;
  return Var(node);
}

Var bmm(Var a, Var b, bool trans_a, bool trans_b) {
  S2S_CHECK(a.ndim() == 3 && b.ndim() == 3 && a.dim(0) == b.dim(0), "bmm: expected [batch, ., .] operands, got ",
            a.shape().str(), " and ", b.shape().str());
  std::int64_t m = trans_a ? a.dim(2) : a.dim(1), k = trans_a ? a.dim(1) : a.dim(2);
  std::int64_t kb = trans_b ? b.dim(2) : b.dim(1), n = trans_b ? b.dim(1) : b.dim(2);
  S2S_CHECK(k == kb, "bmm: inner dimensions differ: ", a.shape().str(), " x ", b.shape().str());
  Tensor out = Tensor::empty(Shape{a.dim(0), m, n});
  // Inference: each product row-invariant, and a sum over padded positions
  // (zero weights) the same as without them.
  kernels::gemm_batched(a.value(), b.value(), out, {trans_a, trans_b, 1.0f, 0.0f, !a.graph().grad_enabled()});
  Node* node = a.graph().record(op_defs::bmm, {a, b}, std::move(out));
  node->i[0] = trans_a;
  node->i[1] = trans_b;
  return Var(node);
}

}  // namespace s2s::autograd
