/* cpu_gemm.c — batched row-major matrix multiply on the CPU:
** C_b = alpha * op(A_b) @ op(B_b) + beta * C_b. float32 products of at least
** DNNL_MIN_MACS multiply-adds go to oneDNN's sgemm when ember is built with
** it (tall ones with B transposed into a scratch block first), other
** float32/float64 ones to OpenBLAS (one call per batch); int64/int32,
** and float shapes BLAS cannot take, use plain loops. beta == 0 means C is
** not read (as in BLAS). */
#include <cblas.h>
#include <limits.h>
#include <stdlib.h>

#include "cpu_alloc.h"
#include "cpu_iter.h"
#include "cpu_threads.h"

#ifdef EMBER_HAVE_DNNL
#include "cpu_dnnl.h"
#endif

/* multiply-adds per BLAS call before polling for Ctrl-C (~20-40 ms) */
#define PANEL_FLOPS ((int64_t)1 << 31)

typedef struct gemm_args {
    bool ta, tb;
    int64_t m, n, k;
    double alpha, beta;
    int64_t lda, ldb, ldc;
} gemm_args;

/* oneDNN's sgemm (JIT-compiled for the CPU it runs on, threaded by OpenMP)
** beats OpenBLAS 0.3.21 by 5-10% on the MNIST models' products on one
** thread and by more on two, where OpenBLAS's pool and OpenMP's take turns;
** below about a million multiply-adds its fixed cost per call (~2 us) makes
** OpenBLAS the faster one. See docs/DECISIONS.md. */
#define DNNL_MIN_MACS ((int64_t)1 << 20)

/* oneDNN's sgemm runs a product 6-7% faster when B is stored (k, n) than
** when it reads B transposed from (n, k), as Linear's forward does with its
** weight (512x784 @ 784x256: 1.88 against 2.01 ms on one thread); its
** kernels sum in the same order either way (the same bits: test_cpu_backend
** checks). Transposing B costs ~0.25 ns per element, which pays from about
** 200 rows of A on; see transpose_b_first. */
#define TRANSPOSE_B_MIN_M 256

/* True when em_cpu_gemm should hand oneDNN B transposed into (k, n) first. */
static bool transpose_b_first(em_dtype dt, const gemm_args *g)
{
#ifdef EMBER_HAVE_DNNL
    return dt == EM_FLOAT32 && g->tb && g->m >= TRANSPOSE_B_MIN_M && g->m * g->n * g->k >= DNNL_MIN_MACS;
#else
    (void)dt;
    (void)g;
    return false;
#endif
}

/* One float32 product through oneDNN, else OpenBLAS (also when oneDNN
** declines it, e.g. without memory for its packed copies). */
static void sgemm(bool ta, bool tb, int m, int n, int k, float alpha, const float *a, int lda,
                  const float *b, int ldb, float beta, float *c, int ldc)
{
#ifdef EMBER_HAVE_DNNL
    if ((int64_t)m * n * k >= DNNL_MIN_MACS &&
        em_cpu_sgemm_dnnl(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))
        return;
#endif
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k,
                alpha, a, lda, b, ldb, beta, c, ldc);
}

/* Plain loops for one batch; floats accumulate in double, ints in wrapping
** int64 (alpha and beta converted to int64). */
#define DEF_NAIVE(NAME, T, ACC, MUL, AXPBY)                                  \
static void NAME(const gemm_args *g, const T *a, const T *b, T *c)           \
{                                                                            \
    for (int64_t i = 0; i < g->m; i++)                                       \
        for (int64_t j = 0; j < g->n; j++) {                                 \
            ACC s = 0;                                                       \
            for (int64_t p = 0; p < g->k; p++) {                             \
                T x = g->ta ? a[p * g->lda + i] : a[i * g->lda + p];         \
                T y = g->tb ? b[j * g->ldb + p] : b[p * g->ldb + j];         \
                s = MUL(s, x, y);                                            \
            }                                                                \
            T *cij = &c[i * g->ldc + j];                                     \
            *cij = AXPBY(g, s, *cij);                                        \
        }                                                                    \
}
#define FMUL(s, x, y) ((s) + (double)(x) * (double)(y))
#define IMUL(s, x, y) cpu_wrap((uint64_t)(s) + (uint64_t)(int64_t)(x) * (uint64_t)(int64_t)(y))
#define FAXPBY(g, s, c) ((g)->beta == 0 ? (g)->alpha * (s) : (g)->alpha * (s) + (g)->beta * (c))
static inline int64_t iaxpby(const gemm_args *g, int64_t s, int64_t c)
{
    uint64_t r = (uint64_t)cpu_f2i(g->alpha) * (uint64_t)s;
    if (g->beta != 0) r += (uint64_t)cpu_f2i(g->beta) * (uint64_t)c;
    return cpu_wrap(r);
}
#define IAXPBY(g, s, c) iaxpby(g, s, c)
#define F32AXPBY(g, s, c) cpu_d2f(FAXPBY(g, s, c))
DEF_NAIVE(naive_f32, float, double, FMUL, F32AXPBY)
DEF_NAIVE(naive_f64, double, double, FMUL, FAXPBY)
DEF_NAIVE(naive_i64, int64_t, int64_t, IMUL, IAXPBY)
DEF_NAIVE(naive_i32, int32_t, int64_t, IMUL, (int32_t)(uint32_t)IAXPBY)

