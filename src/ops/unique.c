/* unique.c — torch.unique: the distinct elements (or distinct slices along
** a dim) in ascending order, with the inverse mapping and the counts. Each
** NaN is distinct (NaN != NaN) and sorts last. sorted = false is answered
** in ascending order too (PyTorch leaves that order unspecified; see
** docs/DECISIONS.md). Not here: the binding's options (bind/lua_sort.c). */
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "sort.h"
#include "sort_algo.h"

/* Writes the int64 host values as a new int64 tensor of the given shape. */
static em_tensor *int64_tensor(const int64_t *v, int ndim, const int64_t *shape, const em_backend *be)
{
    return em_op_from_host(v, ndim, shape, EM_INT64, be);
}

static em_status unique_all(const em_tensor *x, em_tensor **out, em_tensor **inverse, em_tensor **counts)
{
    const em_backend *be = em_tensor_backend(x);
    int64_t n = em_tensor_numel(x);
    bool ints;
    void *vals = em_host_values(x, &ints);
    em_kv *kv = vals ? malloc(n ? (size_t)n * sizeof(em_kv) * 2 : 1) : NULL;
    int64_t *inv = kv ? malloc(n ? (size_t)n * 8 : 1) : NULL, *cnt = inv ? malloc(n ? (size_t)n * 8 : 1) : NULL;
    if (!cnt) {
        if (vals) em_fail(EM_ERR_MEMORY, "unique: out of memory for %lld elements", (long long)n);
        free(vals);
        free(kv);
        free(inv);
        return em_last_status();
    }
    for (int64_t i = 0; i < n; i++) {
        if (ints) kv[i].k.i = ((int64_t *)vals)[i];
        else kv[i].k.f = ((double *)vals)[i];
        kv[i].idx = i;
    }
    em_kv_stable_sort(kv, n, EM_ORDER_ASC, ints, kv + n);
    int64_t m = 0;   /* distinct values so far, written over vals */
    for (int64_t i = 0; i < n; i++) {
        bool same = i > 0 && (ints ? kv[i].k.i == kv[i - 1].k.i : kv[i].k.f == kv[i - 1].k.f);
        if (!same) {
            if (ints) ((int64_t *)vals)[m] = kv[i].k.i;
            else ((double *)vals)[m] = kv[i].k.f;
            cnt[m++] = 0;
        }
        inv[kv[i].idx] = m - 1;
        cnt[m - 1]++;
    }
    *out = em_tensor_from_values(vals, ints, 1, &m, x->dtype, be);
    if (*out && inverse) *inverse = int64_tensor(inv, x->ndim, x->shape, be);
    if (*out && counts) *counts = int64_tensor(cnt, 1, &m, be);
    free(vals);
    free(kv);
    free(inv);
    free(cnt);
    return *out && (!inverse || *inverse) && (!counts || *counts) ? EM_OK : em_last_status();
}

/* Slices of a (rows, width) host matrix compared lexicographically, NaN largest. */
typedef struct {
    const void *vals;
    bool ints;
    int64_t width;
} rows_ctx;

static int row_cmp(const rows_ctx *c, int64_t a, int64_t b)
{
    for (int64_t j = 0; j < c->width; j++) {
        if (c->ints) {
            int64_t x = ((const int64_t *)c->vals)[a * c->width + j], y = ((const int64_t *)c->vals)[b * c->width + j];
            if (x != y) return x < y ? -1 : 1;
        } else {
            double x = ((const double *)c->vals)[a * c->width + j], y = ((const double *)c->vals)[b * c->width + j];
            if (x < y || (x == x && y != y)) return -1;
            if (x > y || (x != x && y == y)) return 1;
            if (x != y) return 1;   /* both NaN: never equal */
        }
    }
    return 0;
}

