/* half.h — bit-level conversions between float32 and the two 16-bit float
** formats, as PyTorch's CPU does them:
**   float16 (IEEE binary16: 1 sign, 5 exponent, 10 fraction bits) and
**   bfloat16 (the top half of a float32: 1 sign, 8 exponent, 7 fraction bits).
** float32 -> 16 bits rounds to nearest, ties to even; overflow gives inf,
** values below half the smallest subnormal give (signed) zero. NaN stays NaN:
** float16 keeps the sign and gives the quiet NaN 0x7E00; bfloat16 gives
** 0x7FC0 (c10::BFloat16's answer; PyTorch's vectorised CPU path writes
** 0xFFFF, also a NaN). 16 bits -> float32 is exact; a signalling float16 NaN
** comes back quiet, as the x86 conversion PyTorch uses does.
** float64 and integers convert through float32 first, as c10::Half does.
** A leaf header (inline functions only): core, backends and io include it. */
#ifndef EMBER_HALF_H
#define EMBER_HALF_H

#include <stdint.h>
#include <string.h>

static inline uint32_t em_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float em_bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline float em_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
    if (exp == 0x1F) return em_bits_f32(sign | 0x7F800000u | (man ? 0x400000u : 0) | man << 13);
    if (exp != 0) return em_bits_f32(sign | (exp + 112) << 23 | man << 13);   /* rebias 15 -> 127 */
    if (man == 0) return em_bits_f32(sign);
    uint32_t e = 113;                                  /* subnormal: normalise */
    while (!(man & 0x400)) {
        man <<= 1;
        e--;
    }
    return em_bits_f32(sign | e << 23 | (man & 0x3FF) << 13);
}

/* Rounds v >> shift to nearest, ties to even. */
static inline uint32_t em_round_shift_(uint32_t v, int shift)
{
    uint32_t r = v >> shift, rem = v & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    return r + (rem > halfway || (rem == halfway && (r & 1)));
}

static inline uint16_t em_f32_to_f16(float f)
{
    uint32_t x = em_f32_bits(f), ax = x & 0x7FFFFFFFu;
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    if (ax > 0x7F800000u) return sign | 0x7E00u;               /* NaN */
    if (ax >= 0x477FF000u) return sign | 0x7C00u;              /* >= 65520: inf */
    if (ax >= 0x38800000u)                                     /* normal: rebias, round */
        return sign | (uint16_t)em_round_shift_(ax - 0x38000000u, 13);
    if (ax <= 0x33000000u) return sign;                        /* <= 2^-25: zero */
    uint32_t e = ax >> 23, m = (ax & 0x7FFFFFu) | 0x800000u;   /* subnormal: units of 2^-24 */
    return sign | (uint16_t)em_round_shift_(m, (int)(126 - e));
}

static inline float em_bf16_to_f32(uint16_t b) { return em_bits_f32((uint32_t)b << 16); }

static inline uint16_t em_f32_to_bf16(float f)
{
    uint32_t x = em_f32_bits(f);
    if ((x & 0x7FFFFFFFu) > 0x7F800000u) return 0x7FC0u;
    return (uint16_t)((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

#endif
