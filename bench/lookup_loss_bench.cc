// Group B ops at training sizes (N = 1280 target tokens, V = 8000, d = 512),
// forward + backward through the autograd ops, at 1 and 2 threads.
//   ./build/bench/lookup_loss_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "s2s/autograd/graph.h"
#include "s2s/autograd/ops.h"
#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"

namespace {

using namespace s2s;
using namespace s2s::autograd;

Tensor uniform(Rng& rng, const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  rng.fill_uniform(t.f32(), t.numel(), -2.0f, 2.0f);
  return t;
}

Tensor ids(Rng& rng, std::int64_t n, std::int64_t vocab) {
  Tensor t = Tensor::empty(Shape{n}, DType::I32);
  for (std::int64_t i = 0; i < n; ++i) t.i32()[i] = static_cast<std::int32_t>(rng.below(static_cast<std::uint64_t>(vocab)));
  return t;
}

void counters(benchmark::State& state, double bytes) {
  state.counters["GB/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["threads"] = static_cast<double>(num_threads());
}

// args: N, V, threads
void BM_CrossEntropy(benchmark::State& state) {
  std::int64_t n = state.range(0), v = state.range(1);
  set_num_threads(static_cast<int>(state.range(2)));
  Rng rng(1);
  Tensor logits = uniform(rng, {n, v}), targets = ids(rng, n, v);
  CrossEntropyOptions o;
  o.label_smoothing = 0.1f;
  Graph g;
  for (auto _ : state) {
    Var x = g.input(logits, true);
    g.backward(cross_entropy(x, targets, o));
    benchmark::DoNotOptimize(x.grad().f32());
    g.clear();
  }
  counters(state, 3.0 * 4 * n * v);  // logits read twice, gradient written once
}

// args: rows, dim, threads
void BM_LayerNorm(benchmark::State& state) {
  std::int64_t rows = state.range(0), dim = state.range(1);
  set_num_threads(static_cast<int>(state.range(2)));
  Rng rng(2);
  Tensor x = uniform(rng, {rows, dim}), gamma = uniform(rng, {dim}), beta = uniform(rng, {dim}), seed = uniform(rng, {rows, dim});
  Graph g;
  for (auto _ : state) {
    Var xv = g.input(x, true);
    Var y = layer_norm(xv, g.input(gamma, true), g.input(beta, true));
    g.backward(y, seed);
    benchmark::DoNotOptimize(xv.grad().f32());
    g.clear();
  }
  counters(state, 4.0 * 6 * rows * dim);
}

// args: numel, threads (p = 0.3)
void BM_Dropout(benchmark::State& state) {
  std::int64_t n = state.range(0);
  set_num_threads(static_cast<int>(state.range(1)));
  Rng data(3), rng(4);
  Tensor x = uniform(data, {n}), seed = uniform(data, {n});
  Graph g;
  for (auto _ : state) {
    Var xv = g.input(x, true);
    g.backward(dropout(xv, 0.3f, rng), seed);
    benchmark::DoNotOptimize(xv.grad().f32());
    g.clear();
  }
  counters(state, 4.0 * 4 * n);
}

// args: tokens, vocab, dim, threads
void BM_Embedding(benchmark::State& state) {
  std::int64_t n = state.range(0), vocab = state.range(1), dim = state.range(2);
  set_num_threads(static_cast<int>(state.range(3)));
  Rng rng(5);
  Tensor w = uniform(rng, {vocab, dim}), tok = ids(rng, n, vocab), seed = uniform(rng, {n, dim});
  Graph g;
  for (auto _ : state) {
    Var wv = g.input(w, true);
    g.backward(embedding(wv, tok, 0), seed);
    benchmark::DoNotOptimize(wv.grad().f32());
    g.clear();
  }
  counters(state, 4.0 * 4 * n * dim);
}

}  // namespace

BENCHMARK(BM_CrossEntropy)->Args({1280, 8000, 1})->Args({1280, 8000, 2})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LayerNorm)->Args({1280, 512, 1})->Args({1280, 512, 2})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Dropout)->Args({1280 * 512, 1})->Args({1280 * 512, 2})->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Embedding)->Args({1280, 8000, 512, 1})->Args({1280, 8000, 512, 2})->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
