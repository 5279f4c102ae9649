// Finite-difference case for recompute: a residual block with dropout (the
// masks replayed in backward) over two inputs, one of them used twice.
#include "autograd/gradcheck.h"
#include "s2s/autograd/recompute.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;

S2S_GRAD_CASE("recompute residual block with dropout",
              [](Rng& r) { return std::vector{random_tensor(r, {3, 4}), random_tensor(r, {4, 4})}; },
              [](Graph& g, const V& x) {
                Rng rng(9);
                const Var in[] = {x[0], x[1]};
                return autograd::recompute(
                    g, in,
                    [](Graph&, std::span<const Var> v, Rng* r) {
                      Var h = autograd::tanh(autograd::linear(v[0], v[1]));
                      return autograd::add(v[0], autograd::dropout(autograd::linear(h, v[1]), 0.25f, *r));
                    },
                    &rng);
              });

}  // namespace
}  // namespace s2s::testing
