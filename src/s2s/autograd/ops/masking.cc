// masked_fill: constant where the mask is set; the gradient passes elsewhere.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/masking.h"

namespace s2s::autograd {

namespace {

// dx = dy where mask == 0, and 0 where it was filled (the output is a constant there).
void masked_fill_backward(Node& n) {
  bool fresh = false;
  if (Tensor* gx = n.input_grad_for_write(0, fresh)) kernels::masked_fill_backward(n.grad, n.saved[0], *gx, !fresh);
}

}  // namespace

const OpDef op_defs::masked_fill{OpId::masked_fill, "masked_fill", masked_fill_backward};

Var masked_fill(Var x, const Tensor& mask, float value) {
  S2S_CHECK(mask.defined() && mask.dtype() == DType::F32, "masked_fill: mask must be an F32 tensor");
  kernels::mask_view(x.shape(), mask.shape(), "masked_fill");  // checks the shapes before allocating
  Tensor out = Tensor::empty(x.shape());
  kernels::masked_fill(x.value(), mask, value, out);
  Node* n = x.graph().record(op_defs::masked_fill, {x}, std::move(out));
  if (n->requires_grad) n->saved[0] = mask;  // shares storage: the caller must not overwrite it before backward
  return Var(n);
}

}  // namespace s2s::autograd
