/* nn_grad.h — the differentiable neural-network ops that the Lua bindings
** call (autograd/grad_nn.c): each runs its forward op from ops/nn.h and,
** when grad mode is on and an input requires grad, records a node whose
** backward formula is written next to it. Same conventions as autograd.h. */
#ifndef EMBER_NN_GRAD_H
#define EMBER_NN_GRAD_H

#include "../core/rng.h"
#include "../core/tensor.h"
#include "../ops/nn.h"

/* x (..., in) @ w (out, in)^T + b (out); b may be NULL. */
em_tensor *em_linear(em_tensor *x, em_tensor *w, em_tensor *b);
/* x (N, C, H, W) or (C, H, W), w (O, C / groups, kh, kw), b (O) or NULL;
** padding "same" is settled here (em_conv2d_resolve). */
em_tensor *em_conv2d(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *o);
em_status em_max_pool2d(em_tensor *x, const em_pool2d_opts *o, em_tensor **out, em_tensor **indices);
em_tensor *em_avg_pool2d(em_tensor *x, const em_pool2d_opts *o);
em_tensor *em_softmax(em_tensor *x, int dim, bool log);
/* logp / logits (N, C[, d1...]) or (C), target int64 class indices. */
em_tensor *em_nll_loss(em_tensor *logp, em_tensor *target, const em_loss_opts *o);
em_tensor *em_cross_entropy(em_tensor *logits, em_tensor *target, const em_loss_opts *o);
em_tensor *em_bce_with_logits(em_tensor *x, em_tensor *y, const em_loss_opts *o);
/* reduce((a - b)^2) with one MseLossBackward0 node; a and b broadcast. */
em_tensor *em_mse_loss(em_tensor *a, em_tensor *b, em_reduction reduction);
/* running_mean / running_var may be NULL; they are updated in place when training. */
em_tensor *em_batch_norm(em_tensor *x, em_tensor *w, em_tensor *b, em_tensor *running_mean,
                         em_tensor *running_var, bool training, double momentum, double eps);
/* x * mask / (1 - p), mask ~ Bernoulli(1 - p) from g (MulBackward0). When
** nothing is dropped (not training, p == 0, empty x) the result is x itself. */
em_tensor *em_dropout(em_tensor *x, double p, bool train, em_rng *g);

#endif
