/* cpu_reduce.c — sum, prod, max and min over the dims where out has stride 0,
** with the 0-based arg index for max/min. Floats accumulate in double (a
** contiguous float32 sum in float over 16 terms first), ints and bools in
** wrapping int64. For each output element the reduced block is
** walked row by row (contiguous rows in eight lanes: sums, products, and
** max/min when no index is wanted); a float32 sum whose kept inner dim is
** contiguous is done column-wise instead. Not here: mean, var, softmax (built by ops). */
#include <string.h>

#include "cpu_iter.h"

typedef struct acc {
    double f;      /* float inputs */
    int64_t i;     /* int and bool inputs */
    int64_t arg;   /* where the max/min so far was */
    int64_t pos;   /* elements seen before this row */
    bool nan;      /* max/min met a NaN: decided */
    bool no_arg;   /* max/min: nobody reads arg (amax, max()): the fast rows */
} acc;

static acc acc_start(em_reduce_op op)
{
    acc a = {0};
    if (op == EM_R_PROD) a.f = 1, a.i = 1;
    if (op == EM_R_MAX) a.f = -INFINITY, a.i = INT64_MIN;
    if (op == EM_R_MIN) a.f = INFINITY, a.i = INT64_MAX;
    return a;
}

/* Eight partial sums: independent chains the compiler can vectorise. */
#define DEF_SUM(NAME, T)                                                     \
EM_CLONES static double NAME(const T *p, int64_t n, int64_t s)               \
{                                                                            \
    double t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;   \
    int64_t i = 0;                                                           \
    if (s == 1)                                                              \
        for (; i + 8 <= n; i += 8) {                                         \
            t0 += p[i]; t1 += p[i + 1]; t2 += p[i + 2]; t3 += p[i + 3];      \
            t4 += p[i + 4]; t5 += p[i + 5]; t6 += p[i + 6]; t7 += p[i + 7];  \
        }                                                                    \
    for (; i < n; i++) t0 += p[i * s];                                       \
    return ((t0 + t1) + (t2 + t3)) + ((t4 + t5) + (t6 + t7));                \
}
DEF_SUM(sum_f32_strided, float)
DEF_SUM(sum_f64, double)

/* A contiguous float32 row: 64 float lanes each add 16 consecutive elements
** of a block of 1024 (in float, so the adds are 8 or 16 wide), then each
** lane's partial sum goes into one of 64 double accumulators; the
** accumulators are added pairwise at the end. A float partial of 16 terms
** errs by at most 15 float roundings of partial sums of its terms; PyTorch's
** cascade sum has the same first level (16 terms in float) and adds its
** level sums in float too, so the result is at least as accurate. About 2x
** faster than double accumulators alone (which convert every element). */
#define SUM_LANES 64
#define SUM_DEPTH 16
EM_CLONES static double sum_f32_dense(const float *p, int64_t n)
{
    double d[SUM_LANES] = {0};
    int64_t i = 0;
    for (; i + SUM_LANES * SUM_DEPTH <= n; i += SUM_LANES * SUM_DEPTH) {
        float f[SUM_LANES];
        for (int k = 0; k < SUM_LANES; k++) f[k] = p[i + k];
        for (int r = 1; r < SUM_DEPTH; r++)
            for (int k = 0; k < SUM_LANES; k++) f[k] += p[i + r * SUM_LANES + k];
        for (int k = 0; k < SUM_LANES; k++) d[k] += (double)f[k];
    }
    for (; i + SUM_LANES <= n; i += SUM_LANES)
        for (int k = 0; k < SUM_LANES; k++) d[k] += (double)p[i + k];
    for (int k = 0; i < n; i++, k++) d[k] += (double)p[i];
    for (int w = SUM_LANES / 2; w >= 1; w /= 2)
        for (int k = 0; k < w; k++) d[k] += d[k + w];
    return d[0];
}

static double sum_f32(const float *p, int64_t n, int64_t s)
{
    return s == 1 ? sum_f32_dense(p, n) : sum_f32_strided(p, n, s);
}

