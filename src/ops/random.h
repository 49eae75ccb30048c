/* random.h — random fills and tensors (ops/random.c). */
#ifndef EMBER_OPS_RANDOM_H
#define EMBER_OPS_RANDOM_H

#include "../core/rng.h"
#include "../core/tensor.h"

em_status em_op_uniform_(em_tensor *x, double from, double to, em_rng *g);
em_status em_op_normal_(em_tensor *x, double mean, double std, em_rng *g);
em_status em_op_randint_(em_tensor *x, int64_t low, int64_t high, em_rng *g);
em_tensor *em_op_randperm(int64_t n, em_rng *g);

#endif
