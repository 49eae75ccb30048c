/* sort.c — sort, topk, kthvalue and median along a dim, and median of all
** elements, with PyTorch 1.13's CPU results: the same values and, among
** equal ones, the same indices (sort_algo.h ports the algorithms its kernels
** call; each op below names the one PyTorch uses). NaN sorts as largest.
** Also the host-buffer helpers of sort.h. Not here: unique (unique.c), the
** bucket/count ops (bucket.c), gradients (autograd/grad_sort.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "sort.h"
#include "sort_algo.h"

void *em_host_values(const em_tensor *x, bool *ints)
{
    *ints = x->dtype == EM_INT64;
    int64_t n = em_tensor_numel(x);
    em_tensor *c = *ints || x->dtype == EM_FLOAT64 ? em_op_contiguous(x) : em_op_to_dtype(x, EM_FLOAT64);
    if (!c) return NULL;
    void *buf = malloc(n > 0 ? (size_t)n * 8 : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "out of memory for %lld elements", (long long)n);
    } else if (em_op_to_host(c, buf, (size_t)n * 8) != EM_OK) {
        free(buf);
        buf = NULL;
    }
    em_tensor_release(c);
    return buf;
}

em_tensor *em_tensor_from_values(const void *vals, bool ints, int ndim, const int64_t *shape, em_dtype dt,
                                 const em_backend *be)
{
    em_dtype held = ints ? EM_INT64 : EM_FLOAT64;
    em_tensor *t = em_op_from_host(vals, ndim, shape, held, be);
    if (!t || dt == held) return t;
    em_tensor *r = em_op_to_dtype(t, dt);
    em_tensor_release(t);
    return r;
}

/* What one op does to a row of (value, position) pairs: the first outlen
** pairs are its result. */
typedef void (*row_fn)(em_kv *row, int64_t len, bool ints, em_kv *buf, const void *ctx);

/* Runs fn on every slice of x along d and gathers the results: values (x's
** dtype) and indices (int64) of x's shape with size outlen along d. A 0-dim
** x is one slice of one element. */
static em_status along_dim(const em_tensor *x, int d, int64_t outlen, row_fn fn, const void *ctx,
                           em_tensor **values, em_tensor **indices)
{
    *values = *indices = NULL;
    int nd = x->ndim, last = nd ? nd - 1 : 0;
    int64_t len = nd ? x->shape[d] : 1, nrows = 1, shape[EM_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        shape[i] = x->shape[i];
        if (i != d) nrows *= x->shape[i];
    }
    if (nd) {   /* the slices' dim moved last */
        shape[d] = x->shape[last];
        shape[last] = outlen;
    }
    em_tensor *xt = nd ? em_op_transpose(x, d, last) : em_op_contiguous(x);
    bool ints = false;
    void *in = xt ? em_host_values(xt, &ints) : NULL;
    em_tensor_release(xt);
    size_t nkv = (size_t)(nrows * len), nout = (size_t)(nrows * outlen);
    em_kv *kv = in ? malloc(nkv ? nkv * sizeof(em_kv) : 1) : NULL;
    em_kv *buf = kv ? malloc(len > 0 ? (size_t)len * sizeof(em_kv) : 1) : NULL;   /* the merge buffer */
    void *vout = buf ? malloc(nout ? nout * 8 : 1) : NULL;
    int64_t *iout = vout ? malloc(nout ? nout * 8 : 1) : NULL;
    if (!iout) {
        if (in) em_fail(EM_ERR_MEMORY, "out of memory for %lld elements", (long long)nkv);
        free(in);
        free(kv);
        free(buf);
        free(vout);
        return em_last_status();
    }
    for (size_t i = 0; i < nkv; i++) {
        if (ints) kv[i].k.i = ((const int64_t *)in)[i];
        else kv[i].k.f = ((const double *)in)[i];
        kv[i].idx = (int64_t)(i % (size_t)len);
    }
    free(in);
    for (int64_t r = 0; r < nrows; r++) {
        em_kv *row = kv + r * len;
        fn(row, len, ints, buf, ctx);
        for (int64_t j = 0; j < outlen; j++) {
            if (ints) ((int64_t *)vout)[r * outlen + j] = row[j].k.i;
            else ((double *)vout)[r * outlen + j] = row[j].k.f;
            iout[r * outlen + j] = row[j].idx;
        }
    }
    free(kv);
    free(buf);
    const em_backend *be = em_tensor_backend(x);
    em_tensor *v = em_tensor_from_values(vout, ints, nd, shape, x->dtype, be);
    em_tensor *ix = v ? em_op_from_host(iout, nd, shape, EM_INT64, be) : NULL;
    free(vout);
    free(iout);
    if (ix && nd) {   /* the dim back in its place, contiguous like PyTorch's results */
        em_tensor *vt = em_op_transpose(v, d, last), *it = em_op_transpose(ix, d, last);
        em_tensor_release(v);
        em_tensor_release(ix);
        v = vt ? em_op_contiguous(vt) : NULL;
        ix = it ? em_op_contiguous(it) : NULL;
        em_tensor_release(vt);
        em_tensor_release(it);
    }
    if (!v || !ix) {
        em_tensor_release(v);
        em_tensor_release(ix);
        return em_last_status();
    }
    *values = v;
    *indices = ix;
    return EM_OK;
}

