/* fuzz_zip.c — the zip container reader (.pt files are zips): any bytes
** either open as a validated archive whose entries can all be read (each
** read checks its CRC), or are refused with a status. */
#include <stddef.h>
#include <stdint.h>

#include "io/zip_read.h"

static em_status touch(void *ctx, const unsigned char *p, size_t n, uint64_t offset)
{
    (void)offset;
    volatile unsigned char *sink = ctx;
    if (n) *sink ^= p[0] ^ p[n - 1];
    return EM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    em_zip_reader *z = em_zip_open_memory(data, size, "fuzz");
    if (!z) return 0;
    volatile unsigned char sink = 0;
    for (size_t i = 0; i < em_zip_count(z); i++) (void)em_zip_stream(z, i, touch, (void *)&sink);
    em_zip_close(z);
    return 0;
}
