/* random.c — tensors of random numbers from a generator (core/rng.c):
** uniform_, normal_, randint, randperm. Values are drawn on the host in the
** order PyTorch's CPU kernels draw them (memory order, as its TensorIterator
** visits a tensor) and copied to the tensor's device. */
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

/* float16 / bfloat16: PyTorch draws them in their own way (neither the
** float32 nor the float64 stream rounded), which ember does not reproduce:
** refused rather than given different numbers. */
static em_status check_drawable(const char *op, const em_tensor *x)
{
    if (em_dtype_is_reduced_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "%s: random %s values are not implemented in ember (PyTorch's stream for "
                       "them differs from float32's); draw in float32 and convert, e.g. torch.rand(n):%s()",
                       op, em_dtype_name(x->dtype), x->dtype == EM_FLOAT16 ? "half" : "bfloat16");
    return EM_OK;
}

static void *host_buffer(const char *op, const em_tensor *x)
{
    int64_t n = em_tensor_numel(x);
    void *buf = malloc(n ? (size_t)n * em_dtype_size(x->dtype) : 1);
    if (!buf) em_fail(EM_ERR_MEMORY, "%s: out of memory for %lld values", op, (long long)n);
    return buf;
}

/* PyTorch refuses to fill a tensor whose elements share memory (expand). */
static em_status check_no_overlap(const char *op, const em_tensor *x)
{
    for (int d = 0; d < x->ndim; d++)
        if (x->shape[d] > 1 && x->stride[d] == 0)
            return em_fail(EM_ERR_VALUE, "%s: unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor before "
                           "performing the operation.", op);
    return EM_OK;
}

/* The k-th value drawn goes to logical (row-major) position order[k]: x's
** elements in memory order, dims sorted by decreasing stride. *order is
** NULL when that is the row-major order itself. */
static em_status visit_order(const char *op, const em_tensor *x, int64_t **order)
{
    int dims[EM_MAX_DIMS], nd = 0;
    *order = NULL;
    for (int d = 0; d < x->ndim; d++) {
        if (x->shape[d] <= 1) continue;
        int k = nd++;
        while (k > 0 && x->stride[dims[k - 1]] < x->stride[d]) {   /* stable insertion sort */
            dims[k] = dims[k - 1];
            k--;
        }
        dims[k] = d;
    }
    bool row_major = true;
    for (int k = 1; k < nd; k++) row_major = row_major && dims[k - 1] < dims[k];
    int64_t n = em_tensor_numel(x);
    if (row_major || n == 0) return EM_OK;
    int64_t rowstride[EM_MAX_DIMS], idx[EM_MAX_DIMS] = {0};
    int64_t *ord = malloc((size_t)n * sizeof *ord);
    if (!ord) return em_fail(EM_ERR_MEMORY, "%s: out of memory for %lld positions", op, (long long)n);
    em_contiguous_strides(x->ndim, x->shape, rowstride);
    for (int64_t k = 0; k < n; k++) {
        int64_t pos = 0;
        for (int j = 0; j < nd; j++) pos += idx[j] * rowstride[dims[j]];
        ord[k] = pos;
        for (int j = nd - 1; j >= 0 && ++idx[j] == x->shape[dims[j]]; j--) idx[j] = 0;
    }
    *order = ord;
    return EM_OK;
}

typedef struct draw {
    em_rng *g;
    double a, b;            /* uniform: [a, b); normal: mean a, std b */
    int64_t low, high;      /* integers: [low, high) */
    int kind;               /* 0 uniform, 1 normal (scalar path), 2 integer */
} draw;

static void draw_into(const draw *d, em_dtype dt, void *buf, int64_t pos)
{
    if (d->kind == 2) {
        ((int64_t *)buf)[pos] = em_rng_randint(d->g, d->low, d->high);
    } else if (dt == EM_FLOAT32) {
        ((float *)buf)[pos] = (float)(d->kind ? em_rng_normal_double(d->g, d->a, d->b)
                                              : em_rng_uniform_float(d->g, d->a, d->b));
    } else {
        ((double *)buf)[pos] = d->kind ? em_rng_normal_double(d->g, d->a, d->b)
                                       : em_rng_uniform_double(d->g, d->a, d->b);
    }
}

