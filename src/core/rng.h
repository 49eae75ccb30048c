/* rng.h — the CPU random generator: a Mersenne Twister (mt19937) with the
** transforms PyTorch's CPU generator applies, so that the same seed gives the
** same numbers (see docs: issue "Same numbers as PyTorch"). Its whole state,
** including a cached normal sample, is a plain struct that can be saved and
** restored byte for byte. */
#ifndef EMBER_RNG_H
#define EMBER_RNG_H

#include <stdbool.h>
#include <stdint.h>

#define EM_MT_N 624

typedef struct em_rng {
    uint64_t seed;
    uint32_t mt[EM_MT_N];
    int index;
    bool has_next_normal;       /* Box-Muller produces pairs: the spare one */
    double next_normal;
} em_rng;

em_rng *em_rng_default(void);               /* the global generator */
void em_rng_seed(em_rng *g, uint64_t seed);
uint32_t em_rng_u32(em_rng *g);
uint64_t em_rng_u64(em_rng *g);             /* two u32 draws, first is the high half */
/* uniform in [from, to) as PyTorch's uniform_real_distribution: float uses
** 24 random bits of one draw, double 53 bits of a 64-bit draw. */
double em_rng_uniform_float(em_rng *g, double from, double to);
double em_rng_uniform_double(em_rng *g, double from, double to);
/* one normal sample through the scalar Box-Muller path (double precision,
** caches the second value of the pair). */
double em_rng_normal_double(em_rng *g, double mean, double std);
/* Fills n floats/doubles with normal samples as torch.randn/normal_ do on CPU
** (vectorised 16-at-a-time path for n >= 16, scalar path below). */
void em_rng_normal_fill_float(em_rng *g, float *out, int64_t n, double mean, double std);
void em_rng_normal_fill_double(em_rng *g, double *out, int64_t n, double mean, double std);
/* A random permutation of 0..n-1 (Fisher-Yates as torch.randperm on CPU). */
void em_rng_randperm(em_rng *g, int64_t *out, int64_t n);
/* A uniform integer in [low, high). */
int64_t em_rng_randint(em_rng *g, int64_t low, int64_t high);

#endif
