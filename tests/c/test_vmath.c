/* test_vmath.c — the float32 vector math of src/backend/cpu/cpu_vmath.h
** against glibc's double functions: the error in float ulps over a sample of
** every float32 bit pattern (every 1021st: all signs, binades, subnormals,
** NaNs), and the edge values exactly (+-inf, NaN, +-0, overflow, results
** that underflow to subnormals and 0, log of 0 and negatives, log1p at -1).
** The kernels that use the header are checked against PyTorch by the peer
** tests (tests/peer/make_vmath_reference.py). */
#include <stdint.h>
#include <stdlib.h>

#include "backend/cpu/cpu_vmath.h"
#include "harness.h"

/* The distance of y from the exact value r in ulps of float at r (subnormal
** ulps below 2^-126); a non-finite y must equal r's float rounding. */
static double ulp_err(float y, double r)
{
    if (isnan(r)) return isnan(y) ? 0 : INFINITY;
    float rf = (float)r;
    if (isinf(rf) || isinf(y) || isnan(y)) return y == rf ? 0 : INFINITY;
    int e;
    frexp(fabs(r), &e);
    if (e - 1 < -126) e = -125;
    return fabs((double)y - r) / ldexp(1.0, e - 1 - 23);
}

typedef float (*vm_fn)(float);
static float f_exp(float x) { return vm_exp(x); }
static float f_log(float x) { return vm_log(x); }
static float f_log1p(float x) { return vm_log1p(x); }
static float f_tanh(float x) { return vm_tanh(x); }
static float f_erf(float x) { return vm_erf(x); }
static float f_gelu(float x) { return vm_gelu(x); }

/* gelu(x) = x Phi(x) = x erfc(-x / sqrt 2) / 2. */
static double gelu(double x) { return 0.5 * x * erfc(-x * M_SQRT1_2); }

/* The largest ulp error of f against ref over the sample. */
static double sweep(vm_fn f, double (*ref)(double), float *worst_x)
{
    double worst = 0;
    for (uint64_t b = 0; b <= 0xffffffffu; b += 1021) {
        float x = vm_float((uint32_t)b);
        double y = f(x), r = ref((double)x);
        /* gelu's results below the smallest normal float are +-0 (vm_gelu) */
        if (f == f_gelu && fabs(r) < 0x1p-126 && fabs(y) <= 0x1p-126) continue;
        double e = ulp_err((float)y, r);
        if (e > worst) {
            worst = e;
            *worst_x = x;
        }
    }
    return worst;
}

