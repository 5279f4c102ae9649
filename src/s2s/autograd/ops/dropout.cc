// dropout: inverted dropout with a Philox-counter mask, stored as 1 bit per element.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/dropout.h"

namespace s2s::autograd {

namespace {

// dx = dy / (1 - p) where the element was kept, 0 where it was dropped.
void dropout_backward(Node& n) {
  if (Tensor* gx = n.input_grad(0)) kernels::dropout_backward(n.grad, n.saved[0], n.f[0], *gx);
}

}  // namespace

const OpDef op_defs::dropout{OpId::dropout, "dropout", dropout_backward};

Var dropout(Var x, float p, Rng& rng) {
  S2S_CHECK(p >= 0.0f && p < 1.0f, "dropout: p must be in [0, 1), got ", p);
  if (p == 0.0f) return x;  // nothing is drawn, so rng does not advance
  std::int64_t count = x.value().numel();
  std::uint64_t first = rng.skip(static_cast<std::uint64_t>(count));
  Graph& g = x.graph();
  bool keep_mask = g.grad_enabled() && x.requires_grad();
  Tensor mask;
  if (keep_mask) mask = Tensor::empty(Shape{kernels::dropout_mask_words(count)}, DType::I32);
  Tensor out = Tensor::empty(x.shape());
  kernels::dropout_forward(x.value(), p, rng.state().seed, first, out, keep_mask ? &mask : nullptr);
  Node* n = g.record(op_defs::dropout, {x}, std::move(out));
  if (n->requires_grad) {
    n->saved[0] = std::move(mask);
    n->f[0] = 1.0f / (1.0f - p);
  }
  return Var(n);
}

}  // namespace s2s::autograd
