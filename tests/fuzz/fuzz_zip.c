/* fuzz_zip.c — the zip container reader (.pt files are zips): any bytes
** either open as a validated archive whose entries can all be read, or are
** refused with a status. */
#include <stddef.h>
#include <stdint.h>

#include "io/zip_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    em_zip_reader *z = em_zip_open_memory(data, size, "fuzz");
    if (!z) return 0;
    size_t n = em_zip_count(z);
    for (size_t i = 0; i < n; i++) {
        const char *name = em_zip_name(z, i);
        const unsigned char *bytes;
        size_t len;
        if (name && em_zip_find(z, name, &bytes, &len) == 0 && len) {
            volatile unsigned char sink = bytes[0] ^ bytes[len - 1];
            (void)sink;
        }
    }
    em_zip_close(z);
    return 0;
}
