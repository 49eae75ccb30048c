/* cpu_alloc.h — host memory for CPU tensors (cpu_alloc.c): aligned blocks
** with a cache of large freed ones. */
#ifndef EMBER_CPU_ALLOC_H
#define EMBER_CPU_ALLOC_H

#include <stddef.h>

/* NULL on failure; nbytes may be 0. Free with the same nbytes. */
void *em_cpu_alloc(size_t nbytes);
void em_cpu_free(void *p, size_t nbytes);
/* Returns every cached block to the C library; bytes held right now. */
void em_cpu_cache_clear(void);
size_t em_cpu_cache_bytes(void);

#endif
