/* cpu_transpose.c — dst = src^T for matrices of 4-byte elements (float32,
** int32): 8 x 8 tiles transposed in AVX2 registers where the CPU has AVX2,
** plain loops elsewhere and at the edges, both over 32 x 32 blocks so that
** reads and writes stay in cache. Bits are moved, never computed on.
** Used by transposing copies (cpu_elementwise.c) and by gemm, which hands
** oneDNN a B already transposed (cpu_gemm.c).
** Not here: other element sizes (copy_tiled's plain loops). */
#include "cpu_iter.h"

enum { BLOCK = 32 };

static void plain(const uint32_t *s, int64_t lds, uint32_t *d, int64_t ldd, int64_t i0, int64_t i1, int64_t j0,
                  int64_t j1)
{
    for (int64_t i = i0; i < i1; i++)
        for (int64_t j = j0; j < j1; j++) d[j * ldd + i] = s[i * lds + j];
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_TILE8 1

/* One 8 x 8 tile: row i of s becomes column i of d. Interleave pairs of
** rows (unpack), then pairs of pairs (shuffle), then swap 128-bit halves. */
__attribute__((target("avx2"))) static void tile8(const uint32_t *s, int64_t lds, uint32_t *d, int64_t ldd)
{
    __m256 r[8], t[8], u[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps((const float *)(s + i * lds));
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4)
        for (int h = 0; h < 2; h++) {
            u[i + 2 * h] = _mm256_shuffle_ps(t[i + h], t[i + h + 2], 0x44);
            u[i + 2 * h + 1] = _mm256_shuffle_ps(t[i + h], t[i + h + 2], 0xEE);
        }
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps((float *)(d + i * ldd), _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
        _mm256_storeu_ps((float *)(d + (i + 4) * ldd), _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
    }
}

static bool has_avx2(void)
{
    static int known = -1;
    if (known < 0) known = __builtin_cpu_supports("avx2") ? 1 : 0;
    return known == 1;
}
#endif

/* src: rows x cols, lds elements between rows; dst: cols x rows, ldd apart. */
void cpu_transpose32(const void *src, int64_t rows, int64_t cols, int64_t lds, void *dst, int64_t ldd)
{
    const uint32_t *s = src;
    uint32_t *d = dst;
#ifdef HAVE_TILE8
    bool tiles = has_avx2();
#endif
    int64_t nblocks = (rows + BLOCK - 1) / BLOCK;
    int cpu_nt = cpu_threads(rows * cols);
    CPU_PARALLEL_FOR
    for (int64_t b = 0; b < nblocks; b++) {
        int64_t i0 = b * BLOCK, i1 = i0 + BLOCK < rows ? i0 + BLOCK : rows;
        for (int64_t j0 = 0; j0 < cols; j0 += BLOCK) {
            int64_t j1 = j0 + BLOCK < cols ? j0 + BLOCK : cols;
            int64_t ie = i0, je = j0;   /* end of the whole 8 x 8 tiles */
#ifdef HAVE_TILE8
            if (tiles) {
                ie = i0 + ((i1 - i0) & ~(int64_t)7);
                je = j0 + ((j1 - j0) & ~(int64_t)7);
                for (int64_t i = i0; i < ie; i += 8)
                    for (int64_t j = j0; j < je; j += 8) tile8(s + i * lds + j, lds, d + j * ldd + i, ldd);
            }
#endif
            plain(s, lds, d, ldd, i0, ie, je, j1);   /* right of the tiles */
            plain(s, lds, d, ldd, ie, i1, j0, j1);   /* below them */
        }
    }
}