/* A stable merge sort of the row numbers in idx (buf: room for n). */
static void sort_rows(const rows_ctx *c, int64_t *idx, int64_t *buf, int64_t n)
{
    if (n < 2) return;
    int64_t h = n / 2;
    sort_rows(c, idx, buf, h);
    sort_rows(c, idx + h, buf, n - h);
    int64_t i = 0, j = h, o = 0;
    while (i < h && j < n) buf[o++] = row_cmp(c, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
    while (i < h) buf[o++] = idx[i++];
    while (j < n) buf[o++] = idx[j++];
    memcpy(idx, buf, (size_t)n * 8);
}

static em_status unique_dim(const em_tensor *x, int d, em_tensor **out, em_tensor **inverse, em_tensor **counts)
{
    const em_backend *be = em_tensor_backend(x);
    int64_t rows = x->shape[d], width = 1;
    for (int i = 0; i < x->ndim; i++) {
        if (i == d) continue;
        if (x->shape[i] == 0 && rows > 0)
            return em_fail(EM_ERR_SHAPE, "unique: There are 0 sized dimensions, and they aren't selected, so "
                           "unique cannot be applied");
        width *= x->shape[i];
    }
    em_tensor *xt = em_op_transpose(x, 0, d);   /* the slices as rows */
    bool ints = false;
    void *vals = xt ? em_host_values(xt, &ints) : NULL;
    int64_t tshape[EM_MAX_DIMS];
    if (xt) memcpy(tshape, xt->shape, sizeof(tshape));
    em_tensor_release(xt);
    int64_t *idx = vals ? malloc(rows ? (size_t)rows * 8 * 4 : 1) : NULL;
    if (!idx) {
        if (vals) em_fail(EM_ERR_MEMORY, "unique: out of memory for %lld slices", (long long)rows);
        free(vals);
        return em_last_status();
    }
    int64_t *buf = idx + rows, *inv = idx + 2 * rows, *cnt = idx + 3 * rows;
    for (int64_t i = 0; i < rows; i++) idx[i] = i;
    rows_ctx c = {vals, ints, width};
    sort_rows(&c, idx, buf, rows);
    int64_t m = 0;
    for (int64_t i = 0; i < rows; i++) {
        if (i == 0 || row_cmp(&c, idx[i], idx[i - 1]) != 0) {
            buf[m] = idx[i];   /* the first row of each group */
            cnt[m++] = 0;
        }
        inv[idx[i]] = m - 1;
        cnt[m - 1]++;
    }
    size_t w = (size_t)width * 8;
    char *picked = malloc(m * width > 0 ? (size_t)m * w : 1);
    if (!picked) {
        free(vals);
        free(idx);
        return em_fail(EM_ERR_MEMORY, "unique: out of memory");
    }
    for (int64_t i = 0; i < m; i++) memcpy(picked + (size_t)i * w, (char *)vals + (size_t)buf[i] * w, w);
    tshape[0] = m;
    em_tensor *u = em_tensor_from_values(picked, ints, x->ndim, tshape, x->dtype, be);
    free(picked);
    free(vals);
    em_tensor *ut = u ? em_op_transpose(u, 0, d) : NULL;
    em_tensor_release(u);
    *out = ut ? em_op_contiguous(ut) : NULL;
    em_tensor_release(ut);
    if (*out && inverse) *inverse = int64_tensor(inv, 1, &rows, be);
    if (*out && counts) *counts = int64_tensor(cnt, 1, &m, be);
    free(idx);
    return *out && (!inverse || *inverse) && (!counts || *counts) ? EM_OK : em_last_status();
}

em_status em_op_unique(const em_tensor *x, bool has_dim, int dim, em_tensor **out, em_tensor **inverse,
                       em_tensor **counts)
{
    *out = NULL;
    if (inverse) *inverse = NULL;
    if (counts) *counts = NULL;
    int d = 0;
    if (has_dim && x->ndim == 0)
        return em_fail(EM_ERR_INDEX, "unique: dim %d given but the tensor has no dimensions", dim >= 0 ? dim + 1 : dim);
    if (has_dim && em_wrap_dim("unique", dim, x->ndim, &d)) return em_last_status();
    em_status st = has_dim ? unique_dim(x, d, out, inverse, counts) : unique_all(x, out, inverse, counts);
    if (st != EM_OK) {
        em_tensor_release(*out);
        if (inverse) em_tensor_release(*inverse);
        if (counts) em_tensor_release(*counts);
        *out = NULL;
        if (inverse) *inverse = NULL;
        if (counts) *counts = NULL;
    }
    return st;
}
