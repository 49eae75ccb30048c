/* rng.c — the mt19937 engine as PyTorch's at::mt19937 runs it (a `left`
** counter that hits 0 on the draw that twists), uniform reals and integers,
** randperm, and the choice between PyTorch's two CPU kernel sets. Written
** from the published algorithms; tests/peer/test_rng_parity.lua checks the
** streams against PyTorch 1.13. Normal samples: rng_normal.c. */
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clones.h"

static em_rng default_rng;
static bool default_ready;

em_rng *em_rng_default(void)
{
    if (!default_ready) em_rng_seed(&default_rng, EM_RNG_DEFAULT_SEED);
    return &default_rng;
}

void em_rng_seed(em_rng *g, uint64_t seed)
{
    if (g == &default_rng) default_ready = true;
    g->seed = seed;
    g->mt[0] = (uint32_t)(seed & 0xffffffffu);
    for (uint32_t i = 1; i < EM_MT_N; i++)
        g->mt[i] = 1812433253u * (g->mt[i - 1] ^ (g->mt[i - 1] >> 30)) + i;
    g->left = 1;            /* the first draw twists */
    g->next = 0;
    g->seeded = true;
    g->has_next_normal = false;
    g->next_normal = 0.0;
    g->has_next_float_normal = false;
    g->next_float_normal = 0.0f;
}

static uint32_t mix(uint32_t u, uint32_t v)
{
    uint32_t y = (u & 0x80000000u) | (v & 0x7fffffffu);
    return (y >> 1) ^ ((v & 1u) ? 0x9908b0dfu : 0u);
}

/* The twist and the dropout masks are integer loops GCC vectorises; they
** are compiled for AVX2 and AVX-512 too (the same bits on every path): the
** twist takes 0.11 instead of 0.19 ns per word with AVX-512. */
EM_CLONES
static void twist(em_rng *g)
{
    enum { M = 397 };
    uint32_t *mt = g->mt;
    int i = 0;
    for (; i < EM_MT_N - M; i++) mt[i] = mt[i + M] ^ mix(mt[i], mt[i + 1]);
    for (; i < EM_MT_N - 1; i++) mt[i] = mt[i + M - EM_MT_N] ^ mix(mt[i], mt[i + 1]);
    mt[i] = mt[M - 1] ^ mix(mt[i], mt[0]);
    g->left = EM_MT_N;
    g->next = 0;
}