/* Drops dim d of a keepdim-shaped result (a reference taken over). */
static em_tensor *squeeze_dim(em_tensor *t, int d)
{
    if (!t || t->ndim == 0) return t;
    em_tensor *s = em_op_squeeze(t, d, false);
    em_tensor_release(t);
    return s;
}

static em_status finish_keepdim(em_status st, int d, bool keepdim, em_tensor **values, em_tensor **indices)
{
    if (st != EM_OK || keepdim) return st;
    *values = squeeze_dim(*values, d);
    *indices = squeeze_dim(*indices, d);
    if (*values && *indices) return EM_OK;
    em_tensor_release(*values);
    em_tensor_release(*indices);
    *values = *indices = NULL;
    return em_last_status();
}

static em_status refuse_bool(const char *op, const em_tensor *x)
{
    if (x->dtype == EM_BOOL) return em_fail(EM_ERR_TYPE, "%s: not supported for dtype bool", op);
    return EM_OK;
}

/* Reduction dims of size 0 have no k-th value nor median. */
static em_status check_reduced_size(const char *op, const em_tensor *x, int d)
{
    if (x->ndim && x->shape[d] == 0)
        return em_fail(EM_ERR_INDEX, "%s: Expected reduction dim %d to have non-zero size.", op, d + 1);
    return EM_OK;
}

/* --- sort: stable (ties in position order, a valid answer for stable =
** false too, whose tie order PyTorch leaves unspecified); along a dim of
** stride 0 the positions stay 0, 1, 2, ... as PyTorch's --- */
typedef struct {
    bool descending, skip;
} sort_ctx;

static void sort_row(em_kv *row, int64_t len, bool ints, em_kv *buf, const void *ctx)
{
    const sort_ctx *c = ctx;
    if (c->skip || len < 2) return;
    em_kv_stable_sort(row, len, c->descending ? EM_ORDER_DESC : EM_ORDER_ASC, ints, buf);
}

em_status em_op_sort(const em_tensor *x, int dim, bool descending, em_tensor **values, em_tensor **indices)
{
    int d;
    *values = *indices = NULL;
    if (em_wrap_dim("sort", dim, x->ndim, &d)) return em_last_status();
    int64_t len = x->ndim ? x->shape[d] : 1;
    sort_ctx c = {descending, x->ndim && x->stride[d] == 0};
    em_status st = along_dim(x, d, len, sort_row, &c, values, indices);
    if (st != EM_OK) em_error_prefix("sort");
    return st;
}

/* --- topk: the first k of the stable sort (ties in position order;
** sorted = false gives them sorted too, which PyTorch allows) --- */
typedef struct {
    int64_t k;
    bool largest;
} topk_ctx;

static void topk_row(em_kv *row, int64_t len, bool ints, em_kv *buf, const void *ctx)
{
    const topk_ctx *c = ctx;
    if (c->k == 0) return;
    em_kv_stable_sort(row, len, c->largest ? EM_ORDER_DESC : EM_ORDER_ASC, ints, buf);
}

