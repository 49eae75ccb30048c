/* rearrange.c — ops that move, pick or mask elements without arithmetic:
** flip, roll, repeat, tril/triu, diagonal, diag, trace, nonzero,
** masked_select, masked_fill. Each is composed from the required backend
** kernels (index_select, copies, where, comparisons, reductions), so it runs
** on every device; nonzero and the mask positions go through host memory,
** since their sizes depend on the data. Not here: their derivatives
** (autograd/grad_rearrange.c). */
#include <stdlib.h>

#include "rearrange.h"

em_tensor *em_op_index_range(int64_t n, bool reversed, const em_backend *be)
{
    int64_t *buf = malloc((size_t)(n > 0 ? n : 1) * sizeof *buf);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "index range: out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) buf[i] = reversed ? n - 1 - i : i;
    em_tensor *t = em_op_from_host(buf, 1, &n, EM_INT64, be);
    free(buf);
    return t;
}

/* Replaces *cur by next (consumed); false when next is NULL. */
static bool step(em_tensor **cur, em_tensor *next)
{
    em_tensor_release(*cur);
    *cur = next;
    return next != NULL;
}

em_tensor *em_op_flip(const em_tensor *x, const int64_t *dims, int n)
{
    bool seen[EM_MAX_DIMS] = {false};
    int wrapped[EM_MAX_DIMS];
    if (n > EM_MAX_DIMS) {
        em_fail(EM_ERR_SHAPE, "flip: too many dims (%d)", n);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (em_wrap_dim("flip", dims[i], x->ndim, &wrapped[i])) return NULL;
        if (seen[wrapped[i]]) {
            em_fail(EM_ERR_SHAPE, "flip: dim %d appears multiple times in the list of dims", wrapped[i] + 1);
            return NULL;
        }
        seen[wrapped[i]] = true;
    }
    em_tensor *cur = em_op_clone(x);
    for (int i = 0; cur && i < n && x->ndim > 0; i++) {
        int d = wrapped[i];
        if (cur->shape[d] <= 1) continue;
        em_tensor *idx = em_op_index_range(cur->shape[d], true, em_tensor_backend(x));
        if (!idx) return step(&cur, NULL), NULL;
        em_tensor *next = em_op_index_select(cur, d, idx);
        em_tensor_release(idx);
        if (!step(&cur, next)) return NULL;
    }
    return cur;
}

/* x rolled by shift along dim d: the last shift elements move to the front. */
static em_tensor *roll_one(const em_tensor *x, int d, int64_t shift)
{
    int64_t size = x->shape[d];
    int64_t s = size ? ((shift % size) + size) % size : 0;
    if (s == 0) return em_op_clone(x);
    em_tensor *parts[2] = {em_op_narrow(x, d, size - s, s), em_op_narrow(x, d, 0, size - s)};
    em_tensor *out = parts[0] && parts[1] ? em_op_cat(2, parts, d) : NULL;
    em_tensor_release(parts[0]);
    em_tensor_release(parts[1]);
    return out;
}

em_tensor *em_op_roll(const em_tensor *x, const int64_t *shifts, int n_shifts, const int64_t *dims, int n_dims)
{
    if (n_dims == 0) {
        if (n_shifts != 1) {
            em_fail(EM_ERR_SHAPE, "roll: shifts and dimensions must align. shifts: %d, dims:%d", n_shifts, n_dims);
            return NULL;
        }
        int64_t numel = em_tensor_numel(x);
        em_tensor *flat = em_op_reshape(x, 1, &numel);
        em_tensor *r = flat ? roll_one(flat, 0, shifts[0]) : NULL;
        em_tensor *out = r ? em_op_view(r, x->ndim, x->shape) : NULL;
        em_tensor_release(flat);
        em_tensor_release(r);
        return out;
    }
    if (n_shifts != n_dims) {
        em_fail(EM_ERR_SHAPE, "roll: shifts and dimensions must align. shifts: %d, dims:%d", n_shifts, n_dims);
        return NULL;
    }
    for (int i = 0; i < n_dims; i++) {
        int d;
        if (em_wrap_dim("roll", dims[i], x->ndim, &d)) return NULL;
    }
    em_tensor *cur = em_op_clone(x);
    for (int i = 0; cur && i < n_dims && x->ndim > 0; i++) {
        int d;
        em_wrap_dim("roll", dims[i], x->ndim, &d);
        if (!step(&cur, roll_one(cur, d, shifts[i]))) return NULL;
    }
    return cur;
}