/* BLAS checks ld >= max(1, columns) even where a single row makes the
** leading dimension meaningless; fix those, then say whether BLAS can go. */
static bool blas_fits(gemm_args *g)
{
    int64_t acols = g->ta ? g->m : g->k, arows = g->ta ? g->k : g->m;
    int64_t bcols = g->tb ? g->k : g->n, brows = g->tb ? g->n : g->k;
    int64_t ccols = g->n;
    if (arows <= 1 && g->lda < acols) g->lda = acols;
    if (brows <= 1 && g->ldb < bcols) g->ldb = bcols;
    if (g->m <= 1 && g->ldc < ccols) g->ldc = ccols;
    if (g->lda < 1) g->lda = 1;
    if (g->ldb < 1) g->ldb = 1;
    if (g->ldc < 1) g->ldc = 1;
    return g->m <= INT_MAX && g->n <= INT_MAX && g->k <= INT_MAX && g->lda <= INT_MAX &&
           g->ldb <= INT_MAX && g->ldc <= INT_MAX && g->lda >= acols && g->ldb >= bcols &&
           g->ldc >= ccols;
}

/* C = beta * C for k == 0 (beta 0 writes zeros, ignoring NaN in C). */
static void scale_c(em_dtype dt, const gemm_args *g, char *c)
{
    int64_t es = (int64_t)em_dtype_size(dt), ib = cpu_f2i(g->beta);
    for (int64_t i = 0; i < g->m; i++)
        for (int64_t j = 0; j < g->n; j++) {
            char *p = c + (i * g->ldc + j) * es;
            if (g->beta == 0) cpu_store_i64(dt, p, 0);
            else if (em_dtype_is_float(dt)) cpu_store_f64(dt, p, g->beta * cpu_load_f64(dt, p));
            else cpu_store_i64(dt, p, cpu_wrap((uint64_t)ib * (uint64_t)cpu_load_i64(dt, p)));
        }
}

