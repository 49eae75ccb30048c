/* blas_tune.h — load-time settings of OpenBLAS and OpenMP (see blas_tune.c). */
#ifndef EMBER_BLAS_TUNE_H
#define EMBER_BLAS_TUNE_H

/* May re-execute the program once with OPENBLAS_CORETYPE, GOMP_SPINCOUNT
** and OPENBLAS_THREAD_TIMEOUT set. */
void em_blas_tune(char **argv);

#endif
