#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

// Shapes include 1 and sizes that are not multiples of the SIMD width.
S2S_GRAD_CASE("matmul", [](Rng& r) { return std::vector{random_tensor(r, {3, 5}), random_tensor(r, {5, 7})}; },
              [](Graph&, const V& x) { return autograd::matmul(x[0], x[1]); });
S2S_GRAD_CASE("matmul 3-d a", [](Rng& r) { return std::vector{random_tensor(r, {2, 3, 5}), random_tensor(r, {5, 1})}; },
              [](Graph&, const V& x) { return autograd::matmul(x[0], x[1]); });
S2S_GRAD_CASE("matmul a^T", [](Rng& r) { return std::vector{random_tensor(r, {5, 3}), random_tensor(r, {5, 9})}; },
              [](Graph&, const V& x) { return autograd::matmul(x[0], x[1], true, false); });
S2S_GRAD_CASE("matmul b^T", [](Rng& r) { return std::vector{random_tensor(r, {1, 5}), random_tensor(r, {17, 5})}; },
              [](Graph&, const V& x) { return autograd::matmul(x[0], x[1], false, true); });
S2S_GRAD_CASE("matmul a^T b^T", [](Rng& r) { return std::vector{random_tensor(r, {5, 3}), random_tensor(r, {4, 5})}; },
              [](Graph&, const V& x) { return autograd::matmul(x[0], x[1], true, true); });
S2S_GRAD_CASE("bmm", [](Rng& r) { return std::vector{random_tensor(r, {3, 2, 5}), random_tensor(r, {3, 5, 4})}; },
              [](Graph&, const V& x) { return autograd::bmm(x[0], x[1]); });
S2S_GRAD_CASE("bmm b^T", [](Rng& r) { return std::vector{random_tensor(r, {2, 1, 5}), random_tensor(r, {2, 7, 5})}; },
              [](Graph&, const V& x) { return autograd::bmm(x[0], x[1], false, true); });
S2S_GRAD_CASE("bmm a^T", [](Rng& r) { return std::vector{random_tensor(r, {2, 5, 3}), random_tensor(r, {2, 5, 2})}; },
              [](Graph&, const V& x) { return autograd::bmm(x[0], x[1], true, false); });

}  // namespace
}  // namespace s2s::testing