em_tensor *em_op_repeat(const em_tensor *x, const int64_t *reps, int n)
{
    if (n < x->ndim) {
        em_fail(EM_ERR_SHAPE, "repeat: Number of dimensions of repeat dims can not be smaller than number of "
                "dimensions of tensor (%d repeats for a %d-D tensor)", n, x->ndim);
        return NULL;
    }
    if (n > EM_MAX_DIMS) {
        em_fail(EM_ERR_SHAPE, "repeat: %d repeats; at most %d dims are supported", n, EM_MAX_DIMS);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS + 1] = {0};
    for (int i = 0; i < n; i++) {
        int64_t have = i < n - x->ndim ? 1 : x->shape[i - (n - x->ndim)];
        if (reps[i] < 0) {
            char b[EM_SHAPE_BUF];
            em_fail(EM_ERR_SHAPE, "repeat: Trying to create tensor with negative dimension %lld: repeats %s",
                    (long long)reps[i], em_shape_str(n, reps, b, sizeof b));
            return NULL;
        }
        shape[i] = have;
    }
    em_tensor *cur = em_op_reshape(x, n, shape);
    for (int i = 0; cur && i < n; i++) {
        if (reps[i] == 1) continue;
        int64_t wide[EM_MAX_DIMS + 1];
        for (int j = 0, k = 0; j <= n; j++) wide[j] = j == i ? reps[i] : cur->shape[k++];
        if (!step(&cur, em_op_unsqueeze(cur, i)) || !step(&cur, em_op_expand(cur, n + 1, wide))) return NULL;
        for (int j = 0; j < n; j++) shape[j] = j < i ? wide[j] : j == i ? reps[i] * wide[i + 1] : wide[j + 1];
        if (!step(&cur, em_op_reshape(cur, n, shape))) return NULL;
    }
    if (cur && cur->storage == x->storage) step(&cur, em_op_clone(cur));
    return cur;
}

em_tensor *em_op_trilu(const em_tensor *x, int64_t diagonal, bool upper)
{
    const char *op = upper ? "triu" : "tril";
    if (x->ndim < 2) {
        em_fail(EM_ERR_SHAPE, "%s: input tensor must have at least 2 dimensions, got %d-D", op, x->ndim);
        return NULL;
    }
    const em_backend *be = em_tensor_backend(x);
    int64_t rows = x->shape[x->ndim - 2], cols = x->shape[x->ndim - 1], col_shape[2] = {rows, 1};
    em_tensor *r = em_op_index_range(rows, false, be), *c = em_op_index_range(cols, false, be);
    em_tensor *rc = r ? em_op_view(r, 2, col_shape) : NULL;
    em_tensor *diff = rc && c ? em_op_binary(EM_B_SUB, c, rc) : NULL;   /* j - i */
    em_tensor *mask = diff ? em_op_binary_scalar(upper ? EM_B_GE : EM_B_LE, diff, (double)diagonal) : NULL;
    em_tensor *zero = mask ? em_op_full(0, NULL, 0.0, x->dtype, be) : NULL;
    em_tensor *out = zero ? em_op_where(mask, x, zero) : NULL;
    em_tensor_release(r);
    em_tensor_release(c);
    em_tensor_release(rc);
    em_tensor_release(diff);
    em_tensor_release(mask);
    em_tensor_release(zero);
    return out;
}

