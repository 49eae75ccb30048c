/* cpu_elementwise.c — fill, copy (any dtype to any dtype), unary, binary and
** where on the CPU. Each kernel walks rows with cpu_iter and switches on op
** and dtype once per row; float32 rows get contiguous, in-place and scalar
** fast paths the compiler can vectorise. Reductions, gemm and indexing live
** in their own files. */
#include <string.h>

#include "cpu_iter.h"
#include "cpu_vmath.h"

#define ROW_PARAMS int64_t n, char *po, int64_t so, const char *pa, int64_t sa
#define ROW2_PARAMS ROW_PARAMS, const char *pb, int64_t sb

/* Stores an int64 result into T (ints wrap) or into bool (!= 0). */
#define ST_INT(T) (T)
#define ST_BOOL(v) ((uint8_t)((v) != 0))

/* Wrapping int64 arithmetic; x / 0 is defined as 0. */
static inline int64_t iadd(int64_t x, int64_t y) { return cpu_wrap((uint64_t)x + (uint64_t)y); }
static inline int64_t isub(int64_t x, int64_t y) { return cpu_wrap((uint64_t)x - (uint64_t)y); }
static inline int64_t imul(int64_t x, int64_t y) { return cpu_wrap((uint64_t)x * (uint64_t)y); }
static inline int64_t ineg(int64_t x) { return cpu_wrap(0 - (uint64_t)x); }
static inline int64_t iabs(int64_t x) { return x < 0 ? ineg(x) : x; }
static inline int64_t isign(int64_t x) { return (x > 0) - (x < 0); }
static inline int64_t irelu(int64_t x) { return x > 0 ? x : 0; }
static inline int64_t iclamp(int64_t x, int64_t lo, int64_t hi)
{
    int64_t y = x < lo ? lo : x;
    return y > hi ? hi : y;
}
static inline int64_t idiv(int64_t x, int64_t y)
{
    return y == 0 ? 0 : y == -1 ? ineg(x) : x / y;
}
/* Floor division: the truncated quotient, one less when the signs differ
** and the division is not exact (x // y as in Python). */
static inline int64_t ifloordiv(int64_t x, int64_t y)
{
    if (y == 0 || y == -1) return idiv(x, y);
    int64_t q = x / y, r = x % y;
    return r != 0 && ((r < 0) != (y < 0)) ? q - 1 : q;
}
/* Remainders of integers: y == 0 is refused before the loop; y == -1 gives 0
** (INT64_MIN % -1 overflows in C). irem has the divisor's sign (Python's %),
** ifmod the dividend's (C's %). */
static inline int64_t ifmod(int64_t x, int64_t y) { return y == 0 || y == -1 ? 0 : x % y; }
static inline int64_t irem(int64_t x, int64_t y)
{
    int64_t r = ifmod(x, y);
    return r != 0 && ((r < 0) != (y < 0)) ? r + y : r;
}
/* x^y by squaring, wrapping; y < 0 gives the truncated 1 / x^|y|. */
static inline int64_t ipow(int64_t x, int64_t y)
{
    if (y < 0) return x == 1 ? 1 : x == -1 ? ((y & 1) ? -1 : 1) : 0;
    uint64_t r = 1, b = (uint64_t)x;
    for (uint64_t e = (uint64_t)y; e; e >>= 1) {
        if (e & 1) r *= b;
        b *= b;
    }
    return cpu_wrap(r);
}

/* powf as a vector function: glibc's libmvec has powf for every width
** (_ZGV*_powf), within 1 ulp of the scalar powf and with its special cases
** (0, inf, NaN, negative bases with integer exponents), so the float32 pow
** loops (the binary pow and the unary pow with a scalar exponent)
** vectorise: about 5x faster than calling powf per element. PyTorch's
** vector pow (Sleef, 1 ulp) differs from powf by as much. */
#pragma omp declare simd notinbranch
float powf(float, float);

/* o = a^q over a float32 row (the unary pow's general case), in a function
** of its own: inside the big unary switch GCC stopped vectorising it. */
EM_CLONES static void pow_row_f32(int64_t n, float *o, int64_t so, const float *a, int64_t sa, float q)
{
    if (so == 1 && sa == 1 && o != a) {
        float *restrict o_ = o;
        const float *restrict a_ = a;
        for (int64_t i = 0; i < n; i++) o_[i] = powf(a_[i], q);
    } else if (so == 1 && sa == 1) {
        for (int64_t i = 0; i < n; i++) o[i] = powf(o[i], q);
    } else {
        for (int64_t i = 0; i < n; i++) o[i * so] = powf(a[i * sa], q);
    }
}

/* Floor division of floats as Python's // (and PyTorch's rounding_mode
** "floor"): (a - fmod(a, b)) / b, one less when the remainder's sign is not
** the divisor's, rounded to the nearest integer; 0 keeps the sign of a / b,
** and b == 0 gives the IEEE quotient (+-inf, NaN). */
#define DEF_FLOOR_DIV(NAME, T, FMOD, FLOOR, COPYSIGN)                        \
static inline T NAME(T a, T b)                                               \
{                                                                            \
    if (b == 0) return a / b;                                                \
    T mod = FMOD(a, b);                                                      \
    T div = (a - mod) / b;                                                   \
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;                          \
    if (div == 0) return COPYSIGN((T)0, a / b);                              \
    T f = FLOOR(div);                                                        \
    return div - f > (T)0.5 ? f + 1 : f;                                     \
}
/* fmod of float32, exact, in double arithmetic that vectorises (fmodf does
** not): for finite a, b with |a| < 2^24 |b|, trunc(a / b) computed in double
** is the exact integer quotient q (a non-integer quotient lies at least 2^-24
** from the next integer, and the double division errs by under 2^-29 there),
** q b is exact (24 + 24 bits) and so is a - q b; the result takes a's sign,
** as fmod's. b = +-inf gives q = 0 and a. Rows holding any other value
** (zero or non-finite divisors, huge quotients, NaN) use fmodf itself:
** fmod_f32_fast_ok decides per row. */
static inline float fmod_f32_fast(float a, float b)
{
    double bd = b, q = trunc((double)a / bd);
    double qb = q != 0 ? q * bd : 0.0;       /* q = 0, b = inf: 0 * inf would be NaN */
    return copysignf((float)((double)a - qb), a);
}

