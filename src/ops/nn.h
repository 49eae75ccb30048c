/* nn.h — forward ops of the neural-network layers, and the backward helpers
** their gradient formulas call: linear, conv2d, max/avg pooling, softmax,
** the class-index losses (nll_loss, cross_entropy), batch norm, bernoulli
** and dropout noise, binary cross entropy with logits. No autograd here
** (autograd/grad_nn.c wraps these); same conventions as ops.h: 0-based dims,
** int64 0-based class indices, new references, NULL + em_last_error(). */
#ifndef EMBER_OPS_NN_H
#define EMBER_OPS_NN_H

#include "../core/rng.h"
#include "../core/tensor.h"

typedef enum em_reduction { EM_REDUCTION_NONE, EM_REDUCTION_MEAN, EM_REDUCTION_SUM } em_reduction;

/* Options of the losses (fields a loss does not use are ignored). */
typedef struct em_loss_opts {
    em_reduction reduction;
    int64_t ignore_index;          /* class losses: rows with this target count 0 (-100) */
    double smoothing;              /* cross_entropy: label smoothing in [0, 1] */
    const em_tensor *weight;       /* class losses: (C); bce: broadcast to the input; or NULL */
    const em_tensor *pos_weight;   /* bce_with_logits: broadcast to the input, or NULL */
} em_loss_opts;

/* --- linear: x (m, in), w (out, in), b (out) or NULL -> (m, out) ---
** One gemm with w read transposed in place; the bias is written into the
** result first and the product added to it (beta = 1). */
em_tensor *em_op_linear(const em_tensor *x, const em_tensor *w, const em_tensor *b);

/* --- conv2d: x (N, C, H, W) or (C, H, W), w (O, C / groups, kh, kw), b (O)
** or NULL. The options are PyTorch's; padding = "same" (stride 1 only) pads
** d (k - 1) in total on each axis, the odd one out at the bottom / right, as
** PyTorch does. oneDNN when the backend has it, else im2col + a gemm per
** group batched over the images. Every size is checked in 64 bits: an output
** or column buffer past 2^46 elements is an error, never an overflow. The
** backward helpers take the shapes of the forward call and its resolved
** options. */
typedef struct em_conv2d_opts {
    int64_t stride[2];
    int64_t pad[2];          /* top, left */
    int64_t pad_end[2];      /* bottom, right: = pad except for "same" with an odd total */
    int64_t dilation[2];
    int64_t groups;
    bool same;               /* padding = "same": pad and pad_end are set from the kernel */
} em_conv2d_opts;

/* stride 1, padding 0, dilation 1, groups 1 (PyTorch's defaults). */
em_conv2d_opts em_conv2d_defaults(void);
/* Settles "same" into pad / pad_end for a weight of shape w_shape; checks
** stride 1 (PyTorch's rule). Nothing to do without "same". */
em_status em_conv2d_resolve(const int64_t w_shape[4], em_conv2d_opts *o);
em_tensor *em_op_conv2d(const em_tensor *x, const em_tensor *w, const em_tensor *b, const em_conv2d_opts *o);
em_tensor *em_op_conv2d_grad_input(const em_tensor *g, const em_tensor *w, int x_ndim, const int64_t *x_shape,
                                   const em_conv2d_opts *o);
em_tensor *em_op_conv2d_grad_weight(const em_tensor *g, const em_tensor *x, const int64_t w_shape[4],
                                    const em_conv2d_opts *o);

/* --- pooling: x (N, C, H, W) or (C, H, W) ---
** kernel, stride, pad, dilation as (h, w); ceil_mode rounds the output size
** up (PyTorch's rule: the last window starts inside the input or the left
** padding). max_pool2d also returns the int64 position iy*W + ix of each
** max in its plane (PyTorch's indices). avg_pool2d has no dilation; it
** divides by divisor (when > 0), else by the window's size inside the
** padded input (count_include_pad) or inside the input. */
typedef struct em_pool2d_opts {
    int64_t kernel[2], stride[2], pad[2], dilation[2];
    bool ceil_mode;
    bool count_include_pad;  /* avg_pool2d */
    int64_t divisor;         /* avg_pool2d: divisor_override, 0 for none */
} em_pool2d_opts;

