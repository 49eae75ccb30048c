/* loss_grad.h — the elementwise losses that are one node in PyTorch
** (grad_loss.c): forward with PyTorch's checks and messages, backward with
** PyTorch's formulas. Each returns the loss reduced by r (a new tensor) or
** NULL with the status set. Not here: the class losses, mse (nn_grad.h). */
#ifndef EMBER_LOSS_GRAD_H
#define EMBER_LOSS_GRAD_H

#include "../ops/nn.h"

/* x probabilities in [0, 1], t of x's shape and dtype, w NULL or broadcast to x */
em_tensor *em_binary_cross_entropy(em_tensor *x, em_tensor *t, em_tensor *w, em_reduction r);
/* x and t broadcast; beta >= 0 (0: the L1 loss) */
em_tensor *em_smooth_l1_loss(em_tensor *x, em_tensor *t, em_reduction r, double beta);
/* x and t broadcast; delta > 0 */
em_tensor *em_huber_loss(em_tensor *x, em_tensor *t, em_reduction r, double delta);

/* PyTorch's error for a tensor argument it cannot differentiate (a loss's
** weight) that requires grad while grad mode is on; EM_OK otherwise. */
em_status em_loss_constant_arg(const char *fn, const char *arg, const em_tensor *t);

#endif