/* The test in float32 (2^24 |y| is exact, or inf where the bound holds
** anyway); contiguous operands get a loop of their own, which vectorises. */
EM_CLONES static bool fmod_f32_fast_ok(int64_t n, const char *pa, int64_t sa, const char *pb, int64_t sb)
{
    const float *a = (const float *)pa, *b = (const float *)pb;
    int bad = 0;
    if (sa == 1 && sb == 1)
        for (int64_t i = 0; i < n; i++) bad |= !(fabsf(a[i]) < 0x1p24f * fabsf(b[i]));
    else
        for (int64_t i = 0; i < n; i++) bad |= !(fabsf(a[i * sa]) < 0x1p24f * fabsf(b[i * sb]));   /* NaN and zero divisors too */
    return !bad;
}

DEF_FLOOR_DIV(floordiv_f32, float, fmodf, floorf, copysignf)
DEF_FLOOR_DIV(floordiv_f32_fast, float, fmod_f32_fast, floorf, copysignf)
DEF_FLOOR_DIV(floordiv_f64, double, fmod, floor, copysign)

/* Python's % on floats, as PyTorch: fmod(a, b), plus b when the remainder
** is not 0 and its sign is not the divisor's. */
static inline float rem_f32(float a, float b)
{
    float m = fmodf(a, b);
    return m != 0 && ((b < 0) != (m < 0)) ? m + b : m;
}
static inline float rem_f32_fast(float a, float b)
{
    float m = fmod_f32_fast(a, b);
    return m != 0 && ((b < 0) != (m < 0)) ? m + b : m;
}
static inline double rem_f64(double a, double b)
{
    double m = fmod(a, b);
    return m != 0 && ((b < 0) != (m < 0)) ? m + b : m;
}

/* ------------------------------------------------------------------ fill */

/* o[i*so] = v for a row, moving elements as raw T-sized words. */
#define SPLAT_ROW(T) do {                                                   \
    T v_; memcpy(&v_, pat, sizeof v_);                                       \
    T *o_ = (T *)po;                                                         \
    if (so == 1) for (int64_t i = 0; i < n; i++) o_[i] = v_;                 \
    else for (int64_t i = 0; i < n; i++) o_[i * so] = v_;                    \
} while (0)

em_status em_cpu_fill(const em_kview *out, double value)
{
    unsigned char pat[8] = {0};
    cpu_store_f64(out->dtype, pat, value);
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 1, (const em_kview *[]){out});
    if (st != EM_OK || it.numel == 0) return st;
    size_t es = em_dtype_size(out->dtype);
    do {
        int64_t n = it.n, so = it.step[0];
        char *po = it.ptr[0];
        if (es == 1) SPLAT_ROW(uint8_t);
        else if (es == 2) SPLAT_ROW(uint16_t);
        else if (es == 4) SPLAT_ROW(uint32_t);
        else SPLAT_ROW(uint64_t);
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

/* ------------------------------------------------------------------ copy */

#define MOVE_ROW(T) do {                                                    \
    T *o_ = (T *)po; const T *a_ = (const T *)pa;                            \
    for (int64_t i = 0; i < n; i++) o_[i * so] = a_[i * sa];                 \
} while (0)

/* Same dtype: raw moves (memcpy for contiguous rows). */
static void move_row(size_t es, ROW_PARAMS)
{
    if (po == pa && so == sa) return;
    if (so == 1 && sa == 1) memcpy(po, pa, (size_t)n * es);
    else if (es == 1) MOVE_ROW(uint8_t);
    else if (es == 2) MOVE_ROW(uint16_t);
    else if (es == 4) MOVE_ROW(uint32_t);
    else MOVE_ROW(uint64_t);
}

#define CONV_ROW(TO, TI, F, R) do {                                         \
    TO *o_ = (TO *)po; const TI *a_ = (const TI *)pa;                        \
    if (so == 1 && sa == 1) for (int64_t i = 0; i < n; i++) o_[i] = F(R(a_[i])); \
    else for (int64_t i = 0; i < n; i++) o_[i * so] = F(R(a_[i * sa]));     \
} while (0)
#define RD_VAL(x) (x)
#define RD_BOOL(x) ((x) != 0)
#define RD_F16(x) em_f16_to_f32(x)
#define RD_BF16(x) em_bf16_to_f32(x)
/* FF converts a float input, FI an integer (or bool, as 0/1) input. */
#define CONV_FROM(TO, FF, FI) switch (din) {                                \
    case EM_FLOAT32: CONV_ROW(TO, float, FF, RD_VAL); break;                 \
    case EM_FLOAT64: CONV_ROW(TO, double, FF, RD_VAL); break;                \
    case EM_INT64: CONV_ROW(TO, int64_t, FI, RD_VAL); break;                 \
    case EM_INT32: CONV_ROW(TO, int32_t, FI, RD_VAL); break;                 \
    case EM_UINT8: CONV_ROW(TO, uint8_t, FI, RD_VAL); break;                 \
    case EM_FLOAT16: CONV_ROW(TO, uint16_t, FF, RD_F16); break;              \
    case EM_BFLOAT16: CONV_ROW(TO, uint16_t, FF, RD_BF16); break;            \
    default: CONV_ROW(TO, uint8_t, FI, RD_BOOL); break;                      \
}
#define TO_F32_F(x) cpu_d2f(x)
#define TO_F32_I(x) ((float)(x))
#define TO_F64(x) ((double)(x))
#define TO_I64_F(x) cpu_f2i(x)
#define TO_I64_I(x) ((int64_t)(x))
#define TO_I32_F(x) ((int32_t)(uint32_t)cpu_f2i(x))
#define TO_I32_I(x) ((int32_t)(uint32_t)(x))
#define TO_U8_F(x) ((uint8_t)cpu_f2i(x))
#define TO_U8_I(x) ((uint8_t)(x))
#define TO_BOOL(x) ((uint8_t)((x) != 0))
/* to float16 / bfloat16: through float32 (float64 and int64 round twice, as c10::Half) */
#define TO_F16_F(x) em_f32_to_f16(cpu_d2f(x))
#define TO_F16_I(x) em_f32_to_f16((float)(x))
#define TO_BF16_F(x) em_f32_to_bf16(cpu_d2f(x))
#define TO_BF16_I(x) em_f32_to_bf16((float)(x))

