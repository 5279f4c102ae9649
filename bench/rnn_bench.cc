// Fused recurrent ops against the same maths composed of primitive ops,
// forward + backward, B = 64, T = 20, H = arg (input size I = H).
//   OMP_NUM_THREADS=1 ./build/bench/rnn_bench
//   OMP_NUM_THREADS=2 ./build/bench/rnn_bench
// "CPU" is the CPU time of the whole process (all threads).
// Cell benchmarks unroll the cell over T steps (as a decoder does) from
// precomputed input projections; sequence benchmarks include the input
// projections. One iteration = the whole T-step forward and backward.
#include <benchmark/benchmark.h>

#include "../tests/support/recurrent_reference.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"

namespace {

using s2s::Rng;
using s2s::Shape;
using s2s::Tensor;
using s2s::autograd::Graph;
using s2s::autograd::Var;
namespace ag = s2s::autograd;
namespace ref = s2s::testing::reference;

constexpr std::int64_t kB = 64, kT = 20;

Tensor uniform(Rng& rng, const Shape& s, float scale) { return s2s::testing::random_tensor(rng, s, -scale, scale); }

struct CellInputs {
  Tensor xp, h0, c0, w_hh, b_hh;
  CellInputs(std::int64_t gates, std::int64_t H) {
    Rng rng(1);
    float ws = 1.0f / static_cast<float>(H);
    xp = uniform(rng, {kT, kB, gates * H}, 1.0f);
    h0 = uniform(rng, {kB, H}, 1.0f);
    c0 = uniform(rng, {kB, H}, 1.0f);
    w_hh = uniform(rng, {gates * H, H}, ws);
    b_hh = uniform(rng, {gates * H}, 0.1f);
  }
};

void report(benchmark::State& state) {
  state.counters["threads"] = static_cast<double>(s2s::num_threads());
  state.counters["H"] = static_cast<double>(state.range(0));
}

template <bool kFused>
void BM_GruCell(benchmark::State& state) {
  std::int64_t H = state.range(0);
  CellInputs in(3, H);
  Graph g;
  Tensor seed = Tensor::full({kB, H}, 1.0f);
  for (auto _ : state) {
    Var xp = g.input(in.xp, true), h = g.input(in.h0, true), w = g.input(in.w_hh, true), b = g.input(in.b_hh, true);
    for (std::int64_t t = 0; t < kT; ++t) {
      Var x_t = ag::reshape(ag::slice(xp, 0, t, 1), {kB, 3 * H});
      h = kFused ? ag::gru_cell(x_t, h, w, b) : ref::gru_cell_composed(x_t, h, w, b);
    }
    g.backward(h, seed);
    benchmark::DoNotOptimize(w.grad().f32());
    g.clear();
  }
  report(state);
}

template <bool kFused>
void BM_LstmCell(benchmark::State& state) {
  std::int64_t H = state.range(0);
  CellInputs in(4, H);
  Graph g;
  Tensor seed = Tensor::full({kB, H}, 1.0f);
  for (auto _ : state) {
    Var xp = g.input(in.xp, true), w = g.input(in.w_hh, true), b = g.input(in.b_hh, true);
    ag::LstmState s{g.input(in.h0, true), g.input(in.c0, true)};
    for (std::int64_t t = 0; t < kT; ++t) {
      Var x_t = ag::reshape(ag::slice(xp, 0, t, 1), {kB, 4 * H});
      s = kFused ? ag::lstm_cell(x_t, s.h, s.c, w, b) : ref::lstm_cell_composed(x_t, s.h, s.c, w, b);
    }
    g.backward(s.h, seed);
    benchmark::DoNotOptimize(w.grad().f32());
    g.clear();
  }
  report(state);
}

enum class SeqMode { Fused, StepCells, StepComposed };

// Fused: gru_sequence. StepCells: per step, x_t W_ih^T + b_ih then the fused
// gru_cell. StepComposed: per step, everything from primitive ops. All
// sequences are full length (no masking work in the per-step variants).
template <SeqMode kMode>
void BM_GruSequence(benchmark::State& state) {
  std::int64_t H = state.range(0), I = H;
  Rng rng(2);
  float ws = 1.0f / static_cast<float>(H);
  Tensor x = uniform(rng, {kT, kB, I}, 1.0f), h0 = uniform(rng, {kB, H}, 1.0f);
  Tensor w_ih = uniform(rng, {3 * H, I}, ws), w_hh = uniform(rng, {3 * H, H}, ws);
  Tensor b_ih = uniform(rng, {3 * H}, 0.1f), b_hh = uniform(rng, {3 * H}, 0.1f);
  Tensor lengths = Tensor::from_ids(std::vector<std::int32_t>(kB, static_cast<std::int32_t>(kT)), {kB});
  Tensor seed = Tensor::full({kT, kB, H}, 1.0f);
  Graph g;
  std::vector<Var> outs(kT);
  for (auto _ : state) {
    Var vx = g.input(x, true), h = g.input(h0, true), wi = g.input(w_ih, true), wh = g.input(w_hh, true);
    Var bi = g.input(b_ih, true), bh = g.input(b_hh, true);
    Var output;
    if constexpr (kMode == SeqMode::Fused) {
      output = ag::gru_sequence(vx, h, wi, wh, bi, bh, lengths, false).output;
    } else {
      for (std::int64_t t = 0; t < kT; ++t) {
        Var xp = ag::add(ag::matmul(ag::reshape(ag::slice(vx, 0, t, 1), {kB, I}), wi, false, true), bi);
        h = kMode == SeqMode::StepCells ? ag::gru_cell(xp, h, wh, bh) : ref::gru_cell_composed(xp, h, wh, bh);
        outs[static_cast<std::size_t>(t)] = ag::reshape(h, {1, kB, H});
      }
      output = ag::concat(outs, 0);
    }
    g.backward(output, seed);
    benchmark::DoNotOptimize(wh.grad().f32());
    g.clear();
  }
  report(state);
}

#define S2S_RNN_BENCH(fn) BENCHMARK(fn)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime()->UseRealTime()
S2S_RNN_BENCH(BM_GruCell<true>)->Name("gru_cell/fused");
S2S_RNN_BENCH(BM_GruCell<false>)->Name("gru_cell/composed");
S2S_RNN_BENCH(BM_LstmCell<true>)->Name("lstm_cell/fused");
S2S_RNN_BENCH(BM_LstmCell<false>)->Name("lstm_cell/composed");
S2S_RNN_BENCH(BM_GruSequence<SeqMode::Fused>)->Name("gru_sequence/fused");
S2S_RNN_BENCH(BM_GruSequence<SeqMode::StepCells>)->Name("gru_sequence/step_fused_cells");
S2S_RNN_BENCH(BM_GruSequence<SeqMode::StepComposed>)->Name("gru_sequence/step_composed");

}  // namespace

BENCHMARK_MAIN();
