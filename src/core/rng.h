/* rng.h — the CPU random generator: PyTorch 1.13's mt19937 (same counters,
** same seeding) with the transforms its CPU kernels apply, so that a seed
** gives PyTorch's numbers (issue "Same numbers as PyTorch"). Its state saves
** to and restores from PyTorch's own 5056-byte torch.get_rng_state() layout.
** Not here: tensors (ops/random.c fills them) and Lua (bind/lua_generator.c).
** Files: rng.c (engine, uniform, integers), rng_normal.c, rng_state.c. */
#ifndef EMBER_RNG_H
#define EMBER_RNG_H

#include <stdbool.h>
#include <stdint.h>

#include "status.h"

#define EM_MT_N 624
#define EM_RNG_DEFAULT_SEED 67280421310721ull   /* torch.Generator()'s seed */
#define EM_RNG_STATE_BYTES 5056                 /* torch.get_rng_state().numel() */
#define EM_RNG_STATE_BYTES_LEGACY 5048          /* older states set_state accepts */

typedef struct em_rng {
    uint64_t seed;              /* as given to manual_seed: initial_seed() */
    uint32_t mt[EM_MT_N];
    int left;                   /* PyTorch's counter: decremented per draw, twist at 0 */
    uint32_t next;              /* index in mt of the next word */
    bool seeded;
    bool has_next_normal;       /* Box-Muller gives pairs: the spare one, unscaled */
    double next_normal;
    bool has_next_float_normal; /* PyTorch's float cache: no CPU op of 1.13 fills */
    float next_float_normal;    /* it, kept so that a state round-trips exactly */
} em_rng;

em_rng *em_rng_default(void);               /* the global generator */
void em_rng_seed(em_rng *g, uint64_t seed); /* also drops the cached normals */
uint32_t em_rng_u32(em_rng *g);
uint64_t em_rng_u64(em_rng *g);             /* two u32 draws, first is the high half */

/* True where PyTorch runs its AVX2 kernels (the CPU has AVX2 and FMA, and
** ATEN_CPU_CAPABILITY is not "default"): those are compiled with FMA
** contraction and use a vector log/sincos for randn. ember mirrors either
** kernel set in portable C; this says which. */
bool em_rng_fma_kernels(void);

/* uniform in [from, to) as PyTorch's uniform_real_distribution: float uses
** 24 random bits of one draw and float arithmetic (the result is a float
** value), double 53 bits of a 64-bit draw. */
double em_rng_uniform_float(em_rng *g, double from, double to);
double em_rng_uniform_double(em_rng *g, double from, double to);
/* n of them in a row (what uniform_ does on a contiguous tensor) */
void em_rng_uniform_fill_float(em_rng *g, float *out, int64_t n, double from, double to);
/* n Bernoulli draws as torch.bernoulli_(p) makes them for a number p: one
** 53-bit uniform sample u per element (u * 1 + 0 is exact either way the
** kernel rounds), out[i] = u < p ? on : 0. */
void em_rng_bernoulli_fill_f32(em_rng *g, float *out, int64_t n, double p, float on);
void em_rng_uniform_fill_double(em_rng *g, double *out, int64_t n, double from, double to);
/* A uniform integer in [low, high): one draw, or two when the range needs
** 33 bits or more (PyTorch's random_from_to). */
int64_t em_rng_randint(em_rng *g, int64_t low, int64_t high);
/* A random permutation of 0..n-1 as torch.randperm on CPU. */
void em_rng_randperm(em_rng *g, int64_t *out, int64_t n);

/* --- rng_normal.c --- */
/* One normal sample through the scalar Box-Muller path (double precision,
** caches the second value of the pair): what PyTorch uses for fewer than 16
** values and for non-contiguous tensors, in their memory order. */
double em_rng_normal_double(em_rng *g, double mean, double std);
/* Fills n contiguous floats/doubles as torch.randn/normal_ do on CPU: the
** scalar path below 16 values, the 16-at-a-time path from 16 on. */
void em_rng_normal_fill_float(em_rng *g, float *out, int64_t n, double mean, double std);
void em_rng_normal_fill_double(em_rng *g, double *out, int64_t n, double mean, double std);

/* --- rng_state.c --- */
/* PyTorch's CPUGeneratorImplState, byte for byte (little-endian). */
void em_rng_get_state(const em_rng *g, uint8_t out[EM_RNG_STATE_BYTES]);
/* Accepts EM_RNG_STATE_BYTES or EM_RNG_STATE_BYTES_LEGACY bytes; refuses
** (leaving g as it was) a size or an mt19937 state PyTorch would refuse. */
em_status em_rng_set_state(em_rng *g, const uint8_t *bytes, int64_t nbytes);

#endif