/* 32 partial products in double (independent chains the compiler turns
** into vectors), for contiguous rows. */
#define DEF_PROD(NAME, T)                                                    \
EM_CLONES static double NAME(const T *p, int64_t n)                          \
{                                                                            \
    double t[32];                                                            \
    for (int k = 0; k < 32; k++) t[k] = 1;                                   \
    int64_t i = 0;                                                           \
    for (; i + 32 <= n; i += 32)                                             \
        for (int k = 0; k < 32; k++) t[k] *= p[i + k];                       \
    for (; i < n; i++) t[0] *= p[i];                                         \
    for (int w = 16; w >= 1; w /= 2)                                         \
        for (int k = 0; k < w; k++) t[k] *= t[k + w];                        \
    return t[0];                                                             \
}
DEF_PROD(prod_f32, float)
DEF_PROD(prod_f64, double)

/* The max (CMP >) or min (<) of a contiguous row when no position is
** wanted, and whether a NaN was seen (the caller then looks for the first
** one): 32 bytes of lanes at a time in GCC's vector types (GCC does not
** vectorise a scalar max loop without -ffast-math). */
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4i __attribute__((vector_size(32)));
#define DEF_EXTREME(NAME, T, VT, VI, L, CMP, INIT)                           \
EM_CLONES static T NAME(const T *p, int64_t n, bool *nan)                    \
{                                                                            \
    VT m[4];                   /* four independent chains of lanes */        \
    VI bad = {0};                                                            \
    for (int j = 0; j < 4; j++)                                              \
        for (int k = 0; k < L; k++) m[j][k] = INIT;                          \
    int64_t i = 0;                                                           \
    for (; i + 4 * L <= n; i += 4 * L)                                       \
        for (int j = 0; j < 4; j++) {                                        \
            VT v;                                                            \
            memcpy(&v, p + i + j * L, sizeof v);                             \
            VI take = v CMP m[j];                                            \
            bad |= v != v;                                                   \
            m[j] = (VT)((take & (VI)v) | (~take & (VI)m[j]));                \
        }                                                                    \
    T r = INIT;                                                              \
    int any = 0;                                                             \
    for (int k = 0; k < L; k++) {                                            \
        for (int j = 0; j < 4; j++) r = m[j][k] CMP r ? m[j][k] : r;         \
        any |= bad[k] != 0;                                                  \
    }                                                                        \
    for (; i < n; i++) {                                                     \
        any |= p[i] != p[i];                                                 \
        r = p[i] CMP r ? p[i] : r;                                           \
    }                                                                        \
    *nan = any;                                                              \
    return r;                                                                \
}
DEF_EXTREME(max_f32, float, v8f, v8i, 8, >, -INFINITY)
DEF_EXTREME(min_f32, float, v8f, v8i, 8, <, INFINITY)
DEF_EXTREME(max_f64, double, v4d, v4i, 4, >, -INFINITY)
DEF_EXTREME(min_f64, double, v4d, v4i, 4, <, INFINITY)

/* One row of n elements, s apart. The first NaN decides max/min; ties keep
** the first position. */
#define DEF_ROW_FLOAT(NAME, T, SUM, PROD, MAX, MIN)                          \
static void NAME(em_reduce_op op, const T *p, int64_t n, int64_t s, acc *a)  \
{                                                                            \
    switch (op) {                                                            \
    case EM_R_SUM: a->f += SUM(p, n, s); break;                              \
    case EM_R_PROD:                                                          \
        if (s == 1) a->f *= PROD(p, n);                                      \
        else for (int64_t i = 0; i < n; i++) a->f *= p[i * s];               \
        break;                                                               \
    case EM_R_MAX: case EM_R_MIN:                                            \
        if (a->no_arg && s == 1 && !a->nan) {                                \
            bool nan;                                                        \
            T v = op == EM_R_MAX ? MAX(p, n, &nan) : MIN(p, n, &nan);        \
            if (nan) {   /* the first NaN wins */                            \
                for (int64_t i = 0; i < n; i++)                              \
                    if (p[i] != p[i]) { a->f = p[i]; break; }                \
                a->nan = true;                                               \
            } else if (op == EM_R_MAX ? v > a->f : v < a->f) {               \
                a->f = v;                                                    \
            }                                                                \
            break;                                                           \
        }                                                                    \
        for (int64_t i = 0; i < n && !a->nan; i++) {                         \
            T v = p[i * s];                                                  \
            bool better = op == EM_R_MAX ? v > a->f : v < a->f;              \
            if (better || v != v) a->f = v, a->arg = a->pos + i, a->nan = v != v; \
        }                                                                    \
        break;                                                               \
    default: break;                                                          \
    }                                                                        \
    a->pos += n;                                                             \
}
DEF_ROW_FLOAT(row_f32, float, sum_f32, prod_f32, max_f32, min_f32)
DEF_ROW_FLOAT(row_f64, double, sum_f64, prod_f64, max_f64, min_f64)

