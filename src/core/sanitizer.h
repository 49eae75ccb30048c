/* sanitizer.h — EM_ASAN: 1 when built with AddressSanitizer (gcc or clang),
** else 0. The caches that keep freed memory for reuse (cpu_alloc.c's
** blocks, tensor.c's headers) are off under it, so a use after free is
** still caught. Nothing else here. */
#ifndef EMBER_SANITIZER_H
#define EMBER_SANITIZER_H

#if defined(__SANITIZE_ADDRESS__)
#define EM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EM_ASAN 1
#endif
#endif
#ifndef EM_ASAN
#define EM_ASAN 0
#endif

#endif