static void convert_row(em_dtype dout, em_dtype din, ROW_PARAMS)
{
    switch (dout) {
    case EM_FLOAT32: CONV_FROM(float, TO_F32_F, TO_F32_I); break;
    case EM_FLOAT64: CONV_FROM(double, TO_F64, TO_F64); break;
    case EM_INT64: CONV_FROM(int64_t, TO_I64_F, TO_I64_I); break;
    case EM_INT32: CONV_FROM(int32_t, TO_I32_F, TO_I32_I); break;
    case EM_UINT8: CONV_FROM(uint8_t, TO_U8_F, TO_U8_I); break;
    case EM_FLOAT16: CONV_FROM(uint16_t, TO_F16_F, TO_F16_I); break;
    case EM_BFLOAT16: CONV_FROM(uint16_t, TO_BF16_F, TO_BF16_I); break;
    default: CONV_FROM(uint8_t, TO_BOOL, TO_BOOL); break;
    }
}

/* A same-dtype copy whose input is contiguous down the columns but far apart
** along rows (a transpose): 4-byte elements go through cpu_transpose32 (the
** input, read as cols x rows, transposed), others are copied in TILE x TILE
** blocks so that reads and writes both stay in cache. Walks the dims outside
** the last two itself. */
#define TILE 32
static em_status copy_tiled(cpu_iter *it, size_t es)
{
    int nd = it->ndim;
    int64_t rows = it->shape[nd - 2], cols = it->n, work = 0;
    int64_t ors = it->bstride[0][nd - 2], irs = it->bstride[1][nd - 2];
    int64_t ocs = it->step[0] * (int64_t)es, ics = it->step[1] * (int64_t)es;
    for (;;) {
        if (es == 4) {
            cpu_transpose32(it->ptr[1], cols, rows, it->step[1], it->ptr[0], ors / 4);
        } else {
            for (int64_t r0 = 0; r0 < rows; r0 += TILE)
                for (int64_t c0 = 0; c0 < cols; c0 += TILE) {
                    int64_t nr = rows - r0 < TILE ? rows - r0 : TILE;
                    int64_t nc = cols - c0 < TILE ? cols - c0 : TILE;
                    for (int64_t r = r0; r < r0 + nr; r++)
                        move_row(es, nc, it->ptr[0] + r * ors + c0 * ocs, it->step[0],
                                 it->ptr[1] + r * irs + c0 * ics, it->step[1]);
                }
        }
        work += rows * cols;
        if (work >= CPU_POLL_EVERY) {
            work = 0;
            if (em_interrupt_requested) return em_interrupted();
        }
        int d = nd - 3;
        for (; d >= 0; d--) {
            if (++it->pos[d] < it->shape[d]) {
                for (int k = 0; k < 2; k++) it->ptr[k] += it->bstride[k][d];
                break;
            }
            it->pos[d] = 0;
            for (int k = 0; k < 2; k++) it->ptr[k] -= it->bstride[k][d] * (it->shape[d] - 1);
        }
        if (d < 0) return EM_OK;
    }
}

em_status em_cpu_copy(const em_kview *out, const em_kview *in)
{
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 2, (const em_kview *[]){out, in});
    if (st != EM_OK || it.numel == 0) return st;
    bool same = out->dtype == in->dtype;
    size_t es = em_dtype_size(out->dtype);
    if (same && it.ndim >= 2 && it.step[0] == 1 && it.step[1] > TILE &&
        it.bstride[1][it.ndim - 2] == (int64_t)es && it.shape[it.ndim - 2] >= TILE)
        return copy_tiled(&it, es);
    do {
        if (same) move_row(es, it.n, it.ptr[0], it.step[0], it.ptr[1], it.step[1]);
        else convert_row(out->dtype, in->dtype, it.n, it.ptr[0], it.step[0], it.ptr[1],
                         it.step[1]);
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

/* ----------------------------------------------------------------- unary */

/* o[i] = EXPR(x) with x = a[i]; contiguous rows are split into out-of-place
** (restrict) and in-place (one pointer) loops so that both vectorise. */
#define ROW1(T, EXPR) do {                                                  \
    if (so == 1 && sa == 1 && po != pa) {                                    \
        T *restrict o_ = (T *)po; const T *restrict a_ = (const T *)pa;      \
        for (int64_t i = 0; i < n; i++) { T x = a_[i]; o_[i] = (EXPR); }     \
    } else if (so == 1 && sa == 1) {                                         \
        T *o_ = (T *)po;                                                     \
        for (int64_t i = 0; i < n; i++) { T x = o_[i]; o_[i] = (EXPR); }     \
    } else {                                                                 \
        T *o_ = (T *)po; const T *a_ = (const T *)pa;                        \
        for (int64_t i = 0; i < n; i++) { T x = a_[i * sa]; o_[i * so] = (EXPR); } \
    }                                                                        \
} while (0)

/* ROW1 for ops whose positive branch is cheap (elu, selu): a contiguous
** row goes in blocks of 256, and a block with no element <= 0 (or NaN)
** computes only POS, as PyTorch's kernels skip exp for an all-positive
** vector; any other block computes EXPR, so the values are EXPR's. */
#define ROW1_POSITIVE_FAST(T, POS, EXPR) do {                               \
    if (so == 1 && sa == 1) {                                                \
        T *o_ = (T *)po; const T *a_ = (const T *)pa;                        \
        for (int64_t s_ = 0; s_ < n; s_ += 256) {                            \
            int64_t e_ = n - s_ < 256 ? n : s_ + 256;                        \
            int nonpos_ = 0;                                                 \
            for (int64_t i = s_; i < e_; i++) nonpos_ |= !(a_[i] > 0);       \
            if (nonpos_)                                                     \
                for (int64_t i = s_; i < e_; i++) { T x = a_[i]; o_[i] = (EXPR); } \
            else                                                             \
                for (int64_t i = s_; i < e_; i++) { T x = a_[i]; o_[i] = (POS); } \
        }                                                                    \
    } else {                                                                 \
        ROW1(T, EXPR);                                                       \
    }                                                                        \
} while (0)

/* float32 exp, log, log1p, tanh and erf are cpu_vmath.h's float vector
** code (within 1-2 ulp, see there); float64 rows call glibc's vector
** double functions (libmvec, declared simd here as in cpu_nn.c). */
#pragma omp declare simd notinbranch
double exp(double);
#pragma omp declare simd notinbranch
double log(double);
#pragma omp declare simd notinbranch
double log1p(double);
#pragma omp declare simd notinbranch
double tanh(double);
#pragma omp declare simd notinbranch
double erf(double);

