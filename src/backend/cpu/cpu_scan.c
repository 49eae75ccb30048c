/* cpu_scan.c — cumulative sum and product along one dim (cumsum, cumprod,
** and the reversed cumsum of their backward). Floats accumulate in double and
** each partial result is rounded to the dtype, as PyTorch's CPU kernel does;
** ints in wrapping int64. Every line along the dim is walked on its own.
** Not here: the dtype rules and the derivatives (ops/scan.c, autograd/). */
#include "cpu_iter.h"

#define DEF_SCAN_LINE(NAME, T, ACC, CONV)                                        \
static void NAME(bool prod, T *o, int64_t os, const T *x, int64_t xs, int64_t n, bool reverse) \
{                                                                                \
    ACC a = prod ? 1 : 0;                                                        \
    for (int64_t k = 0; k < n; k++) {                                            \
        int64_t i = reverse ? n - 1 - k : k;                                     \
        if (prod) a *= (ACC)x[i * xs];                                           \
        else a += (ACC)x[i * xs];                                                \
        o[i * os] = CONV(a);                                                     \
    }                                                                            \
}

#define TO_F64(v) (v)
DEF_SCAN_LINE(scan_f32, float, double, cpu_d2f)
DEF_SCAN_LINE(scan_f64, double, double, TO_F64)

/* Integer products wrap as int64 does (no signed overflow in C). */
static void scan_i64_wrap(bool prod, int64_t *o, int64_t os, const int64_t *x, int64_t xs, int64_t n, bool reverse)
{
    if (!prod) {
        uint64_t a = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t i = reverse ? n - 1 - k : k;
            a += (uint64_t)x[i * xs];
            o[i * os] = cpu_wrap(a);
        }
        return;
    }
    uint64_t a = 1;
    for (int64_t k = 0; k < n; k++) {
        int64_t i = reverse ? n - 1 - k : k;
        a *= (uint64_t)x[i * xs];
        o[i * os] = cpu_wrap(a);
    }
}

em_status em_cpu_scan(em_reduce_op op, const em_kview *out, const em_kview *in, int dim, bool reverse)
{
    if (op != EM_R_SUM && op != EM_R_PROD)
        return em_fail(EM_ERR_INTERNAL, "scan: only sum and prod are cumulative on the CPU");
    if (out->dtype != in->dtype || (in->dtype != EM_FLOAT32 && in->dtype != EM_FLOAT64 && in->dtype != EM_INT64))
        return em_fail(EM_ERR_TYPE, "no CPU kernel for dtype %s", em_dtype_name(in->dtype));
    if (dim < 0 || dim >= in->ndim)   /* a 0-dim tensor: one element, its own sum and product */
        return em_cpu_copy(out, in);
    /* the lines: both views with the scanned dim collapsed to one element */
    em_kview o = *out, x = *in;
    int64_t n = in->shape[dim], os = out->stride[dim], xs = in->stride[dim];
    o.shape[dim] = x.shape[dim] = 1;
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 2, (const em_kview *[]){&o, &x});
    if (st != EM_OK || it.numel == 0 || n == 0) return st;
    size_t esz = em_dtype_size(in->dtype);
    bool prod = op == EM_R_PROD;
    do {
        for (int64_t j = 0; j < it.n; j++) {
            char *po = it.ptr[0] + j * it.step[0] * (int64_t)esz;
            const char *px = it.ptr[1] + j * it.step[1] * (int64_t)esz;
            switch (in->dtype) {
            case EM_FLOAT32: scan_f32(prod, (float *)po, os, (const float *)px, xs, n, reverse); break;
            case EM_FLOAT64: scan_f64(prod, (double *)po, os, (const double *)px, xs, n, reverse); break;
            default: scan_i64_wrap(prod, (int64_t *)po, os, (const int64_t *)px, xs, n, reverse); break;
            }
        }
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}
