#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

S2S_GRAD_CASE("linear with bias",
              [](Rng& r) { return std::vector{random_tensor(r, {3, 5}), random_tensor(r, {7, 5}), random_tensor(r, {7})}; },
              [](Graph&, const V& x) { return autograd::linear(x[0], x[1], x[2]); });
S2S_GRAD_CASE("linear 3-d x, no bias",
              [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 4}), random_tensor(r, {9, 4})}; },
              [](Graph&, const V& x) { return autograd::linear(x[0], x[1]); });
S2S_GRAD_CASE("linear one row, one output",
              [](Rng& r) { return std::vector{random_tensor(r, {1, 6}), random_tensor(r, {1, 6}), random_tensor(r, {1})}; },
              [](Graph&, const V& x) { return autograd::linear(x[0], x[1], x[2]); });
// x feeds the op twice: the second gradient adds onto the first.
S2S_GRAD_CASE("linear input reused",
              [](Rng& r) { return std::vector{random_tensor(r, {4, 4}), random_tensor(r, {4, 4}), random_tensor(r, {4})}; },
              [](Graph&, const V& x) { return autograd::linear(autograd::linear(x[0], x[1], x[2]), x[1], x[2]); });

// An addend of the result's shape instead of a bias row (x w^T + c).
S2S_GRAD_CASE("linear with addend",
              [](Rng& r) { return std::vector{random_tensor(r, {3, 5}), random_tensor(r, {4, 5}), random_tensor(r, {3, 4})}; },
              [](Graph&, const V& x) { return autograd::linear(x[0], x[1], x[2]); });
// [1, out] is both a bias row and the result's shape: treated as the addend.
S2S_GRAD_CASE("linear one row, addend [1, out]",
              [](Rng& r) { return std::vector{random_tensor(r, {1, 5}), random_tensor(r, {3, 5}), random_tensor(r, {1, 3})}; },
              [](Graph&, const V& x) { return autograd::linear(x[0], x[1], x[2]); });

}  // namespace
}  // namespace s2s::testing
