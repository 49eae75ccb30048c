/* blas_tune.c — makes OpenBLAS use the CPU's real vector kernels. On virtual
** machines that report a generic "Intel Xeon Processor" model, OpenBLAS falls
** back to its Prescott (SSE3) kernels, about 3x slower for every matrix
** multiply. OpenBLAS reads OPENBLAS_CORETYPE only while the library loads,
** before main runs, so when it is unset ember sets it from the CPU's features
** and re-executes itself once. A user's own OPENBLAS_CORETYPE always wins. */
#include "blas_tune.h"

#include <stdlib.h>
#include <unistd.h>

void em_blas_tune(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE") || getenv("EMBER_NO_BLAS_TUNE")) return;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    const char *core = __builtin_cpu_supports("avx512f") ? "SkylakeX"
                     : __builtin_cpu_supports("avx2")    ? "Haswell"
                                                         : NULL;
    if (!core) return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    execv("/proc/self/exe", argv);   /* returns only on failure: then go on as we are */
#else
    (void)argv;
#endif
}
