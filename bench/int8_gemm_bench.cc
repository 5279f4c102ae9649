// int8 against fp32 for the decoding products y = x w^T (+ b) at decoding
// shapes: rows 1 (greedy, batch 1), 5 (beam 5), 64 and 320 (batches), and
// weights [n, k] from a recurrent step (k, n = 256..2048) to the vocabulary
// projection (n = 8000). fp32 is what decoding runs now (kernels::linear
// through a PackedNT: row-invariant, packed once); int8 runs every path the
// CPU supports (arg isa: 0 reference, 1 avx2, 2 avx512_vnni; an unsupported
// one is skipped). Run on a quiet machine; the oneDNN comparison the issue
// asks for is open (docs/precision.md).
//   ./build/bench/int8_gemm_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/cpu_isa.h"
#include "s2s/kernels/gemm.h"
#include "s2s/kernels/int8_gemm.h"

namespace {

using s2s::Shape;
using s2s::Tensor;

struct Operands {
  Tensor x, w, b, y;
  Operands(std::int64_t m, std::int64_t n, std::int64_t k)
      : x(Tensor::empty(Shape{m, k})), w(Tensor::empty(Shape{n, k})), b(Tensor::empty(Shape{n})), y(Tensor::empty(Shape{m, n})) {
    s2s::Rng rng(1);
    rng.fill_uniform(x.f32(), x.numel(), -1, 1);
    rng.fill_uniform(w.f32(), w.numel(), -0.1f, 0.1f);
    rng.fill_uniform(b.f32(), b.numel(), -0.1f, 0.1f);
  }
};

void set_counters(benchmark::State& state, std::int64_t m, std::int64_t n, std::int64_t k) {
  state.counters["GOP/s"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate,
                                               benchmark::Counter::kIs1000);
  state.counters["threads"] = static_cast<double>(s2s::num_threads());
}

// args: m, n, k, threads
void BM_Fp32Packed(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  s2s::set_num_threads(static_cast<int>(state.range(3)));
  Operands o(m, n, k);
  const s2s::kernels::PackedNT packed(o.w);
  for (auto _ : state) {
    s2s::kernels::linear(o.x, packed, &o.b, o.y);
    benchmark::DoNotOptimize(o.y.f32());
  }
  set_counters(state, m, n, k);
}

// args: m, n, k, threads, isa
void BM_Int8(benchmark::State& state) {
  const std::int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const auto isa = static_cast<s2s::kernels::CpuIsa>(state.range(4));
  if (!s2s::kernels::cpu_supports(isa)) {
    state.SkipWithError("this CPU lacks the path");
    return;
  }
  s2s::set_num_threads(static_cast<int>(state.range(3)));
  Operands o(m, n, k);
  const s2s::kernels::Int8Weight w = s2s::kernels::Int8Weight::quantize(o.w);
  for (auto _ : state) {
    s2s::kernels::gemm_int8_nt(isa, m, o.x.f32(), k, w, o.b.f32(), 0.0f, o.y.f32(), n);
    benchmark::DoNotOptimize(o.y.f32());
  }
  set_counters(state, m, n, k);
}

constexpr std::int64_t kWeights[][2] = {{256, 256}, {768, 256}, {2048, 512}, {512, 2048}, {8000, 512}, {8000, 1024}};

void fp32_shapes(benchmark::internal::Benchmark* b) {
  for (int threads : {1, 2})
    for (std::int64_t m : {1, 5, 64, 320})
      for (const auto& nk : kWeights) b->Args({m, nk[0], nk[1], threads});
  b->ArgNames({"m", "n", "k", "threads"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

void int8_shapes(benchmark::internal::Benchmark* b) {
  for (int isa : {1, 2})
    for (int threads : {1, 2})
      for (std::int64_t m : {1, 5, 64, 320})
        for (const auto& nk : kWeights) b->Args({m, nk[0], nk[1], threads, isa});
  b->ArgNames({"m", "n", "k", "threads", "isa"})->UseRealTime()->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Fp32Packed)->Apply(fp32_shapes);
BENCHMARK(BM_Int8)->Apply(int8_shapes);

}  // namespace

BENCHMARK_MAIN();
