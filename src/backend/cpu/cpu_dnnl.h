/* cpu_dnnl.h — conv2d and float32 products through oneDNN when ember is
** built with it (EMBER_HAVE_DNNL); see cpu_dnnl.c. */
#ifndef EMBER_CPU_DNNL_H
#define EMBER_CPU_DNNL_H

#include "../backend.h"

/* One pass of a float32 conv2d (see em_backend.conv2d); false when oneDNN
** does not take it and the caller should use im2col + gemm. */
bool em_cpu_conv2d_dnnl(em_conv_pass pass, em_dtype dt, const em_window2d *g, int64_t O, const void *a,
                        const void *b, const void *bias, void *out);

/* Row-major C = alpha op(A) op(B) + beta C through dnnl_sgemm (BLAS
** arguments); false when oneDNN declines it and the caller should use BLAS. */
bool em_cpu_sgemm_dnnl(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
                       const float *b, int ldb, float beta, float *c, int ldc);

/* Creates OpenMP's n - 1 worker threads with every signal blocked (see
** "Signals" in cpu_dnnl.c); call after changing the thread count. */
void em_cpu_dnnl_start_workers(int n);

#endif
