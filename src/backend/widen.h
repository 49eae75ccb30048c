/* widen.h — running a backend's compute kernels on the storage-only dtypes
** (float16, bfloat16: em_dtype_is_reduced_float). A device stores them and
** converts them (fill, copy), but its compute kernels need not know them:
** each required compute kernel of the device's table goes through one of the
** em_widen_* functions below, which hands the kernel its views unchanged when
** no view has a reduced dtype, and otherwise converts every such view to a
** float32 buffer (the device's own alloc and copy), runs the kernel in
** float32 and rounds the outputs back (round to nearest even). That is what
** PyTorch's CPU does for most float16 / bfloat16 ops (compute in float,
** round the result). The optional fused kernels need nothing here: a device
** answers supports(op, float16) = no and src/ops composes them from the
** required tier, which widens (each step rounded to 16 bits). softmax is
** the exception: it can be widened as a whole (em_widen_softmax: rounded
** once, as PyTorch's bfloat16 softmax), so a device may say yes for it.
**
** A device wires its table with EM_WIDEN_KERNELS(prefix, &table, raw_) in its
** backend file and puts prefix_unary, prefix_binary, ..., prefix_softmax in
** the table.
** Not here: the conversions themselves (core/half.h, the device's copy). */
#ifndef EMBER_WIDEN_H
#define EMBER_WIDEN_H

#include "backend.h"

typedef em_status (*em_unary_fn)(em_unary_op, const em_kview *, const em_kview *, double, double);
typedef em_status (*em_binary_fn)(em_binary_op, const em_kview *, const em_kview *, const em_kview *);
typedef em_status (*em_binary_scalar_fn)(em_binary_op, const em_kview *, const em_kview *, em_scalar, bool);
typedef em_status (*em_where_fn)(const em_kview *, const em_kview *, const em_kview *, const em_kview *);
typedef em_status (*em_reduce_fn)(em_reduce_op, const em_kview *, const em_kview *, const em_kview *, int);
typedef em_status (*em_scan_fn)(em_reduce_op, const em_kview *, const em_kview *, int, bool);
typedef em_status (*em_gemm_fn)(em_dtype, bool, bool, int64_t, int64_t, int64_t, double, const void *,
                                int64_t, int64_t, const void *, int64_t, int64_t, double, void *, int64_t,
                                int64_t, int64_t);
/* index_select and gather: (out, in, dim, index); index_add and scatter_add:
** (out, dim, index, src) with out an accumulator. */
typedef em_status (*em_select_fn)(const em_kview *, const em_kview *, int, const em_kview *);
typedef em_status (*em_accumulate_fn)(const em_kview *, int, const em_kview *, const em_kview *);
typedef em_status (*em_layout_fn)(em_dtype, const em_window2d *, const void *, void *);
typedef em_status (*em_softmax_fn)(em_dtype, const void *, void *, int64_t, int64_t, int64_t, bool);

em_status em_widen_unary(const em_backend *be, em_unary_fn k, em_unary_op op, const em_kview *out,
                         const em_kview *in, double p1, double p2);
em_status em_widen_binary(const em_backend *be, em_binary_fn k, em_binary_op op, const em_kview *out,
                          const em_kview *a, const em_kview *b);
em_status em_widen_binary_scalar(const em_backend *be, em_binary_scalar_fn k, em_binary_op op,
                                 const em_kview *out, const em_kview *a, em_scalar s, bool scalar_first);
em_status em_widen_where(const em_backend *be, em_where_fn k, const em_kview *out, const em_kview *cond,
                         const em_kview *a, const em_kview *b);
em_status em_widen_reduce(const em_backend *be, em_reduce_fn k, em_reduce_op op, const em_kview *out,
                          const em_kview *in, const em_kview *idx, int index_dim);
em_status em_widen_scan(const em_backend *be, em_scan_fn k, em_reduce_op op, const em_kview *out,
                        const em_kview *in, int dim, bool reverse);
em_status em_widen_gemm(const em_backend *be, em_gemm_fn k, em_dtype dtype, bool trans_a, bool trans_b,
                        int64_t m, int64_t n, int64_t kk, double alpha, const void *a, int64_t lda,
                        int64_t stride_a, const void *b, int64_t ldb, int64_t stride_b, double beta, void *c,
                        int64_t ldc, int64_t stride_c, int64_t batch);
em_status em_widen_select(const em_backend *be, em_select_fn k, const em_kview *out, const em_kview *in,
                          int dim, const em_kview *index);
em_status em_widen_accumulate(const em_backend *be, em_accumulate_fn k, const em_kview *out, int dim,
                              const em_kview *index, const em_kview *src);
