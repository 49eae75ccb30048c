/* fuzz_safetensors.c — a .safetensors file: header validation alone, then a
** full load (header + every tensor) followed by the checksum pass. */
#include <stddef.h>
#include <stdint.h>

#include "core/tensor.h"
#include "fuzz_util.h"
#include "io/safetensors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write(data, size, ".safetensors");
    em_st_header h;
    if (em_st_read_header(path, "fuzz", &h) != EM_OK) return 0;
    em_st_header_free(&h);
    em_tensor **tensors = NULL;
    if (em_st_load(path, "fuzz", &h, &tensors) != EM_OK) return 0;   /* h is freed on failure */
    for (int i = 0; i < h.n; i++) em_tensor_release(tensors[i]);
    free(tensors);
    em_st_checksum(path, "fuzz", &h);
    em_st_header_free(&h);
    return 0;
}
