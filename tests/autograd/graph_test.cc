// Graph::backward's memory lifetimes: parameter gradients allocated by the
// first gradient they receive, op values released as backward goes (when
// asked), and the packed gradient behind row views allocated on first use.
// None of them may change a single bit of the gradients.
#include <gtest/gtest.h>

#include <cstring>

#include "s2s/autograd/ops.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Parameter;
using autograd::Var;

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.f32(), b.f32(), static_cast<std::size_t>(a.numel()) * sizeof(float)) == 0;
}

TEST(GraphGradients, AParameterGradientExistsFromItsFirstGradient) {
  Parameter w("w", Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}));
  Parameter unused("unused", Tensor::zeros({2}));
  EXPECT_FALSE(w.grad.defined());
  Graph g;
  Var x = g.input(Tensor::from_vector({1, 1, 1, 2, 0, -1}, {2, 3}));
  Var wv = g.param(w), wv2 = g.param(w);  // one parameter bound twice
  g.param(unused);
  Var y = autograd::add(autograd::linear(x, wv), autograd::linear(x, wv2));
  EXPECT_FALSE(w.grad.defined()) << "forward allocates no gradient";
  g.backward(autograd::sum_all(y));
  ASSERT_TRUE(w.grad.defined());
  EXPECT_FALSE(unused.grad.defined());
  // dL/dw = 2 * (column sums of x) for each output row.
  EXPECT_EQ(w.grad.to_vector(), (std::vector<float>{6, 2, 0, 6, 2, 0}));
  EXPECT_TRUE(wv.grad().same_storage(w.grad) && wv2.grad().same_storage(w.grad));
  // A second backward before the update accumulates into the same buffer.
  g.clear();
  Var x2 = g.input(Tensor::from_vector({1, 0, 0, 0, 0, 0}, {2, 3}));
  g.backward(autograd::sum_all(autograd::linear(x2, g.param(w))));
  EXPECT_EQ(w.grad.to_vector(), (std::vector<float>{7, 2, 0, 7, 2, 0}));
}

// A small recurrent model's step with and without release_values: the same
// gradient bits, and afterwards only the root and the leaves keep values.
TEST(GraphGradients, ReleasingValuesChangesNoGradient) {
  Rng rng(3);
  const std::int64_t T = 5, B = 3, I = 4, H = 6;
  Parameter w_ih("w_ih", random_tensor(rng, {3 * H, I})), w_hh("w_hh", random_tensor(rng, {3 * H, H}));
  Parameter b_ih("b_ih", random_tensor(rng, {3 * H})), b_hh("b_hh", random_tensor(rng, {3 * H}));
  Parameter out("out", random_tensor(rng, {7, 2 * H}));
  Tensor x = random_tensor(rng, {T, B, I}), h0 = Tensor::zeros({B, H});
  Tensor lengths = Tensor::from_ids({5, 3, 4}, {B});
  std::vector<Parameter*> params{&w_ih, &w_hh, &b_ih, &b_hh, &out};
  auto step = [&](bool release) {
    for (Parameter* p : params) p->grad.reset();
    Graph g;
    auto seq = autograd::gru_sequence(g.input(x), g.input(h0), g.param(w_ih), g.param(w_hh), g.param(b_ih),
                                      g.param(b_hh), lengths, false);
    Var feats = autograd::concat({autograd::slice(seq.output, 0, T - 1, 1), autograd::reshape(seq.h, {1, B, H})}, 2);
    Var loss = autograd::sum_all(autograd::tanh(autograd::linear(feats, g.param(out))));
    g.backward(loss, {.release_values = release});
    EXPECT_TRUE(loss.value().defined());
    EXPECT_EQ(seq.output.value().defined(), !release);
    EXPECT_EQ(feats.value().defined(), !release);
    std::vector<Tensor> grads;
    for (Parameter* p : params) grads.push_back(p->grad.clone());
    return grads;
  };
  std::vector<Tensor> kept = step(false), released = step(true);
  for (std::size_t k = 0; k < params.size(); ++k) EXPECT_TRUE(same_bits(kept[k], released[k])) << params[k]->name;
}

TEST(GraphGradients, RowViewsAllocateThePackedGradientOnFirstUse) {
  Rng rng(4);
  const std::int64_t T = 3, B = 2, I = 3, H = 4;
  Graph g;
  Var w_ih = g.input(random_tensor(rng, {3 * H, I}), true), w_hh = g.input(random_tensor(rng, {3 * H, H}), true);
  Var b_ih = g.input(random_tensor(rng, {3 * H}), true), b_hh = g.input(random_tensor(rng, {3 * H}), true);
  auto seq = autograd::gru_sequence(g.input(random_tensor(rng, {T, B, I})), g.input(Tensor::zeros({B, H})), w_ih, w_hh,
                                    b_ih, b_hh, Tensor::from_ids({3, 3}, {B}), false);
  const autograd::Node* packed = seq.h.node()->input(0);
  EXPECT_FALSE(packed->grad.defined()) << "forward allocates no gradient for the views";
  Var loss = autograd::sum_all(seq.h);  // the output view takes no gradient
  EXPECT_FALSE(packed->grad.defined());
  g.backward(loss);
  EXPECT_TRUE(w_hh.grad().defined() && w_ih.grad().defined());
}

}  // namespace
}  // namespace s2s::testing