/* float32 sigmoid as PyTorch's kernel, 1 / (1 + e^-x): 0 once e^-x
** overflows (x < -88.7), where the float64 form below keeps the tiny value. */
static inline float sigmoid_f(float x) { return 1.0f / (1.0f + vm_exp(-x)); }
/* 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below: e = e^-|x| either way,
** no branch (so the loop vectorises) */
static inline double sigmoid_d(double x)
{
    double e = exp(-fabs(x));
    return (x >= 0 ? 1.0 : e) / (1.0 + e);
}
/* mish = x tanh(log1p(e^x)), PyTorch's formula (float64 computes it so);
** float32 uses tanh(log w) = (w^2 - 1) / (w^2 + 1) with w = 1 + e^x:
** x n / (n + 2), n = e^x (e^x + 2), one exp and one division instead of
** three functions (same values within 4e-7, the peer test's sample). x is
** capped at 20 for n (the ratio is 1 in float32 from x = 9; n would
** overflow to inf / inf). */
static inline float mish_f(float x)
{
    float e = vm_exp(x > 20.0f ? 20.0f : x);
    float n = e * (e + 2.0f);
    return x * (n / (n + 2.0f));
}
static inline double mish_d(double x) { return x * tanh(log1p(exp(x))); }
static inline float clamp_f(float x, float lo, float hi)
{
    float y = x < lo ? lo : x;
    return y > hi ? hi : y;
}
static inline double clamp_d(double x, double lo, double hi)
{
    double y = x < lo ? lo : x;
    return y > hi ? hi : y;
}

/* erf in T's precision (float or double). */
#define ERF_T(T, v) (sizeof(T) == sizeof(float) ? (T)vm_erf((float)(v)) : (T)erf((double)(v)))
/* Rounding of float or double x, by x's type. */
#define G_FLOOR(x) _Generic((x), float: floorf, default: floor)(x)
#define G_CEIL(x) _Generic((x), float: ceilf, default: ceil)(x)
#define G_TRUNC(x) _Generic((x), float: truncf, default: trunc)(x)
#define G_RINT(x) _Generic((x), float: rintf, default: rint)(x)   /* half to even */

/* One float row; T is float or double, the rest name its math functions.
** pow with PyTorch's special exponents (2, 3, 0.5, -0.5, -1, -2; and 1)
** uses its shortcut, as PyTorch does (so pow(-0, -0.5) is -inf there). */
#define DEF_UNARY_FLOAT(NAME, T, CONV, EXP, LOG, SQRT, ABS, TANH, POW, LOG1P, SIG, CLAMP, MISH) \
EM_CLONES static bool NAME(em_unary_op op, double p1, double p2, ROW_PARAMS) \
{                                                                            \
    T q = CONV(p1), lo = CONV(p1), hi = CONV(p2);                            \
    switch (op) {                                                            \
    case EM_U_NEG: ROW1(T, -x); break;                                       \
    case EM_U_EXP: ROW1(T, EXP(x)); break;                                   \
    case EM_U_LOG: ROW1(T, LOG(x)); break;                                   \
    case EM_U_SQRT: ROW1(T, SQRT(x)); break;                                 \
    case EM_U_ABS: ROW1(T, ABS(x)); break;                                   \
    /* sign, sgn: (0 < x) - (x < 0) as PyTorch: 0 for 0 and NaN */          \
    case EM_U_SIGN: case EM_U_SGN: ROW1(T, x > 0 ? (T)1 : x < 0 ? (T)-1 : (T)0); break; \
    case EM_U_RELU: ROW1(T, ((x > 0) | (x != x)) ? x : (T)0); break;            \
    case EM_U_SIGMOID: ROW1(T, SIG(x)); break;                               \
    case EM_U_TANH: ROW1(T, TANH(x)); break;                                 \
    case EM_U_POW:                                                           \
        if (p1 == 2) ROW1(T, x * x);                                         \
        else if (p1 == 1) ROW1(T, x);                                        \
        else if (p1 == 0.5) ROW1(T, SQRT(x));                                \
        else if (p1 == -1) ROW1(T, (T)1 / x);                                \
        else if (p1 == 3) ROW1(T, x * x * x);                                \
        else if (p1 == -0.5) ROW1(T, (T)1 / SQRT(x)); /* -0 -> -inf, as PyTorch */ \
        else if (p1 == -2) ROW1(T, (T)1 / (x * x));                          \
        else if (sizeof(T) == sizeof(float))                                 \
            pow_row_f32(n, (float *)po, so, (const float *)pa, sa, (float)q); \
        else ROW1(T, POW(x, q));                                             \
        break;                                                               \
    case EM_U_CLAMP: ROW1(T, CLAMP(x, lo, hi)); break;                       \
    case EM_U_RECIPROCAL: ROW1(T, (T)1 / x); break;                          \
    case EM_U_SQUARE: ROW1(T, x * x); break;                                 \
    case EM_U_LOG1P: ROW1(T, LOG1P(x)); break;                               \
    case EM_U_RSQRT: ROW1(T, (T)1 / SQRT(x)); break;                         \
    /* softplus: q = beta, hi = threshold */                                 \
    case EM_U_SOFTPLUS: ROW1(T, x * q > hi ? x : LOG1P(EXP(x * q)) / q); break; \
    /* the activations as PyTorch's CPU kernels write them; q = negative_slope */ \
    /* or alpha, lo/hi = min_val/max_val */                                  \
    case EM_U_LEAKY_RELU: ROW1(T, x > 0 ? x : x * q); break;                 \
    case EM_U_ELU: ROW1_POSITIVE_FAST(T, x, x <= 0 ? (EXP(x) - (T)1) * q : x); break; \
    case EM_U_SELU: {                                                        \
        const T neg = (T)EM_SELU_ALPHA * (T)EM_SELU_SCALE, pos = (T)EM_SELU_SCALE; \
        ROW1_POSITIVE_FAST(T, x * pos, x <= 0 ? (EXP(x) - (T)1) * neg : x * pos); \
        break;                                                               \
    }                                                                        \
    case EM_U_SILU: ROW1(T, x / ((T)1 + EXP(-x))); break;                    \
    case EM_U_MISH: ROW1(T, MISH(x)); break;                                 \
    case EM_U_HARDTANH: ROW1(T, CLAMP(x, lo, hi)); break;                    \
    /* gelu: p1 = approximate (0 'none': vm_gelu in float32, PyTorch's    */ \
    /* formula in float64; 1 'tanh': PyTorch's CPU formula,                */ \
    /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))) */                 \
    case EM_U_GELU:                                                          \
        if (p1 == 0 && sizeof(T) == sizeof(float)) ROW1(T, (T)vm_gelu((float)x)); \
        else if (p1 == 0) ROW1(T, x * (T)0.5 * ((T)1 + ERF_T(T, x * (T)M_SQRT1_2))); \
        else {                                                               \
            const T beta = (T)(M_SQRT2 * M_2_SQRTPI * 0.5), kappa = (T)0.044715; \
            ROW1(T, (T)0.5 * x * ((T)1 + TANH(beta * (x + kappa * (x * x * x))))); \
        }                                                                    \
        break;                                                               \
    case EM_U_ERF: ROW1(T, ERF_T(T, x)); break;                              \
    case EM_U_FLOOR: ROW1(T, G_FLOOR(x)); break;                             \
    case EM_U_CEIL: ROW1(T, G_CEIL(x)); break;                               \
    case EM_U_TRUNC: ROW1(T, G_TRUNC(x)); break;                             \
    case EM_U_FRAC: ROW1(T, x - G_TRUNC(x)); break;                          \
    /* round, p1 = decimals: as PyTorch's CPU kernel, t = (T)10^|d|, then   \
    ** rint(x t) / t for d > 0, rint(x / t) * t for d < 0 */                \
    case EM_U_ROUND: {                                                       \
        T t = CONV(pow(10.0, fabs(p1)));                                     \
        if (p1 == 0) ROW1(T, G_RINT(x));                                     \
        else if (p1 > 0) ROW1(T, G_RINT(x * t) / t);                         \
        else ROW1(T, G_RINT(x / t) * t);                                     \
        break;                                                               \
    }                                                                        \
    default: return false;                                                          \
    }                                                                        \
    return true;                                                             \
}
DEF_UNARY_FLOAT(unary_f32, float, cpu_d2f, vm_exp, vm_log, sqrtf, fabsf, vm_tanh, powf, vm_log1p,
                sigmoid_f, clamp_f, mish_f)
