/* fuzz_pt.c — a whole torch.load of a file (zip + pickle + storages + dtype
** conversion): loads or refuses, never crashes or leaks. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_util.h"
#include "io/pt_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write(data, size, ".pt");
    em_pyval *root = NULL;
    char notice[256];
    if (em_pt_load(path, NULL, &root, notice, sizeof notice) == EM_OK) em_pyval_free(root);
    return 0;
}
