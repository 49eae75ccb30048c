/* nn_spatial.h — forward ops of the spatial layers built on the existing
** kernels (ops/nn_spatial.c): conv1d and conv_transpose2d (on conv2d's
** passes), adaptive average / max pooling, interpolation (nearest,
** nearest-exact, bilinear, area), padding (constant, reflect, replicate),
** unfold / fold (im2col / col2im as ops), and the backward helpers their
** gradient formulas call. Nothing here needs a new kernel: each op is
** composed from the backend's required tier (gemm, index_select /
** index_add, im2col / col2im, copies), so every device that has those runs
** them. No autograd here (autograd/grad_spatial.c). Conventions of ops.h. */
#ifndef EMBER_OPS_NN_SPATIAL_H
#define EMBER_OPS_NN_SPATIAL_H

#include "nn.h"

/* --- conv1d: x (N, C, L), w (O, C / groups, k), b (O) or NULL ---
** o is a conv2d's options whose second axis is the length (the first is a
** height of 1: stride 1, padding 0, dilation 1); "same" is settled here.
** Shapes are checked in conv1d's terms (PyTorch's messages), then the
** convolution runs as conv2d on (N, C, 1, L) views. The backward helpers
** take the resolved options. */
em_conv2d_opts em_conv1d_opts(int64_t stride, int64_t pad, int64_t dilation, int64_t groups, bool same);
em_status em_conv1d_resolve(const em_tensor *w, em_conv2d_opts *o);
em_tensor *em_op_conv1d(const em_tensor *x, const em_tensor *w, const em_tensor *b, const em_conv2d_opts *o);
em_tensor *em_op_conv1d_grad_input(const em_tensor *g, const em_tensor *w, const int64_t x_shape[3],
                                   const em_conv2d_opts *o);
em_tensor *em_op_conv1d_grad_weight(const em_tensor *g, const em_tensor *x, const int64_t w_shape[3],
                                    const em_conv2d_opts *o);

/* --- conv_transpose2d: x (N, Cin, H, W), w (Cin, Cout / groups, kh, kw) ---
** The adjoint of conv2d: y = conv2d's input gradient for an output x, plus
** the bias. Output H' = (H - 1) stride - 2 padding + dilation (kh - 1) +
** output_padding + 1 (likewise W'). output_padding must be smaller than the
** stride or the dilation (PyTorch's rule); ember also needs it smaller than
** the stride (an error says so otherwise). */
em_tensor *em_op_conv_transpose2d(const em_tensor *x, const em_tensor *w, const em_tensor *b,
                                  const em_conv2d_opts *o, const int64_t output_padding[2]);

/* --- adaptive average pooling and bilinear interpolation ---
** One axis at a time (W, then H), each output reading its inputs along the
** axis with index_select: the window's taps summed, then / kh / kw (as
** PyTorch's kernel); or l0 x[i0] + l1 x[i1] with PyTorch's source index and
** weights computed in the input's precision. The backward adds back with
** index_add. x is (N, C, H, W) or (C, H, W), float. scales[i] > 0 is the
** scale_factor F.interpolate was given for that axis (1 / scale is the
** step), 0 none. */
em_tensor *em_op_adaptive_avg_pool2d(const em_tensor *x, int64_t oh, int64_t ow);
em_tensor *em_op_adaptive_avg_pool2d_backward(const em_tensor *g, int x_ndim, const int64_t *x_shape);
em_tensor *em_op_upsample_bilinear2d(const em_tensor *x, int64_t oh, int64_t ow, const double scales[2],
                                     bool align_corners);
em_tensor *em_op_upsample_bilinear2d_backward(const em_tensor *g, int x_ndim, const int64_t *x_shape,
                                              const double scales[2], bool align_corners);

/* --- index maps of the last two dims ---
** y[..., i, j] = x[..., ih[i], iw[j]] (ih or iw NULL: that dim as it is);
** nearest interpolation and reflect / replicate padding are such maps.
** The backward adds g back at the same positions (index_add). The index
** builders return int64 (n) tensors. */
em_tensor *em_op_index2d(const em_tensor *x, const em_tensor *ih, const em_tensor *iw);
em_tensor *em_op_index2d_backward(const em_tensor *g, const em_tensor *ih, const em_tensor *iw, int x_ndim,
                                  const int64_t *x_shape);
/* nearest: src = min(floor(dst scale), in - 1), exact: floor((dst + 0.5) scale);
** scale = 1 / scale_factor when scale_factor > 0, else in / out (in float32). */
em_tensor *em_op_nearest_index(int64_t in, int64_t out, double scale_factor, bool exact, const em_backend *be);
/* padding pl before and pr after an axis of size in: reflect (without the
** edge) or replicate (the edge repeated). */
em_tensor *em_op_pad_index(int64_t in, int64_t pl, int64_t pr, bool reflect, const em_backend *be);

/* --- adaptive max pooling: x (N, C, H, W) or (C, H, W) -> (.., oh, ow) ---
** window i along an axis: [floor(i In / Out), ceil((i + 1) In / Out)); the
** index of each max is its position iy W + ix in its plane (ties: the
** first; NaN wins, the last NaN of a window, as PyTorch's kernel). */
em_status em_op_adaptive_max_pool2d(const em_tensor *x, int64_t oh, int64_t ow, em_tensor **out,
                                    em_tensor **indices);
/* The checks shared by the adaptive poolings (op names the caller). */
em_status em_adaptive_check(const char *op, const em_tensor *x, int64_t oh, int64_t ow);

/* --- constant padding: pads (n even, at most 2 ndim) as PyTorch's F.pad:
** (before, after) of the last dim, then of the one before, ...; negative
** values crop. The new elements are value (converted to x's dtype). */
em_tensor *em_op_pad_constant(const em_tensor *x, int n, const int64_t *pads, double value);

/* --- unfold / fold (im2col / col2im as ops) ---
** unfold: x (N, C, H, W) or (C, H, W) -> (N, C kh kw, L) or (C kh kw, L).
** fold: x (N, C kh kw, L) or (C kh kw, L) -> (N, C, out_h, out_w), adding
** the overlapping values. k, d, p, s: kernel, dilation, padding, stride. */
typedef struct em_fold_opts {
    int64_t kernel[2], dilation[2], pad[2], stride[2];
} em_fold_opts;
em_tensor *em_op_unfold(const em_tensor *x, const em_fold_opts *o);
em_tensor *em_op_fold(const em_tensor *x, const int64_t out_size[2], const em_fold_opts *o);

#endif
