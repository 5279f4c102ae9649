// Finite-difference cases for the convolution ops (ConvS2S): unfold_time
// (centred, causal, a decoding step, a window wider than the sequence, an
// input reused by two unfolds), glu, weight_norm (alone and feeding linear).
#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

auto tensors(std::vector<Shape> ss) {
  return [ss](Rng& r) {
    std::vector<Tensor> t;
    for (const Shape& s : ss) t.push_back(random_tensor(r, s));
    return t;
  };
}

S2S_GRAD_CASE("unfold_time centred (same length)", tensors({{5, 2, 3}}),
              [](Graph&, const V& x) { return autograd::unfold_time(x[0], 3, 1, 5); });
S2S_GRAD_CASE("unfold_time causal", tensors({{4, 3, 2}}),
              [](Graph&, const V& x) { return autograd::unfold_time(x[0], 3, 2, 4); });
S2S_GRAD_CASE("unfold_time one step over a window", tensors({{4, 2, 3}}),
              [](Graph&, const V& x) { return autograd::unfold_time(x[0], 4, 0, 1); });
S2S_GRAD_CASE("unfold_time kernel wider than the sequence", tensors({{2, 1, 5}}),
              [](Graph&, const V& x) { return autograd::unfold_time(x[0], 5, 2, 2); });
S2S_GRAD_CASE("unfold_time kernel 1, input reused", tensors({{3, 2, 4}, {3, 2, 4}}),
              [](Graph&, const V& x) {
                return autograd::mul(autograd::unfold_time(x[0], 1, 0, 3),
                                     autograd::unfold_time(autograd::mul(x[0], x[1]), 1, 0, 3));
              });

S2S_GRAD_CASE("glu", tensors({{3, 2, 10}}), [](Graph&, const V& x) { return autograd::glu(x[0]); });
S2S_GRAD_CASE("glu one pair", tensors({{1, 2}}), [](Graph&, const V& x) { return autograd::glu(x[0]); });

S2S_GRAD_CASE("weight_norm",
              [](Rng& r) { return std::vector{random_away_from_zero(r, {4, 7}), random_tensor(r, {4})}; },
              [](Graph&, const V& x) { return autograd::weight_norm(x[0], x[1]); });
// Through a product, as a layer uses it (dv sees the projection away from v).
S2S_GRAD_CASE("weight_norm into linear",
              [](Rng& r) {
                return std::vector{random_tensor(r, {3, 5}), random_away_from_zero(r, {2, 5}), random_tensor(r, {2})};
              },
              [](Graph&, const V& x) { return autograd::linear(x[0], autograd::weight_norm(x[1], x[2])); });

}  // namespace
}  // namespace s2s::testing
