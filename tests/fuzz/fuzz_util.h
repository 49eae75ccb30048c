/* fuzz_util.h — shared by the libFuzzer targets: the loaders under test take
** paths, so each input is written to one scratch file per process (in
** /dev/shm when it exists, so no disk is touched). Not a test by itself. */
#ifndef EMBER_FUZZ_UTIL_H
#define EMBER_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *fuzz_path(const char *suffix)
{
    static char path[256];
    if (!path[0]) {
        const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(path, sizeof path, "%s/ember-fuzz-%d%s", dir, (int)getpid(), suffix);
    }
    return path;
}

static const char *fuzz_write(const uint8_t *data, size_t size, const char *suffix)
{
    const char *p = fuzz_path(suffix);
    FILE *f = fopen(p, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    return p;
}

#endif
