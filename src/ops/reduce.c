/* reduce.c — sum, prod, max, min (with indices), mean, var over all dims or a
** set of dims, with keepdim; and sum_to, the backward of broadcasting.
** The kernel sees the output as a view of the input's shape with stride 0
** along reduced dims (see backend.h). */
#include <string.h>

#include "ops.h"


em_status em_dims_to_mask(const char *op, const int64_t *dims, int n, int ndim, uint32_t *mask)
{
    *mask = 0;
    for (int i = 0; i < n; i++) {
        int d;
        if (em_wrap_dim(op, dims[i], ndim, &d)) return em_last_status();
        if (ndim == 0) continue;
        if (*mask & (1u << d)) return em_fail(EM_ERR_SHAPE, "%s: dim %d appears multiple times in the list of dims",
                                              op, d + 1);
        *mask |= 1u << d;
    }
    return EM_OK;
}

static uint32_t full_mask(const em_tensor *x, uint32_t mask)
{
    return mask ? mask : (x->ndim ? (uint32_t)((1ull << x->ndim) - 1) : 0);
}

int64_t em_reduced_count(const em_tensor *x, uint32_t mask)
{
    mask = full_mask(x, mask);
    int64_t n = 1;
    for (int i = 0; i < x->ndim; i++)
        if (mask & (1u << i)) n *= x->shape[i];
    return n;
}

/* Allocates the keepdim-shaped result and the kernel's view of it. */
static em_tensor *reduce_out(const em_tensor *x, uint32_t mask, em_dtype dt, em_kview *kv)
{
    int64_t shape[EM_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) shape[i] = (mask & (1u << i)) ? 1 : x->shape[i];
    em_tensor *out = em_tensor_empty(x->ndim, shape, dt, em_tensor_backend(x));
    if (!out) return NULL;
    em_tensor_kview(out, kv);
    for (int i = 0; i < x->ndim; i++) {
        kv->shape[i] = x->shape[i];
        if (mask & (1u << i)) kv->stride[i] = 0;
    }
    return out;
}

/* Drops the reduced dims of a keepdim-shaped result (a new reference). */
static em_tensor *drop_dims(em_tensor *r, uint32_t mask)
{
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < r->ndim; i++) {
        if (mask & (1u << i)) continue;
        shape[n] = r->shape[i];
        stride[n] = r->stride[i];
        n++;
    }
    em_tensor *v = em_tensor_alias(r, n, shape, stride, r->offset);
    em_tensor_release(r);
    return v;
}

static em_status check_nonempty(const char *op, const em_tensor *x, uint32_t mask)
{
    for (int i = 0; i < x->ndim; i++)
        if ((mask & (1u << i)) && x->shape[i] == 0)
            return em_fail(EM_ERR_SHAPE, "%s: cannot reduce over dim %d of size 0 (no identity for %s)",
                           op, i + 1, op);
    return EM_OK;
}

em_tensor *em_op_reduce(em_reduce_op op, const em_tensor *x, uint32_t dim_mask, bool keepdim)
{
    const char *name = em_reduce_op_name(op);
    uint32_t mask = full_mask(x, dim_mask);
    if ((op == EM_R_MAX || op == EM_R_MIN) && check_nonempty(name, x, mask)) return NULL;
    if ((op == EM_R_MAX || op == EM_R_MIN) && em_tensor_numel(x) == 0) {
        em_fail(EM_ERR_SHAPE, "%s: cannot reduce an empty tensor", name);
        return NULL;
    }
    em_dtype dt = x->dtype;
    if ((op == EM_R_SUM || op == EM_R_PROD) && !em_dtype_is_float(dt)) dt = EM_INT64;
    em_kview ko, ki;
    em_tensor *out = reduce_out(x, mask, dt, &ko);
    if (!out) return NULL;
    em_tensor_kview(x, &ki);
    if (em_tensor_backend(x)->reduce(op, &ko, &ki, NULL, -1) != EM_OK) {
        em_error_prefix(name);
        em_tensor_release(out);
        return NULL;
    }
    return keepdim ? out : drop_dims(out, mask);
}

