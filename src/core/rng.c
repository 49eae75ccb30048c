/* rng.c — mt19937 and PyTorch's CPU transforms (uniform, normal, randperm,
** randint). Written from the published algorithms; exact parity with
** PyTorch is checked by tests/peer. */
#include "rng.h"

#include <math.h>

static em_rng default_rng;
static bool default_seeded;

em_rng *em_rng_default(void)
{
    if (!default_seeded) {
        em_rng_seed(&default_rng, 67280421310721ull);   /* PyTorch's default seed */
        default_seeded = true;
    }
    return &default_rng;
}

void em_rng_seed(em_rng *g, uint64_t seed)
{
    if (g == &default_rng) default_seeded = true;
    g->seed = seed;
    g->mt[0] = (uint32_t)(seed & 0xffffffffu);
    for (int i = 1; i < EM_MT_N; i++)
        g->mt[i] = 1812433253u * (g->mt[i - 1] ^ (g->mt[i - 1] >> 30)) + (uint32_t)i;
    g->index = EM_MT_N;
    g->has_next_normal = false;
    g->next_normal = 0.0;
}

static void twist(em_rng *g)
{
    const uint32_t upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
    for (int i = 0; i < EM_MT_N; i++) {
        uint32_t y = (g->mt[i] & upper) | (g->mt[(i + 1) % EM_MT_N] & lower);
        g->mt[i] = g->mt[(i + 397) % EM_MT_N] ^ (y >> 1) ^ ((y & 1u) ? matrix : 0u);
    }
    g->index = 0;
}

uint32_t em_rng_u32(em_rng *g)
{
    if (g->index >= EM_MT_N) twist(g);
    uint32_t y = g->mt[g->index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t em_rng_u64(em_rng *g)
{
    uint64_t hi = em_rng_u32(g), lo = em_rng_u32(g);
    return (hi << 32) | lo;
}

double em_rng_uniform_float(em_rng *g, double from, double to)
{
    double x = (double)(em_rng_u32(g) & ((1u << 24) - 1)) * (1.0 / (double)(1u << 24));
    return x * ((double)(float)to - (double)(float)from) + (double)(float)from;
}

double em_rng_uniform_double(em_rng *g, double from, double to)
{
    double x = (double)(em_rng_u64(g) & ((1ull << 53) - 1)) * (1.0 / (double)(1ull << 53));
    return x * (to - from) + from;
}

double em_rng_normal_double(em_rng *g, double mean, double std)
{
    if (g->has_next_normal) {
        g->has_next_normal = false;
        return g->next_normal * std + mean;
    }
    double u1 = em_rng_uniform_double(g, 0.0, 1.0);
    double u2 = em_rng_uniform_double(g, 0.0, 1.0);
    double r = sqrt(-2.0 * log1p(-u2));
    double theta = 2.0 * M_PI * u1;
    g->has_next_normal = true;
    g->next_normal = r * sin(theta);
    return r * cos(theta) * std + mean;
}

/* Box-Muller on 16 uniforms in place: the first 8 pair with the last 8. */
static void normal_fill_16_float(float *d, double mean, double std)
{
    for (int j = 0; j < 8; j++) {
        float u1 = 1.0f - d[j], u2 = d[j + 8];
        float radius = sqrtf(-2.0f * logf(u1));
        float theta = 2.0f * (float)M_PI * u2;
        d[j] = (float)(radius * cosf(theta) * (float)std + (float)mean);
        d[j + 8] = (float)(radius * sinf(theta) * (float)std + (float)mean);
    }
}

static void normal_fill_16_double(double *d, double mean, double std)
{
    for (int j = 0; j < 8; j++) {
        double u1 = 1.0 - d[j], u2 = d[j + 8];
        double radius = sqrt(-2.0 * log(u1));
        double theta = 2.0 * M_PI * u2;
        d[j] = radius * cos(theta) * std + mean;
        d[j + 8] = radius * sin(theta) * std + mean;
    }
}

void em_rng_normal_fill_float(em_rng *g, float *out, int64_t n, double mean, double std)
{
    if (n < 16) {
        for (int64_t i = 0; i < n; i++) out[i] = (float)em_rng_normal_double(g, mean, std);
        return;
    }
    for (int64_t i = 0; i < n; i++) out[i] = (float)em_rng_uniform_float(g, 0.0, 1.0);
    for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16_float(out + i, mean, std);
    if (n % 16 != 0) {
        float *tail = out + n - 16;   /* recompute the last 16 with fresh uniforms */
        for (int i = 0; i < 16; i++) tail[i] = (float)em_rng_uniform_float(g, 0.0, 1.0);
        normal_fill_16_float(tail, mean, std);
    }
}

void em_rng_normal_fill_double(em_rng *g, double *out, int64_t n, double mean, double std)
{
    if (n < 16) {
        for (int64_t i = 0; i < n; i++) out[i] = em_rng_normal_double(g, mean, std);
        return;
    }
    for (int64_t i = 0; i < n; i++) out[i] = em_rng_uniform_double(g, 0.0, 1.0);
    for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16_double(out + i, mean, std);
    if (n % 16 != 0) {
        double *tail = out + n - 16;
        for (int i = 0; i < 16; i++) tail[i] = em_rng_uniform_double(g, 0.0, 1.0);
        normal_fill_16_double(tail, mean, std);
    }
}

void em_rng_randperm(em_rng *g, int64_t *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++) out[i] = i;
    for (int64_t i = 0; i < n - 1; i++) {
        uint64_t span = (uint64_t)(n - i);
        int64_t z = (int64_t)(n < (int64_t)(UINT32_MAX / 20) ? em_rng_u32(g) % span : em_rng_u64(g) % span);
        int64_t t = out[i];
        out[i] = out[z + i];
        out[z + i] = t;
    }
}

int64_t em_rng_randint(em_rng *g, int64_t low, int64_t high)
{
    uint64_t range = (uint64_t)high - (uint64_t)low;
    if (range >= (1ull << 32)) return (int64_t)(em_rng_u64(g) % range + (uint64_t)low);
    return (int64_t)((uint64_t)em_rng_u32(g) % range + (uint64_t)low);
}
