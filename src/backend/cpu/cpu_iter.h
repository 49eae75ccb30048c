/* cpu_iter.h — internals shared by the CPU kernels: a strided N-d iterator
** over up to four same-shaped views (rows of the innermost dim, with
** contiguous dims coalesced), scalar load/store/convert helpers, and the
** kernel entry points that cpu_backend.c puts in the em_backend table.
** Not a public header: nothing outside src/backend/cpu includes it. */
#ifndef EMBER_CPU_ITER_H
#define EMBER_CPU_ITER_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../core/clones.h"
#include "../../core/half.h"
#include "../../core/interrupt.h"
#include "../backend.h"

#define CPU_ITER_MAX_OPS 4
#define CPU_POLL_EVERY ((int64_t)1 << 22)   /* elements between interrupt polls */

/* Usage:
**     cpu_iter it;
**     em_status st = cpu_iter_init(&it, 2, (const em_kview *[]){out, in});
**     if (st != EM_OK || it.numel == 0) return st;
**     do { ... it.n elements at it.ptr[k], it.step[k] elements apart ... }
**     while (cpu_iter_next(&it));
**     return cpu_iter_status(&it);                                         */
typedef struct cpu_iter {
    int nops;
    int ndim;                                     /* after coalescing, >= 1 */
    int64_t numel;
    int64_t n;                                    /* row length: shape[ndim-1] */
    int64_t step[CPU_ITER_MAX_OPS];               /* row stride, in elements */
    char *ptr[CPU_ITER_MAX_OPS];                  /* first element of this row */
    int64_t shape[EM_MAX_DIMS];
    int64_t bstride[CPU_ITER_MAX_OPS][EM_MAX_DIMS];  /* in bytes */
    int64_t pos[EM_MAX_DIMS];
    int64_t since_poll;
    bool interrupted;
} cpu_iter;

/* Checks that the views share ndim and shape (EM_ERR_INTERNAL if not). */
em_status cpu_iter_init(cpu_iter *it, int nops, const em_kview *const views[]);
/* EM_ERR_INTERRUPT (message set) if the walk stopped on Ctrl-C, else EM_OK. */
em_status cpu_iter_status(const cpu_iter *it);

/* Advances to the next row; false when done (or interrupted). */
static inline bool cpu_iter_next(cpu_iter *it)
{
    it->since_poll += it->n;
    if (it->since_poll >= CPU_POLL_EVERY) {
        it->since_poll = 0;
        if (em_interrupt_requested) {
            it->interrupted = true;
            return false;
        }
    }
    for (int d = it->ndim - 2; d >= 0; d--) {
        if (++it->pos[d] < it->shape[d]) {
            for (int k = 0; k < it->nops; k++) it->ptr[k] += it->bstride[k][d];
            return true;
        }
        it->pos[d] = 0;
        for (int k = 0; k < it->nops; k++)
            it->ptr[k] -= it->bstride[k][d] * (it->shape[d] - 1);
    }
    return false;
}

int64_t cpu_numel(const em_kview *v);
/* The window v with dim fixed at position i (shape[dim] becomes 1). */
em_kview cpu_slice(const em_kview *v, int dim, int64_t i);

/* --- conversions: float -> int truncates toward zero and saturates to the
** int64 range (NaN -> 0), then narrows like an int cast (wraps); anything ->
** bool is != 0; float64 -> float32 saturates to +-inf. --- */
static inline int64_t cpu_f2i(double v)
{
    if (v != v) return 0;
    if (v >= 9223372036854775807.0) return INT64_MAX;
    if (v <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)v;
}
static inline float cpu_d2f(double v)
{
    if (v > 3.4028234663852886e38) return INFINITY;
    if (v < -3.4028234663852886e38) return -INFINITY;
    return (float)v;
}
/* Wrapping int64 arithmetic (no signed-overflow UB). */
static inline int64_t cpu_wrap(uint64_t v) { return (int64_t)v; }