DEF_UNARY_FLOAT(unary_f64, double, TO_F64, exp, log, sqrt, fabs, tanh, pow, log1p,
                sigmoid_d, clamp_d, mish_d)

/* One integer (or bool) row, computed in int64; ST stores the result. The
** caller has already rejected the float-only ops. */
#define DEF_UNARY_INT(NAME, T, ST)                                           \
static bool NAME(em_unary_op op, int64_t lo, int64_t hi, ROW_PARAMS)        \
{                                                                            \
    switch (op) {                                                            \
    case EM_U_NEG: ROW1(T, ST(ineg(x))); break;                              \
    case EM_U_ABS: ROW1(T, ST(iabs(x))); break;                              \
    case EM_U_SIGN: case EM_U_SGN: ROW1(T, ST(isign(x))); break;             \
    case EM_U_RELU: ROW1(T, ST(irelu(x))); break;                            \
    case EM_U_CLAMP: ROW1(T, ST(iclamp(x, lo, hi))); break;                  \
    case EM_U_SQUARE: ROW1(T, ST(imul(x, x))); break;                        \
    case EM_U_HARDTANH: ROW1(T, ST(iclamp(x, lo, hi))); break;               \
    /* integers are already whole (round's decimals != 0 is refused) */      \
    case EM_U_FLOOR: case EM_U_CEIL: case EM_U_TRUNC: case EM_U_ROUND:       \
        ROW1(T, x); break;                                                   \
    default: return false;                                                          \
    }                                                                        \
    return true;                                                             \
}
DEF_UNARY_INT(unary_i64, int64_t, ST_INT(int64_t))
DEF_UNARY_INT(unary_i32, int32_t, ST_INT(int32_t))
DEF_UNARY_INT(unary_u8, uint8_t, ST_INT(uint8_t))
DEF_UNARY_INT(unary_bool, uint8_t, ST_BOOL)


/* The int type's range, for converting clamp bounds. */
static void int_range(em_dtype dt, int64_t *lo, int64_t *hi)
{
    *lo = dt == EM_INT64 ? INT64_MIN : dt == EM_INT32 ? INT32_MIN : 0;
    *hi = dt == EM_INT64 ? INT64_MAX : dt == EM_INT32 ? INT32_MAX : dt == EM_UINT8 ? 255 : 1;
}

/* One row of n elements (steps so, sa) in dtype dt. */
static bool unary_row(em_unary_op op, em_dtype dt, double p1, double p2, int64_t lo, int64_t hi, int64_t n,
                      char *po, int64_t so, char *pa, int64_t sa)
{
    switch (dt) {
    case EM_FLOAT32: return unary_f32(op, p1, p2, n, po, so, pa, sa);
    case EM_FLOAT64: return unary_f64(op, p1, p2, n, po, so, pa, sa);
    case EM_INT64: return unary_i64(op, lo, hi, n, po, so, pa, sa);
    case EM_INT32: return unary_i32(op, lo, hi, n, po, so, pa, sa);
    case EM_UINT8: return unary_u8(op, lo, hi, n, po, so, pa, sa);
    default: return unary_bool(op, lo, hi, n, po, so, pa, sa);
    }
}

