/* bucket.c — searchsorted (and bucketize, which is searchsorted with the
** arguments swapped), bincount and histc, with PyTorch 1.13's CPU rules:
** the binary searches of its Bucketization.cpp (NaN compares false, so a
** NaN boundary acts as larger than everything), bincount's dtype rules and
** histc's bin arithmetic (done in the input's dtype, as its kernel does).
** Not here: the bindings' options (bind/lua_sort.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/promote.h"
#include "ops.h"
#include "sort.h"

static char *shape_of(const em_tensor *t, char *buf)
{
    return em_shape_str(t->ndim, t->shape, buf, EM_SHAPE_BUF);
}

/* cus_lower_bound / cus_upper_bound over bd[start, end) (through sort when given) */
#define BOUND(T)                                                                                   \
    static int64_t bound_##T(int64_t start, int64_t end, T val, const T *bd, const int64_t *sort, \
                             bool right)                                                           \
    {                                                                                              \
        const int64_t orig = sort ? start : 0;                                                     \
        while (start < end) {                                                                      \
            const int64_t mid = start + ((end - start) >> 1);                                      \
            const T mv = sort ? bd[sort[mid] + orig] : bd[mid];                                    \
            if (right ? !(mv > val) : !(mv >= val)) start = mid + 1;                               \
            else end = mid;                                                                        \
        }                                                                                          \
        return start;                                                                              \
    }
BOUND(double)
BOUND(int64_t)

static em_status check_searchsorted(const char *op, const em_tensor *s, const em_tensor *v, const em_tensor *sorter)
{
    char a[EM_SHAPE_BUF], b[EM_SHAPE_BUF];
    if (s->ndim == 0)
        return em_fail(EM_ERR_SHAPE, "%s: boundaries tensor should have positive dimension, but got 0 dimension", op);
    if (s->dtype == EM_BOOL || v->dtype == EM_BOOL)
        return em_fail(EM_ERR_TYPE, "%s: not supported for dtype bool", op);
    if (s->ndim > 1) {
        if (v->ndim == 0)
            return em_fail(EM_ERR_SHAPE, "%s: input value can be a scalar only when boundaries tensor dimension "
                           "is 1, but we got boundaries tensor dim(%d) and input value's dim(0) numel(1)", op, s->ndim);
        bool ok = v->ndim == s->ndim;
        for (int i = 0; ok && i < s->ndim - 1; i++) ok = s->shape[i] == v->shape[i];
        if (!ok)
            return em_fail(EM_ERR_SHAPE, "%s: boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           "of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           "%s and input value tensor %s", op, shape_of(s, a), shape_of(v, b));
    }
    if (sorter) {
        if (sorter->dtype != EM_INT64)
            return em_fail(EM_ERR_TYPE, "%s: sorter must be a tensor of long dtype but got dtype %s", op,
                           em_dtype_name(sorter->dtype));
        if (!em_same_shape(sorter, s))
            return em_fail(EM_ERR_SHAPE, "%s: boundary and sorter must have the same size, but got boundary "
                           "tensor %s and got sorter tensor %s", op, shape_of(s, a), shape_of(sorter, b));
    }
    return em_check_same_device(op, s, v);
}

