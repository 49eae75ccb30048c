/* create.c — tensors made from values: full, scalars, host data, arange,
** linspace, eye; and the copy of a tensor's elements back to the host.
** Host data reaches a tensor only through its backend's copy_from_host and
** leaves through copy_to_host; a NULL backend means the default device's
** (em_tensor_empty), where arange, linspace and eye make their tensors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/half.h"
#include "ops.h"

em_tensor *em_op_full(int ndim, const int64_t *shape, double value, em_dtype dt,
                      const em_backend *be)
{
    em_tensor *t = em_tensor_empty(ndim, shape, dt, be);
    if (t && em_op_fill_(t, value) != EM_OK) {
        em_tensor_release(t);
        return NULL;
    }
    if (t) t->storage->version = 0;
    return t;
}

em_tensor *em_op_scalar(double value, em_dtype dt, const em_backend *be, bool wrapped)
{
    em_tensor *t = em_op_full(0, NULL, value, dt, be);
    if (t) t->is_wrapped = wrapped;
    return t;
}

em_tensor *em_op_from_host(const void *data, int ndim, const int64_t *shape, em_dtype dt,
                           const em_backend *be)
{
    em_tensor *t = em_tensor_empty(ndim, shape, dt, be);
    if (!t) return NULL;
    be = em_tensor_backend(t);                  /* be NULL: the default device's */
    if (t->storage->nbytes && be->copy_from_host(t->storage->data, data, t->storage->nbytes) != EM_OK) {
        em_tensor_release(t);
        return NULL;
    }
    return t;
}

em_status em_op_to_host(const em_tensor *t, void *dst, size_t nbytes)
{
    em_tensor *c = em_op_contiguous(t);
    if (!c) return em_last_status();
    size_t need = (size_t)em_tensor_numel(c) * em_dtype_size(c->dtype);
    em_status st = EM_OK;
    if (need != nbytes)
        st = em_fail(EM_ERR_INTERNAL, "to_host: %zu bytes expected, %zu given", need, nbytes);
    else if (need)
        st = em_tensor_backend(c)->copy_to_host(
            dst, (char *)c->storage->data + c->offset * (int64_t)em_dtype_size(c->dtype), need);
    em_tensor_release(c);
    return st;
}

/* Fills a host buffer of n values of dt from value(i), then uploads it. */
static em_tensor *from_formula(int64_t n, em_dtype dt, double start, double step, double end,
                               bool linspace_halves)
{
    int64_t shape[1] = {n};
    size_t sz = em_dtype_size(dt);
    void *buf = malloc(n > 0 ? (size_t)n * sz : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "arange: out of memory for %lld elements", (long long)n);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) {
        double v = start + (double)i * step;
        /* linspace computes the second half from the end, as PyTorch does,
           so that the last element is exactly `end` */
        if (linspace_halves && i >= n / 2) v = end - step * (double)(n - 1 - i);
        switch (dt) {
        case EM_FLOAT32: ((float *)buf)[i] = (float)v; break;
        case EM_FLOAT64: ((double *)buf)[i] = v; break;
        case EM_INT64: ((int64_t *)buf)[i] = (int64_t)v; break;
        case EM_INT32: ((int32_t *)buf)[i] = (int32_t)v; break;
        case EM_UINT8: ((uint8_t *)buf)[i] = (uint8_t)v; break;
        case EM_BOOL: ((uint8_t *)buf)[i] = v != 0; break;
        case EM_FLOAT16: ((uint16_t *)buf)[i] = em_f32_to_f16((float)v); break;
        case EM_BFLOAT16: ((uint16_t *)buf)[i] = em_f32_to_bf16((float)v); break;
        default: break;
        }
    }
    em_tensor *t = em_op_from_host(buf, 1, shape, dt, NULL);
    free(buf);
    return t;
}

/* float32 ranges as PyTorch 1.13's CPU kernel makes them, last bits
** included: it fills vectors of 8 lanes (16 with ATEN_CPU_CAPABILITY=avx512),
** two vectors per round, each from a base rounded to float, base + k*step
** computed in double; the tail after the last full round is start + i*step
** in double. (float64 ranges keep start + i*step, which matches PyTorch
** for most but not all elements: tests/peer checks float32 only.) */
static em_tensor *arange_float(int64_t n, em_dtype dt, double start, double step)
{
    int64_t shape[1] = {n};
    const char *cap = getenv("ATEN_CPU_CAPABILITY");
    int64_t lanes = 8 * (cap && strcmp(cap, "avx512") == 0 ? 2 : 1);
    size_t sz = em_dtype_size(dt);
    void *buf = malloc(n > 0 ? (size_t)n * sz : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "arange: out of memory for %lld elements", (long long)n);
        return NULL;
    }
    int64_t vec_end = n - n % (2 * lanes);
    for (int64_t i = 0; i < n; i++) {
        double v;
        if (i < vec_end) {
            int64_t base_i = i - i % lanes;
            double base = (float)(start + step * (double)base_i);
            v = base + (double)(i - base_i) * step;
        } else {
            v = start + step * (double)i;
        }
        ((float *)buf)[i] = (float)v;
    }
    em_tensor *t = em_op_from_host(buf, 1, shape, dt, NULL);
    free(buf);
    return t;
}

