#pragma once
// Elementwise optimizer updates, gradient norms and clipping on raw float
// arrays. The train/ optimizers compute the per-step scalars (bias
// corrections, decayed learning rates) in double, exactly as PyTorch does in
// Python, and pass them here already rounded to float; the loops then apply
// PyTorch's tensor operations in PyTorch's order, one rounding per operation
// (no fused multiply-add), so every element's result is the same whichever
// thread or vector lane computes it.
#include <cstdint>

namespace s2s::kernels {

struct SgdStep {
  float lr = 0;
  float momentum = 0;       // 0: no buffer (buf may be nullptr)
  float dampening = 0;
  float weight_decay = 0;
  bool nesterov = false;
  bool first_step = false;  // the buffer starts as a copy of the first (decayed) gradient
};
// d = g + wd*p; buf = first ? d : buf*momentum + (1-dampening)*d;
// d = nesterov ? d + momentum*buf : buf; p -= lr*d.
void sgd_step(float* param, const float* grad, float* buf, std::int64_t n, const SgdStep& s);

struct AdamStep {
  float neg_step_size = 0;   // -lr / (1 - beta1^t)
  float bias_correction2_sqrt = 1;  // sqrt(1 - beta2^t)
  float one_minus_beta1 = 0;  // lerp weight of the first moment
  float beta2 = 0;
  float one_minus_beta2 = 0;
  float eps = 0;
  float weight_decay = 0;    // L2 added to the gradient (Adam); 0 for AdamW
  float decay_factor = 1;    // AdamW: p *= 1 - lr*wd before the update; 1 for Adam
  bool amsgrad = false;      // max_exp_avg_sq must be non-null
};
void adam_step(float* param, const float* grad, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq,
               std::int64_t n, const AdamStep& s);

struct RmspropStep {
  float neg_lr = 0;
  float alpha = 0;
  float one_minus_alpha = 0;
  float eps = 0;
  float weight_decay = 0;
  float momentum = 0;  // > 0: buf must be non-null
  bool centered = false;  // grad_avg must be non-null
};
void rmsprop_step(float* param, const float* grad, float* square_avg, float* grad_avg, float* buf, std::int64_t n,
                  const RmspropStep& s);

struct AdagradStep {
  float neg_clr = 0;  // -lr / (1 + (t-1)*lr_decay)
  float eps = 0;
  float weight_decay = 0;
};
void adagrad_step(float* param, const float* grad, float* sum, std::int64_t n, const AdagradStep& s);

// Sum of x[i]^2 in double. The summation order depends on n only (fixed
// blocks, fixed lanes, blocks added in order), never on the thread count or
// the pointer's alignment, so the result is reproducible bit for bit.
double sum_squares(const float* x, std::int64_t n);

// x *= s.
void scale(float* x, std::int64_t n, float s);
// x = min(max(x, lo), hi); NaN stays NaN.
void clamp(float* x, std::int64_t n, float lo, float hi);

}  // namespace s2s::kernels
