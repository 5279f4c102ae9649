// Finite-difference cases for the shape ops: concat, slice (view and copy
// paths), split, reshape, transpose (view, block-copy and tiled paths).
#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;
using T = std::vector<Tensor>;

auto shapes(std::vector<Shape> ss) {
  return [ss](Rng& r) {
    T t;
    for (const Shape& s : ss) t.push_back(random_tensor(r, s));
    return t;
  };
}

S2S_GRAD_CASE("concat axis 0", shapes({{2, 5}, {1, 5}, {3, 5}}),
              [](Graph&, const V& x) { return autograd::concat({x[0], x[1], x[2]}, 0); });
S2S_GRAD_CASE("concat axis -1", shapes({{3, 2}, {3, 7}}), [](Graph&, const V& x) { return autograd::concat({x[0], x[1]}, -1); });
S2S_GRAD_CASE("concat middle 3-d", shapes({{2, 1, 3}, {2, 4, 3}, {2, 2, 3}}),
              [](Graph&, const V& x) { return autograd::concat(std::span<const Var>(x), 1); });
S2S_GRAD_CASE("concat one input", shapes({{2, 3}}), [](Graph&, const V& x) { return autograd::concat({x[0]}, 1); });

S2S_GRAD_CASE("slice axis 0 (view)", shapes({{5, 3}}), [](Graph&, const V& x) { return autograd::slice(x[0], 0, 1, 3); });
S2S_GRAD_CASE("slice axis 1 (copy)", shapes({{3, 9}}), [](Graph&, const V& x) { return autograd::slice(x[0], 1, 2, 5); });
S2S_GRAD_CASE("slice last axis 3-d", shapes({{2, 3, 7}}), [](Graph&, const V& x) { return autograd::slice(x[0], -1, 6, 1); });
S2S_GRAD_CASE("slice axis 1, outer 1 (view)", shapes({{1, 6, 2}}),
              [](Graph&, const V& x) { return autograd::slice(x[0], 1, 2, 3); });
// The parts are multiplied by different tensors so each slice's gradient differs.
S2S_GRAD_CASE("split", shapes({{3, 8}, {3, 3}, {3, 5}}),
              [](Graph&, const V& x) {
                const std::int64_t sizes[] = {3, 0, 5};
                std::vector<Var> parts = autograd::split(x[0], 1, sizes);
                return autograd::concat({autograd::mul(parts[0], x[1]), parts[1], autograd::mul(parts[2], x[2])}, 1);
              });

S2S_GRAD_CASE("reshape", shapes({{2, 3, 5}}), [](Graph&, const V& x) { return autograd::reshape(x[0], {5, 6}); });

S2S_GRAD_CASE("transpose 0 1 3-d", shapes({{2, 3, 5}}), [](Graph&, const V& x) { return autograd::transpose(x[0], 0, 1); });
S2S_GRAD_CASE("transpose last two", shapes({{2, 17, 19}}),
              [](Graph&, const V& x) { return autograd::transpose(x[0], -1, -2); });
S2S_GRAD_CASE("transpose 0 2 4-d", shapes({{3, 2, 4, 5}}), [](Graph&, const V& x) { return autograd::transpose(x[0], 0, 2); });
S2S_GRAD_CASE("transpose wide block", shapes({{3, 2, 20}}), [](Graph&, const V& x) { return autograd::transpose(x[0], 0, 1); });
S2S_GRAD_CASE("transpose (view)", shapes({{1, 7}}), [](Graph&, const V& x) { return autograd::transpose(x[0], 0, 1); });

}  // namespace
}  // namespace s2s::testing