em_status em_op_topk(const em_tensor *x, int64_t k, int dim, bool largest, em_tensor **values,
                     em_tensor **indices)
{
    int d;
    *values = *indices = NULL;
    if (em_wrap_dim("topk", dim, x->ndim, &d) || refuse_bool("topk", x)) return em_last_status();
    int64_t len = x->ndim ? x->shape[d] : 1;
    if (k < 0 || k > len)
        return em_fail(EM_ERR_INDEX, "topk: selected index k out of range (k = %lld, dim %d has size %lld)",
                       (long long)k, d + 1, (long long)len);
    topk_ctx c = {k, largest};
    em_status st = along_dim(x, d, k, topk_row, &c, values, indices);
    if (st != EM_OK) em_error_prefix("topk");
    return st;
}

/* --- kthvalue: the k-th in (value, position) order, NaN largest --- */
static void kth_row(em_kv *row, int64_t len, bool ints, em_kv *buf, const void *ctx)
{
    int64_t k = *(const int64_t *)ctx;
    em_kv_stable_sort(row, len, EM_ORDER_ASC, ints, buf);
    row[0] = row[k];
}

em_status em_op_kthvalue(const em_tensor *x, int64_t k, int dim, bool keepdim, em_tensor **values,
                         em_tensor **indices)
{
    int d;
    *values = *indices = NULL;
    if (em_wrap_dim("kthvalue", dim, x->ndim, &d) || refuse_bool("kthvalue", x) ||
        check_reduced_size("kthvalue", x, d))
        return em_last_status();
    int64_t len = x->ndim ? x->shape[d] : 1;
    if (k < 1 || k > len)
        return em_fail(EM_ERR_INDEX, "kthvalue: selected number k out of range for dimension %d "
                       "(k = %lld, size %lld)", d + 1, (long long)k, (long long)len);
    int64_t k0 = k - 1;
    em_status st = along_dim(x, d, 1, kth_row, &k0, values, indices);
    if (st != EM_OK) em_error_prefix("kthvalue");
    return finish_keepdim(st, d, keepdim, values, indices);
}

/* --- median along a dim, PyTorch's rule: the first NaN if there is one,
** else the element at (n - 1) / 2 in (value, position) order --- */
static void median_row(em_kv *row, int64_t len, bool ints, em_kv *buf, const void *ctx)
{
    (void)ctx;
    if (!ints)
        for (int64_t j = 0; j < len; j++)
            if (isnan(row[j].k.f)) {
                row[0] = row[j];
                return;
            }
    int64_t m = (len - 1) / 2;
    em_kv_stable_sort(row, len, EM_ORDER_ASC, ints, buf);
    row[0] = row[m];
}

em_status em_op_median_dim(const em_tensor *x, int dim, bool keepdim, em_tensor **values, em_tensor **indices)
{
    int d;
    *values = *indices = NULL;
    if (em_wrap_dim("median", dim, x->ndim, &d) || refuse_bool("median", x) || check_reduced_size("median", x, d))
        return em_last_status();
    em_status st = along_dim(x, d, 1, median_row, NULL, values, indices);
    if (st != EM_OK) em_error_prefix("median");
    return finish_keepdim(st, d, keepdim, values, indices);
}

/* NaN in x's dtype as PyTorch's float-to-integer cast gives it on x86-64
** (median of an empty tensor is NaN converted to the dtype). */
static double nan_in(em_dtype dt)
{
    switch (dt) {
    case EM_INT64: return -9223372036854775808.0;
    case EM_INT32: return -2147483648.0;
    case EM_UINT8: return 0.0;
    default: return NAN;
    }
}

em_tensor *em_op_median_all(const em_tensor *x)
{
    if (refuse_bool("median", x)) return NULL;
    int64_t n = em_tensor_numel(x);
    if (n == 0) return em_op_full(0, NULL, nan_in(x->dtype), x->dtype, em_tensor_backend(x));
    int64_t flat = n;
    em_tensor *f = em_op_reshape(x, 1, &flat);
    if (!f) return NULL;
    em_tensor *v = NULL, *i = NULL;
    em_status st = along_dim(f, 0, 1, median_row, NULL, &v, &i);
    em_tensor_release(f);
    em_tensor_release(i);
    if (st != EM_OK) {
        em_error_prefix("median");
        return NULL;
    }
    return squeeze_dim(v, 0);
}
