// Behaviour of the fused recurrent ops beyond their gradients: the PyTorch
// gate layout on hand-computed numbers, packed-sequence masking, the
// inference path, thread-count independence and argument errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/kernels/gemm.h"
#include "support/recurrent_reference.h"

namespace s2s::testing {
namespace {

using autograd::Graph;
using autograd::Var;
using reference::Cell;

double sig(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// One unit, one row, numbers chosen by hand; expectations are the
// torch.nn.GRUCell / LSTMCell formulas in double precision.
TEST(RecurrentSemantics, GruCellUsesPyTorchLayout) {
  Graph g(false);
  // x_proj rows (r, z, n) already include b_ih; b_hn sits inside r * (.).
  Var xp = g.input(Tensor::from_vector({0.5f, -0.3f, 0.2f}, {1, 3}));
  Var h = g.input(Tensor::from_vector({0.4f}, {1, 1}));
  Var w = g.input(Tensor::from_vector({0.1f, 0.2f, -0.5f}, {3, 1}));
  Var b = g.input(Tensor::from_vector({0.05f, -0.1f, 0.3f}, {3}));
  double r = sig(0.5 + 0.1 * 0.4 + 0.05), z = sig(-0.3 + 0.2 * 0.4 - 0.1);
  double n = std::tanh(0.2 + r * (-0.5 * 0.4 + 0.3));
  double want = (1 - z) * n + z * 0.4;
  EXPECT_NEAR(autograd::gru_cell(xp, h, w, b).value().f32()[0], want, 1e-6);
}

TEST(RecurrentSemantics, LstmCellUsesPyTorchLayout) {
  Graph g(false);
  Var xp = g.input(Tensor::from_vector({0.5f, -0.3f, 0.2f, 0.7f}, {1, 4}));  // i, f, g, o
  Var h = g.input(Tensor::from_vector({0.4f}, {1, 1}));
  Var c = g.input(Tensor::from_vector({-0.6f}, {1, 1}));
  Var w = g.input(Tensor::from_vector({0.1f, 0.2f, -0.5f, 0.3f}, {4, 1}));
  Var b = g.input(Tensor::from_vector({0.05f, -0.1f, 0.3f, 0.0f}, {4}));
  double i = sig(0.5 + 0.04 + 0.05), f = sig(-0.3 + 0.08 - 0.1), gg = std::tanh(0.2 - 0.2 + 0.3), o = sig(0.7 + 0.12);
  double c_new = f * -0.6 + i * gg;
  autograd::LstmState s = autograd::lstm_cell(xp, h, c, w, b);
  EXPECT_NEAR(s.c.value().f32()[0], c_new, 1e-6);
  EXPECT_NEAR(s.h.value().f32()[0], o * std::tanh(c_new), 1e-6);
}

const char* kind_name(Cell k) {
  const char* names[] = {"rnn_tanh", "rnn_relu", "gru", "lstm"};
  return names[static_cast<int>(k)];
}

autograd::SequenceOutput run_fused(Graph& g, Cell kind, const std::vector<Tensor>& in, const Tensor& len, bool reverse,
                                   bool requires_grad) {
  std::vector<Var> leaves;
  for (const Tensor& t : in) leaves.push_back(g.input(t, requires_grad));
  return reference::fused_sequence(kind, leaves, len, reverse);
}

// Sample b of a padded batch behaves exactly like that sample alone, cut to
// its length: same outputs on its real tokens, zeros after them, same final
// state. Reverse therefore starts at each sample's own last token.
TEST(RecurrentSemantics, PaddedBatchEqualsEachSequenceAlone) {
  const std::int64_t T = 5, B = 4, I = 3, H = 6;
  const std::vector<std::int32_t> lengths{5, 2, 1, 4};
  for (Cell kind : {Cell::RnnTanh, Cell::RnnRelu, Cell::Gru, Cell::Lstm}) {
    for (bool reverse : {false, true}) {
      SCOPED_TRACE(std::string(kind_name(kind)) + (reverse ? " reverse" : " forward"));
      Rng rng(5);
      std::vector<Tensor> in = reference::sequence_inputs(rng, kind, T, B, I, H);
      Graph g(false);
      autograd::SequenceOutput all = run_fused(g, kind, in, Tensor::from_ids(lengths, {B}), reverse, false);
      for (std::int64_t b = 0; b < B; ++b) {
        std::int64_t L = lengths[static_cast<std::size_t>(b)];
        std::vector<Tensor> one = in;
        one[0] = Tensor::empty({L, 1, I});
        for (std::int64_t t = 0; t < L; ++t)
          for (std::int64_t k = 0; k < I; ++k) one[0].f32()[t * I + k] = in[0].f32()[(t * B + b) * I + k];
        for (int s = 1; s <= (kind == Cell::Lstm ? 2 : 1); ++s) {  // h0 (and c0): row b
          one[static_cast<std::size_t>(s)] = Tensor::empty({1, H});
          for (std::int64_t k = 0; k < H; ++k) one[static_cast<std::size_t>(s)].f32()[k] = in[static_cast<std::size_t>(s)].f32()[b * H + k];
        }
        autograd::SequenceOutput alone = run_fused(g, kind, one, Tensor::from_ids({static_cast<std::int32_t>(L)}, {1}), reverse, false);
        for (std::int64_t t = 0; t < T; ++t)
          for (std::int64_t k = 0; k < H; ++k) {
            float got = all.output.value().f32()[(t * B + b) * H + k];
            if (t < L) {
              EXPECT_NEAR(got, alone.output.value().f32()[t * H + k], 1e-6) << "b " << b << " t " << t;
            } else {
              EXPECT_EQ(got, 0.0f) << "padding output b " << b << " t " << t;
            }
          }
        for (std::int64_t k = 0; k < H; ++k) {
          EXPECT_NEAR(all.h.value().f32()[b * H + k], alone.h.value().f32()[k], 1e-6) << "final h, b " << b;
          if (kind == Cell::Lstm) {
            EXPECT_NEAR(all.c.value().f32()[b * H + k], alone.c.value().f32()[k], 1e-6);
          }
        }
      }
    }
  }
}

// Values and gradients of a sequence op, for bitwise comparisons.
std::vector<Tensor> values_and_grads(Cell kind, const std::vector<Tensor>& in, const Tensor& len, bool reverse,
                                     bool grad) {
  Graph g(grad);
  std::vector<Var> leaves;
  for (const Tensor& t : in) leaves.push_back(g.input(t.clone(), true));
  autograd::SequenceOutput s = reference::fused_sequence(kind, leaves, len, reverse);
  std::vector<Tensor> out{s.output.value().clone(), s.h.value().clone()};
  if (kind == Cell::Lstm) out.push_back(s.c.value().clone());
  if (!grad) return out;
  Rng rng(7);
  Var loss = autograd::add(autograd::sum_all(autograd::mul(s.output, g.input(random_tensor(rng, s.output.shape())))),
                           autograd::sum_all(autograd::mul(s.h, g.input(random_tensor(rng, s.h.shape())))));
  g.backward(loss);
  for (const Var& l : leaves) out.push_back(l.grad().clone());
  return out;
}

void expect_bitwise(const std::vector<Tensor>& a, const std::vector<Tensor>& b, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    ASSERT_EQ(a[k].shape(), b[k].shape());
    for (std::int64_t e = 0; e < a[k].numel(); ++e) ASSERT_EQ(a[k].f32()[e], b[k].f32()[e]) << "tensor " << k << " element " << e;
  }
}

// Inference keeps two states instead of all T; the numbers must not change.
TEST(RecurrentSemantics, InferencePathMatchesTrainingPath) {
  for (Cell kind : {Cell::RnnTanh, Cell::Gru, Cell::Lstm}) {
    for (bool reverse : {false, true}) {
      SCOPED_TRACE(std::string(kind_name(kind)) + (reverse ? " reverse" : " forward"));
      Rng rng(6);
      std::vector<Tensor> in = reference::sequence_inputs(rng, kind, 6, 3, 4, 5);
      Tensor len = Tensor::from_ids({6, 3, 1}, {3});
      std::vector<Tensor> train = values_and_grads(kind, in, len, reverse, true);
      std::vector<Tensor> infer = values_and_grads(kind, in, len, reverse, false);
      expect_bitwise(infer, train, infer.size());
    }
  }
}

// Whether the BLAS gives the same bits for one product at 1 and 3 threads.
// OpenBLAS's AVX-512 kernels do; its AVX2 (Haswell/Zen) kernels do not (the
// value of an element depends on the block it falls in), and nothing above
// the BLAS can restore that: docs/architecture.md, "Determinism".
bool blas_is_thread_invariant() {
  int saved = num_threads();
  Rng rng(3);
  Tensor a = random_tensor(rng, Shape{96, 40}), b = random_tensor(rng, Shape{40, 120});
  Tensor c1 = Tensor::empty(Shape{96, 120}), c3 = Tensor::empty(Shape{96, 120});
  set_num_threads(1);
  kernels::sgemm(false, false, 96, 120, 40, 1.0f, a.f32(), 40, b.f32(), 120, 0.0f, c1.f32(), 120);
  set_num_threads(3);
  kernels::sgemm(false, false, 96, 120, 40, 1.0f, a.f32(), 40, b.f32(), 120, 0.0f, c3.f32(), 120);
  set_num_threads(saved);
  return std::equal(c1.f32(), c1.f32() + c1.numel(), c3.f32());
}

// Large enough that the gate passes split over threads.
TEST(RecurrentSemantics, ResultsDoNotDependOnThreadCount) {
  if (!blas_is_thread_invariant())
    GTEST_SKIP() << "this CPU's OpenBLAS kernels give different bits at 1 and 3 threads for the same product "
                    "(AVX2-only CPUs); training is bitwise reproducible here only at a fixed thread count";
  int saved = num_threads();
  for (Cell kind : {Cell::RnnTanh, Cell::Gru, Cell::Lstm}) {
    SCOPED_TRACE(kind_name(kind));
    Rng rng(8);
    const std::int64_t B = 96;
    std::vector<Tensor> in = reference::sequence_inputs(rng, kind, 5, B, 16, 40);
    std::vector<std::int32_t> lengths;
    for (std::int64_t b = 0; b < B; ++b) lengths.push_back(static_cast<std::int32_t>(1 + b % 5));
    Tensor len = Tensor::from_ids(lengths, {B});
    set_num_threads(1);
    std::vector<Tensor> one = values_and_grads(kind, in, len, true, true);
    set_num_threads(3);
    std::vector<Tensor> three = values_and_grads(kind, in, len, true, true);
    set_num_threads(saved);
    expect_bitwise(one, three, one.size());
  }
}

// Once a step has run, repeating it takes every buffer from the allocator's cache.
TEST(RecurrentSemantics, SteadyStateTrainingStepAllocatesNothing) {
  for (Cell kind : {Cell::RnnRelu, Cell::Gru, Cell::Lstm}) {
    SCOPED_TRACE(kind_name(kind));
    Rng rng(10);
    std::vector<Tensor> in = reference::sequence_inputs(rng, kind, 6, 4, 5, 7);
    Tensor len = Tensor::from_ids({6, 2, 5, 1}, {4});
    Graph g;
    auto step = [&] {
      std::vector<Var> leaves;
      for (const Tensor& t : in) leaves.push_back(g.input(t, true));
      autograd::SequenceOutput s = reference::fused_sequence(kind, leaves, len, true);
      g.backward(s.output, Tensor::full(s.output.shape(), 1.0f));
      g.clear();
    };
    step();
    std::uint64_t before = Allocator::for_device(kCPU).stats().system_allocs;
    step();
    EXPECT_EQ(Allocator::for_device(kCPU).stats().system_allocs, before);
  }
}

TEST(RecurrentSemantics, BadArgumentsAreErrors) {
  Rng rng(9);
  std::vector<Tensor> in = reference::sequence_inputs(rng, Cell::Gru, 3, 2, 4, 5);
  Graph g;
  std::vector<Var> v;
  for (const Tensor& t : in) v.push_back(g.input(t));
  auto gru = [&](const Tensor& len) { return autograd::gru_sequence(v[0], v[1], v[2], v[3], v[4], v[5], len, false); };
  EXPECT_THROW(gru(Tensor::from_ids({3, 0}, {2})), Error);   // empty sequence
  EXPECT_THROW(gru(Tensor::from_ids({4, 1}, {2})), Error);   // longer than T
  EXPECT_THROW(gru(Tensor::from_ids({3}, {1})), Error);      // wrong batch
  EXPECT_THROW(gru(Tensor::full({2}, 1.0f)), Error);         // F32 lengths
  Tensor len = Tensor::from_ids({3, 2}, {2});
  EXPECT_THROW(autograd::gru_sequence(v[0], v[1], v[3], v[3], v[4], v[5], len, false), Error);  // w_ih shape
  EXPECT_THROW(autograd::lstm_sequence(v[0], v[1], v[1], v[2], v[3], v[4], v[5], len, false), Error);  // 3H weights
  EXPECT_THROW(autograd::gru_cell(v[1], v[1], v[3], v[5]), Error);  // x_proj [B, H], not [B, 3H]
}

}  // namespace
}  // namespace s2s::testing
