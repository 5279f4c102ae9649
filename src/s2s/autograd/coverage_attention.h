#pragma once
// additive_attention (autograd/ops.h) with coverage (See et al. 2017): the
// same op, two more inputs. coverage [B, S] per query row (the sum of the
// earlier steps' weights; beams of one sentence differ) and w_c (A elements)
// enter the scores,
//   e[b, s] = v . tanh(keys[s, b] + query[b] + coverage[b, s] w_c),
// and both get gradients. Undefined coverage and w_c: exactly the plain op.
// (Declared apart from ops.h so that its many includers do not depend on it.)
#include "s2s/autograd/ops.h"

namespace s2s::autograd {

AttentionStep additive_attention(Var keys, Var query, Var v, Var values, const Tensor& mask, const Tensor& rows,
                                 Var coverage, Var coverage_w);

}  // namespace s2s::autograd
