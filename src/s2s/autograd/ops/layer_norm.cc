// layer_norm over the last axis; hand-derived backward from the saved row mean and 1/std.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/layer_norm.h"

namespace s2s::autograd {

namespace {

// With xhat = (x - mean) * rstd and y = xhat * gamma + beta:
//   dgamma = sum_rows dy * xhat, dbeta = sum_rows dy,
//   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = dy * gamma.
void layer_norm_backward(Node& n) {
  Tensor* gx = n.input_grad(0);
  Tensor* gg = n.input_grad(1);
  Tensor* gb = n.input_grad(2);
  kernels::layer_norm_backward(n.grad, n.input(0)->value, n.input(1)->value, n.saved[0], n.saved[1], gx, gg, gb);
}

}  // namespace

const OpDef op_defs::layer_norm{OpId::layer_norm, "layer_norm", layer_norm_backward};

Var layer_norm(Var x, Var gamma, Var beta, float eps) {
  S2S_CHECK(x.ndim() >= 1, "layer_norm: x must have at least one dimension");
  std::int64_t dim = x.dim(-1);
  S2S_CHECK(gamma.ndim() == 1 && gamma.dim(0) == dim && beta.ndim() == 1 && beta.dim(0) == dim,
            "layer_norm: gamma and beta must be [", dim, "] for x ", x.shape().str(), ", got ", gamma.shape().str(),
            " and ", beta.shape().str());
  S2S_CHECK(eps >= 0.0f, "layer_norm: eps must be non-negative, got ", eps);
  Graph& g = x.graph();
  bool save = g.grad_enabled() && (x.requires_grad() || gamma.requires_grad() || beta.requires_grad());
  std::int64_t rows = dim == 0 ? 0 : x.value().numel() / dim;
  Tensor mean, rstd;
  if (save) mean = Tensor::empty(Shape{rows}), rstd = Tensor::empty(Shape{rows});
  Tensor out = Tensor::empty(x.shape());
  kernels::layer_norm_forward(x.value(), gamma.value(), beta.value(), eps, out, save ? &mean : nullptr,
                              save ? &rstd : nullptr);
  Node* n = g.record(op_defs::layer_norm, {x, gamma, beta}, std::move(out));
  if (n->requires_grad) {
    n->saved[0] = std::move(mean);
    n->saved[1] = std::move(rstd);
  }
  return Var(n);
}

}  // namespace s2s::autograd
