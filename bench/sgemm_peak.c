/* Copy of ../shared/bench/sgemm_bench.c (the peer's sgemm probe), used by run_speed.py.
 * sgemm peak probe: times cblas_sgemm (row-major, no transpose) for
 * M=N=K=n against whatever BLAS it is linked to (Debian: OpenBLAS).
 * Threads are set by the environment (OPENBLAS_NUM_THREADS).
 * Prints one JSON line: best / median GFLOP/s over `reps` timed calls.
 *
 * build: gcc -O2 sgemm_peak.c -o sgemm_peak -L/usr/lib/x86_64-linux-gnu/openblas-openmp -lopenblas
 * run:   OPENBLAS_NUM_THREADS=1 ./sgemm_peak [n=2048] [reps=10]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>

/* OpenBLAS extras (declared in its cblas.h, redeclared here defensively). */
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
extern int openblas_get_num_threads(void);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2048;
    int reps = argc > 2 ? atoi(argv[2]) : 10;
    size_t sz = (size_t)n * n;
    float *A = aligned_alloc(64, sz * sizeof(float));
    float *B = aligned_alloc(64, sz * sizeof(float));
    float *C = aligned_alloc(64, sz * sizeof(float));
    srand(1);
    for (size_t i = 0; i < sz; i++) {
        A[i] = (float)rand() / RAND_MAX - 0.5f;
        B[i] = (float)rand() / RAND_MAX - 0.5f;
        C[i] = 0.f;
    }
    /* warm-up (thread pool start, page faults) */
    for (int i = 0; i < 2; i++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, A, n, B, n, 0.f, C, n);
    double *t = malloc(reps * sizeof(double));
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.f, A, n, B, n, 0.f, C, n);
        t[r] = now() - t0;
    }
    qsort(t, reps, sizeof(double), cmp);
    double flop = 2.0 * n * (double)n * n;
    const char *ct = getenv("OPENBLAS_CORETYPE");
    printf("{\"n\": %d, \"reps\": %d, \"threads\": %d, \"corename\": \"%s\", "
           "\"OPENBLAS_CORETYPE\": \"%s\", \"config\": \"%s\", "
           "\"best_gflops\": %.1f, \"median_gflops\": %.1f, \"worst_gflops\": %.1f, "
           "\"best_ms\": %.2f, \"checksum\": %.4f}\n",
           n, reps, openblas_get_num_threads(), openblas_get_corename(),
           ct ? ct : "(unset)", openblas_get_config(),
           flop / t[0] * 1e-9, flop / t[reps / 2] * 1e-9, flop / t[reps - 1] * 1e-9,
           t[0] * 1e3, (double)C[0] + C[sz - 1]);
    free(A); free(B); free(C); free(t);
    return 0;
}
