/* fuzz_pt.c — a whole torch.load of a file's bytes (the zip format: zip +
** pickle + storages + dtype conversion; and the legacy format: its five
** pickles and raw storages): loads or refuses, never crashes or leaks. */
#include <stddef.h>
#include <stdint.h>

#include "io/pt_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    em_src src;
    em_src_memory(&src, data, size, "fuzz");
    em_pyval *root = NULL;
    char notice[256];
    if (em_pt_load_from(&src, "fuzz", NULL, &root, notice, sizeof notice) == EM_OK) em_pyval_free(root);
    return 0;
}