double cpu_load_f64(em_dtype dt, const void *p);
int64_t cpu_load_i64(em_dtype dt, const void *p);   /* floats via cpu_f2i */
void cpu_store_f64(em_dtype dt, void *p, double v);
void cpu_store_i64(em_dtype dt, void *p, int64_t v);

/* dst = src^T for 4-byte elements (cpu_transpose.c): src is rows x cols
** with lds elements between rows, dst cols x rows with ldd. */
void cpu_transpose32(const void *src, int64_t rows, int64_t cols, int64_t lds, void *dst, int64_t ldd);

/* --- kernel entry points (see backend.h for their contracts) --- */
em_status em_cpu_fill(const em_kview *out, double value);
em_status em_cpu_copy(const em_kview *out, const em_kview *in);
em_status em_cpu_unary(em_unary_op op, const em_kview *out, const em_kview *in,
                       double p1, double p2);
em_status em_cpu_binary(em_binary_op op, const em_kview *out, const em_kview *a,
                        const em_kview *b);
em_status em_cpu_binary_scalar(em_binary_op op, const em_kview *out, const em_kview *a, em_scalar s,
                               bool scalar_first);
em_status em_cpu_where(const em_kview *out, const em_kview *cond, const em_kview *a,
                       const em_kview *b);
em_status em_cpu_scan(em_reduce_op op, const em_kview *out, const em_kview *in, int dim, bool reverse);
em_status em_cpu_reduce(em_reduce_op op, const em_kview *out, const em_kview *in,
                        const em_kview *idx, int index_dim);
em_status em_cpu_gemm(em_dtype dtype, bool trans_a, bool trans_b, int64_t m, int64_t n,
                      int64_t k, double alpha, const void *a, int64_t lda,
                      int64_t stride_a, const void *b, int64_t ldb, int64_t stride_b,
                      double beta, void *c, int64_t ldc, int64_t stride_c, int64_t batch);
em_status em_cpu_index_select(const em_kview *out, const em_kview *in, int dim,
                              const em_kview *index);
em_status em_cpu_index_add(const em_kview *out, int dim, const em_kview *index,
                           const em_kview *src);
em_status em_cpu_gather(const em_kview *out, const em_kview *in, int dim,
                        const em_kview *index);
em_status em_cpu_scatter_add(const em_kview *out, int dim, const em_kview *index,
                             const em_kview *src);


/* Threads for one kernel call over `work` elements: OpenMP's count
** (torch.set_num_threads) when the work pays for waking them, else 1.
** CPU_PARALLEL_FOR goes right before a for loop whose iterations are
** independent (each writes its own part of the output), with a local
** `int cpu_nt = cpu_threads(work);` in scope. Without OpenMP both are
** no-ops. Inside such a loop, poll em_interrupt_requested (skip the rest
** of the iteration) instead of returning. Even with one thread the pragma
** enters libgomp (~0.3 us): a kernel called thousands of times per step
** on small tensors tests cpu_nt > 1 first (as the elementwise ops do). */
#define CPU_PAR_MIN ((int64_t)1 << 16)
#ifdef _OPENMP
#include <omp.h>
static inline int cpu_threads(int64_t work) { return work < CPU_PAR_MIN ? 1 : omp_get_max_threads(); }
#define CPU_PARALLEL_FOR _Pragma("omp parallel for if(cpu_nt > 1) num_threads(cpu_nt) schedule(static)")
#else
static inline int cpu_threads(int64_t work) { (void)work; return 1; }
#define CPU_PARALLEL_FOR (void)cpu_nt;
#endif

/* Thread t's share of a row of n elements split among nt threads: from
** *i0, the returned count (a multiple of 16 but the last; may be 0). */
static inline int64_t cpu_chunk(int64_t n, int nt, int t, int64_t *i0)
{
    int64_t per = ((n + nt - 1) / nt + 15) / 16 * 16;
    *i0 = t * per;
    return *i0 >= n ? 0 : n - *i0 < per ? n - *i0 : per;
}

#endif
