// Optimizer steps and gradient norms on one 4M-element parameter (about an
// RNN seq2seq layer stack), 1 and 2 threads. GB/s counts the bytes each step
// must stream: Adam reads p, g, m, v and writes p, m, v (28 bytes/element).
//   ./build/bench/optim_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include "s2s/core/parallel.h"
#include "s2s/core/rng.h"
#include "s2s/train/adam.h"
#include "s2s/train/clip_grad.h"
#include "s2s/train/sgd.h"

namespace {

using namespace s2s;

constexpr std::int64_t kElements = 1 << 22;

autograd::Parameter make_param() {
  Rng rng(7);
  autograd::Parameter p("w", Tensor::empty({kElements}));
  rng.fill_uniform(p.value.f32(), kElements, -1.0f, 1.0f);
  rng.fill_uniform(p.grad.f32(), kElements, -1e-3f, 1e-3f);
  return p;
}

template <typename Opt, typename Options>
void step_bench(benchmark::State& state, Options options, double bytes_per_element) {
  set_num_threads(static_cast<int>(state.range(0)));
  autograd::Parameter p = make_param();
  Opt opt({&p}, options);
  for (auto _ : state) opt.step();
  state.counters["GB/s"] = benchmark::Counter(bytes_per_element * kElements, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

void BM_Adam(benchmark::State& state) { step_bench<train::Adam>(state, train::AdamOptions{}, 28); }
void BM_AdamW_Amsgrad(benchmark::State& state) {
  step_bench<train::AdamW>(state, train::AdamWOptions{.amsgrad = true}, 36);
}
void BM_SgdMomentum(benchmark::State& state) {
  step_bench<train::Sgd>(state, train::SgdOptions{.lr = 0.1, .momentum = 0.9}, 20);
}

void BM_GradNorm(benchmark::State& state) {
  set_num_threads(static_cast<int>(state.range(0)));
  autograd::Parameter p = make_param();
  std::vector<autograd::Parameter*> params{&p};
  for (auto _ : state) benchmark::DoNotOptimize(train::grad_norm(params));
  state.counters["GB/s"] =
      benchmark::Counter(4.0 * kElements, benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

BENCHMARK(BM_Adam)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_AdamW_Amsgrad)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_SgdMomentum)->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(BM_GradNorm)->Arg(1)->Arg(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