/* One value at a time, in x's memory order, into the row-major buf. */
static em_status draw_serial(const char *op, const em_tensor *x, em_dtype dt, void *buf, const draw *d)
{
    int64_t *order, n = em_tensor_numel(x);
    em_status st = visit_order(op, x, &order);
    if (st) return st;
    for (int64_t k = 0; k < n; k++) draw_into(d, dt, buf, order ? order[k] : k);
    free(order);
    return EM_OK;
}

em_status em_op_uniform_(em_tensor *x, double from, double to, em_rng *g)
{
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "uniform_: expected a floating point tensor, got %s", em_dtype_name(x->dtype));
    if (!(from <= to))
        return em_fail(EM_ERR_VALUE, "uniform_: expects to return a [from, to) range, but found from=%g > to=%g",
                       from, to);
    if (check_no_overlap("uniform_", x) || check_drawable("uniform_", x)) return em_last_status();
    void *buf = host_buffer("uniform_", x);
    if (!buf) return em_last_status();
    em_status st = EM_OK;
    if (!em_tensor_is_contiguous(x)) {
        draw d = {g, from, to, 0, 0, 0};
        st = draw_serial("uniform_", x, x->dtype, buf, &d);
    } else if (x->dtype == EM_FLOAT32) {
        em_rng_uniform_fill_float(g, buf, em_tensor_numel(x), from, to);
    } else {
        em_rng_uniform_fill_double(g, buf, em_tensor_numel(x), from, to);
    }
    if (!st) st = upload_into(x, buf);
    free(buf);
    return st;
}

em_status em_op_normal_(em_tensor *x, double mean, double std, em_rng *g)
{
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "normal_: expected a floating point tensor, got %s", em_dtype_name(x->dtype));
    if (!(std >= 0))
        return em_fail(EM_ERR_VALUE, "normal_: expects std >= 0.0, but found std %g", std);
    if (check_no_overlap("normal_", x) || check_drawable("normal_", x)) return em_last_status();
    void *buf = host_buffer("normal_", x);
    if (!buf) return em_last_status();
    int64_t n = em_tensor_numel(x);
    em_status st = EM_OK;
    if (!em_tensor_is_contiguous(x)) {             /* PyTorch: the scalar path, whatever n */
        draw d = {g, mean, std, 0, 0, 1};
        st = draw_serial("normal_", x, x->dtype, buf, &d);
    } else if (x->dtype == EM_FLOAT32) {
        em_rng_normal_fill_float(g, buf, n, mean, std);
    } else {
        em_rng_normal_fill_double(g, buf, n, mean, std);
    }
    if (!st) st = upload_into(x, buf);
    free(buf);
    return st;
}

em_status em_op_randint_(em_tensor *x, int64_t low, int64_t high, em_rng *g)
{
    if (low >= high)
        return em_fail(EM_ERR_VALUE, "randint: random_ expects 'from' to be less than 'to', but got from=%lld "
                       ">= to=%lld", (long long)low, (long long)high);
    if (check_no_overlap("randint", x)) return em_last_status();
    int64_t n = em_tensor_numel(x);
    int64_t *buf = malloc(n ? (size_t)n * sizeof *buf : 1);
    if (!buf) return em_fail(EM_ERR_MEMORY, "randint: out of memory");
    draw d = {g, 0, 0, low, high, 2};
    em_status st = draw_serial("randint", x, EM_INT64, buf, &d);
    em_tensor *tmp = st ? NULL : em_op_from_host(buf, x->ndim, x->shape, EM_INT64, em_tensor_backend(x));
    free(buf);
    if (!tmp) return em_last_status();
    st = em_op_copy_(x, tmp);
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
    em_tensor *t = em_op_from_host(buf, 1, &n, EM_INT64, NULL);   /* the default device */
    free(buf);
    return t;
}
