// Finite-difference cases for group A: elementwise (every broadcast mode),
// activations, softmax, reductions. Shapes include 1 and sizes that are not
// multiples of the SIMD width; some exceed 64 columns so the blocked column
// reductions run both their full-block and tail paths.
#include "autograd/gradcheck.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using V = std::vector<Var>;
using T = std::vector<Tensor>;

// Two random operands: a of shape sa, b of shape sb (b kept away from zero for div).
auto operands(Shape sa, Shape sb, bool b_away = false) {
  return [sa, sb, b_away](Rng& r) {
    return T{random_tensor(r, sa), b_away ? random_away_from_zero(r, sb, 0.5f, 1.5f) : random_tensor(r, sb)};
  };
}
auto one(Shape s, float lo = -1.0f, float hi = 1.0f) {
  return [s, lo, hi](Rng& r) { return T{random_tensor(r, s, lo, hi)}; };
}

// Every binary op against every broadcast layout (a table, registered once).
const bool kBinaryCases = [] {
  struct Layout {
    const char* name;
    Shape a, b;
  };
  const Layout layouts[] = {{"same", {3, 5}, {3, 5}},          {"row [cols]", {3, 9}, {9}},
                            {"row [1, cols] 3-d", {2, 3, 70}, {1, 70}}, {"column", {4, 7}, {4, 1}},
                            {"column 3-d", {2, 3, 5}, {2, 3, 1}}, {"scalar", {3, 11}, {1}},
                            {"1x1", {1, 1}, {1, 1}},
                            // NumPy's rule beyond the fast layouts: positions [T, 1, d] over
                            // [T, B, d], both operands repeating, b of higher rank than a, a
                            // 4-d attention mask shape, and b repeated along the last dim.
                            {"numpy [T, 1, d]", {3, 2, 5}, {3, 1, 5}}, {"numpy both repeat", {2, 1, 4}, {1, 3, 1}},
                            {"numpy a repeats", {5}, {2, 3, 5}}, {"numpy [B, 1, 1, Tk]", {2, 3, 2, 5}, {2, 1, 1, 5}},
                            {"numpy last dim repeats", {2, 3, 4}, {1, 3, 1}}, {"numpy wide rows", {2, 70}, {3, 1, 70}}};
  struct Op {
    const char* name;
    Var (*fn)(Var, Var);
  };
  const Op ops[] = {{"add", autograd::add}, {"sub", autograd::sub}, {"mul", autograd::mul}, {"div", autograd::div}};
  for (const Op& op : ops)
    for (const Layout& l : layouts) {
      auto fn = op.fn;
      grad_cases().push_back(GradCase{std::string(op.name) + " " + l.name, operands(l.a, l.b, fn == autograd::div),
                                      [fn](Graph&, const V& x) { return fn(x[0], x[1]); }});
    }
  return true;
}();

// The same Var on both sides: both input gradients land in one buffer.
S2S_GRAD_CASE("mul x*x", one({2, 9}), [](Graph&, const V& x) { return autograd::mul(x[0], x[0]); });

S2S_GRAD_CASE("scale", one({3, 5}), [](Graph&, const V& x) { return autograd::scale(x[0], -2.5f); });
S2S_GRAD_CASE("add_scalar", one({1, 17}), [](Graph&, const V& x) { return autograd::add_scalar(x[0], 0.75f); });

S2S_GRAD_CASE("tanh", one({3, 17}, -3.0f, 3.0f), [](Graph&, const V& x) { return autograd::tanh(x[0]); });
S2S_GRAD_CASE("sigmoid", one({2, 3, 5}, -4.0f, 4.0f), [](Graph&, const V& x) { return autograd::sigmoid(x[0]); });
S2S_GRAD_CASE("relu", [](Rng& r) { return T{random_away_from_zero(r, {4, 9}, 0.05f)}; },
              [](Graph&, const V& x) { return autograd::relu(x[0]); });