em_status em_cpu_unary(em_unary_op op, const em_kview *out, const em_kview *in,
                       double p1, double p2)
{
    em_dtype dt = in->dtype;
    if ((unsigned)op >= EM_U_NUM_OPS || out->dtype != dt)
        return em_fail(EM_ERR_INTERNAL, "unary: bad op %d or dtype mismatch", (int)op);
    em_dtype_rule rule = em_unary_info_of(op)->dtype;
    if (!em_dtype_is_float(dt) && (rule == EM_DT_FLOAT || rule == EM_DT_FLOAT_ONLY ||
                                   (dt == EM_BOOL && rule == EM_DT_NO_BOOL)))
        return em_fail(EM_ERR_TYPE, "%s: not supported for dtype %s", em_unary_op_name(op),
                       em_dtype_name(dt));
    /* round's decimals (src/ops prefixes the op's name) */
    if (op == EM_U_ROUND && (!isfinite(p1) || p1 != floor(p1)))
        return em_fail(EM_ERR_VALUE, "decimals must be an integer, got %g", p1);
    if (op == EM_U_ROUND && p1 != 0 && !em_dtype_is_float(dt))
        return em_fail(EM_ERR_TYPE, "decimals is not supported for dtype %s (only float tensors)", em_dtype_name(dt));
    int64_t tmin, tmax;
    int_range(dt, &tmin, &tmax);
    int64_t lo = iclamp(cpu_f2i(p1), tmin, tmax), hi = iclamp(cpu_f2i(p2), tmin, tmax);
    if (!unary_row(op, dt, p1, p2, lo, hi, 0, NULL, 0, NULL, 0))   /* an empty row: is there a loop? */
        return em_fail(EM_ERR_TYPE, "%s: no CPU kernel for dtype %s", em_unary_op_name(op),
                       em_dtype_name(dt));

    cpu_iter it;
    em_status st = cpu_iter_init(&it, 2, (const em_kview *[]){out, in});
    if (st != EM_OK || it.numel == 0) return st;
    int64_t es = (int64_t)em_dtype_size(dt);
    int cpu_nt = it.ndim == 1 ? cpu_threads(it.n) : 1;
    if (cpu_nt > 1) {   /* one long row: a chunk per thread */
        CPU_PARALLEL_FOR
        for (int t = 0; t < cpu_nt; t++) {
            int64_t i0, n = cpu_chunk(it.n, cpu_nt, t, &i0);
            if (n > 0)
                unary_row(op, dt, p1, p2, lo, hi, n, it.ptr[0] + i0 * it.step[0] * es, it.step[0],
                          it.ptr[1] + i0 * it.step[1] * es, it.step[1]);
        }
        return EM_OK;
    }
    do unary_row(op, dt, p1, p2, lo, hi, it.n, it.ptr[0], it.step[0], it.ptr[1], it.step[1]);
    while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

/* ---------------------------------------------------------------- binary */

/* Any dtype: contiguous and strided loops. */
#define ROW2(TO, T, EXPR) do {                                              \
    TO *o_ = (TO *)po; const T *a_ = (const T *)pa, *b_ = (const T *)pb;     \
    if (so == 1 && sa == 1 && sb == 1)                                       \
        for (int64_t i = 0; i < n; i++) { T x = a_[i], y = b_[i]; o_[i] = (EXPR); } \
    else                                                                     \
        for (int64_t i = 0; i < n; i++) {                                    \
            T x = a_[i * sa], y = b_[i * sb]; o_[i * so] = (EXPR);           \
        }                                                                    \
} while (0)

/* float32: also out-of-place (restrict) and in-place contiguous loops, and
** rows where a or b is one broadcast scalar. */
#define ROW2_F32(TO, EXPR) do {                                             \
    typedef float T;                                                         \
    if (so == 1 && sa == 1 && sb == 1 && po != pa && po != pb) {             \
        TO *restrict o_ = (TO *)po;                                          \
        const T *restrict a_ = (const T *)pa, *restrict b_ = (const T *)pb;  \
        for (int64_t i = 0; i < n; i++) { T x = a_[i], y = b_[i]; o_[i] = (EXPR); } \
    } else if (so == 1 && sa == 1 && sb == 1 && po == pa && po != pb) {      \
        TO *restrict o_ = (TO *)po; const T *restrict b_ = (const T *)pb;    \
        for (int64_t i = 0; i < n; i++) { T x = (T)o_[i], y = b_[i]; o_[i] = (EXPR); } \
    } else if (so == 1 && sa == 1 && sb == 0 && po != pb) {                  \
        const T y = *(const T *)pb;                                          \
        if (po == pa) {                                                      \
            TO *o_ = (TO *)po;                                               \
            for (int64_t i = 0; i < n; i++) { T x = (T)o_[i]; o_[i] = (EXPR); } \
        } else {                                                             \
            TO *restrict o_ = (TO *)po; const T *restrict a_ = (const T *)pa; \
            for (int64_t i = 0; i < n; i++) { T x = a_[i]; o_[i] = (EXPR); } \
        }                                                                    \
    } else if (so == 1 && sa == 0 && sb == 1 && po != pa && po != pb) {      \
        const T x = *(const T *)pa;                                          \
        TO *restrict o_ = (TO *)po; const T *restrict b_ = (const T *)pb;    \
        for (int64_t i = 0; i < n; i++) { T y = b_[i]; o_[i] = (EXPR); }     \
    } else {                                                                 \
        ROW2(TO, T, EXPR);                                                   \
    }                                                                        \
} while (0)

/* Ops every dtype shares: comparisons and logical ops (bool out). */
#define CMP_CASES(ROW, T)                                                    \
    case EM_B_EQ: ROW(uint8_t, x == y); break;                               \
    case EM_B_NE: ROW(uint8_t, x != y); break;                               \
    case EM_B_LT: ROW(uint8_t, x < y); break;                                \
    case EM_B_LE: ROW(uint8_t, x <= y); break;                               \
    case EM_B_GT: ROW(uint8_t, x > y); break;                                \
    case EM_B_GE: ROW(uint8_t, x >= y); break;                               \
    case EM_B_AND: ROW(uint8_t, (x != 0) & (y != 0)); break;                 \
    case EM_B_OR: ROW(uint8_t, (x != 0) | (y != 0)); break;                  \
    case EM_B_XOR: ROW(uint8_t, (x != 0) ^ (y != 0)); break;

#define ROW2_ANY_F64(TO, EXPR) ROW2(TO, double, EXPR)

