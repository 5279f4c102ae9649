// Row-invariant gemms (inference) against OpenBLAS on the decode shapes:
// y [m, n] = x [m, k] w^T, w [n, k]. Kernels: BLAS (cblas_sgemm NT),
// invariant_nt
// (sgemm_row_invariant with trans_b, packs w), invariant_nn (the same kernel
// with w stored [k, n], no packing), packed_nt (gemm_packed_nt: w packed once,
// outside the timed loop, as decoding does once per batch).
//   ./build/bench/gemm_invariant_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <cblas.h>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/gemm.h"

namespace {

using s2s::Shape;
using s2s::Tensor;

enum Kind { kBlas, kInvariantNt, kInvariantNn, kPackedNt };

// args: m, n, k, threads
template <Kind kind>
void BM_Gemm(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  s2s::set_num_threads(static_cast<int>(state.range(3)));
  Tensor x = Tensor::empty(Shape{m, k}), w = Tensor::empty(Shape{n, k}), y = Tensor::zeros(Shape{m, n});
  s2s::Rng rng(1);
  rng.fill_uniform(x.f32(), x.numel(), -1, 1);
  rng.fill_uniform(w.f32(), w.numel(), -1, 1);
  s2s::kernels::PackedNT packed(w);
  for (auto _ : state) {
    switch (kind) {
      case kBlas:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<blasint>(m), static_cast<blasint>(n),
                    static_cast<blasint>(k), 1.0f, x.f32(), static_cast<blasint>(k), w.f32(), static_cast<blasint>(k), 0.0f,
                    y.f32(), static_cast<blasint>(n));
        break;
      case kInvariantNt:
        s2s::kernels::sgemm_row_invariant(false, true, m, n, k, 1.0f, x.f32(), k, w.f32(), k, 0.0f, y.f32(), n);
        break;
      case kInvariantNn:  // w's buffer read as [k, n]: same cost as a stored transpose
        s2s::kernels::sgemm_row_invariant(false, false, m, n, k, 1.0f, x.f32(), k, w.f32(), n, 0.0f, y.f32(), n);
        break;
      case kPackedNt:
        s2s::kernels::gemm_packed_nt(m, x.f32(), k, packed, 0.0f, y.f32(), n);
        break;
    }
    benchmark::DoNotOptimize(y.f32());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

// Packing w once (per decoding batch), for the packed_nt rows.
void BM_Pack(benchmark::State& state) {
  const std::int64_t n = state.range(0), k = state.range(1);
  s2s::set_num_threads(static_cast<int>(state.range(2)));
  Tensor w = Tensor::empty(Shape{n, k});
  s2s::Rng rng(1);
  rng.fill_uniform(w.f32(), w.numel(), -1, 1);
  for (auto _ : state) benchmark::DoNotOptimize(s2s::kernels::PackedNT(w).panels().defined());
}
BENCHMARK(BM_Pack)->Name("pack")->ArgNames({"n", "k", "threads"})->Args({8000, 1024, 1})->Args({8000, 1024, 2})
    ->Unit(benchmark::kMicrosecond)->UseRealTime();

void shapes(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (std::int64_t m : {1, 64, 320})
      for (auto [n, k] : {std::pair<std::int64_t, std::int64_t>{768, 256}, {8000, 1024}, {8000, 1792}, {256, 512}})
        b->Args({m, n, k, threads});
  b->ArgNames({"m", "n", "k", "threads"})->Unit(benchmark::kMicrosecond)->UseRealTime();
}

BENCHMARK(BM_Gemm<kBlas>)->Name("blas")->Apply(shapes);
BENCHMARK(BM_Gemm<kInvariantNt>)->Name("invariant_nt")->Apply(shapes);
BENCHMARK(BM_Gemm<kInvariantNn>)->Name("invariant_nn")->Apply(shapes);
BENCHMARK(BM_Gemm<kPackedNt>)->Name("packed_nt")->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