em_tensor *em_op_searchsorted(const char *op, const em_tensor *s, const em_tensor *v, bool right, bool out_int32,
                              const em_tensor *sorter)
{
    if (check_searchsorted(op, s, v, sorter)) return NULL;
    const em_tensor *pair[2] = {s, v};
    em_dtype common = em_result_type(2, pair);   /* PyTorch compares in the promoted dtype */
    em_tensor *sc = em_op_to_dtype(s, common), *vc = sc ? em_op_to_dtype(v, common) : NULL;
    bool ints = false;
    void *bd = vc ? em_host_values(sc, &ints) : NULL, *vals = bd ? em_host_values(vc, &ints) : NULL;
    em_tensor_release(sc);
    em_tensor_release(vc);
    int64_t nv = em_tensor_numel(v), ns = em_tensor_numel(s), len = s->shape[s->ndim - 1];
    int64_t *srt = NULL, *pos = vals ? malloc(nv ? (size_t)nv * 8 : 1) : NULL;
    if (pos && sorter && (srt = malloc(ns ? (size_t)ns * 8 : 1)) && em_op_to_host(sorter, srt, (size_t)ns * 8)) {
        free(srt);
        srt = NULL;
        free(pos);
        pos = NULL;
    }
    em_tensor *r = NULL;
    if (!pos || (sorter && !srt)) {
        if (vals && !sorter) em_fail(EM_ERR_MEMORY, "%s: out of memory", op);
        goto done;
    }
    for (int64_t i = 0; i < ns && srt; i++)
        if (srt[i] < 0 || srt[i] >= len) {
            em_fail(EM_ERR_INDEX, "%s: sorter index %lld is out of range for boundaries of size %lld", op,
                    (long long)srt[i], (long long)len);
            goto done;
        }
    /* values per row of boundaries: all of them when boundaries are 1-D */
    int64_t per = s->ndim == 1 ? nv : (v->ndim ? v->shape[v->ndim - 1] : 1);
    for (int64_t i = 0; i < nv; i++) {
        int64_t start = s->ndim == 1 ? 0 : (i / per) * len;
        pos[i] = ints ? bound_int64_t(start, start + len, ((int64_t *)vals)[i], bd, srt, right)
                      : bound_double(start, start + len, ((double *)vals)[i], bd, srt, right);
        pos[i] -= start;
    }
    r = em_op_from_host(pos, v->ndim, v->shape, EM_INT64, em_tensor_backend(v));
    if (r && out_int32) {
        em_tensor *r32 = em_op_to_dtype(r, EM_INT32);
        em_tensor_release(r);
        r = r32;
    }
done:
    free(bd);
    free(vals);
    free(srt);
    free(pos);
    return r;
}

em_tensor *em_op_bincount(const em_tensor *x, const em_tensor *weights, int64_t minlength)
{
    if (em_dtype_is_float(x->dtype) || x->dtype == EM_BOOL) {
        em_fail(EM_ERR_TYPE, "bincount: not supported for dtype %s (integer input expected)", em_dtype_name(x->dtype));
        return NULL;
    }
    if (minlength < 0) {
        em_fail(EM_ERR_VALUE, "bincount: minlength should be >= 0, got %lld", (long long)minlength);
        return NULL;
    }
    const em_backend *be = em_tensor_backend(x);
    if (x->ndim == 1 && x->shape[0] == 0) return em_op_full(1, &minlength, 0.0, EM_INT64, be);
    bool ints;
    int64_t n = em_tensor_numel(x);
    int64_t *v = x->ndim == 1 ? em_host_values(x, &ints) : NULL;   /* int32/uint8 come as doubles */
    if (x->ndim == 1 && !v) return NULL;
    int64_t top = -1;
    bool bad = x->ndim != 1;
    for (int64_t i = 0; !bad && i < n; i++) {
        int64_t k = ints ? v[i] : (int64_t)((double *)v)[i];
        if (!ints) v[i] = k;
        if (k < 0) bad = true;
        if (k > top) top = k;
    }
    if (bad) {
        free(v);
        em_fail(EM_ERR_VALUE, "bincount: bincount only supports 1-d non-negative integral inputs.");
        return NULL;
    }
    if (weights && (weights->ndim != 1 || weights->shape[0] != n)) {
        free(v);
        em_fail(EM_ERR_SHAPE, "bincount: weights should be 1-d and have the same length as input");
        return NULL;
    }
    int64_t nbins = top + 1 > minlength ? top + 1 : minlength;
    em_dtype dt = !weights ? EM_INT64 : weights->dtype == EM_FLOAT32 ? EM_FLOAT32 : EM_FLOAT64;
    double *w = weights ? em_host_values(weights, &ints) : NULL;   /* weights: never int64 keys here */
    if (weights && w && ints) {   /* int64 weights: as doubles (PyTorch converts them) */
        for (int64_t i = 0; i < n; i++) w[i] = (double)((int64_t *)w)[i];
    }
    double *acc = (!weights || w) ? calloc(nbins ? (size_t)nbins : 1, 8) : NULL;
    em_tensor *r = NULL;
    if (acc) {
        for (int64_t i = 0; i < n; i++) {
            if (!weights) acc[v[i]] += 1.0;
            else if (dt == EM_FLOAT32) acc[v[i]] = (double)((float)acc[v[i]] + (float)w[i]);   /* float sums */
            else acc[v[i]] += w[i];
        }
        r = em_tensor_from_values(acc, false, 1, &nbins, dt, be);
    } else if (!weights || w) {
        em_fail(EM_ERR_MEMORY, "bincount: out of memory for %lld bins", (long long)nbins);
    }
    free(v);
    free(w);
    free(acc);
    return r;
}

