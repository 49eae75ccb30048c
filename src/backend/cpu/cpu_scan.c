/* cpu_scan.c — cumulative sum and product along one dim (cumsum, cumprod,
** and the reversed cumsum of their backward). Floats accumulate in double and
** each partial result is rounded to the dtype, as PyTorch's CPU kernel does;
** ints in wrapping int64. Every line along the dim is walked on its own;
** a long contiguous float32 cumsum line in interleaved pieces.
** Not here: the dtype rules and the derivatives (ops/scan.c, autograd/). */
#include "cpu_iter.h"

/* One line in order (reverse: from its end): one chain of dependent double
** operations, rounded to T at every element. */
#define DEF_SCAN_LINE(NAME, T, CONV)                                             \
static void NAME(bool prod, T *o, int64_t os, const T *x, int64_t xs, int64_t n, bool reverse) \
{                                                                                \
    if (reverse) {                                                               \
        o += (n - 1) * os, x += (n - 1) * xs;                                    \
        os = -os, xs = -xs;                                                      \
    }                                                                            \
    double a = prod ? 1 : 0;                                                     \
    if (prod)                                                                    \
        for (int64_t i = 0; i < n; i++) { a *= (double)x[i * xs]; o[i * os] = CONV(a); } \
    else                                                                         \
        for (int64_t i = 0; i < n; i++) { a += (double)x[i * xs]; o[i * os] = CONV(a); } \
}

#define TO_F64(v) (v)
DEF_SCAN_LINE(scan_f32_seq, float, cpu_d2f)
DEF_SCAN_LINE(scan_f64, double, TO_F64)

/* A long contiguous float32 cumsum as CHAINS interleaved chains: the line
** is cut into CHAINS pieces; the sums of all pieces but the last, taken
** first in double with independent accumulators, give each piece its
** starting value; then the pieces are scanned side by side, one element of
** each in turn, so the CPU overlaps CHAINS dependent additions instead of
** waiting on one (1e6 elements: 0.9 -> 0.6 ms). The running sums are the sequential ones up to double
** rounding (1e-16 relative, against float32's 6e-8; exact when the inputs'
** exponents span under 29 bits), so the float32 outputs are the same but
** for a rare rounding tie; inf and NaN come out as in order (which of inf,
** -inf and NaN a running sum holds depends only on the set of infinities
** and NaNs met; float32 inputs cannot overflow a double sum). Products stay
** in order: a running product that overflows or underflows stays there,
** which a piece started from a recomputed value would not. */
#define CHAINS 8
#define CHAIN_MIN 4096

static double piece_sum(const float *x, int64_t n)
{
    double t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int k = 0; k < 8; k++) t[k] += (double)x[i + k];
    for (; i < n; i++) t[0] += (double)x[i];
    return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}

/* Rounds m running sums to float32 (a loop that vectorises). */
EM_CLONES static void round_sums(float *restrict o, const double *restrict t, int64_t m, int64_t step)
{
    if (step == 1) for (int64_t j = 0; j < m; j++) o[j] = cpu_d2f(t[j]);
    else for (int64_t j = 0; j < m; j++) o[-j] = cpu_d2f(t[j]);
}

/* The pieces side by side, BLOCK positions at a time: the running sums go
** to t, then are rounded into each piece's outputs. */
#define BLOCK 256
EM_CLONES static void cumsum_f32_chains(float *o, const float *x, int64_t n, bool reverse)
{
    int64_t len = (n + CHAINS - 1) / CHAINS;
    int64_t last = n - (CHAINS - 1) * len;   /* the last piece's length, >= 1 */
    double a[CHAINS], t[CHAINS][BLOCK];
    a[0] = 0;
    for (int c = 1; c < CHAINS; c++)   /* piece c - 1: scan positions [(c-1) len, c len) */
        a[c] = a[c - 1] + piece_sum(x + (reverse ? n - c * len : (c - 1) * len), len);
    /* scan position p is index p, or n - 1 - p reversed */
    int64_t step = reverse ? -1 : 1;
    const float *xc[CHAINS];
    float *oc[CHAINS];
    for (int c = 0; c < CHAINS; c++) {
        int64_t i = reverse ? n - 1 - c * len : c * len;
        xc[c] = x + i, oc[c] = o + i;
    }
    for (int64_t k0 = 0; k0 < len; k0 += BLOCK) {
        int64_t m = len - k0 < BLOCK ? len - k0 : BLOCK;
        int64_t mall = last - k0 < m ? (last - k0 > 0 ? last - k0 : 0) : m;   /* the last piece's share */
        int64_t k = 0;
        for (; k < mall; k++)
            for (int c = 0; c < CHAINS; c++) t[c][k] = a[c] += (double)xc[c][(k0 + k) * step];
        for (; k < m; k++)
            for (int c = 0; c < CHAINS - 1; c++) t[c][k] = a[c] += (double)xc[c][(k0 + k) * step];
        for (int c = 0; c < CHAINS; c++)
            round_sums(oc[c] + k0 * step, t[c], c == CHAINS - 1 ? mall : m, step);
    }
}

static void scan_f32(bool prod, float *o, int64_t os, const float *x, int64_t xs, int64_t n, bool reverse)
{
    if (!prod && n >= CHAIN_MIN && os == 1 && xs == 1) cumsum_f32_chains(o, x, n, reverse);
    else scan_f32_seq(prod, o, os, x, xs, n, reverse);
}

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
