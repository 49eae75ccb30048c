/* widen.c — float16 / bfloat16 views through float32 kernels (widen.h). */
#include "widen.h"

#include <math.h>

#include "../core/half.h"

/* One view as the kernel sees it: the caller's view, or a float32 buffer
** standing in for it (buf != NULL). */
typedef struct wide {
    const em_kview *orig;
    em_kview v;
    void *buf;
    size_t bytes;
} wide;

static void *alloc_or_fail(const em_backend *be, size_t bytes)
{
    void *p = be->alloc(bytes ? bytes : 4);
    if (!p) em_fail(EM_ERR_MEMORY, "%s: out of memory for a float32 copy of a 16-bit float tensor (%zu bytes)",
                    be->name, bytes);
    return p;
}

/* w->v: *v itself unless v has a reduced dtype; then a float32 buffer laid
** out row-major over v's dims of nonzero stride (broadcast dims keep stride
** 0, so a reduction's output and a broadcast input stay small), filled from
** v when load. NULL v stays NULL. */
static em_status widen(const em_backend *be, const em_kview *v, bool load, wide *w)
{
    w->orig = v;
    w->buf = NULL;
    w->bytes = 0;
    if (!v) return EM_OK;
    w->v = *v;
    if (!em_dtype_is_reduced_float(v->dtype)) return EM_OK;
    em_kview t = *v;
    t.dtype = em_dtype_compute_type(v->dtype);
    int64_t n = 1;
    for (int d = v->ndim - 1; d >= 0; d--) {
        t.stride[d] = v->stride[d] == 0 ? 0 : n;
        if (v->stride[d] != 0) n *= v->shape[d];
    }
    w->bytes = (size_t)n * em_dtype_size(t.dtype);
    if (!(t.data = w->buf = alloc_or_fail(be, w->bytes))) return em_last_status();
    w->v = t;
    return load ? be->copy(&w->v, v) : EM_OK;
}

/* Rounds an output back into the caller's view (when st is EM_OK) and frees
** the buffer; returns the first failure. */
static em_status narrow(const em_backend *be, wide *w, bool store, em_status st)
{
    if (!w->buf) return st;
    if (st == EM_OK && store) st = be->copy(w->orig, &w->v);
    be->free(w->buf, w->bytes);
    w->buf = NULL;
    return st;
}

static const em_kview *kv(const wide *w) { return w->orig ? &w->v : NULL; }

/* Widens n views (inputs loaded, outputs loaded only when accumulating),
** runs, narrows back the first n_out of them. The views are w[0..n). */
#define WIDEN_ALL(N) for (int i_ = 0; i_ < (N) && st == EM_OK; i_++) st = widen(be, views[i_], load[i_], &w[i_])
#define NARROW_ALL(N, NOUT) for (int i_ = 0; i_ < (N); i_++) st = narrow(be, &w[i_], i_ < (NOUT), st)

static bool any_reduced(int n, const em_kview *const *views)
{
    for (int i = 0; i < n; i++)
        if (views[i] && em_dtype_is_reduced_float(views[i]->dtype)) return true;
    return false;
}

em_status em_widen_unary(const em_backend *be, em_unary_fn k, em_unary_op op, const em_kview *out,
                         const em_kview *in, double p1, double p2)
{
    const em_kview *views[2] = {out, in};
    if (!any_reduced(2, views)) return k(op, out, in, p1, p2);
    bool load[2] = {false, true};
    wide w[2] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(2);
    if (st == EM_OK) st = k(op, kv(&w[0]), kv(&w[1]), p1, p2);
    NARROW_ALL(2, 1);
    return st;
}

em_status em_widen_binary(const em_backend *be, em_binary_fn k, em_binary_op op, const em_kview *out,
                          const em_kview *a, const em_kview *b)
{
    const em_kview *views[3] = {out, a, b};
    if (!any_reduced(3, views)) return k(op, out, a, b);
    bool load[3] = {false, true, true};
    wide w[3] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(3);
    if (st == EM_OK) st = k(op, kv(&w[0]), kv(&w[1]), kv(&w[2]));
    NARROW_ALL(3, 1);
    return st;
}

