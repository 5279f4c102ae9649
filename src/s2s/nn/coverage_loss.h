#pragma once
// The coverage loss of See et al. (2017): at each target position t, the
// attention a_t overlapping what the earlier positions already attended,
//   covloss_t = sum_i min(a_ti, c_ti),  c_t = sum_{t' < t} a_t'   (c_0 = 0),
// which penalises attending to the same source positions again.
#include "s2s/autograd/graph.h"

namespace s2s::nn {

// weights, coverage [N, S] (rows: target positions of sentences, e.g. (t, b));
// padded_rows F32 [N, 1], 1 for rows that are target padding (they add 0 and
// get no gradient). Returns [1], the sum over the other rows of
// sum_s min(weights, coverage). Padded source positions add nothing: their
// weight is 0, and so is their coverage. min(a, c) = a - relu(a - c).
autograd::Var coverage_loss(autograd::Var weights, autograd::Var coverage, const Tensor& padded_rows);

// padded_rows for rows (t, b) of a time-major target of `lengths` I32 [B]
// over `steps` positions: row t * B + b is padding when t >= lengths[b].
Tensor padded_target_rows(const Tensor& lengths, std::int64_t steps);

}  // namespace s2s::nn
