/* fuzz_pickle.c — the restricted unpickler on raw bytes, with a storage
** callback that hands out small tensors, so persistent ids and the tensor
** rebuilders are reached too. */
#include <stddef.h>
#include <stdint.h>

#include "backend/backend.h"
#include "core/status.h"
#include "core/tensor.h"
#include "io/pickle_read.h"

static em_tensor *storage(void *ctx, em_pt_stype type, const char *key, const char *location, int64_t numel)
{
    (void)ctx; (void)type; (void)key; (void)location;
    if (numel < 0 || numel > 4096) {
        em_fail(EM_ERR_VALUE, "fuzz: storage too large");
        return NULL;
    }
    int64_t shape[1] = {numel};
    return em_tensor_empty(1, shape, EM_FLOAT32, em_cpu_backend());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    em_unpickle_opts opts = {storage, NULL, "fuzz", NULL};
    em_pyval *out = NULL;
    if (em_pickle_read(data, size, &opts, &out) == EM_OK) em_pyval_free(out);
    return 0;
}