/* s as a's 16-bit dtype holds it: the backend contract converts s to a's
** dtype first, and PyTorch 1.13 does too (a + 0.1 adds 0.1 rounded to
** float16 / bfloat16; through float32, as c10::Half converts). */
static em_scalar round_scalar(em_scalar s, em_dtype dt)
{
    double v = s.dtype == EM_FLOAT64 ? s.f : (double)s.i;
    float f = v > 3.4028234663852886e38 ? INFINITY : v < -3.4028234663852886e38 ? -INFINITY : (float)v;
    f = dt == EM_FLOAT16 ? em_f16_to_f32(em_f32_to_f16(f)) : em_bf16_to_f32(em_f32_to_bf16(f));
    return (em_scalar){EM_FLOAT64, 0, f};
}

em_status em_widen_binary_scalar(const em_backend *be, em_binary_scalar_fn k, em_binary_op op,
                                 const em_kview *out, const em_kview *a, em_scalar s, bool scalar_first)
{
    const em_kview *views[2] = {out, a};
    if (!any_reduced(2, views)) return k(op, out, a, s, scalar_first);
    if (em_dtype_is_reduced_float(a->dtype)) s = round_scalar(s, a->dtype);
    bool load[2] = {false, true};
    wide w[2] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(2);
    if (st == EM_OK) st = k(op, kv(&w[0]), kv(&w[1]), s, scalar_first);
    NARROW_ALL(2, 1);
    return st;
}

em_status em_widen_where(const em_backend *be, em_where_fn k, const em_kview *out, const em_kview *cond,
                         const em_kview *a, const em_kview *b)
{
    const em_kview *views[4] = {out, cond, a, b};
    if (!any_reduced(4, views)) return k(out, cond, a, b);
    bool load[4] = {false, true, true, true};
    wide w[4] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(4);
    if (st == EM_OK) st = k(kv(&w[0]), kv(&w[1]), kv(&w[2]), kv(&w[3]));
    NARROW_ALL(4, 1);
    return st;
}

em_status em_widen_reduce(const em_backend *be, em_reduce_fn k, em_reduce_op op, const em_kview *out,
                          const em_kview *in, const em_kview *idx, int index_dim)
{
    const em_kview *views[2] = {out, in};
    if (!any_reduced(2, views)) return k(op, out, in, idx, index_dim);
    bool load[2] = {false, true};
    wide w[2] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(2);
    if (st == EM_OK) st = k(op, kv(&w[0]), kv(&w[1]), idx, index_dim);
    NARROW_ALL(2, 1);
    return st;
}

em_status em_widen_scan(const em_backend *be, em_scan_fn k, em_reduce_op op, const em_kview *out,
                        const em_kview *in, int dim, bool reverse)
{
    const em_kview *views[2] = {out, in};
    if (!any_reduced(2, views)) return k(op, out, in, dim, reverse);
    bool load[2] = {false, true};
    wide w[2] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(2);
    if (st == EM_OK) st = k(op, kv(&w[0]), kv(&w[1]), dim, reverse);
    NARROW_ALL(2, 1);
    return st;
}

em_status em_widen_select(const em_backend *be, em_select_fn k, const em_kview *out, const em_kview *in,
                          int dim, const em_kview *index)
{
    const em_kview *views[2] = {out, in};
    if (!any_reduced(2, views)) return k(out, in, dim, index);
    bool load[2] = {false, true};
    wide w[2] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(2);
    if (st == EM_OK) st = k(kv(&w[0]), kv(&w[1]), dim, index);
    NARROW_ALL(2, 1);
    return st;
}

em_status em_widen_accumulate(const em_backend *be, em_accumulate_fn k, const em_kview *out, int dim,
                              const em_kview *index, const em_kview *src)
{
    const em_kview *views[2] = {out, src};
    if (!any_reduced(2, views)) return k(out, dim, index, src);
    bool load[2] = {true, true};
    wide w[2] = {{0}};
    em_status st = EM_OK;
    WIDEN_ALL(2);
    if (st == EM_OK) st = k(kv(&w[0]), dim, index, kv(&w[1]));
    NARROW_ALL(2, 1);
    return st;
}