#define RD_VAL(x) ((int64_t)(x))
#define RD_BOOL(x) ((int64_t)((x) != 0))

/* The max or min of a contiguous integer row when no position is wanted:
** plain loops in T, which GCC vectorises (integer max/min is exact). */
#define DEF_EXTREME_INT(SUFFIX, T)                                           \
EM_CLONES static T max_##SUFFIX(const T *p, int64_t n, T r)                  \
{                                                                            \
    for (int64_t i = 0; i < n; i++) r = p[i] > r ? p[i] : r;                 \
    return r;                                                                \
}                                                                            \
EM_CLONES static T min_##SUFFIX(const T *p, int64_t n, T r)                  \
{                                                                            \
    for (int64_t i = 0; i < n; i++) r = p[i] < r ? p[i] : r;                 \
    return r;                                                                \
}
DEF_EXTREME_INT(i64, int64_t)
DEF_EXTREME_INT(i32, int32_t)
DEF_EXTREME_INT(u8, uint8_t)

/* max/min of a contiguous row, no position wanted, in blocks: RD is
** monotone, so RD of T's max (min) is RD's; once the result is RD's largest
** (smallest) value, nothing later changes it: any() stops at its first
** true element, all() at its first false one. */
#define EXTREME_BLOCK 4096
#define DEF_EXTREME_ROW(NAME, T, RD, SUFFIX, TMIN, TMAX)                     \
static void NAME(em_reduce_op op, const T *p, int64_t n, acc *a)             \
{                                                                            \
    bool max = op == EM_R_MAX;                                               \
    int64_t done = max ? RD((T)TMAX) : RD((T)TMIN);                          \
    for (int64_t i = 0; i < n && a->i != done; i += EXTREME_BLOCK) {         \
        int64_t m = n - i < EXTREME_BLOCK ? n - i : EXTREME_BLOCK;           \
        int64_t v = max ? RD(max_##SUFFIX(p + i, m, (T)TMIN))                \
                        : RD(min_##SUFFIX(p + i, m, (T)TMAX));               \
        if (max ? v > a->i : v < a->i) a->i = v;                             \
    }                                                                        \
}
DEF_EXTREME_ROW(extreme_i64, int64_t, RD_VAL, i64, INT64_MIN, INT64_MAX)
DEF_EXTREME_ROW(extreme_i32, int32_t, RD_VAL, i32, INT32_MIN, INT32_MAX)
DEF_EXTREME_ROW(extreme_u8, uint8_t, RD_VAL, u8, 0, UINT8_MAX)
DEF_EXTREME_ROW(extreme_bool, uint8_t, RD_BOOL, u8, 0, UINT8_MAX)

#define DEF_ROW_INT(NAME, T, RD, EXTREME)                                    \
static void NAME(em_reduce_op op, const T *p, int64_t n, int64_t s, acc *a)  \
{                                                                            \
    uint64_t t = (uint64_t)a->i;                                             \
    switch (op) {                                                            \
    case EM_R_SUM: for (int64_t i = 0; i < n; i++) t += (uint64_t)RD(p[i * s]); break; \
    case EM_R_PROD: for (int64_t i = 0; i < n; i++) t *= (uint64_t)RD(p[i * s]); break; \
    case EM_R_MAX: case EM_R_MIN:                                            \
        if (a->no_arg && s == 1) {                                           \
            EXTREME(op, p, n, a);                                            \
            t = (uint64_t)a->i;                                              \
            break;                                                           \
        }                                                                    \
        for (int64_t i = 0; i < n; i++) {                                    \
            int64_t v = RD(p[i * s]);                                        \
            if (op == EM_R_MAX ? v > a->i : v < a->i) a->i = v, a->arg = a->pos + i; \
        }                                                                    \
        t = (uint64_t)a->i;                                                  \
        break;                                                               \
    default: break;                                                          \
    }                                                                        \
    a->i = cpu_wrap(t);                                                      \
    a->pos += n;                                                             \
}
DEF_ROW_INT(row_i64, int64_t, RD_VAL, extreme_i64)
DEF_ROW_INT(row_i32, int32_t, RD_VAL, extreme_i32)
DEF_ROW_INT(row_u8, uint8_t, RD_VAL, extreme_u8)
DEF_ROW_INT(row_bool, uint8_t, RD_BOOL, extreme_bool)

static void reduce_row(em_reduce_op op, em_dtype dt, const char *p, int64_t n, int64_t s,
                       acc *a)
{
    switch (dt) {
    case EM_FLOAT32: row_f32(op, (const float *)p, n, s, a); break;
    case EM_FLOAT64: row_f64(op, (const double *)p, n, s, a); break;
    case EM_INT64: row_i64(op, (const int64_t *)p, n, s, a); break;
    case EM_INT32: row_i32(op, (const int32_t *)p, n, s, a); break;
    case EM_UINT8: row_u8(op, (const uint8_t *)p, n, s, a); break;
    default: row_bool(op, (const uint8_t *)p, n, s, a); break;
    }
}

/* Moves *p to the next row of the reduced block rb; false after the last. */
static bool block_next(const cpu_iter *rb, int64_t *pos, const char **p)
{
    for (int d = rb->ndim - 2; d >= 0; d--) {
        if (++pos[d] < rb->shape[d]) {
            *p += rb->bstride[0][d];
            return true;
        }
        pos[d] = 0;
        *p -= rb->bstride[0][d] * (rb->shape[d] - 1);
    }
    return false;
}

static acc reduce_block(em_reduce_op op, em_dtype dt, const char *base, const cpu_iter *rb, bool no_arg)
{
    acc a = acc_start(op);
    a.no_arg = no_arg;
    if (rb->numel == 0) return a;
    int64_t pos[EM_MAX_DIMS] = {0};
    const char *p = base;
    do reduce_row(op, dt, p, rb->n, rb->step[0], &a);
    while (block_next(rb, pos, &p));
    return a;
}

/* float32 sum with a contiguous kept row: whole reduced rows of in are added
** into COLS double accumulators at a time, then stored. Each column still
** sums its rows in order, as a loop over the rows would. */
#define COLS 64

/* t[j] += rows of q, COLS columns: the accumulators stay in registers
** (8 AVX-512 or 16 AVX2 ones, compiled for both): a bias gradient of
** 512 x 256, called from Lua, takes 12 instead of 21 us. */
EM_CLONES static void add_rows_f32(double *restrict t, const float *restrict q, int64_t rows, int64_t step)
{
    double a[COLS];
    for (int j = 0; j < COLS; j++) a[j] = t[j];
    for (int64_t r = 0; r < rows; r++)
        for (int j = 0; j < COLS; j++) a[j] += q[r * step + j];
    for (int j = 0; j < COLS; j++) t[j] = a[j];
}

static void sum_columns_f32(const char *base, int64_t n, char *po, int64_t so,
                            const cpu_iter *rb)
{
    for (int64_t j0 = 0; j0 < n; j0 += COLS) {
        int64_t m = n - j0 < COLS ? n - j0 : COLS;
        double t[COLS] = {0};
        int64_t pos[EM_MAX_DIMS] = {0};
        const char *p = base + j0 * (int64_t)sizeof(float);
        do {
            if (m == COLS) {
                add_rows_f32(t, (const float *)p, rb->n, rb->step[0]);
            } else {
                for (int64_t r = 0; r < rb->n; r++) {
                    const float *q = (const float *)p + r * rb->step[0];
                    for (int64_t j = 0; j < m; j++) t[j] += q[j];
                }
            }
        } while (block_next(rb, pos, &p));
        for (int64_t j = 0; j < m; j++) ((float *)po)[(j0 + j) * so] = (float)t[j];
    }
}


em_status em_cpu_reduce(em_reduce_op op, const em_kview *out, const em_kview *in,
                        const em_kview *idx, int index_dim)
{
    (void)index_dim;   /* with one reduced dim, the block position is the index */
    int ndim = in->ndim;
    if ((unsigned)op >= EM_R_NUM_OPS || out->ndim != ndim || (idx && idx->ndim != ndim) ||
        (idx && (idx->dtype != EM_INT64 || (op != EM_R_MAX && op != EM_R_MIN))))
        return em_fail(EM_ERR_INTERNAL, "reduce: bad op %d or operands", (int)op);

    /* Split dims: kept ones (out has a stride) go to kview k*, reduced ones
    ** (out stride 0) to the block view rv. */
    em_kview ko = *out, ki = *in, kx = idx ? *idx : *out, rv = *in;
    ko.ndim = ki.ndim = kx.ndim = rv.ndim = 0;
    for (int d = 0; d < ndim; d++) {
        if (out->shape[d] != in->shape[d] || (idx && idx->shape[d] != in->shape[d]))
            return em_fail(EM_ERR_INTERNAL, "%s: out and in differ in size at dim %d",
                           em_reduce_op_name(op), d + 1);
        if (in->shape[d] == 1) continue;
        if (out->stride[d] == 0) {
            rv.shape[rv.ndim] = in->shape[d];
            rv.stride[rv.ndim++] = in->stride[d];
            continue;
        }
        int k = ko.ndim++;
        ko.shape[k] = ki.shape[k] = kx.shape[k] = in->shape[d];
        ko.stride[k] = out->stride[d];
        ki.stride[k] = in->stride[d];
        kx.stride[k] = idx ? idx->stride[d] : 0;
        ki.ndim = kx.ndim = ko.ndim;
    }
    cpu_iter rb, it;
    em_status st = cpu_iter_init(&rb, 1, (const em_kview *[]){&rv});
    if (st == EM_OK) st = cpu_iter_init(&it, idx ? 3 : 2, (const em_kview *[]){&ko, &ki, &kx});
    if (st != EM_OK || it.numel == 0) return st;
    if (idx && rb.ndim > 1)
        return em_fail(EM_ERR_INTERNAL, "%s: an index needs exactly one reduced dim",
                       em_reduce_op_name(op));
    if (rb.numel == 0 && (op == EM_R_MAX || op == EM_R_MIN))
        return em_fail(EM_ERR_VALUE, "%s: cannot reduce over an empty dim", em_reduce_op_name(op));

    em_dtype dt = in->dtype;
    int64_t ies = (int64_t)em_dtype_size(dt), oes = (int64_t)em_dtype_size(out->dtype);
    bool columns = op == EM_R_SUM && dt == EM_FLOAT32 && out->dtype == EM_FLOAT32 &&
                   it.step[1] == 1 && it.n > 1 && rb.numel > 0;
    int64_t work = 0;
    do {
        if (columns) {
            sum_columns_f32(it.ptr[1], it.n, it.ptr[0], it.step[0], &rb);
        } else {
            for (int64_t j = 0; j < it.n; j++) {
                acc a = reduce_block(op, dt, it.ptr[1] + j * it.step[1] * ies, &rb, !idx);
                char *po = it.ptr[0] + j * it.step[0] * oes;
                if (em_dtype_is_float(dt)) cpu_store_f64(out->dtype, po, a.f);
                else cpu_store_i64(out->dtype, po, a.i);
                if (idx) ((int64_t *)it.ptr[2])[j * it.step[2]] = a.arg;
            }
        }
        work += it.n * (rb.numel + 1);
        if (work >= CPU_POLL_EVERY) {
            work = 0;
            if (em_interrupt_requested) return em_interrupted();
        }
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}