/* im2col (to_col true: x -> col) and col2im (col -> x). */
em_status em_widen_layout(const em_backend *be, em_layout_fn k, bool to_col, em_dtype dt,
                          const em_window2d *g, const void *in, void *out);

/* The optional softmax kernel (supports(EM_FUSED_SOFTMAX, float16) = yes). */
em_status em_widen_softmax(const em_backend *be, em_softmax_fn k, em_dtype dt, const void *x, void *y,
                           int64_t outer, int64_t n, int64_t inner, bool log);

/* Defines static PREFIX_unary, PREFIX_binary, ... that widen around the raw
** kernels RAW##unary, RAW##binary, ... of the backend table TABLE. */
#define EM_WIDEN_KERNELS(PREFIX, TABLE, RAW)                                                       \
    static em_status PREFIX##_unary(em_unary_op op, const em_kview *out, const em_kview *in,       \
                                    double p1, double p2)                                          \
    { return em_widen_unary(TABLE, RAW##unary, op, out, in, p1, p2); }                             \
    static em_status PREFIX##_binary(em_binary_op op, const em_kview *out, const em_kview *a,      \
                                     const em_kview *b)                                            \
    { return em_widen_binary(TABLE, RAW##binary, op, out, a, b); }                                 \
    static em_status PREFIX##_binary_scalar(em_binary_op op, const em_kview *out,                  \
                                            const em_kview *a, em_scalar s, bool first)            \
    { return em_widen_binary_scalar(TABLE, RAW##binary_scalar, op, out, a, s, first); }            \
    static em_status PREFIX##_where(const em_kview *out, const em_kview *c, const em_kview *a,     \
                                    const em_kview *b)                                             \
    { return em_widen_where(TABLE, RAW##where, out, c, a, b); }                                    \
    static em_status PREFIX##_reduce(em_reduce_op op, const em_kview *out, const em_kview *in,     \
                                     const em_kview *idx, int index_dim)                           \
    { return em_widen_reduce(TABLE, RAW##reduce, op, out, in, idx, index_dim); }                   \
    static em_status PREFIX##_scan(em_reduce_op op, const em_kview *out, const em_kview *in,       \
                                   int dim, bool reverse)                                          \
    { return em_widen_scan(TABLE, RAW##scan, op, out, in, dim, reverse); }                         \
    static em_status PREFIX##_gemm(em_dtype dt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, \
                                   double alpha, const void *a, int64_t lda, int64_t sa,           \
                                   const void *b, int64_t ldb, int64_t sb, double beta, void *c,   \
                                   int64_t ldc, int64_t sc, int64_t batch)                         \
    { return em_widen_gemm(TABLE, RAW##gemm, dt, ta, tb, m, n, k, alpha, a, lda, sa, b, ldb, sb,   \
                           beta, c, ldc, sc, batch); }                                             \
    static em_status PREFIX##_index_select(const em_kview *out, const em_kview *in, int dim,       \
                                           const em_kview *index)                                  \
    { return em_widen_select(TABLE, RAW##index_select, out, in, dim, index); }                     \
    static em_status PREFIX##_gather(const em_kview *out, const em_kview *in, int dim,             \
                                     const em_kview *index)                                        \
    { return em_widen_select(TABLE, RAW##gather, out, in, dim, index); }                           \
    static em_status PREFIX##_index_add(const em_kview *out, int dim, const em_kview *index,       \
                                        const em_kview *src)                                       \
    { return em_widen_accumulate(TABLE, RAW##index_add, out, dim, index, src); }                   \
    static em_status PREFIX##_scatter_add(const em_kview *out, int dim, const em_kview *index,     \
                                          const em_kview *src)                                     \
    { return em_widen_accumulate(TABLE, RAW##scatter_add, out, dim, index, src); }                 \
    static em_status PREFIX##_im2col(em_dtype dt, const em_window2d *g, const void *x, void *col)  \
    { return em_widen_layout(TABLE, RAW##im2col, true, dt, g, x, col); }                           \
    static em_status PREFIX##_col2im(em_dtype dt, const em_window2d *g, const void *col, void *x)  \
    { return em_widen_layout(TABLE, RAW##col2im, false, dt, g, col, x); }                          \
    static em_status PREFIX##_softmax(em_dtype dt, const void *x, void *y, int64_t outer,          \
                                      int64_t n, int64_t inner, bool log)                          \
    { return em_widen_softmax(TABLE, RAW##softmax, dt, x, y, outer, n, inner, log); }

#endif
