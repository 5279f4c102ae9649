// gemm through s2s's interface (kernels::gemm on tensors) against raw
// cblas_sgemm on the same buffers, at 1 and 2 threads, in one run.
//   ./build/bench/gemm_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/gemm.h"

namespace {

using s2s::Shape;
using s2s::Tensor;

struct Operands {
  Tensor a, b, c;
  Operands(std::int64_t m, std::int64_t n, std::int64_t k)
      : a(Tensor::empty(Shape{m, k})), b(Tensor::empty(Shape{k, n})), c(Tensor::zeros(Shape{m, n})) {
    s2s::Rng rng(1);
    rng.fill_uniform(a.f32(), a.numel(), -1, 1);
    rng.fill_uniform(b.f32(), b.numel(), -1, 1);
  }
};

void set_counters(benchmark::State& state, std::int64_t m, std::int64_t n, std::int64_t k) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
  state.counters["threads"] = static_cast<double>(s2s::num_threads());
}

// args: m, n, k, threads
void BM_S2sGemm(benchmark::State& state) {
  std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  s2s::set_num_threads(static_cast<int>(state.range(3)));
  Operands o(m, n, k);
  for (auto _ : state) {
    s2s::kernels::gemm(o.a, o.b, o.c);
    benchmark::DoNotOptimize(o.c.f32());
  }
  set_counters(state, m, n, k);
}

void BM_RawSgemm(benchmark::State& state) {
  std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  s2s::set_num_threads(static_cast<int>(state.range(3)));
  Operands o(m, n, k);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
                1.0f, o.a.f32(), static_cast<int>(k), o.b.f32(), static_cast<int>(n), 0.0f, o.c.f32(), static_cast<int>(n));
    benchmark::DoNotOptimize(o.c.f32());
  }
  set_counters(state, m, n, k);
}

// 2048^3 (the peak figure of ../shared/bench), the vocabulary projection of
// the bahdanau shape (T*B=1280, 3H+E=1024, V=8000), and a recurrent step (B=64, H=256, 3H).
void shapes(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2}) {
    b->Args({2048, 2048, 2048, threads});
    b->Args({1280, 8000, 1024, threads});
    b->Args({64, 768, 256, threads});
  }
  b->ArgNames({"m", "n", "k", "threads"})->UseRealTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_S2sGemm)->Apply(shapes);
BENCHMARK(BM_RawSgemm)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
