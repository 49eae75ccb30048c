/* random.c — tensors of random numbers from a generator (core/rng.c):
** uniform_, normal_, randint, randperm. Values are drawn on the host in
** PyTorch's order and copied to the tensor's device. */
#include <stdlib.h>

#include "../core/rng.h"
#include "ops.h"
#include "random.h"

/* Writes a host buffer of x's numel (contiguous, x's dtype) into x. */
static em_status upload_into(em_tensor *x, const void *buf)
{
    em_tensor *tmp = em_op_from_host(buf, x->ndim, x->shape, x->dtype, em_tensor_backend(x));
    if (!tmp) return em_last_status();
    em_status st = em_op_copy_(x, tmp);
    em_tensor_release(tmp);
    return st;
}

static void *host_buffer(const char *op, const em_tensor *x)
{
    int64_t n = em_tensor_numel(x);
    void *buf = malloc(n ? (size_t)n * em_dtype_size(x->dtype) : 1);
    if (!buf) em_fail(EM_ERR_MEMORY, "%s: out of memory for %lld values", op, (long long)n);
    return buf;
}

em_status em_op_uniform_(em_tensor *x, double from, double to, em_rng *g)
{
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "uniform_: expected a floating point tensor, got %s", em_dtype_name(x->dtype));
    if (!(from <= to))
        return em_fail(EM_ERR_VALUE, "uniform_: expects to return a [from, to) range, but found from=%g > to=%g",
                       from, to);
    void *buf = host_buffer("uniform_", x);
    if (!buf) return em_last_status();
    int64_t n = em_tensor_numel(x);
    for (int64_t i = 0; i < n; i++) {
        if (x->dtype == EM_FLOAT32)
            ((float *)buf)[i] = (float)em_rng_uniform_float(g, from, to);
        else
            ((double *)buf)[i] = em_rng_uniform_double(g, from, to);
    }
    em_status st = upload_into(x, buf);
    free(buf);
    return st;
}

em_status em_op_normal_(em_tensor *x, double mean, double std, em_rng *g)
{
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "normal_: expected a floating point tensor, got %s", em_dtype_name(x->dtype));
    if (!(std >= 0))
        return em_fail(EM_ERR_VALUE, "normal_: expects std >= 0.0, but found std %g", std);
    void *buf = host_buffer("normal_", x);
    if (!buf) return em_last_status();
    int64_t n = em_tensor_numel(x);
    if (x->dtype == EM_FLOAT32)
        em_rng_normal_fill_float(g, buf, n, mean, std);
    else
        em_rng_normal_fill_double(g, buf, n, mean, std);
    em_status st = upload_into(x, buf);
    free(buf);
    return st;
}

em_status em_op_randint_(em_tensor *x, int64_t low, int64_t high, em_rng *g)
{
    if (low >= high)
        return em_fail(EM_ERR_VALUE, "randint: random_ expects 'from' to be less than 'to', but got from=%lld "
                       ">= to=%lld", (long long)low, (long long)high);
    int64_t n = em_tensor_numel(x);
    int64_t *buf = malloc(n ? (size_t)n * sizeof *buf : 1);
    if (!buf) return em_fail(EM_ERR_MEMORY, "randint: out of memory");
    for (int64_t i = 0; i < n; i++) buf[i] = em_rng_randint(g, low, high);
    em_tensor *tmp = em_op_from_host(buf, x->ndim, x->shape, EM_INT64, em_tensor_backend(x));
    free(buf);
    if (!tmp) return em_last_status();
    em_status st = em_op_copy_(x, tmp);
    em_tensor_release(tmp);
    return st;
}

em_tensor *em_op_randperm(int64_t n, em_rng *g)
{
    if (n < 0) {
        em_fail(EM_ERR_VALUE, "randperm: n must be non-negative, got %lld", (long long)n);
        return NULL;
    }
    if (n > ((int64_t)1 << 40)) {
        em_fail(EM_ERR_MEMORY, "randperm: n = %lld is too large", (long long)n);
        return NULL;
    }
    int64_t *buf = malloc(n ? (size_t)n * sizeof *buf : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "randperm: out of memory");
        return NULL;
    }
    em_rng_randperm(g, buf, n);
    em_tensor *t = em_op_from_host(buf, 1, &n, EM_INT64, em_cpu_backend());
    free(buf);
    return t;
}