/* --- raw buffers (gemm, im2col/col2im): a flat span of n elements --- */

static em_kview flat(void *data, em_dtype dt, int64_t n)
{
    em_kview v = {0};
    v.data = data;
    v.dtype = dt;
    v.ndim = 1;
    v.shape[0] = n;
    v.stride[0] = 1;
    return v;
}

typedef struct span {
    em_kview orig;
    wide w;
} span;

static em_status span_widen(const em_backend *be, span *s, const void *p, em_dtype dt, int64_t n, bool load)
{
    s->orig = flat((void *)p, dt, n);
    return widen(be, &s->orig, load, &s->w);
}

/* Elements a row-major rows x cols matrix with leading dimension ld spans,
** repeated batch times stride apart. */
static int64_t matrix_span(int64_t rows, int64_t cols, int64_t ld, int64_t stride, int64_t batch)
{
    if (rows == 0 || cols == 0 || batch == 0) return 0;
    return (batch - 1) * stride + (rows - 1) * ld + cols;
}

em_status em_widen_gemm(const em_backend *be, em_gemm_fn k, em_dtype dtype, bool trans_a, bool trans_b,
                        int64_t m, int64_t n, int64_t kk, double alpha, const void *a, int64_t lda,
                        int64_t stride_a, const void *b, int64_t ldb, int64_t stride_b, double beta, void *c,
                        int64_t ldc, int64_t stride_c, int64_t batch)
{
    if (!em_dtype_is_reduced_float(dtype))
        return k(dtype, trans_a, trans_b, m, n, kk, alpha, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc,
                 stride_c, batch);
    span sa = {0}, sb = {0}, sc = {0};
    em_status st = span_widen(be, &sa, a, dtype, matrix_span(trans_a ? kk : m, trans_a ? m : kk, lda, stride_a, batch), true);
    if (st == EM_OK)
        st = span_widen(be, &sb, b, dtype, matrix_span(trans_b ? n : kk, trans_b ? kk : n, ldb, stride_b, batch), true);
    if (st == EM_OK) st = span_widen(be, &sc, c, dtype, matrix_span(m, n, ldc, stride_c, batch), beta != 0);
    if (st == EM_OK)
        st = k(EM_FLOAT32, trans_a, trans_b, m, n, kk, alpha, sa.w.v.data, lda, stride_a, sb.w.v.data, ldb,
               stride_b, beta, sc.w.v.data, ldc, stride_c, batch);
    st = narrow(be, &sa.w, false, st);
    st = narrow(be, &sb.w, false, st);
    return narrow(be, &sc.w, true, st);
}

em_status em_widen_layout(const em_backend *be, em_layout_fn k, bool to_col, em_dtype dt,
                          const em_window2d *g, const void *in, void *out)
{
    if (!em_dtype_is_reduced_float(dt)) return k(dt, g, in, out);
    int64_t image = g->n * g->c * g->h * g->w, col = g->n * g->c * g->kh * g->kw * g->oh * g->ow;
    span si = {0}, so = {0};
    em_status st = span_widen(be, &si, in, dt, to_col ? image : col, true);
    if (st == EM_OK) st = span_widen(be, &so, out, dt, to_col ? col : image, false);
    if (st == EM_OK) st = k(EM_FLOAT32, g, si.w.v.data, so.w.v.data);
    st = narrow(be, &si.w, false, st);
    return narrow(be, &so.w, true, st);
}

em_status em_widen_softmax(const em_backend *be, em_softmax_fn k, em_dtype dt, const void *x, void *y,
                           int64_t outer, int64_t n, int64_t inner, bool log)
{
    if (!em_dtype_is_reduced_float(dt)) return k(dt, x, y, outer, n, inner, log);
    span sx = {0}, sy = {0};
    em_status st = span_widen(be, &sx, x, dt, outer * n * inner, true);
    if (st == EM_OK) st = span_widen(be, &sy, y, dt, outer * n * inner, false);
    if (st == EM_OK) st = k(EM_FLOAT32, sx.w.v.data, sy.w.v.data, outer, n, inner, log);
    st = narrow(be, &sx.w, false, st);
    return narrow(be, &sy.w, true, st);
}
