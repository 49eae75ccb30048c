/* fuzz_idx.c — IDX files, plain and gzip-compressed (the reader detects
** gzip by its magic bytes, so one target covers both). */
#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"
#include "fuzz_util.h"
#include "io/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write(data, size, ".idx");
    em_tensor *t = em_idx_read(path);
    if (t) em_tensor_release(t);
    return 0;
}
