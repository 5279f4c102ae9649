// Every listed op's gradient against central finite differences.
//
// Precision: ops run in float32, so the numeric gradient is
//   (L(x + eps) - L(x - eps)) / 2 eps,  L = sum(w * out) accumulated in double.
// With eps = 1e-2 the truncation error is ~eps^2/6 * |f'''| ~ 2e-5 and the
// rounding error ~ n * 6e-8 / 2e-2 ~ 3e-4 for the few hundred outputs a case
// has; atol 1e-3 + rtol 1e-2 sits above both and far below any real mistake
// (a wrong gradient term is O(0.1) or larger on these unit-scale inputs).
#include "autograd/gradcheck.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace s2s::testing {

std::vector<GradCase>& grad_cases() {
  static std::vector<GradCase> cases;
  return cases;
}

namespace {

using autograd::Graph;
using autograd::Var;

double weighted_sum(const Tensor& out, const Tensor& w) {
  double s = 0;
  for (std::int64_t k = 0; k < out.numel(); ++k) s += static_cast<double>(out.f32()[k]) * w.f32()[k];
  return s;
}

double evaluate(const GradCase& c, const std::vector<Tensor>& inputs, const Tensor& w) {
  Graph g(/*grad_enabled=*/false);
  std::vector<Var> leaves;
  for (const Tensor& t : inputs) leaves.push_back(g.input(t));
  return weighted_sum(c.build(g, leaves).value(), w);
}

TEST(GradCheck, EveryCaseMatchesFiniteDifferences) {
  ASSERT_FALSE(grad_cases().empty());
  for (const GradCase& c : grad_cases()) {
    SCOPED_TRACE(c.name);
    Rng rng(1234);
    std::vector<Tensor> inputs = c.make_inputs(rng);

    Graph g;
    std::vector<Var> leaves;
    for (const Tensor& t : inputs) leaves.push_back(g.input(t.clone(), true));
    Var out = c.build(g, leaves);
    Tensor w = random_tensor(rng, out.shape());
    g.backward(out, w);

    for (std::size_t k = 0; k < inputs.size(); ++k) {
      ASSERT_TRUE(leaves[k].grad().defined()) << "input " << k << " received no gradient";
      Tensor analytic = leaves[k].grad().clone();
      for (std::int64_t e = 0; e < inputs[k].numel(); ++e) {
        float orig = inputs[k].f32()[e];
        inputs[k].f32()[e] = orig + c.eps;
        double plus = evaluate(c, inputs, w);
        inputs[k].f32()[e] = orig - c.eps;
        double minus = evaluate(c, inputs, w);
        inputs[k].f32()[e] = orig;
        double numeric = (plus - minus) / (2.0 * c.eps);
        double a = analytic.f32()[e];
        double tol = c.atol + c.rtol * std::max(std::abs(a), std::abs(numeric));
        ASSERT_LE(std::abs(a - numeric), tol) << "input " << k << " element " << e << ": analytic " << a << " numeric "
                                              << numeric;
      }
    }
  }
}

// Every op in autograd/op_list.h must appear on the tape of at least one case.
TEST(GradCheck, CoversEveryListedOp) {
  std::set<autograd::OpId> seen;
  for (const GradCase& c : grad_cases()) {
    Rng rng(1234);
    std::vector<Tensor> inputs = c.make_inputs(rng);
    Graph g;
    std::vector<Var> leaves;
    for (const Tensor& t : inputs) leaves.push_back(g.input(t, true));
    c.build(g, leaves);
    for (std::size_t k = 0; k < g.size(); ++k)
      if (g.node(k).op) seen.insert(g.node(k).op->id);
  }
  std::string missing, covered;
  for (const autograd::OpDef* op : autograd::registered_ops())
    (seen.count(op->id) ? covered : missing) += std::string(" ") + op->name;
  std::printf("gradient-checked ops:%s\n", covered.c_str());
  EXPECT_TRUE(missing.empty()) << "ops without a finite-difference check:" << missing;
}

}  // namespace
}  // namespace s2s::testing