/* Bounds: the largest errors of a denser sweep (every 17th bit pattern,
** DECISIONS.md), rounded up; PyTorch's SLEEF functions are within 1 ulp,
** so the two engines stay well within 1e-6 of each other. */
static void test_sweeps(void)
{
    struct { const char *name; vm_fn f; double (*ref)(double); double bound; } t[] = {
        {"exp", f_exp, exp, 1.5}, {"log", f_log, log, 1.0}, {"log1p", f_log1p, log1p, 1.5},
        {"tanh", f_tanh, tanh, 1.5}, {"erf", f_erf, erf, 2.0}, {"gelu", f_gelu, gelu, 7.0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        float wx = 0;
        double w = sweep(t[i].f, t[i].ref, &wx);
        if (!(w <= t[i].bound))
            fprintf(stderr, "%s: %.3f ulp at %a\n", t[i].name, w, (double)wx);
        CHECK(w <= t[i].bound);
    }
}

static int same_bits(float a, float b) { return vm_bits(a) == vm_bits(b); }

static void test_exp_edges(void)
{
    CHECK(vm_exp(INFINITY) == INFINITY);
    CHECK(same_bits(vm_exp(-INFINITY), 0.0f));
    CHECK(isnan(vm_exp(NAN)));
    CHECK(vm_exp(0.0f) == 1.0f && vm_exp(-0.0f) == 1.0f);
    CHECK(vm_exp(88.72f) < INFINITY && vm_exp(88.73f) == INFINITY && vm_exp(1e30f) == INFINITY);
    CHECK(same_bits(vm_exp(-104.0f), 0.0f) && same_bits(vm_exp(-1e30f), 0.0f));
    /* subnormal results round once, as expf */
    for (float x = -103.9f; x < -87.0f; x += 0.37f) CHECK(ulp_err(vm_exp(x), exp((double)x)) <= 1.0);
    CHECK(vm_exp(-103.9f) == 0x1p-149f);   /* e^-103.9 = 1.07 * 2^-149 */
    CHECK(vm_exp(1e-30f) == 1.0f && vm_exp(0x1p-149f) == 1.0f);
}

static void test_log_edges(void)
{
    CHECK(vm_log(0.0f) == -INFINITY && vm_log(-0.0f) == -INFINITY);
    CHECK(isnan(vm_log(-1.0f)) && isnan(vm_log(-INFINITY)) && isnan(vm_log(-0x1p-149f)));
    CHECK(isnan(vm_log(NAN)));
    CHECK(vm_log(INFINITY) == INFINITY);
    CHECK(same_bits(vm_log(1.0f), 0.0f));
    CHECK(ulp_err(vm_log(0x1p-149f), log(0x1p-149)) <= 0.5);
    CHECK(ulp_err(vm_log(0x1.fffffep127f), log(0x1.fffffep127)) <= 0.5);
    CHECK(ulp_err(vm_log(0x1.234p-130f), log(0x1.234p-130)) <= 1.0);
}

static void test_log1p_edges(void)
{
    CHECK(vm_log1p(-1.0f) == -INFINITY);
    CHECK(isnan(vm_log1p(-1.5f)) && isnan(vm_log1p(-INFINITY)) && isnan(vm_log1p(NAN)));
    CHECK(vm_log1p(INFINITY) == INFINITY);
    CHECK(same_bits(vm_log1p(-0.0f), -0.0f) && same_bits(vm_log1p(0.0f), 0.0f));
    CHECK(vm_log1p(0x1p-149f) == 0x1p-149f && vm_log1p(1e-30f) == 1e-30f);
    CHECK(ulp_err(vm_log1p(-0x1.fffffep-1f), log1p(-0x1.fffffep-1)) <= 1.0);   /* near -1 */
    CHECK(ulp_err(vm_log1p(3e38f), log1p(3e38)) <= 1.0);
}

static void test_tanh_erf_edges(void)
{
    CHECK(vm_tanh(INFINITY) == 1.0f && vm_tanh(-INFINITY) == -1.0f);
    CHECK(vm_tanh(20.0f) == 1.0f && vm_tanh(-100.0f) == -1.0f);
    CHECK(same_bits(vm_tanh(-0.0f), -0.0f) && isnan(vm_tanh(NAN)));
    CHECK(vm_tanh(0x1p-149f) == 0x1p-149f);
    CHECK(vm_erf(INFINITY) == 1.0f && vm_erf(-INFINITY) == -1.0f);
    CHECK(vm_erf(5.0f) == 1.0f && vm_erf(-5.0f) == -1.0f);
    CHECK(same_bits(vm_erf(-0.0f), -0.0f) && isnan(vm_erf(NAN)));
    CHECK(ulp_err(vm_erf(0x1p-140f), erf(0x1p-140)) <= 0.5);
}

/* gelu as PyTorch at the edges: inf, NaN for -inf and NaN, +-0 kept, x/2
** for subnormal x; in the tail, where PyTorch's 1 + erf cancels to 0, the
** true value down to the smallest normal float, then 0. */
static void test_gelu_edges(void)
{
    CHECK(vm_gelu(INFINITY) == INFINITY && isnan(vm_gelu(-INFINITY)) && isnan(vm_gelu(NAN)));
    CHECK(same_bits(vm_gelu(0.0f), 0.0f) && same_bits(vm_gelu(-0.0f), -0.0f));
    CHECK(vm_gelu(0x1p-140f) == 0x1p-141f && vm_gelu(-0x1p-140f) == -0x1p-141f);
    CHECK(vm_gelu(3e38f) == 3e38f && vm_gelu(-3e38f) == 0.0f);
    CHECK(ulp_err(vm_gelu(-6.0f), gelu(-6.0)) <= 7.0);     /* -5.9e-9 */
    CHECK(ulp_err(vm_gelu(-13.0f), gelu(-13.0)) <= 7.0);   /* -5.8e-38 */
    CHECK(vm_gelu(-13.5f) == 0.0f && vm_gelu(-1e30f) == 0.0f);
}

TEST_MAIN(RUN(test_sweeps); RUN(test_exp_edges); RUN(test_log_edges); RUN(test_log1p_edges);
          RUN(test_tanh_erf_edges); RUN(test_gelu_edges);)