em_status em_op_max_pool2d(const em_tensor *x, const em_pool2d_opts *o, em_tensor **out, em_tensor **indices);
em_tensor *em_op_max_pool2d_backward(const em_tensor *g, const em_tensor *indices, int x_ndim,
                                     const int64_t *x_shape);
em_tensor *em_op_avg_pool2d(const em_tensor *x, const em_pool2d_opts *o);
em_tensor *em_op_avg_pool2d_backward(const em_tensor *g, int x_ndim, const int64_t *x_shape,
                                     const em_pool2d_opts *o);

/* Shared with nn_spatial.c. em_window2d_of: the window of a conv-like op
** over x's shape (conv2d's checks and messages; padding p on both sides).
** em_op_pool_argmax_nan: the pooling kernels' arg-max rule over dim 1 of
** col (P, K, L), given kf (P, L), the first max's position: where a window
** holds NaNs the last NaN wins. */
em_status em_window2d_of(const char *op, int x_ndim, const int64_t *x_shape, const int64_t k[2], const int64_t s[2],
                         const int64_t p[2], const int64_t d[2], em_window2d *g);
em_tensor *em_op_pool_argmax_nan(const em_tensor *col, const em_tensor *kf);

/* --- softmax / log_softmax along dim (stable: the max is subtracted) --- */
em_tensor *em_op_softmax(const em_tensor *x, int dim, bool log);

/* --- class-index losses (nn_loss.c) ---
** x: (N, C), (N, C, d1, ...) or (C); target int64 (N), (N, d1, ...) or ().
** logits: x are logits (cross_entropy: log-softmax and nll fused) or
** log-probabilities (nll_loss). Result: the per-row losses (reduction none,
** target's shape) or their sum / weighted mean (0-dim). *denom receives the
** mean's divisor (sum of the target weights of non-ignored rows), 1 otherwise.
** op names the caller in messages ("cross_entropy", "nll_loss"). */
em_tensor *em_op_class_loss(const char *op, const em_tensor *x, const em_tensor *target, bool logits,
                            const em_loss_opts *o, double *denom);
em_tensor *em_op_class_loss_backward(const em_tensor *g, const em_tensor *x, const em_tensor *target,
                                     bool logits, const em_loss_opts *o, double denom);

/* --- binary cross entropy with logits (nn_loss.c), stable for any |x|:
** (1 - y) x + (1 + (pw - 1) y) (log(e^-m + e^(-x-m)) + m), m = max(-x, 0),
** times weight, then reduced. x and y have one shape. */
em_tensor *em_op_bce_with_logits(const em_tensor *x, const em_tensor *y, const em_loss_opts *o);

/* --- batch norm (nn_loss.c): x (N, C, ...), w, b (C) or NULL ---
** training: batch mean and biased variance; running_mean / running_var (C,
** may be NULL) are updated in place with momentum, using the unbiased
** variance (as PyTorch). Eval: the running statistics. *stats receives a new
** (2, C) tensor: row 0 the mean used, row 1 invstd = 1 / sqrt(var + eps). */
em_tensor *em_op_batch_norm(const em_tensor *x, const em_tensor *w, const em_tensor *b, em_tensor *running_mean,
                            em_tensor *running_var, bool training, double momentum, double eps,
                            em_tensor **stats);
/* Gradients for x, w, b from the saved stats; pass NULL for any not wanted. */
em_status em_op_batch_norm_backward(const em_tensor *g, const em_tensor *x, const em_tensor *w,
                                    const em_tensor *stats, bool training, em_tensor **gx, em_tensor **gw,
                                    em_tensor **gb);

/* --- random masks (nn_loss.c) ---
** x[i] = 1 with probability p (p_tensor NULL: the number p; else p_tensor[i],
** broadcast to x), 0 otherwise, drawn from g in x's row-major order exactly
** as PyTorch's CPU bernoulli_ (see nn_loss.c). Any dtype of x. */
em_status em_op_bernoulli_(em_tensor *x, double p, const em_tensor *p_tensor, em_rng *g);
/* Dropout's noise for x (float): mask ~ Bernoulli(1 - p), divided by 1 - p;
** 0 < p < 1. */
em_tensor *em_op_dropout_noise(const em_tensor *x, double p, em_rng *g);

#endif
