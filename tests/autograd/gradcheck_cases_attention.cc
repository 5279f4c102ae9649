#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

// keys [S, B, A], query [B, A], v [A], values [B, S, D].
auto attention_inputs(std::int64_t S, std::int64_t B, std::int64_t A, std::int64_t D) {
  return [=](Rng& r) {
    return std::vector{random_tensor(r, {S, B, A}), random_tensor(r, {B, A}), random_tensor(r, {A}),
                       random_tensor(r, {B, S, D})};
  };
}

// Row b is padded after lengths[b] positions.
Tensor mask_for(std::int64_t S, std::vector<std::int64_t> lengths) {
  const auto B = static_cast<std::int64_t>(lengths.size());
  Tensor m = Tensor::zeros(Shape{B, S});
  for (std::int64_t b = 0; b < B; ++b)
    for (std::int64_t s = lengths[static_cast<std::size_t>(b)]; s < S; ++s) m.f32()[b * S + s] = 1.0f;
  return m;
}

S2S_GRAD_CASE("additive_attention context, padded rows", attention_inputs(4, 3, 5, 6),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(4, {4, 2, 1})).context; });
S2S_GRAD_CASE("additive_attention weights", attention_inputs(4, 3, 5, 6),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(4, {3, 4, 2})).weights; });
S2S_GRAD_CASE("additive_attention no mask, A=9 D=17", attention_inputs(3, 2, 9, 17),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], Tensor()).context; });
S2S_GRAD_CASE("additive_attention S=1 B=1", attention_inputs(1, 1, 4, 3),
              [](Graph&, const V& x) { return autograd::additive_attention(x[0], x[1], x[2], x[3], Tensor()).context; });
// Both outputs feed the loss: context and weights gradients meet in one backward.
S2S_GRAD_CASE("additive_attention context and weights", attention_inputs(5, 2, 3, 4),
              [](Graph&, const V& x) {
                autograd::AttentionStep a = autograd::additive_attention(x[0], x[1], x[2], x[3], mask_for(5, {5, 3}));
                return autograd::concat({a.context, a.weights}, 1);
              });

}  // namespace
}  // namespace s2s::testing
