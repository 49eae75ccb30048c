/* clones.h — EM_CLONES, the marker that compiles a hot loop for AVX2 and
** AVX-512 as well as the portable default (GCC target_clones, chosen at run
** time): 8 or 16 lanes instead of SSE's 4. -std=c11 keeps FMA contraction
** off, so every version computes the same bits. Empty under clang (fuzz
** builds) and ASan. Used by the CPU kernels and the random-number engine. */
#ifndef EMBER_CLONES_H
#define EMBER_CLONES_H

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define EM_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define EM_CLONES
#endif

#endif
