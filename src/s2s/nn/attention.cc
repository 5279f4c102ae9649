#include "s2s/nn/attention.h"

#include "s2s/autograd/ops.h"

namespace s2s::nn {

using autograd::Var;

namespace {
// exp(x - max) underflows to exactly 0 for masked scores; finite (not -inf)
// so that a fully masked row would give uniform weights instead of NaN.
constexpr float kMaskedScore = -1e30f;
}  // namespace

AttentionOutput Attention::attend_with_coverage(autograd::Graph&, Var, const AttentionMemory&, Var) const {
  fail("attention ", name(), ": this kind does not read a coverage vector (bahdanau does)");
}

Tensor padding_mask(const Tensor& lengths, std::int64_t steps) {
  S2S_CHECK(lengths.dtype() == DType::I32 && lengths.ndim() == 1, "padding_mask: expected I32 lengths [B], got ",
            lengths.shape().str());
  const std::int64_t batch = lengths.dim(0);
  Tensor mask = Tensor::empty(Shape{batch, steps});
  float* m = mask.f32();
  const std::int32_t* len = lengths.i32();
  for (std::int64_t b = 0; b < batch; ++b) {
    S2S_CHECK(len[b] >= 1 && len[b] <= steps, "padding_mask: length ", len[b], " of row ", b, " outside [1, ", steps,
              "]");
    for (std::int64_t s = 0; s < steps; ++s) m[b * steps + s] = s >= len[b] ? 1.0f : 0.0f;
  }
  return mask;
}

Var masked_softmax(Var scores, const Tensor& mask) {
  return autograd::softmax(autograd::masked_fill(scores, mask, kMaskedScore));
}

Var weighted_sum(Var weights, Var values) {
  const std::int64_t batch = values.dim(0), steps = values.dim(1), dim = values.dim(2);
  Var w = autograd::reshape(weights, Shape{batch, 1, steps});
  return autograd::reshape(autograd::bmm(w, values), Shape{batch, dim});
}

Var dot_scores(Var keys, Var query) {
  const std::int64_t batch = keys.dim(0), steps = keys.dim(1), dim = keys.dim(2);
  S2S_CHECK(query.ndim() == 2 && query.dim(0) == batch && query.dim(1) == dim, "attention: query ",
            query.shape().str(), " does not match keys ", keys.shape().str());
  Var q = autograd::reshape(query, Shape{batch, dim, 1});
  return autograd::reshape(autograd::bmm(keys, q), Shape{batch, steps});
}

}  // namespace s2s::nn