/* max/min: a NaN in either input wins. */
#define DEF_BINARY_FLOAT(NAME, T, ROW, POW, FLOORDIV, TRUNC, REM, FMOD)     \
EM_CLONES static bool NAME(em_binary_op op, ROW2_PARAMS)                               \
{                                                                            \
    switch (op) {                                                            \
    case EM_B_ADD: ROW(T, x + y); break;                                     \
    case EM_B_SUB: ROW(T, x - y); break;                                     \
    case EM_B_MUL: ROW(T, x * y); break;                                     \
    case EM_B_DIV: ROW(T, x / y); break;                                     \
    case EM_B_POW: ROW(T, POW(x, y)); break;                                 \
    case EM_B_FLOOR_DIV: ROW(T, FLOORDIV(x, y)); break;                      \
    case EM_B_TRUNC_DIV: ROW(T, TRUNC(x / y)); break;                        \
    case EM_B_MAXIMUM: ROW(T, (x > y || x != x) ? x : y); break;             \
    case EM_B_MINIMUM: ROW(T, (x < y || x != x) ? x : y); break;             \
    case EM_B_RELU_GRAD: ROW(T, y <= 0 ? 0 : x); break;                      \
    case EM_B_REMAINDER: ROW(T, REM(x, y)); break;                           \
    case EM_B_FMOD: ROW(T, FMOD(x, y)); break;                               \
    CMP_CASES(ROW, T)                                                        \
    default: return false;                                                          \
    }                                                                        \
    return true;                                                             \
}
DEF_BINARY_FLOAT(binary_f32_exact, float, ROW2_F32, powf, floordiv_f32, truncf, rem_f32, fmodf)

/* float32 //, % and fmod through fmod_f32_fast where the row allows it. */
EM_CLONES static bool binary_f32_rounded(em_binary_op op, ROW2_PARAMS)
{
    switch (op) {
    case EM_B_FLOOR_DIV: ROW2_F32(float, floordiv_f32_fast(x, y)); break;
    case EM_B_REMAINDER: ROW2_F32(float, rem_f32_fast(x, y)); break;
    case EM_B_FMOD: ROW2_F32(float, fmod_f32_fast(x, y)); break;
    default: return false;
    }
    return true;
}

static bool binary_f32(em_binary_op op, ROW2_PARAMS)
{
    if ((op == EM_B_FLOOR_DIV || op == EM_B_REMAINDER || op == EM_B_FMOD) && fmod_f32_fast_ok(n, pa, sa, pb, sb))
        return binary_f32_rounded(op, n, po, so, pa, sa, pb, sb);
    return binary_f32_exact(op, n, po, so, pa, sa, pb, sb);
}
DEF_BINARY_FLOAT(binary_f64, double, ROW2_ANY_F64, pow, floordiv_f64, trunc, rem_f64, fmod)

