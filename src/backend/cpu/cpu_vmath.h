/* cpu_vmath.h — float32 exp, log, log1p, tanh, erf and gelu written so that GCC
** vectorises a loop calling them: straight-line float arithmetic, integer
** bit tricks and selects, no branches, no libm calls, no table lookups. A
** loop compiled with EM_CLONES then runs 8 (AVX2) or 16 (AVX-512) lanes of
** float32 where libm (or the double functions of libmvec) would run 1 or 4
** of double. Every version computes the same bits: no FMA (-std=c11 turns
** contraction off), only +, -, *, / and exact bit operations.
**
** The formulas (the coefficients are Chebyshev fits made with mpmath, see
** docs/DECISIONS.md, "float32 vector math"):
**   exp(x) = 2^k e^r, k = rint(x / ln2), r = x - k ln2 (ln2 in two parts,
**     Cody and Waite), e^r = 1 + r + r^2 q(r) on |r| <= ln2 / 2, 2^k applied
**     as two powers of two so that results down to the subnormals round once.
**   log(x) = e ln2 + log(1 + f), x = 2^e (1 + f) with 1 + f in [sqrt(1/2),
**     sqrt(2)); log(1 + f) = 2 atanh(s) = f - s (f - z R(z)), s = f / (2 + f),
**     z = s^2.
**   log1p(x): 1 + x = u + d, u = 2^e (1 + f) rounded, d its rounding error
**     (exact); log(1 + x) = e ln2 + log(1 + f + d 2^-e), the same series.
**   tanh(x) = x + x z P(z), z = x^2, for |x| < 0.625; else
**     sign(x) (1 - 2 / (exp(2|x|) + 1)).
**   erf(x) = x + x P(x^2) for |x| < 1; else sign(x) (1 - exp(-x^2) R(u)) with
**     R ~ erfc(a) e^(a^2), a = |x| clamped to 4 (erf is 1 in float32 from
**     3.9), u = (2a - 5) / 3 in [-1, 1].
**   gelu(x) = x (1 - E/2) for x > 0, x E/2 else, E = erfc(|x|/sqrt2) =
**     e^(-x^2/2) t P(t), t = 1/(1 + 0.35|x|) (vm_gelu's comment).
** Accuracy against glibc's double functions (tests/c/test_vmath.c and
** DECISIONS.md): within 1.5 ulp (gelu 7), edge values (+-inf, NaN, -0,
** subnormal inputs and results, overflow) as libm's. Not here: float64 (the
** kernels keep glibc's functions for it), and the other activations built
** from these (cpu_elementwise.c writes them as PyTorch's kernels do; gelu
** is here because its own formula is both faster and more accurate than
** PyTorch's x (1 + erf(x/sqrt2)) / 2). */
#ifndef EMBER_CPU_VMATH_H
#define EMBER_CPU_VMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t vm_bits(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static inline float vm_float(uint32_t u)
{
    float x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* ln2 = VM_LN2_HI + VM_LN2_LO; k * VM_LN2_HI is exact for |k| < 2^9 (the
** high part has 15 significant bits). */
#define VM_LN2_HI 0x1.62e4p-1f
#define VM_LN2_LO 0x1.7f7d1cp-20f

/* e^r for |r| <= ln2 / 2: 1 + r + r^2 q(r). */
static inline float vm_exp_reduced(float r)
{
    float q = 0.0013926176f;
    q = q * r + 0.0083631731f;
    q = q * r + 0.041666555f;
    q = q * r + 0.16666577f;
    q = q * r + 0.5f;
    return 1.0f + (r + (r * r) * q);
}

/* v + VM_SHIFTER - VM_SHIFTER = rint(v) for |v| < 2^22, and the low bits of
** v + VM_SHIFTER hold rint(v) in two's complement. */
#define VM_SHIFTER 0x1.8p23f
#define VM_SHIFTER_BITS 0x4b400000u

/* e^x. Inputs are clamped to [-104, 89] (beyond, the result is 0 or inf
** anyway) so that k fits the exponent tricks; NaN passes the clamps and
** propagates through the arithmetic. */
static inline float vm_exp(float x)
{
    float xc = x < -104.0f ? -104.0f : x;
    xc = xc > 89.0f ? 89.0f : xc;
    float kf = xc * 0x1.715476p0f + VM_SHIFTER;   /* log2(e) */
    uint32_t kb = vm_bits(kf);
    kf -= VM_SHIFTER;
    float r = xc - kf * VM_LN2_HI;
    r = r - kf * VM_LN2_LO;
    float p = vm_exp_reduced(r);
    /* 2^k = 2^k1 2^k2 with k1 = floor(k / 2), k2 = k - k1, both in [-75, 64]
    ** (normal floats); m = k + 256 keeps the arithmetic unsigned */
    uint32_t m = kb - VM_SHIFTER_BITS + 256u;
    float s1 = vm_float(((m >> 1) - 1u) << 23);
    float s2 = vm_float((m - (m >> 1) - 1u) << 23);
    return (p * s1) * s2;
}

/* e^(x + lo) for |x| <= 87 only (2^k is one normal float), as vm_exp there;
** lo, far below x's ulp, is the rounding error of an argument computed as
** x + lo (gelu's -x^2/2) and joins the reduced argument, where it is not
** lost. tanh, erf and gelu, whose arguments are bounded, save vm_exp's
** clamps and a scaling. */
static inline float vm_exp_mid2(float x, float lo)
{
    float kf = x * 0x1.715476p0f + VM_SHIFTER;
    uint32_t kb = vm_bits(kf);
    kf -= VM_SHIFTER;
    float r = x - kf * VM_LN2_HI;
    r = (r - kf * VM_LN2_LO) + lo;
    return vm_exp_reduced(r) * vm_float((kb - VM_SHIFTER_BITS + 127u) << 23);
}

/* e^x for |x| <= 87 (r + -0 = r exactly, and the compiler drops the add). */
static inline float vm_exp_mid(float x)
{
    return vm_exp_mid2(x, -0.0f);
}

/* e ln2 + log(1 + f + c): the reduced argument of log and log1p, f exact,
** c a correction far below f's ulp (log1p's rounding error of 1 + x). */
static inline float vm_log_reduced(float ef, float f, float c)
{
    float F = f + c;
    float s = F / (2.0f + F);
    float z = s * s;
    float R = 0.23330467f;
    R = R * z + 0.28550821f;
    R = R * z + 0.40000122f;
    R = R * z + 0.66666667f;
    float y = f - ((s * (F - z * R) - c) - ef * VM_LN2_LO);
    return ef * VM_LN2_HI + y;
}

/* Adding this to a float's bits moves the mantissas at and above sqrt(2)
** (0x3504f3) to the next exponent; masking the mantissa and adding
** VM_SQRT_HALF_BITS then gives 1 + f in [sqrt(1/2), sqrt(2)). */
#define VM_SQRT_HALF_BITS 0x3f3504f3u
#define VM_LOG_SHIFT (0x3f800000u - VM_SQRT_HALF_BITS)

/* log(x) for x > 0, finite (subnormals included); other inputs give garbage
** that vm_log's selects replace. */
static inline float vm_log_finite(float x)
{
    int sub = x < 0x1p-126f;
    float xs = sub ? x * 0x1p23f : x;
    uint32_t t = vm_bits(xs) + VM_LOG_SHIFT;
    float ef = (float)((int32_t)(t >> 23) - 127 - (sub ? 23 : 0));
    float f = vm_float((t & 0x007fffffu) + VM_SQRT_HALF_BITS) - 1.0f;   /* exact */
    return vm_log_reduced(ef, f, 0.0f);
}

/* log(x): -inf at +-0, NaN below 0 and for NaN, inf at inf. */
static inline float vm_log(float x)
{
    float y = vm_log_finite(x);
    y = x == INFINITY ? x : y;
    y = x == 0 ? -INFINITY : y;
    y = x < 0 ? NAN : y;
    return x != x ? x : y;
}

/* log(1 + x): 1 + x = u + d exactly (u rounded, d by Knuth's two-sum), and
** with u = 2^e (1 + f), log(1 + x) = e ln2 + log(1 + f + d 2^-e). x itself
** at +-0, -inf at -1, NaN below -1 and for NaN, inf at inf. */
static inline float vm_log1p(float x)
{
    float u = 1.0f + x;
    float xb = u - 1.0f;
    float d = (1.0f - (u - xb)) + (x - xb);
    uint32_t t = vm_bits(u) + VM_LOG_SHIFT;
    uint32_t te = t >> 23;
    float ef = (float)((int32_t)te - 127);
    float f = vm_float((t & 0x007fffffu) + VM_SQRT_HALF_BITS) - 1.0f;
    /* 2^-e, for e <= 126 (beyond, d is far below log's ulp anyway) */
    float inv = vm_float((254u - (te > 253u ? 253u : te)) << 23);
    float y = vm_log_reduced(ef, f, d * inv);
    y = x == INFINITY ? x : y;
    y = x == 0 ? x : y;
    y = x == -1.0f ? -INFINITY : y;
    y = x < -1.0f ? NAN : y;
    return x != x ? x : y;
}

/* tanh(x); NaN takes the exp branch and stays NaN; -0 is kept (x + x z P
** would give +0). */
static inline float vm_tanh(float x)
{
    float a = fabsf(x);
    float z = x * x;
    float P = 0.0022927448f;
    P = P * z - 0.0083439455f;
    P = P * z + 0.021768919f;
    P = P * z - 0.05395926f;
    P = P * z + 0.13333304f;
    P = P * z - 0.33333333f;
    float small = x + x * (z * P);
    float ac = a > 10.0f ? 10.0f : a;   /* tanh is 1 in float32 from 9.1 */
    float big = 1.0f - 2.0f / (vm_exp_mid(ac + ac) + 1.0f);
    big = x < 0 ? -big : big;
    small = x == 0 ? x : small;
    return a < 0.625f ? small : big;
}

/* erf(x); +-inf give +-1, NaN stays NaN (both through the clamp's select). */
static inline float vm_erf(float x)
{
    float z = x * x;
    float P = 7.8758751e-5f;
    P = P * z - 0.00080168643f;
    P = P * z + 0.0051890874f;
    P = P * z - 0.026854212f;
    P = P * z + 0.11283595f;
    P = P * z - 0.37612627f;
    P = P * z + 0.12837917f;   /* 2/sqrt(pi) - 1: x + x P keeps x exact */
    float small = x + x * P;
    float a = fabsf(x);
    a = a > 4.0f ? 4.0f : a;
    float u = a * (2.0f / 3.0f) - 5.0f / 3.0f;   /* [1, 4] -> [-1, 1] */
    float R = -3.56641788e-5f;
    R = R * u + 9.6291202e-5f;
    R = R * u - 0.000147416143f;
    R = R * u + 0.000368151098f;
    R = R * u - 0.0010136626f;
    R = R * u + 0.00242563894f;
    R = R * u - 0.00556883765f;
    R = R * u + 0.0124841231f;
    R = R * u - 0.0270054582f;
    R = R * u + 0.0561109476f;
    R = R * u - 0.111521018f;
    R = R * u + 0.210806358f;
    float big = 1.0f - vm_exp_mid(-(a * a)) * R;
    big = x < 0 ? -big : big;
    return fabsf(x) < 1.0f ? small : big;
}

/* gelu(x) = x Phi(x) = x - x E/2 for x > 0, x E/2 otherwise, where
** E = erfc(|x| / sqrt 2) = e^(-x^2/2) t P(t), t = 1 / (1 + 0.35 |x|), P of
** degree 8 (a relative fit of erfcx(|x| / sqrt 2) / t, see DECISIONS.md,
** "gelu in float32"), evaluated by Estrin's scheme for a short dependency
** chain. -x^2/2 is split as h + l: h = -xh^2/2 exact (xh: x's top 12
** significant bits), l = -xl (xh + x) / 2, so that e^(-x^2/2) keeps its
** relative accuracy in the tail (x^2 rounded would cost up to 20 ulps at
** -6). One formula for all x: no erf to cancel against 1 where x < 0, so
** the result is within 7 ulps everywhere (PyTorch's x (1 + erf(x/sqrt2))/2
** is 0 from x < -5.9); results below the smallest normal float (x < -13.19)
** are +-0. inf gives inf, -inf and NaN NaN, as PyTorch. */
static inline float vm_gelu(float x)
{
    float ax = fabsf(x);
    float t = 1.0f / (1.0f + 0.35f * ax);
    float t2 = t * t, t4 = t2 * t2;
    float p01 = 0.27924332f + 0.279714972f * t, p23 = 0.239727318f + 0.210779577f * t;
    float p45 = -0.0456751809f + 0.317575336f * t, p67 = -0.510765612f + 0.287628472f * t;
    float P = (p01 + p23 * t2) + ((p45 + p67 * t2) + -0.0582282171f * t4) * t4;
    float xc = ax > 13.19f ? 13.19f : ax;   /* x^2/2 <= 87: vm_exp_mid's range */
    float xh = vm_float(vm_bits(xc) & 0xfffff000u), xl = xc - xh;
    /* d = x E / 2, multiplied in this order so that no factor is subnormal
    ** while the result is normal */
    float d = ((0.5f * x) * (t * P)) * vm_exp_mid2((xh * xh) * -0.5f, (xl * (xh + xc)) * -0.5f);
    float y = x > 0 ? x - d : d;
    float beyond = x > 0 ? x : x * 0.0f;   /* -0 for finite x, NaN for -inf */
    return ax > 13.19f ? beyond : y;
}

#endif