em_tensor *em_op_arange(double start, double end, double step, em_dtype dt)
{
    if (step == 0 || isnan(step) || isnan(start) || isnan(end) || isinf(start) || isinf(end)) {
        em_fail(EM_ERR_VALUE, "arange: step must be nonzero and bounds finite (start %g, end %g, step %g)",
                start, end, step);
        return NULL;
    }
    if ((step > 0 && start > end) || (step < 0 && start < end)) {
        em_fail(EM_ERR_VALUE, "arange: upper bound and larger bound inconsistent with step sign "
                "(start %g, end %g, step %g)", start, end, step);
        return NULL;
    }
    double len = ceil((end - start) / step);
    if (len > 4.0e12) {
        em_fail(EM_ERR_MEMORY, "arange: %.0f elements is too many", len);
        return NULL;
    }
    if (dt == EM_FLOAT32) return arange_float((int64_t)len, dt, start, step);
    return from_formula((int64_t)len, dt, start, step, end, false);
}

em_tensor *em_op_linspace(double start, double end, int64_t steps, em_dtype dt)
{
    if (steps < 0) {
        em_fail(EM_ERR_VALUE, "linspace: number of steps must be non-negative, got %lld", (long long)steps);
        return NULL;
    }
    if (steps > ((int64_t)1 << 40)) {
        em_fail(EM_ERR_MEMORY, "linspace: %lld steps is too many", (long long)steps);
        return NULL;
    }
    double step = steps > 1 ? (end - start) / (double)(steps - 1) : 0.0;
    if (steps == 1) return from_formula(1, dt, start, 0, start, false);
    return from_formula(steps, dt, start, step, end, true);
}

em_tensor *em_op_eye(int64_t n, int64_t m, em_dtype dt)
{
    if (n < 0 || m < 0) {
        em_fail(EM_ERR_VALUE, "eye: n and m must be non-negative, got %lld and %lld", (long long)n,
                (long long)m);
        return NULL;
    }
    int64_t shape[2] = {n, m};
    em_tensor *t = em_op_full(2, shape, 0.0, dt, NULL);
    if (!t) return NULL;
    int64_t k = n < m ? n : m;
    /* the diagonal is a strided view with stride m+1 */
    int64_t dshape[1] = {k}, dstride[1] = {m + 1};
    em_tensor *diag = em_tensor_alias(t, 1, dshape, dstride, 0);
    if (!diag || em_op_fill_(diag, 1.0) != EM_OK) {
        em_tensor_release(diag);
        em_tensor_release(t);
        return NULL;
    }
    em_tensor_release(diag);
    t->storage->version = 0;
    return t;
}

/* logspace: base^v for steps values v from start to end, as PyTorch 1.13's
** CPU kernel: start and end rounded to the dtype, the step in double, the
** second half counted back from end, pow in double (base as float for
** integer dtypes); one step is base^start. */
em_tensor *em_op_logspace(double start, double end, int64_t steps, double base, em_dtype dt)
{
    if (steps < 0) {
        em_fail(EM_ERR_VALUE, "logspace: number of steps must be non-negative");
        return NULL;
    }
    if (dt != EM_FLOAT32 && dt != EM_FLOAT64 && dt != EM_INT64 && dt != EM_INT32) {
        em_fail(EM_ERR_TYPE, "logspace: not implemented for dtype %s", em_dtype_name(dt));
        return NULL;
    }
    int64_t shape[1] = {steps};
    void *buf = malloc(steps > 0 ? (size_t)steps * em_dtype_size(dt) : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "logspace: out of memory for %lld elements", (long long)steps);
        return NULL;
    }
    bool is_int = !em_dtype_is_float(dt);
    double s = dt == EM_FLOAT32 ? (double)(float)start : is_int ? trunc(start) : start;
    double e = dt == EM_FLOAT32 ? (double)(float)end : is_int ? trunc(end) : end;
    double b = is_int ? (double)(float)base : base;
    double span = dt == EM_FLOAT32 ? (double)(float)(e - s) : e - s;
    double step = steps > 1 ? span / (double)(steps - 1) : 0.0;
    int64_t half = steps / 2;
    for (int64_t i = 0; i < steps; i++) {
        double v = steps == 1 ? pow(base, start)
                   : i < half ? pow(b, s + step * (double)i) : pow(b, e - step * (double)(steps - i - 1));
        switch (dt) {
        case EM_FLOAT32: ((float *)buf)[i] = (float)v; break;
        case EM_FLOAT64: ((double *)buf)[i] = v; break;
        case EM_INT64: ((int64_t *)buf)[i] = (int64_t)v; break;
        default: ((int32_t *)buf)[i] = (int32_t)v; break;
        }
    }
    em_tensor *t = em_op_from_host(buf, 1, shape, dt, NULL);
    free(buf);
    return t;
}
