/* blas_tune.c — settings that OpenBLAS and OpenMP read only while they load,
** before main runs, so ember sets them and re-executes itself once:
** - OPENBLAS_CORETYPE: on virtual machines that report a generic "Intel Xeon
**   Processor" model, OpenBLAS falls back to its Prescott (SSE3) kernels,
**   about 3x slower for every matrix multiply; ember names the real ones
**   from the CPU's features.
** - GOMP_SPINCOUNT=10000 and OPENBLAS_THREAD_TIMEOUT=4: with more than one
**   thread, OpenBLAS's workers and OpenMP's (oneDNN, the kernels' loops)
**   otherwise spin for a long while (OpenMP ~300,000 rounds) after each call
**   and take the cores the other pool needs next: the CNN benchmark on 2
**   threads once ran slower than on one (7.4 s against 6.3 s). Sleeping at
**   once (OMP_WAIT_POLICY=PASSIVE) fixed that but makes every OpenMP region
**   pay a futex wake-up, which costs 25% of an MNIST epoch now that its
**   products run on oneDNN's OpenMP threads; a short spin keeps both cheap
**   (docs/DECISIONS.md, "Threads"). A user's OMP_WAIT_POLICY leaves
**   GOMP_SPINCOUNT alone, since libgomp lets the spin count override it.
** A user's own value of any of them always wins; EMBER_NO_BLAS_TUNE=1 turns
** all of this off. */
#include "blas_tune.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

/* Sets name to value unless it is set already; true when it set it. */
static bool set_default(const char *name, const char *value)
{
    if (getenv(name)) return false;
    setenv(name, value, 1);
    return true;
}

void em_blas_tune(char **argv)
{
    if (getenv("EMBER_NO_BLAS_TUNE")) return;
    bool changed = false;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    const char *core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                     : __builtin_cpu_supports("avx2")    ? "Haswell"
                                                         : NULL;
    if (core) changed |= set_default("OPENBLAS_CORETYPE", core);
#endif
    if (!getenv("OMP_WAIT_POLICY")) changed |= set_default("GOMP_SPINCOUNT", "10000");
    changed |= set_default("OPENBLAS_THREAD_TIMEOUT", "4");
    if (changed) execv("/proc/self/exe", argv);   /* returns only on failure: then go on as we are */
}