em_tensor *em_op_diagonal(const em_tensor *x, int64_t offset, int d1, int d2)
{
    int a, b;
    if (x->ndim < 2) {
        em_fail(EM_ERR_SHAPE, "diagonal: expected a tensor with at least 2 dimensions, got %d-D", x->ndim);
        return NULL;
    }
    if (em_wrap_dim("diagonal", d1, x->ndim, &a) || em_wrap_dim("diagonal", d2, x->ndim, &b)) return NULL;
    if (a == b) {
        em_fail(EM_ERR_SHAPE, "diagonal: dimensions cannot be identical %d, %d", d1 + (d1 >= 0), d2 + (d2 >= 0));
        return NULL;
    }
    int64_t len, start = x->offset;
    if (offset >= 0) {
        len = x->shape[a] < x->shape[b] - offset ? x->shape[a] : x->shape[b] - offset;
        if (len > 0) start += offset * x->stride[b];
    } else {
        len = x->shape[a] + offset < x->shape[b] ? x->shape[a] + offset : x->shape[b];
        if (len > 0) start -= offset * x->stride[a];
    }
    if (len < 0) len = 0;
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < x->ndim; i++) {
        if (i == a || i == b) continue;
        shape[n] = x->shape[i];
        stride[n++] = x->stride[i];
    }
    shape[n] = len;
    stride[n++] = x->stride[a] + x->stride[b];
    return em_tensor_alias(x, n, shape, stride, start);
}

em_tensor *em_op_diag(const em_tensor *x, int64_t diagonal)
{
    if (x->ndim == 2) {
        em_tensor *v = em_op_diagonal(x, diagonal, 0, 1);
        em_tensor *out = v ? em_op_clone(v) : NULL;
        em_tensor_release(v);
        return out;
    }
    if (x->ndim != 1) {
        em_fail(EM_ERR_SHAPE, "diag: matrix or a vector expected, got a %d-D tensor", x->ndim);
        return NULL;
    }
    int64_t m = x->shape[0] + (diagonal < 0 ? -diagonal : diagonal), shape[2] = {m, m};
    em_tensor *z = em_op_full(2, shape, 0.0, x->dtype, em_tensor_backend(x));
    em_tensor *v = z ? em_op_diagonal(z, diagonal, 0, 1) : NULL;
    em_status st = v ? em_op_copy_(v, x) : em_last_status();
    em_tensor_release(v);
    if (st != EM_OK) {
        em_tensor_release(z);
        return NULL;
    }
    z->storage->version = 0;
    return z;
}

em_tensor *em_op_trace(const em_tensor *x)
{
    if (x->ndim != 2) {
        em_fail(EM_ERR_SHAPE, "trace: expected a matrix, but got tensor with dim %d", x->ndim);
        return NULL;
    }
    em_tensor *v = em_op_diagonal(x, 0, 0, 1);
    em_tensor *out = v ? em_op_reduce(EM_R_SUM, v, 0, false) : NULL;
    em_tensor_release(v);
    return out;
}

/* x's truth values (x != 0) in host memory, row-major: a malloc'd array of numel bytes. */
static unsigned char *host_truth(const em_tensor *x, int64_t *numel)
{
    *numel = em_tensor_numel(x);
    em_tensor *b = em_op_to_dtype(x, EM_BOOL);
    unsigned char *buf = b ? malloc((size_t)(*numel > 0 ? *numel : 1)) : NULL;
    if (b && !buf) em_fail(EM_ERR_MEMORY, "nonzero: out of memory");
    if (buf && em_op_to_host(b, buf, (size_t)*numel) != EM_OK) {
        free(buf);
        buf = NULL;
    }
    em_tensor_release(b);
    return buf;
}

