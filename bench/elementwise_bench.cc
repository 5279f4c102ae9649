// Group A ops (elementwise, activations, softmax, reductions, shape) at
// training sizes, forward + backward through the autograd ops, plus the raw
// vector maths against std::. Sizes: N = 1280 tokens, H = 512, V = 8000.
//   ./build/bench/elementwise_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/cpu/vecmath.h"

namespace {

using namespace s2s;
using namespace s2s::autograd;

Tensor uniform(Rng& rng, const Shape& shape, float lo = -2.0f, float hi = 2.0f) {
  Tensor t = Tensor::empty(shape);
  rng.fill_uniform(t.f32(), t.numel(), lo, hi);
  return t;
}

void counters(benchmark::State& state, double bytes) {
  state.counters["GB/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["threads"] = static_cast<double>(num_threads());
}

// Runs build(g, leaves) forward and backward (seeded with ones) per iteration.
template <typename Build>
void run(benchmark::State& state, std::vector<Tensor> inputs, double bytes, Build build) {
  set_num_threads(static_cast<int>(state.range(0)));
  Graph g;
  Tensor seed;
  for (auto _ : state) {
    std::vector<Var> x;
    for (const Tensor& t : inputs) x.push_back(g.input(t, true));
    Var y = build(x);
    if (!seed.defined()) seed = Tensor::full(y.shape(), 1.0f);
    g.backward(y, seed);
    benchmark::DoNotOptimize(x[0].grad().f32());
    g.clear();
  }
  counters(state, bytes);
}

constexpr std::int64_t N = 1280, H = 512, V = 8000;
constexpr double kF = 4.0;  // bytes per float

void BM_AddRowBroadcast(benchmark::State& state) {
  Rng rng(1);
  run(state, {uniform(rng, {N, H}), uniform(rng, {H})}, kF * N * H * 5,
      [](const std::vector<Var>& x) { return add(x[0], x[1]); });
}
void BM_MulSame(benchmark::State& state) {
  Rng rng(1);
  run(state, {uniform(rng, {N, H}), uniform(rng, {N, H})}, kF * N * H * 9,
      [](const std::vector<Var>& x) { return mul(x[0], x[1]); });
}
void BM_Tanh(benchmark::State& state) {
  Rng rng(1);
  run(state, {uniform(rng, {N, H})}, kF * N * H * 5, [](const std::vector<Var>& x) { return tanh(x[0]); });
}
void BM_Sigmoid(benchmark::State& state) {
  Rng rng(1);
  run(state, {uniform(rng, {N, H})}, kF * N * H * 5, [](const std::vector<Var>& x) { return sigmoid(x[0]); });
}
void BM_LogSoftmaxVocab(benchmark::State& state) {
  Rng rng(1);
  run(state, {uniform(rng, {N, V})}, kF * N * V * 5, [](const std::vector<Var>& x) { return log_softmax(x[0]); });
}
void BM_SoftmaxAttention(benchmark::State& state) {  // [B * T_tgt, T_src] attention weights
  Rng rng(1);
  run(state, {uniform(rng, {64 * 20, 23})}, kF * 64 * 20 * 23 * 5,
      [](const std::vector<Var>& x) { return softmax(x[0]); });
}
void BM_SumAxis0(benchmark::State& state) {
  Rng rng(1);
  run(state, {uniform(rng, {N, H})}, kF * N * H * 3, [](const std::vector<Var>& x) { return sum(x[0], 0); });
}
void BM_TransposeTBH(benchmark::State& state) {  // [T, B, H] -> [B, T, H]
  Rng rng(1);
  run(state, {uniform(rng, {20, 64, H})}, kF * 20 * 64 * H * 5,
      [](const std::vector<Var>& x) { return transpose(x[0], 0, 1); });
}
void BM_ConcatLast(benchmark::State& state) {  // bidirectional outputs
  Rng rng(1);
  run(state, {uniform(rng, {N, H}), uniform(rng, {N, H})}, kF * N * H * 2 * 5,
      [](const std::vector<Var>& x) { return concat({x[0], x[1]}, -1); });
}

#define S2S_THREADS ->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond)
BENCHMARK(BM_AddRowBroadcast) S2S_THREADS;
BENCHMARK(BM_MulSame) S2S_THREADS;
BENCHMARK(BM_Tanh) S2S_THREADS;
BENCHMARK(BM_Sigmoid) S2S_THREADS;
BENCHMARK(BM_LogSoftmaxVocab) S2S_THREADS;
BENCHMARK(BM_SoftmaxAttention) S2S_THREADS;
BENCHMARK(BM_SumAxis0) S2S_THREADS;
BENCHMARK(BM_TransposeTBH) S2S_THREADS;
BENCHMARK(BM_ConcatLast) S2S_THREADS;

// Raw vector maths, one thread: fast forms against the std:: loops.
template <void (*Fn)(const float*, float*, std::int64_t)>
void BM_VecMath(benchmark::State& state) {
  Rng rng(1);
  Tensor x = uniform(rng, {1 << 16}, -8.0f, 8.0f), y = Tensor::empty({1 << 16});
  for (auto _ : state) {
    Fn(x.f32(), y.f32(), x.numel());
    benchmark::DoNotOptimize(y.f32());
  }
  state.SetItemsProcessed(state.iterations() * x.numel());
}
void std_tanh(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}
void std_exp(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}
void std_sigmoid(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
}
BENCHMARK(BM_VecMath<s2s::kernels::cpu::vtanh>);
BENCHMARK(BM_VecMath<std_tanh>);
BENCHMARK(BM_VecMath<s2s::kernels::cpu::vexp>);
BENCHMARK(BM_VecMath<std_exp>);
BENCHMARK(BM_VecMath<s2s::kernels::cpu::vsigmoid>);
BENCHMARK(BM_VecMath<std_sigmoid>);

}  // namespace

BENCHMARK_MAIN();
