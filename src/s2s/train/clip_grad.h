#pragma once
// Gradient clipping over the trainable parameters of a model, as PyTorch's
// torch.nn.utils.clip_grad_norm_ / clip_grad_value_. A parameter without a
// gradient (no backward pass reached it) counts as zero and is left without.
#include <vector>

#include "s2s/autograd/parameter.h"

namespace s2s::train {

// The L2 norm of all trainable gradients taken together, accumulated in double
// in a fixed order (parameters in list order, fixed blocks within each): the
// same bits whatever the thread count.
double grad_norm(const std::vector<autograd::Parameter*>& params);

// Scales every trainable gradient by coef = max_norm / (norm + 1e-6) when
// coef < 1, and returns the norm before clipping. A non-finite norm (an
// overflowed or NaN gradient) is returned with the gradients left as they are:
// check it and skip the update.
double clip_grad_norm(const std::vector<autograd::Parameter*>& params, double max_norm);

// Clamps every trainable gradient element to [-clip_value, clip_value].
void clip_grad_value(const std::vector<autograd::Parameter*>& params, double clip_value);

}  // namespace s2s::train
