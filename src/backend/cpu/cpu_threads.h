/* cpu_threads.h — the CPU's thread count (OpenBLAS's pool, and oneDNN's
** OpenMP threads when built with it): torch.set_num_threads. A CPU setting,
** not part of what a device provides (backend.h). Defined in cpu_gemm.c. */
#ifndef EMBER_CPU_THREADS_H
#define EMBER_CPU_THREADS_H

/* One thread unless EMBER_NUM_THREADS says more; em_get_num_threads applies
** that default on first use. */
void em_set_num_threads(int n);
int em_get_num_threads(void);

#endif