/* histc's edges (histc_select_outer_bin_edges): min == max means x's range,
** a range of one value is widened by 1 each side. */
static em_status histc_edges(const double *v, int64_t n, double *lo, double *hi)
{
    if (*lo == *hi && n > 0) {
        double mn = v[0], mx = v[0];
        bool nan = false;
        for (int64_t i = 0; i < n; i++) {
            nan = nan || isnan(v[i]);
            if (v[i] < mn) mn = v[i];
            if (v[i] > mx) mx = v[i];
        }
        *lo = nan ? NAN : mn;   /* aminmax: NaN propagates */
        *hi = nan ? NAN : mx;
    }
    if (*lo == *hi) {
        *lo -= 1;
        *hi += 1;
    }
    if (isinf(*lo) || isinf(*hi) || isnan(*lo) || isnan(*hi))
        return em_fail(EM_ERR_VALUE, "histc: range of [%g, %g] is not finite", *lo, *hi);
    if (!(*lo < *hi)) return em_fail(EM_ERR_VALUE, "histc: max must be larger than min");
    return EM_OK;
}

/* The bin of e (histogramdd's LINEAR_INTERPOLATION), in the dtype T. A NaN
** passes PyTorch 1.13's range test and lands in bin 0 (its kernel's index
** (int64)NaN wraps to offset 0), so it counts there: parity, not a choice. */
#define HISTC_FILL(T)                                                                 \
    static void histc_fill_##T(const double *v, int64_t n, int64_t bins, double lo,  \
                               double hi, double *hist)                               \
    {                                                                                 \
        const T left = (T)lo, right = (T)hi;                                          \
        for (int64_t i = 0; i < n; i++) {                                             \
            const T e = (T)v[i];                                                      \
            if (e < left || e > right) continue;                                      \
            int64_t pos = e != e ? 0 : (int64_t)((e - left) * (T)bins / (right - left)); \
            if (pos == bins) pos -= 1;                                                \
            hist[pos] = (double)((T)hist[pos] + (T)1);                                \
        }                                                                             \
    }
HISTC_FILL(float)
HISTC_FILL(double)

em_tensor *em_op_histc(const em_tensor *x, int64_t bins, double min, double max)
{
    if (!em_dtype_is_float(x->dtype)) {
        em_fail(EM_ERR_TYPE, "histc: not supported for dtype %s (floating point input expected)",
                em_dtype_name(x->dtype));
        return NULL;
    }
    if (bins <= 0) {
        em_fail(EM_ERR_VALUE, "histc: bins must be > 0, but got %lld", (long long)bins);
        return NULL;
    }
    bool ints;
    int64_t n = em_tensor_numel(x);
    double *v = em_host_values(x, &ints);
    if (!v) return NULL;
    em_tensor *r = NULL;
    double *hist = NULL;
    if (histc_edges(v, n, &min, &max) == EM_OK) {
        hist = calloc((size_t)bins, 8);
        if (!hist) {
            em_fail(EM_ERR_MEMORY, "histc: out of memory for %lld bins", (long long)bins);
        } else {
            if (x->dtype == EM_FLOAT32) histc_fill_float(v, n, bins, min, max, hist);
            else histc_fill_double(v, n, bins, min, max, hist);
            r = em_tensor_from_values(hist, false, 1, &bins, x->dtype, em_tensor_backend(x));
        }
    }
    free(v);
    free(hist);
    return r;
}
