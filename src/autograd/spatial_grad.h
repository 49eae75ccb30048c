/* spatial_grad.h — the differentiable spatial ops the Lua bindings call
** (autograd/grad_spatial.c): conv1d, conv_transpose2d, adaptive average /
** max pooling, interpolation, padding, unfold / fold and channel dropout.
** Each runs its forward op from ops/nn_spatial.h and, when grad mode is on
** and an input requires grad, records a node named as PyTorch's. Same
** conventions as autograd.h. */
#ifndef EMBER_SPATIAL_GRAD_H
#define EMBER_SPATIAL_GRAD_H

#include "../core/rng.h"
#include "../ops/nn_spatial.h"

/* x (N, C, L) or (C, L), w (O, C / groups, k), b (O) or NULL; o from
** em_conv1d_opts ("same" is settled here). */
em_tensor *em_conv1d(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *o);
/* x (N, Cin, H, W) or (Cin, H, W), w (Cin, Cout / groups, kh, kw), b (Cout) or NULL */
em_tensor *em_conv_transpose2d(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *o,
                               const int64_t output_padding[2]);
em_tensor *em_adaptive_avg_pool2d(em_tensor *x, int64_t oh, int64_t ow);
em_status em_adaptive_max_pool2d(em_tensor *x, int64_t oh, int64_t ow, em_tensor **out, em_tensor **indices);

/* Interpolation modes of F.interpolate that ember implements. */
typedef enum em_interp_mode { EM_INTERP_NEAREST, EM_INTERP_NEAREST_EXACT, EM_INTERP_BILINEAR } em_interp_mode;
/* x (N, C, H, W) to (N, C, oh, ow); nearest also (N, C, L) to (N, C, ow)
** (oh ignored). scales[i] > 0: the scale_factor of that axis, 0 none. */
em_tensor *em_interpolate(em_tensor *x, em_interp_mode mode, int64_t oh, int64_t ow, const double scales[2],
                          bool align_corners);

/* Padding modes of F.pad. */
typedef enum em_pad_mode { EM_PAD_CONSTANT, EM_PAD_REFLECT, EM_PAD_REPLICATE } em_pad_mode;
/* pads: n values, (before, after) of the last dim first, as F.pad. reflect
** and replicate pad the last dim (n = 2, 2-D or 3-D x) or the last two
** (n = 4, 3-D or 4-D x). */
em_tensor *em_pad(em_tensor *x, int n, const int64_t *pads, em_pad_mode mode, double value);

em_tensor *em_unfold(em_tensor *x, const em_fold_opts *o);
em_tensor *em_fold(em_tensor *x, const int64_t out_size[2], const em_fold_opts *o);

/* Channel dropout (F.dropout2d): x (N, C, ...) times noise (N, C, 1, ...),
** noise ~ Bernoulli(1 - p) / (1 - p) drawn as PyTorch draws it; x itself
** when nothing is dropped (not training, p == 0, empty x). */
em_tensor *em_dropout2d(em_tensor *x, double p, bool train, em_rng *g);

#endif
