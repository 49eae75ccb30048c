/* cpu_optim.h — entry points of the CPU optimizer kernels (cpu_optim.c);
** contracts in backend.h. Not a public header. */
#ifndef EMBER_CPU_OPTIM_H
#define EMBER_CPU_OPTIM_H

#include "../backend.h"

em_status em_cpu_adam_step(em_dtype dt, int64_t n, void *p, const void *g, void *m, void *v,
                           const em_adam_args *a);
em_status em_cpu_sgd_step(em_dtype dt, int64_t n, void *p, const void *g, double lr, double weight_decay,
                          bool maximize);

#endif
