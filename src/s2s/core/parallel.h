#pragma once
// The one thread pool: OpenMP's. OpenBLAS is linked in its OpenMP build, so
// gemm and our own loops share these threads; inside a parallel region BLAS
// runs single-threaded, so nothing ever oversubscribes the cores.
//
// parallel_for splits [begin, end) into contiguous static chunks. Work in a
// chunk must not depend on the chunk boundaries (no cross-chunk reductions),
// which keeps every result independent of the thread count.
#include <omp.h>

#include <algorithm>
#include <cstdint>

namespace s2s {

// Sets the threads used by s2s loops and BLAS (the `--threads` knob).
void set_num_threads(int n);
int num_threads();

template <typename F>
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain, const F& fn) {
  std::int64_t n = end - begin;
  if (n <= 0) return;
  int threads = omp_in_parallel() ? 1 : static_cast<int>(std::min<std::int64_t>(omp_get_max_threads(), (n + grain - 1) / std::max<std::int64_t>(grain, 1)));
  if (threads <= 1) {
    fn(begin, end);
    return;
  }
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    std::int64_t chunk = (n + nt - 1) / nt;
    std::int64_t b = begin + t * chunk, e = std::min(end, b + chunk);
    if (b < e) fn(b, e);
  }
}

}  // namespace s2s
