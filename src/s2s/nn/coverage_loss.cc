#include "s2s/nn/coverage_loss.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

Var coverage_loss(Var weights, Var coverage, const Tensor& padded_rows) {
  S2S_CHECK(weights.ndim() == 2 && coverage.shape() == weights.shape(), "coverage_loss: expected weights and coverage [N, S], got ",
            weights.shape().str(), " and ", coverage.shape().str());
  S2S_CHECK(padded_rows.dtype() == DType::F32 && padded_rows.shape() == Shape({weights.dim(0), 1}),
            "coverage_loss: expected F32 padded rows [", weights.dim(0), ", 1], got ", padded_rows.shape().str());
  Var overlap = autograd::sub(weights, autograd::relu(autograd::sub(weights, coverage)));  // min(a, c)
  return autograd::sum_all(autograd::masked_fill(overlap, padded_rows, 0.0f));
}

Tensor padded_target_rows(const Tensor& lengths, std::int64_t steps) {
  S2S_CHECK(lengths.defined() && lengths.dtype() == DType::I32 && lengths.ndim() == 1, "coverage_loss: expected I32 target lengths [B], got ",
            lengths.shape().str());
  const std::int64_t batch = lengths.dim(0);
  Tensor out = Tensor::empty(Shape{steps * batch, 1});
  for (std::int64_t t = 0; t < steps; ++t)
    for (std::int64_t b = 0; b < batch; ++b) out.f32()[t * batch + b] = t >= lengths.i32()[b] ? 1.0f : 0.0f;
  return out;
}

}  // namespace s2s::nn
