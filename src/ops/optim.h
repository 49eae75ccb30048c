/* optim.h — fused optimizer steps (in place, outside autograd). */
#ifndef EMBER_OPS_OPTIM_H
#define EMBER_OPS_OPTIM_H

#include "../backend/backend.h"
#include "../core/tensor.h"

/* One Adam/AdamW step on parameter p with gradient g and running averages
** m, v (backend.h has the formula): all four the same shape, dtype (float32
** or float64) and device, and contiguous; otherwise an error naming what
** differs (the caller then takes the op-by-op path). Bumps the versions of
** p, m and v like any in-place write. */
em_status em_op_adam_step(em_tensor *p, const em_tensor *g, em_tensor *m, em_tensor *v, const em_adam_args *a);

/* One plain SGD step (no momentum; backend.h has the formula) on p with
** gradient g: the same shape, dtype and device, both contiguous; otherwise
** an error naming what differs. Bumps p's version. */
em_status em_op_sgd_step(em_tensor *p, const em_tensor *g, double lr, double weight_decay, bool maximize);

#endif
