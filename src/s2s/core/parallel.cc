#include "s2s/core/parallel.h"

#include "s2s/core/error.h"

namespace s2s {

void set_num_threads(int n) {
  S2S_CHECK(n >= 1, "threads: expected a positive thread count, got ", n);
  // OpenMP OpenBLAS reads omp_get_max_threads() on every call, so this one
  // setting governs both our loops and gemm.
  omp_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace s2s