S2S_GRAD_CASE("exp", one({3, 7}, -2.0f, 1.5f), [](Graph&, const V& x) { return autograd::exp(x[0]); });
S2S_GRAD_CASE("log", one({5, 3}, 0.5f, 3.0f), [](Graph&, const V& x) { return autograd::log(x[0]); });
// Both tails and the middle of GELU (its curvature peaks near 0; no kinks).
S2S_GRAD_CASE("gelu", one({3, 19}, -4.0f, 4.0f), [](Graph&, const V& x) { return autograd::gelu(x[0]); });
S2S_GRAD_CASE("gelu near zero", one({2, 9}, -0.5f, 0.5f), [](Graph&, const V& x) { return autograd::gelu(x[0]); });

S2S_GRAD_CASE("softmax", one({3, 7}, -3.0f, 3.0f), [](Graph&, const V& x) { return autograd::softmax(x[0]); });
S2S_GRAD_CASE("softmax 3-d wide", one({2, 2, 37}, -3.0f, 3.0f), [](Graph&, const V& x) { return autograd::softmax(x[0]); });
S2S_GRAD_CASE("softmax one column", one({4, 1}), [](Graph&, const V& x) { return autograd::softmax(x[0]); });
// Large logits: only the max-shifted form stays finite.
S2S_GRAD_CASE("softmax shifted", one({2, 5}, 95.0f, 100.0f), [](Graph&, const V& x) { return autograd::softmax(x[0]); });
S2S_GRAD_CASE("log_softmax", one({3, 7}, -3.0f, 3.0f), [](Graph&, const V& x) { return autograd::log_softmax(x[0]); });
S2S_GRAD_CASE("log_softmax 1-d", one({13}, -3.0f, 3.0f), [](Graph&, const V& x) { return autograd::log_softmax(x[0]); });
S2S_GRAD_CASE("log_softmax shifted", one({2, 9}, -100.0f, -95.0f),
              [](Graph&, const V& x) { return autograd::log_softmax(x[0]); });

S2S_GRAD_CASE("sum axis 0", one({5, 3}), [](Graph&, const V& x) { return autograd::sum(x[0], 0); });
S2S_GRAD_CASE("sum axis -1", one({3, 7}), [](Graph&, const V& x) { return autograd::sum(x[0], -1); });
S2S_GRAD_CASE("sum middle keepdim", one({2, 3, 5}), [](Graph&, const V& x) { return autograd::sum(x[0], 1, true); });
S2S_GRAD_CASE("sum 1-d", one({9}), [](Graph&, const V& x) { return autograd::sum(x[0], 0); });
S2S_GRAD_CASE("sum axis 0 wide", one({3, 70}), [](Graph&, const V& x) { return autograd::sum(x[0], 0, true); });
S2S_GRAD_CASE("mean axis 0", one({4, 3}), [](Graph&, const V& x) { return autograd::mean(x[0], 0); });
S2S_GRAD_CASE("mean axis -1 keepdim", one({2, 3, 7}), [](Graph&, const V& x) { return autograd::mean(x[0], -1, true); });
S2S_GRAD_CASE("mean middle", one({2, 5, 3}), [](Graph&, const V& x) { return autograd::mean(x[0], 1); });
S2S_GRAD_CASE("sum_all", one({3, 5}), [](Graph&, const V& x) { return autograd::sum_all(x[0]); });
S2S_GRAD_CASE("sum_all [1]", one({1}), [](Graph&, const V& x) { return autograd::sum_all(x[0]); });

// A small composition: ops feeding each other, gradients meeting at a fork.
S2S_GRAD_CASE("composition", operands({3, 6}, {6}),
              [](Graph&, const V& x) {
                Var h = autograd::tanh(autograd::add(x[0], x[1]));
                Var p = autograd::softmax(autograd::mul(h, x[0]));
                return autograd::sum(autograd::sub(p, autograd::sigmoid(h)), 0);
              });

}  // namespace
}  // namespace s2s::testing
