/* test_cpu_alloc.c — host memory for CPU tensors (src/backend/cpu/cpu_alloc.c):
** alignment, the cache of large freed blocks (reuse for the same rounded
** size, none for small blocks or other sizes, its byte limit, clearing).
** Under AddressSanitizer the cache is off by design, which the test checks
** instead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/cpu/cpu_alloc.h"
#include "harness.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif
#ifndef ASAN
#define ASAN 0
#endif

#define MB ((size_t)1 << 20)

static void test_alignment(void)
{
    size_t sizes[] = {0, 1, 63, 64, 65, 4096, 3 * MB + 5};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        void *p = em_cpu_alloc(sizes[i]);
        CHECK(p != NULL);
        CHECK(((uintptr_t)p % 64) == 0);
        if (p && sizes[i]) memset(p, 0xab, sizes[i]);   /* the whole request is usable */
        em_cpu_free(p, sizes[i]);
    }
    em_cpu_cache_clear();
}

static void test_reuse(void)
{
    em_cpu_cache_clear();
    CHECK(em_cpu_cache_bytes() == 0);
    void *a = em_cpu_alloc(4 * MB + 100);
    em_cpu_free(a, 4 * MB + 100);
    if (ASAN) {
        CHECK(em_cpu_cache_bytes() == 0);      /* no reuse that could hide a use after free */
        return;
    }
    CHECK(em_cpu_cache_bytes() == 4 * MB + 64 * 1024);    /* rounded up to 64 KiB */
    void *b = em_cpu_alloc(4 * MB + 200);   /* the same rounded size: the cached block */
    CHECK(b == a);
    CHECK(em_cpu_cache_bytes() == 0);
    void *c = em_cpu_alloc(8 * MB);         /* another size: a new block */
    CHECK(c != a);
    em_cpu_free(b, 4 * MB + 200);
    em_cpu_free(c, 8 * MB);
    CHECK(em_cpu_cache_bytes() == 12 * MB + 64 * 1024);
    void *small = em_cpu_alloc(1000);       /* small blocks are never cached */
    em_cpu_free(small, 1000);
    CHECK(em_cpu_cache_bytes() == 12 * MB + 64 * 1024);
    em_cpu_cache_clear();
    CHECK(em_cpu_cache_bytes() == 0);
}

static void test_limit(void)
{
    if (ASAN) return;
    em_cpu_cache_clear();
    /* the default limit is 256 MiB: 40 blocks of 10 MiB keep the newest 25 */
    void *p[40];
    for (int i = 0; i < 40; i++) p[i] = em_cpu_alloc(10 * MB);
    for (int i = 0; i < 40; i++) em_cpu_free(p[i], 10 * MB);
    CHECK(em_cpu_cache_bytes() == 25 * 10 * MB);
    em_cpu_cache_clear();
}

TEST_MAIN(
    RUN(test_alignment);
    RUN(test_reuse);
    RUN(test_limit);
)