em_tensor *em_op_nonzero(const em_tensor *x)
{
    int64_t numel, count = 0;
    unsigned char *t = host_truth(x, &numel);
    if (!t) return NULL;
    for (int64_t i = 0; i < numel; i++) count += t[i] != 0;
    int nd = x->ndim;
    int64_t *idx = malloc((size_t)(count * nd > 0 ? count * nd : 1) * sizeof *idx);
    if (!idx) {
        free(t);
        em_fail(EM_ERR_MEMORY, "nonzero: out of memory");
        return NULL;
    }
    int64_t k = 0;
    for (int64_t i = 0; i < numel; i++) {
        if (!t[i]) continue;
        int64_t rest = i;
        for (int d = nd - 1; d >= 0; d--) {
            idx[k * nd + d] = rest % x->shape[d];
            rest /= x->shape[d];
        }
        k++;
    }
    int64_t shape[2] = {count, nd};
    em_tensor *out = em_op_from_host(idx, 2, shape, EM_INT64, em_tensor_backend(x));
    free(t);
    free(idx);
    return out;
}

em_tensor *em_op_mask_positions(const em_tensor *mask, int ndim, const int64_t *shape)
{
    em_tensor *m = em_op_expand(mask, ndim, shape);
    int64_t numel, count = 0;
    unsigned char *t = m ? host_truth(m, &numel) : NULL;
    em_tensor_release(m);
    if (!t) return NULL;
    int64_t *pos = malloc((size_t)(numel > 0 ? numel : 1) * sizeof *pos);
    if (!pos) {
        free(t);
        em_fail(EM_ERR_MEMORY, "masked_select: out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < numel; i++)
        if (t[i]) pos[count++] = i;
    em_tensor *out = em_op_from_host(pos, 1, &count, EM_INT64, em_tensor_backend(mask));
    free(t);
    free(pos);
    return out;
}

em_tensor *em_op_masked_select(const em_tensor *x, const em_tensor *mask)
{
    if (mask->dtype != EM_BOOL) {
        em_fail(EM_ERR_TYPE, "masked_select: expected BoolTensor for mask, got %s", em_dtype_name(mask->dtype));
        return NULL;
    }
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    if (em_check_same_device("masked_select", x, mask) ||
        em_broadcast_shapes("masked_select", x->ndim, x->shape, mask->ndim, mask->shape, &ndim, shape))
        return NULL;
    int64_t all = -1;
    em_tensor *pos = em_op_mask_positions(mask, ndim, shape);
    em_tensor *xe = pos ? em_op_expand(x, ndim, shape) : NULL;
    em_tensor *flat = xe ? em_op_reshape(xe, 1, &all) : NULL;
    em_tensor *out = flat ? em_op_index_select(flat, 0, pos) : NULL;
    em_tensor_release(pos);
    em_tensor_release(xe);
    em_tensor_release(flat);
    return out;
}

em_status em_check_masked_fill(const em_tensor *x, const em_tensor *mask, const em_tensor *value)
{
    if (mask->dtype != EM_BOOL)
        return em_fail(EM_ERR_TYPE, "masked_fill: only supports boolean masks, but got mask with dtype %s",
                       em_dtype_name(mask->dtype));
    if (value->ndim != 0)
        return em_fail(EM_ERR_SHAPE, "masked_fill: only supports a 0-dimensional value tensor, but got tensor "
                       "with %d dimension(s).", value->ndim);
    if (em_check_same_device("masked_fill", x, mask)) return em_last_status();
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    return em_broadcast_shapes("masked_fill", x->ndim, x->shape, mask->ndim, mask->shape, &ndim, shape);
}

em_tensor *em_op_masked_fill(const em_tensor *x, const em_tensor *mask, const em_tensor *value)
{
    if (em_check_masked_fill(x, mask, value)) return NULL;
    em_tensor *v = em_op_to_dtype(value, x->dtype);
    if (!v) return NULL;
    em_tensor *out = em_op_where(mask, v, x);
    em_tensor_release(v);
    return out;
}
