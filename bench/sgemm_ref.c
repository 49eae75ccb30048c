/* sgemm_ref.c — the physical reference for benchmark 5: raw OpenBLAS
** cblas_sgemm on 1024x1024x1024 float32 (GFLOP/s, best of N), and memory
** bandwidth from a copy of 1e7 floats (GB/s counting read + write).
** Built and run by bench/run.py with the same environment as ember. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    openblas_set_num_threads(threads);
    int n = 1024;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (int i = 0; i < n * n; i++) a[i] = b[i] = (float)(i % 7) * 0.1f;
    double best = 1e9;
    for (int r = 0; r < 7; r++) {
        double t = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        t = now() - t;
        if (t < best) best = t;
    }
    printf("SGEMM_GFLOPS %.2f\n", 2.0 * n * n * n / best / 1e9);
    size_t m = 10000000;
    float *x = malloc(m * sizeof(float)), *y = malloc(m * sizeof(float));
    memset(x, 1, m * sizeof(float));
    memset(y, 0, m * sizeof(float));
    best = 1e9;
    for (int r = 0; r < 7; r++) {
        double t = now();
        memcpy(y, x, m * sizeof(float));
        t = now() - t;
        if (t < best) best = t;
    }
    printf("COPY_GBS %.2f\n", 2.0 * m * sizeof(float) / best / 1e9);
    return (int)c[1] & 0 ? 1 : 0;
}
