// recompute (activation checkpointing): the function's value and the
// gradients of its inputs and of the parameters it binds those of applying it
// directly (bit for bit, but for an input shared by several calls); its dropout masks replayed in backward; the caller's
// rng left where a direct call leaves it; with grad disabled a plain call; and
// the tape keeps one node per recomputed call.
#include <gtest/gtest.h>

#include <cmath>

#include "s2s/autograd/ops.h"
#include "s2s/autograd/recompute.h"
#include "support/random.h"

namespace s2s::autograd {
namespace {

using testing::random_tensor;

// A residual block with a parameter, a second input and dropout:
// x + dropout(tanh(x W^T) * m).
Var block(Var x, Var m, Parameter& w, Rng* rng) {
  Var h = mul(tanh(linear(x, x.graph().param(w))), m);
  return add(x, dropout(h, 0.3f, *rng));
}

struct Outcome {
  Tensor y, dx, dm, dw;
  RngState after;
  std::size_t tape = 0;
};

// Two blocks in a row, each recomputed or not; loss = sum(y * y).
Outcome run(bool recomputed) {
  Rng data(11);
  Parameter w("w", random_tensor(data, {6, 6}));
  Tensor x0 = random_tensor(data, {4, 6}), m0 = random_tensor(data, {4, 6});
  Rng rng(5);
  Graph g;
  Var x = g.input(x0, true), m = g.input(m0, true);
  Var y = x;
  for (int layer = 0; layer < 2; ++layer) {
    if (!recomputed) {
      y = block(y, m, w, &rng);
      continue;
    }
    const Var in[] = {y, m};
    y = recompute(g, in, [&w](Graph&, std::span<const Var> v, Rng* r) { return block(v[0], v[1], w, r); }, &rng);
  }
  Outcome out;
  out.y = y.value().clone();
  out.tape = g.size();
  g.backward(sum_all(mul(y, y)), {.release_values = true});
  out.dx = x.node()->grad.clone();
  out.dm = m.node()->grad.clone();
  out.dw = w.grad.clone();
  out.after = rng.state();
  return out;
}

void expect_same_bits(const Tensor& a, const Tensor& b, const char* what) {
  ASSERT_EQ(a.numel(), b.numel()) << what;
  EXPECT_EQ(a.to_vector(), b.to_vector()) << what;
}

TEST(Recompute, ValueAndGradientsAreThoseOfTheDirectCall) {
  Outcome direct = run(false), again = run(true);
  expect_same_bits(again.y, direct.y, "y");
  expect_same_bits(again.dx, direct.dx, "dx");
  // m feeds both blocks: its two parts are added after each rerun instead of
  // accumulated by the second product (a fused multiply-add), so equal up to rounding.
  ASSERT_EQ(again.dm.numel(), direct.dm.numel());
  for (std::int64_t k = 0; k < direct.dm.numel(); ++k)
    EXPECT_NEAR(again.dm.f32()[k], direct.dm.f32()[k], 1e-6f * (1.0f + std::abs(direct.dm.f32()[k]))) << k;
  expect_same_bits(again.dw, direct.dw, "dw (two blocks' contributions)");
  EXPECT_EQ(again.after.offset, direct.after.offset);  // later draws unchanged
  // x, m, and per block one recompute node (plus the parameter leaf bound in
  // the scratch graph, not here) instead of its 6 nodes.
  EXPECT_EQ(again.tape, 2u + 2u);
  EXPECT_GT(direct.tape, again.tape + 8u);
}

TEST(Recompute, InputsWithoutGradientGetNone) {
  Rng data(3);
  Parameter w("w", random_tensor(data, {5, 5}));
  Graph g;
  Var x = g.input(random_tensor(data, {2, 5}), false), m = g.input(random_tensor(data, {2, 5}), true);
  Rng rng(1);
  const Var in[] = {x, m};
  Var y = recompute(g, in, [&w](Graph&, std::span<const Var> v, Rng* r) { return block(v[0], v[1], w, r); }, &rng);
  g.backward(sum_all(y));
  EXPECT_FALSE(x.node()->grad.defined());
  EXPECT_TRUE(m.node()->grad.defined());
  EXPECT_TRUE(w.grad.defined());
}

TEST(Recompute, WithoutGradItIsAPlainCall) {
  Graph g(false);
  Var x = g.input(Tensor::full({2, 3}, 0.5f));
  int calls = 0;
  const Var in[] = {x};
  Var y = recompute(g, in, [&calls](Graph&, std::span<const Var> v, Rng*) { ++calls; return tanh(v[0]); }, nullptr);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(&y.graph(), &g);
  EXPECT_FLOAT_EQ(y.value().f32()[0], std::tanh(0.5f));
}

}  // namespace
}  // namespace s2s::autograd
