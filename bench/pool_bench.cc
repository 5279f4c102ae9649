// One thread pool: a step that alternates gemm with our own parallel loops,
// the pattern of an RNN training step. With the OpenMP OpenBLAS (what s2s
// links) both share libgomp's threads; run it again with the pthread build
// (bench/run_pool.sh does both) to see two pools busy-waiting against each
// other on 2 cores.
#include <benchmark/benchmark.h>

#include <cmath>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/kernels/gemm.h"

namespace {

using s2s::Shape;
using s2s::Tensor;

void BM_GemmThenLoop(benchmark::State& state) {
  s2s::set_num_threads(static_cast<int>(state.range(0)));
  const std::int64_t b = 64, h = 256;
  Tensor x0 = Tensor::empty(Shape{b, h}), w = Tensor::empty(Shape{h, 3 * h}), g = Tensor::empty(Shape{b, 3 * h});
  s2s::Rng rng(1);
  rng.fill_uniform(x0.f32(), x0.numel(), -1, 1);
  // Weights of unit gain keep the activations O(1): decaying ones would turn
  // into denormals and time the FPU's slow path instead of the threads.
  rng.fill_uniform(w.f32(), w.numel(), -0.1f, 0.1f);
  Tensor x = x0.clone();
  for (auto _ : state) {
    x.copy_from(x0);
    for (int t = 0; t < 20; ++t) {  // 20 recurrent steps
      s2s::kernels::gemm(x, w, g);
      float* pg = g.f32();
      float* px = x.f32();
      s2s::parallel_for(0, b, 8, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t r = lo; r < hi; ++r)
          for (std::int64_t j = 0; j < h; ++j)
            px[r * h + j] = std::tanh(pg[r * 3 * h + j] + pg[r * 3 * h + h + j] * pg[r * 3 * h + 2 * h + j]);
      });
    }
    benchmark::DoNotOptimize(x.f32());
  }
  state.counters["blas_parallel"] = s2s::kernels::blas_parallel_mode();
  state.counters["steps/s"] = benchmark::Counter(20, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_GemmThenLoop)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