em_status em_cpu_gemm(em_dtype dtype, bool trans_a, bool trans_b, int64_t m, int64_t n,
                      int64_t k, double alpha, const void *a, int64_t lda,
                      int64_t stride_a, const void *b, int64_t ldb, int64_t stride_b,
                      double beta, void *c, int64_t ldc, int64_t stride_c, int64_t batch)
{
    if (dtype != EM_FLOAT32 && dtype != EM_FLOAT64 && dtype != EM_INT64 && dtype != EM_INT32)
        return em_fail(EM_ERR_TYPE, "matmul: not supported for dtype %s", em_dtype_name(dtype));
    if (m < 0 || n < 0 || k < 0 || batch < 0)
        return em_fail(EM_ERR_INTERNAL, "gemm: negative size");
    if (m == 0 || n == 0 || batch == 0) return EM_OK;
    gemm_args g = {trans_a, trans_b, m, n, k, alpha, beta, lda, ldb, ldc};
    bool blas = em_dtype_is_float(dtype) && k > 0 && blas_fits(&g);
    if (!blas) g = (gemm_args){trans_a, trans_b, m, n, k, alpha, beta, lda, ldb, ldc};
    int64_t es = (int64_t)em_dtype_size(dtype);
    int64_t work = 0;
    enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
    enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
    /* bt: B transposed for oneDNN (without memory for it, B as it is) */
    size_t bt_bytes = blas && transpose_b_first(dtype, &g) ? (size_t)(n * k) * sizeof(float) : 0;
    float *bt = bt_bytes ? em_cpu_alloc(bt_bytes) : NULL;
    bool trans_b1 = bt ? false : trans_b;
    int64_t ldb1 = bt ? n : g.ldb;
    for (int64_t i = 0; i < batch; i++) {
        const char *ai = (const char *)a + i * stride_a * es;
        const char *bi = (const char *)b + i * stride_b * es;
        char *ci = (char *)c + i * stride_c * es;
        if (bt) {
            if (i == 0 || stride_b != 0) cpu_transpose32(bi, n, k, g.ldb, bt, n);   /* a shared B once */
            bi = (const char *)bt;
        }
        if (k == 0) scale_c(dtype, &g, ci);
        else if (blas) {
            /* One BLAS call is not interruptible: a huge product runs as
            ** panels of rows of C, each ~PANEL_FLOPS, with a poll between. */
            int64_t rows = m;
            if (m * n * k > PANEL_FLOPS) {
                rows = PANEL_FLOPS / (n * k);
                rows = rows < 64 ? 64 : rows - rows % 16;
            }
            for (int64_t r0 = 0; r0 < m; r0 += rows) {
                int64_t mr = m - r0 < rows ? m - r0 : rows;
                int64_t a_off = (trans_a ? r0 : r0 * g.lda) * es;   /* row r0 of op(A) */
                if (r0 > 0 && em_interrupt_requested) goto interrupted;
                if (dtype == EM_FLOAT32)
                    sgemm(trans_a, trans_b1, (int)mr, (int)n, (int)k, (float)alpha, (const float *)(ai + a_off),
                          (int)g.lda, (const float *)bi, (int)ldb1, (float)beta,
                          (float *)(ci + r0 * g.ldc * es), (int)g.ldc);
                else
                    cblas_dgemm(CblasRowMajor, ta, tb, (int)mr, (int)n, (int)k, alpha,
                                (const double *)(ai + a_off), (int)g.lda, (const double *)bi, (int)g.ldb,
                                beta, (double *)(ci + r0 * g.ldc * es), (int)g.ldc);
            }
        } else if (dtype == EM_FLOAT32)
            naive_f32(&g, (const float *)ai, (const float *)bi, (float *)ci);
        else if (dtype == EM_FLOAT64)
            naive_f64(&g, (const double *)ai, (const double *)bi, (double *)ci);
        else if (dtype == EM_INT64)
            naive_i64(&g, (const int64_t *)ai, (const int64_t *)bi, (int64_t *)ci);
        else
            naive_i32(&g, (const int32_t *)ai, (const int32_t *)bi, (int32_t *)ci);
        work += m * n * (k + 1);
        if (work >= CPU_POLL_EVERY) {
            work = 0;
            if (em_interrupt_requested) goto interrupted;
        }
    }
    em_cpu_free(bt, bt_bytes);
    return EM_OK;
interrupted:
    em_cpu_free(bt, bt_bytes);
    return em_interrupted();
}

/* Threads: OpenBLAS's pool and OpenMP's (oneDNN, the kernels'
** CPU_PARALLEL_FOR loops) get the same count. Waiting threads spin, which
** costs more than it gains on the small products of the lessons and is
** ruinous on a busy machine, so ember starts with one thread
** (EMBER_NUM_THREADS or torch.set_num_threads for more; a user's
** OPENBLAS_NUM_THREADS is left alone, and OpenMP then keeps its default). */
static int threads_set;

/* OpenMP's workers must never take a signal inside oneDNN (cpu_dnnl.c). */
static void start_workers(void)
{
#if defined(_OPENMP) && defined(EMBER_HAVE_DNNL)
    em_cpu_dnnl_start_workers(omp_get_max_threads());
#endif
}

void em_set_num_threads(int n)
{
    if (n < 1) n = 1;
    openblas_set_num_threads(n);
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
    start_workers();
    threads_set = 1;
}

int em_get_num_threads(void)
{
    if (!threads_set) {
        const char *env = getenv("EMBER_NUM_THREADS");
        if (env && atoi(env) > 0) em_set_num_threads(atoi(env));
        else if (!getenv("OPENBLAS_NUM_THREADS")) em_set_num_threads(1);
        else start_workers();
        threads_set = 1;
    }
    return openblas_get_num_threads();
}
