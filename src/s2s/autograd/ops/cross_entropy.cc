// cross_entropy: fused log-softmax + NLL with ignore_index and label smoothing.
#include "s2s/autograd/ops.h"
#include "s2s/kernels/cross_entropy.h"

namespace s2s::autograd {

namespace {

// dlogits_i = dL * norm * (softmax(x_i) - q_i), q_i = (1 - eps) onehot(t_i) + eps / V,
// norm = 1 / count for Mean, 1 for Sum; ignored rows get nothing.
void cross_entropy_backward(Node& n) {
  // The logits' values become their gradient when nothing else reads them:
  // this op is their only consumer and their own backward (linear, matmul)
  // never reads its output. Saves an [N, V] buffer, the largest of a step.
  // (The kernel reads each logit just before writing its gradient in place.)
  Node* in = n.input(0);
  bool fresh = false;
  Tensor* gx = nullptr;
  if (in->requires_grad && !in->grad.defined() && in->uses == 1 &&
      (in->op == &op_defs::linear || in->op == &op_defs::matmul)) {
    in->grad = in->value;
    gx = &in->grad;
    fresh = true;
  } else {
    gx = n.input_grad_for_write(0, fresh);
  }
  if (!gx) return;
  if (n.f[1] == 0.0f) {  // nothing counted: the gradient is zero
    if (fresh) gx->zero();
    return;
  }
  float scale = n.grad.f32()[0] * n.f[1];
  kernels::cross_entropy_backward(n.input(0)->value, n.saved[1], n.saved[0], static_cast<std::int32_t>(n.i[0]), n.f[0],
                                  scale, *gx, !fresh, n.i[1]);
}

}  // namespace

const OpDef op_defs::cross_entropy{OpId::cross_entropy, "cross_entropy", cross_entropy_backward};

Var cross_entropy(Var logits, const Tensor& targets, const CrossEntropyOptions& options) {
  S2S_CHECK(logits.ndim() == 2, "cross_entropy: logits must be [N, V], got ", logits.shape().str());
  S2S_CHECK(targets.defined() && targets.dtype() == DType::I32 && targets.ndim() == 1 && targets.dim(0) == logits.dim(0),
            "cross_entropy: targets must be I32 [", logits.dim(0), "], got ",
            targets.defined() ? targets.shape().str() : std::string("nothing"));
  S2S_CHECK(logits.dim(1) > 0, "cross_entropy: logits need at least one class, got ", logits.shape().str());
  float eps = options.label_smoothing;
  S2S_CHECK(eps >= 0.0f && eps <= 1.0f, "cross_entropy: label_smoothing must be in [0, 1], got ", eps);
  Graph& g = logits.graph();
  bool save = g.grad_enabled() && logits.requires_grad();
  Tensor lse;
  if (save) lse = Tensor::empty(Shape{logits.dim(0)});
  kernels::CrossEntropySums sums =
      kernels::cross_entropy_forward(logits.value(), targets, options.ignore_index, eps, save ? &lse : nullptr,
                                     options.smoothing_classes);
  // Mean over counted targets; with none counted the loss is 0 (not 0/0) and so is its gradient.
  double norm = options.reduction == Reduction::Sum ? 1.0 : (sums.count > 0 ? 1.0 / static_cast<double>(sums.count) : 0.0);
  Tensor out = Tensor::full(Shape{1}, static_cast<float>(sums.loss * norm));
  Node* n = g.record(op_defs::cross_entropy, {logits}, std::move(out));
  if (n->requires_grad) {
    n->saved[0] = std::move(lse);
    n->saved[1] = targets;  // shares storage: the caller must not overwrite it before backward
    n->i[0] = options.ignore_index;
    n->i[1] = options.smoothing_classes;
    n->f[0] = eps;
    n->f[1] = static_cast<float>(norm);
  }
  return Var(n);
}

}  // namespace s2s::autograd