em_status em_op_reduce_dim_idx(em_reduce_op op, const em_tensor *x, int dim, bool keepdim,
                               em_tensor **values, em_tensor **indices)
{
    const char *name = em_reduce_op_name(op);
    int d;
    *values = *indices = NULL;
    if (em_wrap_dim(name, dim, x->ndim, &d)) return em_last_status();
    uint32_t mask = x->ndim ? 1u << d : 0;
    if (check_nonempty(name, x, mask)) return em_last_status();
    em_kview ko, ki, kidx;
    em_tensor *out = reduce_out(x, mask, x->dtype, &ko);
    em_tensor *idx = out ? reduce_out(x, mask, EM_INT64, &kidx) : NULL;
    if (!idx) {
        em_tensor_release(out);
        return em_last_status();
    }
    em_tensor_kview(x, &ki);
    if (em_tensor_backend(x)->reduce(op, &ko, &ki, &kidx, x->ndim ? d : -1) != EM_OK) {
        em_error_prefix(name);
        em_tensor_release(out);
        em_tensor_release(idx);
        return em_last_status();
    }
    *values = keepdim ? out : drop_dims(out, mask);
    *indices = keepdim ? idx : drop_dims(idx, mask);
    return EM_OK;
}

em_tensor *em_op_mean(const em_tensor *x, uint32_t dim_mask, bool keepdim)
{
    if (!em_dtype_is_float(x->dtype)) {
        em_fail(EM_ERR_TYPE, "mean: could not infer output dtype; input dtype must be a floating point "
                "type, got %s (use :float() first)", em_dtype_name(x->dtype));
        return NULL;
    }
    em_tensor *s = em_op_reduce(EM_R_SUM, x, dim_mask, keepdim);
    if (!s) return NULL;
    int64_t n = em_reduced_count(x, dim_mask);
    em_tensor *m = em_op_binary_scalar(EM_B_DIV, s, (double)n);   /* 0/0 = nan like PyTorch */
    em_tensor_release(s);
    return m;
}

em_tensor *em_op_var(const em_tensor *x, uint32_t dim_mask, bool keepdim, double correction)
{
    if (!em_dtype_is_float(x->dtype)) {
        em_fail(EM_ERR_TYPE, "var: input dtype must be a floating point type, got %s", em_dtype_name(x->dtype));
        return NULL;
    }
    /* var = sum((x - mean)^2) / (N - correction) ; two passes for accuracy */
    em_tensor *mean = em_op_mean(x, dim_mask, true);
    em_tensor *dev = mean ? em_op_binary(EM_B_SUB, x, mean) : NULL;
    em_tensor *sq = dev ? em_op_unary(EM_U_SQUARE, dev, 0, 0) : NULL;
    em_tensor *ss = sq ? em_op_reduce(EM_R_SUM, sq, dim_mask, keepdim) : NULL;
    double denom = (double)em_reduced_count(x, dim_mask) - correction;
    em_tensor *v = ss ? em_op_binary_scalar(EM_B_DIV, ss, denom > 0 ? denom : 0.0) : NULL;
    em_tensor_release(mean);
    em_tensor_release(dev);
    em_tensor_release(sq);
    em_tensor_release(ss);
    return v;
}

em_tensor *em_op_sum_to(const em_tensor *g, int ndim, const int64_t *shape)
{
    if (g->ndim == ndim && memcmp(g->shape, shape, sizeof(int64_t) * (size_t)ndim) == 0) {
        em_tensor_retain((em_tensor *)g);
        return (em_tensor *)g;
    }
    int lead = g->ndim - ndim;
    if (lead < 0) {
        em_fail(EM_ERR_INTERNAL, "sum_to: gradient has fewer dims than its input");
        return NULL;
    }
    uint32_t mask = 0;
    for (int i = 0; i < g->ndim; i++)
        if (i < lead || (shape[i - lead] == 1 && g->shape[i] != 1)) mask |= 1u << i;
    em_tensor *s = mask ? em_op_reduce(EM_R_SUM, g, mask, true) : em_op_clone(g);
    if (!s) return NULL;
    em_tensor *r = em_op_reshape(s, ndim, shape);
    em_tensor_release(s);
    return r;
}
