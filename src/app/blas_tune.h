/* blas_tune.h — picks OpenBLAS kernels for the CPU (see blas_tune.c). */
#ifndef EMBER_BLAS_TUNE_H
#define EMBER_BLAS_TUNE_H

/* May re-execute the program once with OPENBLAS_CORETYPE set. */
void em_blas_tune(char **argv);

#endif