static inline uint32_t temper(uint32_t y)
{
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint32_t em_rng_u32(em_rng *g)
{
    /* PyTorch twists when --left reaches 0; the bound on next only guards
    ** against a hand-made state (set_state accepts next <= 624). */
    if (--g->left <= 0 || g->next >= EM_MT_N) twist(g);
    return temper(g->mt[g->next++]);
}

/* How many draws em_rng_u32 can make from here without twisting: each needs
** left >= 2 before its decrement and next < 624. */
static int64_t draws_before_twist(const em_rng *g)
{
    int64_t by_left = (int64_t)g->left - 1, by_next = EM_MT_N - (int64_t)g->next;
    int64_t k = by_left < by_next ? by_left : by_next;
    return k > 0 ? k : 0;
}

uint64_t em_rng_u64(em_rng *g)
{
    uint64_t hi = em_rng_u32(g), lo = em_rng_u32(g);
    return (hi << 32) | lo;
}

/* PyTorch's x86 kernels come in a DEFAULT build and AVX2/AVX512 builds with
** -mfma, where GCC contracts a*b+c into one fused multiply-add. Which one a
** process uses depends on the CPU and on ATEN_CPU_CAPABILITY (its override);
** the choice is made once, as PyTorch does. */
static int fma_kernels = -1;

bool em_rng_fma_kernels(void)
{
    if (fma_kernels < 0) {
        const char *cap = getenv("ATEN_CPU_CAPABILITY");
        int fused = 0;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
        __builtin_cpu_init();
        fused = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
        if (cap && strcmp(cap, "default") == 0) fused = 0;
        fma_kernels = fused;
    }
    return fma_kernels == 1;
}

/* x * span + lo as the kernel in use computes it: fused, or two roundings */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
__attribute__((target("fma")))     /* only called where the CPU has FMA */
#endif
static float fused_f(float x, float span, float lo) { return fmaf(x, span, lo); }

static float unfused_f(float x, float span, float lo)
{
    float scaled = x * span;
    return scaled + lo;
}

static double unfused_d(double x, double span, double lo)
{
    double scaled = x * span;
    return scaled + lo;
}

static float bits24(em_rng *g)
{
    return (float)(em_rng_u32(g) & ((1u << 24) - 1)) * (1.0f / (float)(1u << 24));
}

static double bits53(em_rng *g)
{
    return (double)(em_rng_u64(g) & ((1ull << 53) - 1)) * (1.0 / (double)(1ull << 53));
}

double em_rng_uniform_float(em_rng *g, double from, double to)
{
    float lo = (float)from, span = (float)to - lo;
    float x = bits24(g);
    return em_rng_fma_kernels() ? fused_f(x, span, lo) : unfused_f(x, span, lo);
}

double em_rng_uniform_double(em_rng *g, double from, double to)
{
    double x = bits53(g);
    return em_rng_fma_kernels() ? fma(x, to - from, from) : unfused_d(x, to - from, from);
}

void em_rng_uniform_fill_float(em_rng *g, float *out, int64_t n, double from, double to)
{
    float lo = (float)from, span = (float)to - lo;
    float (*f)(float, float, float) = em_rng_fma_kernels() ? fused_f : unfused_f;
    for (int64_t i = 0; i < n; i++) out[i] = f(bits24(g), span, lo);
}

/* out[j] = on where the j-th pair of words (high first), tempered and cut
** to 53 bits, is below `below`: the exact test, run only for the rare run
** where bernoulli_first_words meets a tie. */
static void bernoulli_words(const uint32_t *w, float *out, int64_t m, int64_t below, float on)
{
    for (int64_t j = 0; j < m; j++) {
        uint64_t v = ((uint64_t)temper(w[2 * j]) << 32) | temper(w[2 * j + 1]);
        out[j] = (int64_t)(v & ((1ull << 53) - 1)) < below ? on : 0.0f;
    }
}

/* The same test decided by the first word of each pair alone: its low 21
** bits are the top of the 53-bit integer, so it is below `below` when they
** are below below's top 21 bits (bhi) and not when above. Only where they
** are equal, one sample in 2^21, does the second word count; then this
** returns true and the caller redoes the run with bernoulli_words. One
** word tempered per sample in 32-bit lanes, not two: dropout of 512 x 256
** takes 86 instead of 97 us. */
EM_CLONES
static bool bernoulli_first_words(const uint32_t *restrict w, float *restrict out, int64_t m, uint32_t bhi,
                                  float on)
{
    uint32_t tie = 0;
    for (int64_t j = 0; j < m; j++) {
        uint32_t h = temper(w[2 * j]) & 0x1fffffu;
        out[j] = h < bhi ? on : 0.0f;
        tie |= h == bhi;
    }
    return tie != 0;
}

/* out[i] = on where a 53-bit uniform (two draws, high word first) < p.
** The draws that need no twist are taken straight from the state in one
** tight loop (the same words, in the same order, as bits53); a sample
** whose two draws straddle a twist goes through bits53. */
void em_rng_bernoulli_fill_f32(em_rng *g, float *out, int64_t n, double p, float on)
{
    /* u = k / 2^53 < p  <=>  k < p 2^53  <=>  k < ceil(p 2^53) for the integer k
    ** (p 2^53 is exact: a power-of-two scaling), so the test is on integers */
    double t = p * (double)(1ull << 53);
    int64_t below = !(t > 0) ? 0   /* also a NaN p: u < p is never true */
                  : t >= (double)(1ull << 53) ? (int64_t)1 << 53 : (int64_t)ceil(t);
    for (int64_t i = 0; i < n;) {
        int64_t m = draws_before_twist(g) / 2;
        if (m > n - i) m = n - i;
        if (m == 0) {
            out[i++] = bits53(g) < p ? on : 0.0f;
            continue;
        }
        if (bernoulli_first_words(g->mt + g->next, out + i, m, (uint32_t)(below >> 32), on))
            bernoulli_words(g->mt + g->next, out + i, m, below, on);
        g->next += (uint32_t)(2 * m);
        g->left -= (int)(2 * m);
        i += m;
    }
}

void em_rng_uniform_fill_double(em_rng *g, double *out, int64_t n, double from, double to)
{
    double (*f)(double, double, double) = em_rng_fma_kernels() ? fma : unfused_d;
    for (int64_t i = 0; i < n; i++) out[i] = f(bits53(g), to - from, from);
}

int64_t em_rng_randint(em_rng *g, int64_t low, int64_t high)
{
    uint64_t range = (uint64_t)high - (uint64_t)low;
    uint64_t v = range >= (1ull << 32) ? em_rng_u64(g) : (uint64_t)em_rng_u32(g);
    return (int64_t)(v % range + (uint64_t)low);
}

void em_rng_randperm(em_rng *g, int64_t *out, int64_t n)
{
    /* Fisher-Yates from the front, one 32-bit draw per step */
    for (int64_t i = 0; i < n; i++) out[i] = i;
    for (int64_t i = 0; i < n - 1; i++) {
        int64_t z = (int64_t)(em_rng_u32(g) % (uint64_t)(n - i));
        int64_t t = out[i];
        out[i] = out[z + i];
        out[z + i] = t;
    }
}