/* Integers (and bool as 0/1) in int64 arithmetic; ST stores the result. */
#define DEF_BINARY_INT(NAME, T, ST)                                          \
static bool NAME(em_binary_op op, ROW2_PARAMS)                               \
{                                                                            \
    switch (op) {                                                            \
    case EM_B_ADD: ROW2(T, T, ST(iadd(x, y))); break;                        \
    case EM_B_SUB: ROW2(T, T, ST(isub(x, y))); break;                        \
    case EM_B_MUL: ROW2(T, T, ST(imul(x, y))); break;                        \
    case EM_B_DIV: ROW2(T, T, ST(idiv(x, y))); break;                        \
    case EM_B_TRUNC_DIV: ROW2(T, T, ST(idiv(x, y))); break;                  \
    case EM_B_FLOOR_DIV: ROW2(T, T, ST(ifloordiv(x, y))); break;             \
    case EM_B_POW: ROW2(T, T, ST(ipow(x, y))); break;                        \
    case EM_B_MAXIMUM: ROW2(T, T, ST(x > y ? x : y)); break;                 \
    case EM_B_MINIMUM: ROW2(T, T, ST(x < y ? x : y)); break;                 \
    case EM_B_RELU_GRAD: ROW2(T, T, ST(y <= 0 ? 0 : x)); break;              \
    case EM_B_REMAINDER: ROW2(T, T, ST(irem(x, y))); break;                  \
    case EM_B_FMOD: ROW2(T, T, ST(ifmod(x, y))); break;                      \
    CMP_CASES(ROW2_##T, T)                                                   \
    default: return false;                                                          \
    }                                                                        \
    return true;                                                             \
}
#define ROW2_int64_t(TO, EXPR) ROW2(TO, int64_t, EXPR)
#define ROW2_int32_t(TO, EXPR) ROW2(TO, int32_t, EXPR)
#define ROW2_uint8_t(TO, EXPR) ROW2(TO, uint8_t, EXPR)
DEF_BINARY_INT(binary_i64, int64_t, ST_INT(int64_t))
DEF_BINARY_INT(binary_i32, int32_t, ST_INT(int32_t))
DEF_BINARY_INT(binary_u8, uint8_t, ST_INT(uint8_t))
DEF_BINARY_INT(binary_bool, uint8_t, ST_BOOL)


/* Whether an integer view holds a zero (the divisor of an integer division). */
static bool has_zero(const em_kview *b, bool *interrupted)
{
    cpu_iter it;
    *interrupted = false;
    if (cpu_iter_init(&it, 1, (const em_kview *[]){b}) != EM_OK || it.numel == 0) return false;
    int64_t es = (int64_t)em_dtype_size(b->dtype);
    do {
        for (int64_t i = 0; i < it.n; i++) {
            const char *p = it.ptr[0] + i * it.step[0] * es;
            int64_t v = es == 8 ? *(const int64_t *)p : es == 4 ? *(const int32_t *)p : *(const uint8_t *)p;
            if (v == 0) return true;
        }
    } while (cpu_iter_next(&it));
    *interrupted = it.interrupted;
    return false;
}

/* One row of n elements (steps so, sa, sb); inputs of dtype dt. */
static bool binary_row(em_binary_op op, em_dtype dt, int64_t n, char *po, int64_t so, char *pa, int64_t sa,
                       char *pb, int64_t sb)
{
    switch (dt) {
    case EM_FLOAT32: return binary_f32(op, n, po, so, pa, sa, pb, sb);
    case EM_FLOAT64: return binary_f64(op, n, po, so, pa, sa, pb, sb);
    case EM_INT64: return binary_i64(op, n, po, so, pa, sa, pb, sb);
    case EM_INT32: return binary_i32(op, n, po, so, pa, sa, pb, sb);
    case EM_UINT8: return binary_u8(op, n, po, so, pa, sa, pb, sb);
    default: return binary_bool(op, n, po, so, pa, sa, pb, sb);
    }
}

em_status em_cpu_binary(em_binary_op op, const em_kview *out, const em_kview *a,
                        const em_kview *b)
{
    em_dtype dt = a->dtype;
    if ((unsigned)op >= EM_B_NUM_OPS)
        return em_fail(EM_ERR_INTERNAL, "binary: bad op %d", (int)op);
    em_dtype_rule rule = em_binary_info_of(op)->dtype;
    bool bool_out = rule == EM_DT_COMPARE || rule == EM_DT_LOGICAL;
    if (b->dtype != dt || out->dtype != (bool_out ? EM_BOOL : dt))
        return em_fail(EM_ERR_INTERNAL, "%s: dtypes %s, %s -> %s do not fit", em_binary_op_name(op),
                       em_dtype_name(dt), em_dtype_name(b->dtype), em_dtype_name(out->dtype));
    /* integer divisions: a 0 divisor is an error (remainders too) */
    bool rounded_div = op == EM_B_FLOOR_DIV || op == EM_B_TRUNC_DIV || op == EM_B_REMAINDER || op == EM_B_FMOD;
    if (dt == EM_BOOL && (op == EM_B_SUB || op == EM_B_DIV || op == EM_B_POW || rounded_div))
        return em_fail(EM_ERR_TYPE, "%s: not supported for dtype %s", em_binary_op_name(op),
                       em_dtype_name(dt));
    if (rounded_div && !em_dtype_is_float(dt)) {
        bool interrupted;
        if (has_zero(b, &interrupted)) return em_fail(EM_ERR_VALUE, "ZeroDivisionError (an integer divisor is 0)");
        if (interrupted) return em_interrupted();
    }

    if (!binary_row(op, dt, 0, NULL, 0, NULL, 0, NULL, 0))   /* an empty row: is there a loop? */
        return em_fail(EM_ERR_TYPE, "%s: no CPU kernel for dtype %s", em_binary_op_name(op), em_dtype_name(dt));
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 3, (const em_kview *[]){out, a, b});
    if (st != EM_OK || it.numel == 0) return st;
    int64_t es = (int64_t)em_dtype_size(dt), eo = (int64_t)em_dtype_size(out->dtype);
    int cpu_nt = it.ndim == 1 ? cpu_threads(it.n) : 1;
    if (cpu_nt > 1) {   /* one long row: a chunk per thread */
        CPU_PARALLEL_FOR
        for (int t = 0; t < cpu_nt; t++) {
            int64_t i0, n = cpu_chunk(it.n, cpu_nt, t, &i0);
            if (n > 0)
                binary_row(op, dt, n, it.ptr[0] + i0 * it.step[0] * eo, it.step[0], it.ptr[1] + i0 * it.step[1] * es,
                           it.step[1], it.ptr[2] + i0 * it.step[2] * es, it.step[2]);
        }
        return EM_OK;
    }
    do binary_row(op, dt, it.n, it.ptr[0], it.step[0], it.ptr[1], it.step[1], it.ptr[2], it.step[2]);
    while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

/* A number operand: its value converted to a's dtype in an 8-byte buffer on
** the stack, seen through a view with stride 0 everywhere. No allocation. */
em_status em_cpu_binary_scalar(em_binary_op op, const em_kview *out, const em_kview *a, em_scalar s,
                               bool scalar_first)
{
    _Alignas(8) unsigned char buf[8] = {0};
    if (s.dtype == EM_FLOAT64) cpu_store_f64(a->dtype, buf, s.f);
    else cpu_store_i64(a->dtype, buf, s.i);
    em_kview kb = *a;
    kb.data = buf;
    for (int d = 0; d < kb.ndim; d++) kb.stride[d] = 0;
    return scalar_first ? em_cpu_binary(op, out, &kb, a) : em_cpu_binary(op, out, a, &kb);
}

/* ----------------------------------------------------------------- where */

/* A contiguous out and cond, a and b contiguous or one value (stride 0):
** both sides are loaded before the select, so the loops vectorise. */
#define DEF_WHERE_DENSE(NAME, T)                                             \
EM_CLONES static void NAME(int64_t n, T *restrict o, const uint8_t *restrict c, \
                           const T *restrict a, int64_t sa, const T *restrict b, int64_t sb) \
{                                                                            \
    if (sa == 1 && sb == 1)                                                  \
        for (int64_t i = 0; i < n; i++) { T x = a[i], y = b[i]; o[i] = c[i] ? x : y; } \
    else if (sa == 0 && sb == 1) {                                           \
        const T x = a[0];                                                    \
        for (int64_t i = 0; i < n; i++) { T y = b[i]; o[i] = c[i] ? x : y; } \
    } else if (sa == 1 && sb == 0) {                                         \
        const T y = b[0];                                                    \
        for (int64_t i = 0; i < n; i++) { T x = a[i]; o[i] = c[i] ? x : y; } \
    }                                                                        \
    else                                                                     \
        for (int64_t i = 0; i < n; i++) o[i] = c[i] ? a[i * sa] : b[i * sb]; \
}
DEF_WHERE_DENSE(where_dense_u8, uint8_t)
DEF_WHERE_DENSE(where_dense_u32, uint32_t)
DEF_WHERE_DENSE(where_dense_u64, uint64_t)

#define WHERE_ROW(T, DENSE) do {                                            \
    T *o_ = (T *)po; const T *a_ = (const T *)pa, *b_ = (const T *)pb;       \
    const uint8_t *c_ = (const uint8_t *)pc;                                 \
    if (so == 1 && sc == 1 && sa <= 1 && sb <= 1 && po != pa && po != pb)    \
        DENSE(n, o_, c_, a_, sa, b_, sb);                                    \
    else                                                                     \
        for (int64_t i = 0; i < n; i++)                                      \
            o_[i * so] = c_[i * sc] ? a_[i * sa] : b_[i * sb];               \
} while (0)

em_status em_cpu_where(const em_kview *out, const em_kview *cond, const em_kview *a,
                       const em_kview *b)
{
    if (cond->dtype != EM_BOOL || a->dtype != out->dtype || b->dtype != out->dtype)
        return em_fail(EM_ERR_INTERNAL, "where: dtypes do not fit");
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 4, (const em_kview *[]){out, cond, a, b});
    if (st != EM_OK || it.numel == 0) return st;
    size_t es = em_dtype_size(out->dtype);
    do {
        int64_t n = it.n, so = it.step[0], sc = it.step[1], sa = it.step[2], sb = it.step[3];
        char *po = it.ptr[0], *pc = it.ptr[1], *pa = it.ptr[2], *pb = it.ptr[3];
        if (es == 1) WHERE_ROW(uint8_t, where_dense_u8);
        else if (es == 4) WHERE_ROW(uint32_t, where_dense_u32);
        else WHERE_ROW(uint64_t, where_dense_u64);
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}
