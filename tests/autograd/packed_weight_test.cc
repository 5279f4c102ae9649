// Graph::packed_weight: inference packs a parameter's weight once per graph
// and the products through it equal the unpacked row-invariant ones bit for
// bit; it never packs with grad on, for non-parameters or for a few rows, and
// never serves a stale copy. Graphs can share one PackedWeights (an Ensemble's).
#include <gtest/gtest.h>

#include <cstring>

#include "s2s/autograd/ops.h"
#include "support/random.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.f32(), b.f32(), static_cast<std::size_t>(a.numel()) * sizeof(float)) == 0;
}

TEST(PackedWeight, LinearThroughThePackedCopyHasTheSameBits) {
  Rng r(21);
  autograd::Parameter w("w", random_tensor(r, {70, 33})), b("b", random_tensor(r, {70}));
  Tensor x = random_tensor(r, {3, 13, 33});
  Graph g(false);
  Var vw = g.param(w);
  Tensor got = autograd::linear(g.input(x), vw, g.param(b)).value();
  ASSERT_NE(g.packed_weight(vw, 39), nullptr);
  Tensor want = Tensor::empty({3, 13, 70});
  kernels::linear(x, w.value, &b.value, want, /*row_invariant=*/true);
  EXPECT_TRUE(same_bits(got, want));
}

TEST(PackedWeight, OnlyForParametersInInferenceWhereItPays) {
  Rng r(22);
  autograd::Parameter w("w", random_tensor(r, {40, 16}));
  Graph train;
  EXPECT_EQ(train.packed_weight(train.param(w), 64), nullptr);  // grad on: BLAS, nothing kept
  Graph g(false);
  Var vw = g.param(w);
  // A few rows read w in place where the CPU has a kernel for it (AVX-512);
  // on AVX2 every row count goes through the packed copy.
  EXPECT_EQ(g.packed_weight(vw, kernels::kGemmSmallRows) != nullptr, !kernels::gemm_nt_small_m_available());
  EXPECT_TRUE(kernels::packed_nt_pays(1) != kernels::gemm_nt_small_m_available());
  EXPECT_EQ(g.packed_weight(g.input(w.value), 64), nullptr);           // not a parameter
  const kernels::PackedNT* p = g.packed_weight(vw, 64);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(g.packed_weight(g.param(w), 64), p);  // packed once per graph
  g.clear();                                      // steps clear the tape, not the copies
  EXPECT_EQ(g.packed_weight(g.param(w), 64), p);
}

TEST(PackedWeight, GraphsShareAnOwnersCopiesUntilGradIsOn) {
  Rng r(24);
  autograd::Parameter w("w", random_tensor(r, {40, 16}));
  autograd::PackedWeights shared;
  const kernels::PackedNT* first = nullptr;
  for (int batch = 0; batch < 2; ++batch) {  // one graph per decoding batch
    Graph g(false);
    g.share_packed_weights(shared);
    const kernels::PackedNT* p = g.packed_weight(g.param(w), 64);
    ASSERT_NE(p, nullptr);
    if (batch == 0) first = p;
    EXPECT_EQ(p, first);
  }
  Graph g(false);
  g.share_packed_weights(shared);
  g.set_grad_enabled(true);
  g.set_grad_enabled(false);
  EXPECT_NE(g.packed_weight(g.param(w), 64), first);  // back to its own copies
}

TEST(PackedWeight, NeverStale) {
  Rng r(23);
  autograd::Parameter w("w", random_tensor(r, {40, 16}));
  Tensor x = random_tensor(r, {20, 16});
  Graph g(false);
  auto product = [&] { return autograd::linear(g.input(x), g.param(w)).value().clone(); };
  Tensor before = product();
  w.value = random_tensor(r, {40, 16});  // a loaded checkpoint replaces the value
  Tensor replaced = product();
  Tensor want = Tensor::empty({20, 40});
  kernels::linear(x, w.value, nullptr, want, true);
  EXPECT_TRUE(same_bits(replaced, want));
  EXPECT_FALSE(same_bits(before, replaced));
  // Training in between (grad on, the optimizer writes in place) drops the copies.
  g.set_grad_enabled(true);
  w.value.f32()[0] += 1.0f;
  g.set_grad_enabled(false);
  kernels::linear(x, w.value, nullptr, want, true);
  EXPECT_TRUE(same_bits(product(), want));
}

}  // namespace
}  // namespace s2s::testing
