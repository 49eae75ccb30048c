/* grad_spatial.c — differentiable conv1d, conv_transpose2d, adaptive
** average / max pooling, interpolation (nearest, nearest-exact, bilinear),
** padding (constant, reflect, replicate), unfold / fold and channel
** dropout. The forward ops come from ops/nn_spatial.h; above each
** backward, its formula. g is the gradient of the output. Node names are
** PyTorch's (ConvolutionBackward0, AdaptiveAvgPool2DBackward0, ...). */
#include <stdlib.h>
#include <string.h>

#include "autograd.h"
#include "scratch.h"
#include "spatial_grad.h"

#define SC(s, expr) ((s)->failed ? NULL : em_scratch_keep((s), (expr)))

static em_tensor *fail_out(em_tensor *out)
{
    em_tensor_release(out);
    return NULL;
}

/* The resolved options of a conv in the node's ints: stride, pad, pad_end,
** dilation (two each), groups. */
static void conv_opts_save(em_node *n, const em_conv2d_opts *o)
{
    for (int i = 0; i < 2; i++) {
        n->ints[i] = o->stride[i];
        n->ints[2 + i] = o->pad[i];
        n->ints[4 + i] = o->pad_end[i];
        n->ints[6 + i] = o->dilation[i];
    }
    n->ints[8] = o->groups;
}

static em_conv2d_opts conv_opts_of(const em_node *n)
{
    em_conv2d_opts o = em_conv2d_defaults();
    for (int i = 0; i < 2; i++) {
        o.stride[i] = n->ints[i];
        o.pad[i] = n->ints[2 + i];
        o.pad_end[i] = n->ints[4 + i];
        o.dilation[i] = n->ints[6 + i];
    }
    o.groups = n->ints[8];
    return o;
}

/* A batch of one for unbatched input, as PyTorch (its graph ends in
** SqueezeBackward1): y = f(x[None])[0]. */
typedef em_tensor *(*batched_fn)(em_tensor *x, em_tensor *w, em_tensor *b, const void *arg);
static em_tensor *as_batch_of_one(batched_fn f, em_tensor *x, em_tensor *w, em_tensor *b, const void *arg)
{
    em_tensor *x1 = em_unsqueeze(x, 0);
    em_tensor *y1 = x1 ? f(x1, w, b, arg) : NULL;
    em_tensor *y = y1 ? em_squeeze(y1, 0, false) : NULL;
    em_tensor_release(x1);
    em_tensor_release(y1);
    return y;
}

/* --- conv1d --- */

/* conv1d is conv2d on (N, C, 1, L) views:
** dx = conv2d's input gradient, dw = its weight gradient, db = g summed over N and L */
static em_status conv1d_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_conv2d_opts o = conv_opts_of(n);
    if (em_node_needs(n, 0)) {
        const em_tensor *w = sc_saved(&s, n, 1);
        gi[0] = em_scratch_take(&s, w ? SC(&s, em_op_conv1d_grad_input(g, w, n->shape[0], &o)) : NULL);
    }
    if (em_node_needs(n, 1)) {
        const em_tensor *x = sc_saved(&s, n, 0);
        gi[1] = em_scratch_take(&s, x ? SC(&s, em_op_conv1d_grad_weight(g, x, n->shape[1], &o)) : NULL);
    }
    if (em_node_needs(n, 2)) gi[2] = em_scratch_take(&s, SC(&s, em_op_reduce(EM_R_SUM, g, 1u | 4u, false)));
    return em_scratch_end(&s);
}

static em_tensor *conv1d_batched(em_tensor *x, em_tensor *w, em_tensor *b, const void *arg)
{
    const em_conv2d_opts *o = arg;
    em_tensor *out = em_op_conv1d(x, w, b, o);
    if (!out || !em_any_requires_grad(x, w, b)) return out;
    em_tensor *ins[3] = {x, w, b};
    em_node *n = em_record("ConvolutionBackward0", conv1d_backward, out, 3, ins);
    if (!n || (w->requires_grad && em_node_save(n, 0, x)) || (x->requires_grad && em_node_save(n, 1, w)))
        return fail_out(out);
    conv_opts_save(n, o);
    return out;
}

em_tensor *em_conv1d(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *opts)
{
    em_conv2d_opts o = *opts;
    if (em_conv1d_resolve(w, &o)) return NULL;
    if (x->ndim == 2) return as_batch_of_one(conv1d_batched, x, w, b, &o);
    return conv1d_batched(x, w, b, &o);
}

/* --- conv_transpose2d --- */

typedef struct transpose_args {
    const em_conv2d_opts *o;
    const int64_t *output_padding;
} transpose_args;

/* y = conv2d_input_grad(x, w) + b, the adjoint of conv2d (x: (N, Cin, H, W)):
** dx = conv2d(g, w) ;  dw = conv2d's weight gradient with the roles of
** input and output gradient swapped (input g, output gradient x) ;  db = g
** summed over N, H', W' */
static em_status conv_transpose2d_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_conv2d_opts o = conv_opts_of(n);
    if (em_node_needs(n, 0)) {
        const em_tensor *w = sc_saved(&s, n, 1);
        gi[0] = em_scratch_take(&s, w ? SC(&s, em_op_conv2d(g, w, NULL, &o)) : NULL);
    }
    if (em_node_needs(n, 1)) {
        const em_tensor *x = sc_saved(&s, n, 0);
        gi[1] = em_scratch_take(&s, x ? SC(&s, em_op_conv2d_grad_weight(x, g, n->shape[1], &o)) : NULL);
    }
    if (em_node_needs(n, 2)) gi[2] = em_scratch_take(&s, SC(&s, em_op_reduce(EM_R_SUM, g, 1u | 4u | 8u, false)));
    return em_scratch_end(&s);
}

static em_tensor *conv_transpose2d_batched(em_tensor *x, em_tensor *w, em_tensor *b, const void *arg)
{
    const transpose_args *a = arg;
    em_tensor *out = em_op_conv_transpose2d(x, w, b, a->o, a->output_padding);
    if (!out || !em_any_requires_grad(x, w, b)) return out;
    em_tensor *ins[3] = {x, w, b};
    em_node *n = em_record("ConvolutionBackward0", conv_transpose2d_backward, out, 3, ins);
    if (!n || (w->requires_grad && em_node_save(n, 0, x)) || (x->requires_grad && em_node_save(n, 1, w)))
        return fail_out(out);
    conv_opts_save(n, a->o);
    return out;
}

em_tensor *em_conv_transpose2d(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *o,
                               const int64_t output_padding[2])
{
    transpose_args a = {o, output_padding};
    if (x->ndim == 3) return as_batch_of_one(conv_transpose2d_batched, x, w, b, &a);
    return conv_transpose2d_batched(x, w, b, &a);
}

/* --- adaptive pooling --- */

/* y[i][j] = sum of x over window (i, j) / kh / kw:
** dx[a][b] = sum of g[i][j] / kh / kw over the windows (i, j) that hold (a, b) */
static em_status adaptive_avg_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    gi[0] = em_scratch_take(&s, SC(&s, em_op_adaptive_avg_pool2d_backward(g, n->ndim[0], n->shape[0])));
    return em_scratch_end(&s);
}

em_tensor *em_adaptive_avg_pool2d(em_tensor *x, int64_t oh, int64_t ow)
{
    /* 1 x 1: the mean over H and W, kept (MeanBackward1), as PyTorch's adaptive_avg_pool2d */
    if (oh == 1 && ow == 1) {
        if (em_adaptive_check("adaptive_avg_pool2d", x, oh, ow)) return NULL;
        return em_mean(x, (1u << (x->ndim - 2)) | (1u << (x->ndim - 1)), true);
    }
    em_tensor *out = em_op_adaptive_avg_pool2d(x, oh, ow);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    return em_record("AdaptiveAvgPool2DBackward0", adaptive_avg_backward, out, 1, &x) ? out : fail_out(out);
}

/* dx = zeros of x's shape with g added at the saved arg-max positions */
static em_status adaptive_max_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *idx = sc_saved(&s, n, 0);
    gi[0] = em_scratch_take(&s, idx ? SC(&s, em_op_max_pool2d_backward(g, idx, n->ndim[0], n->shape[0])) : NULL);
    return em_scratch_end(&s);
}

em_status em_adaptive_max_pool2d(em_tensor *x, int64_t oh, int64_t ow, em_tensor **out, em_tensor **indices)
{
    em_status st = em_op_adaptive_max_pool2d(x, oh, ow, out, indices);
    if (st != EM_OK || !em_any_requires_grad(x, NULL, NULL)) return st;
    em_node *n = em_record("AdaptiveMaxPool2DBackward0", adaptive_max_backward, *out, 1, &x);
    if (!n || em_node_save(n, 0, *indices) != EM_OK) {
        em_tensor_release(*out);
        em_tensor_release(*indices);
        *out = *indices = NULL;
        return em_last_status();
    }
    return EM_OK;
}

/* --- index maps: nearest interpolation, reflect / replicate padding ---
** y[..., i, j] = x[..., ih[i], iw[j]]: dx = zeros with g added at (ih[i], iw[j]).
** ints[0], ints[1]: whether ih, iw are used (saved in slots 0, 1). */
static em_status index2d_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *ih = n->ints[0] ? sc_saved(&s, n, 0) : NULL, *iw = n->ints[1] ? sc_saved(&s, n, 1) : NULL;
    gi[0] = em_scratch_take(&s, s.failed ? NULL : SC(&s, em_op_index2d_backward(g, ih, iw, n->ndim[0], n->shape[0])));
    return em_scratch_end(&s);
}

/* y = x[..., ih, iw] with a node of the given name; takes over ih and iw */
static em_tensor *index2d(const char *name, em_tensor *x, em_tensor *ih, em_tensor *iw)
{
    em_tensor *out = em_op_index2d(x, ih, iw);
    if (out && em_any_requires_grad(x, NULL, NULL)) {
        em_node *n = em_record(name, index2d_backward, out, 1, &x);
        if (!n || (ih && em_node_save(n, 0, ih)) || (iw && em_node_save(n, 1, iw))) {
            out = fail_out(out);
        } else {
            n->ints[0] = ih != NULL;
            n->ints[1] = iw != NULL;
        }
    }
    em_tensor_release(ih);
    em_tensor_release(iw);
    return out;
}

/* --- interpolation --- */

/* bilinear, per axis y[i] = l0[i] x[i0[i]] + l1[i] x[i1[i]]:
** dx[i0[i]] += l0[i] g[i], dx[i1[i]] += l1[i] g[i] (along W, then H).
** scalars: the two scale factors; ints[0]: align_corners. */
static em_status bilinear_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    gi[0] = em_scratch_take(&s, SC(&s, em_op_upsample_bilinear2d_backward(g, n->ndim[0], n->shape[0], n->scalars,
                                                                          n->ints[0] != 0)));
    return em_scratch_end(&s);
}

em_tensor *em_interpolate(em_tensor *x, em_interp_mode mode, int64_t oh, int64_t ow, const double scales[2],
                          bool align_corners)
{
    char b1[EM_SHAPE_BUF];
    if (mode == EM_INTERP_BILINEAR) {
        em_tensor *out = em_op_upsample_bilinear2d(x, oh, ow, scales, align_corners);
        if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
        em_node *n = em_record("UpsampleBilinear2DBackward1", bilinear_backward, out, 1, &x);
        if (!n) return fail_out(out);
        n->scalars[0] = scales[0];
        n->scalars[1] = scales[1];
        n->ints[0] = align_corners;
        return out;
    }
    bool exact = mode == EM_INTERP_NEAREST_EXACT;
    const char *op = exact ? "upsample_nearest_exact" : "upsample_nearest";
    if (x->ndim != 3 && x->ndim != 4) {
        em_fail(EM_ERR_SHAPE, "%s: expected 3-D (N, C, L) or 4-D (N, C, H, W) input, got %s", op,
                em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    bool two = x->ndim == 4;
    int64_t H = two ? x->shape[2] : 1, W = x->shape[x->ndim - 1];
    if (H < 1 || W < 1 || (two && oh < 1) || ow < 1) {
        em_fail(EM_ERR_SHAPE, "%s: Input and output sizes should be greater than 0, but got input %s and output size "
                "(%lld, %lld)", op, em_shape_str(x->ndim, x->shape, b1, sizeof b1), (long long)(two ? oh : 1),
                (long long)ow);
        return NULL;
    }
    int64_t n_out;
    if (__builtin_mul_overflow(x->shape[0] * x->shape[1], two ? oh : 1, &n_out) ||
        __builtin_mul_overflow(n_out, ow, &n_out) || n_out > ((int64_t)1 << 46) || ow > ((int64_t)1 << 46))
        return em_fail(EM_ERR_VALUE, "%s: the output size (%lld, %lld) is too large (more than 2^46 elements)", op,
                       (long long)(two ? oh : 1), (long long)ow), NULL;
    if (!em_dtype_is_float(x->dtype) && x->dtype != EM_UINT8) {
        em_fail(EM_ERR_TYPE, "%s: not implemented for %s input", op, em_dtype_name(x->dtype));
        return NULL;
    }
    const em_backend *be = em_tensor_backend(x);
    em_tensor *ih = two ? em_op_nearest_index(H, oh, scales[0], exact, be) : NULL;
    em_tensor *iw = !two || ih ? em_op_nearest_index(W, ow, scales[1], exact, be) : NULL;
    if (!iw) {
        em_tensor_release(ih);
        return NULL;
    }
    static const char *const names[2][2] = {{"UpsampleNearest1DBackward1", "UpsampleNearest2DBackward1"},
                                            {"UpsampleNearestExact1DBackward1", "UpsampleNearestExact2DBackward1"}};
    return index2d(names[exact][two], x, ih, iw);
}

/* --- padding --- */

/* y = x padded with value (negative pads crop): dx = g padded by -pads
** (PyTorch's constant_pad_nd backward). extra: the pads. */
static em_status constant_pad_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    int64_t neg[2 * EM_MAX_DIMS];
    for (int i = 0; i < n->n_extra; i++) neg[i] = -n->extra[i];
    gi[0] = em_scratch_take(&s, SC(&s, em_op_pad_constant(g, n->n_extra, neg, 0.0)));
    return em_scratch_end(&s);
}

static em_tensor *pad_constant(em_tensor *x, int n, const int64_t *pads, double value)
{
    em_tensor *out = em_op_pad_constant(x, n, pads, value);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(x->dtype)) return out;
    em_node *node = em_record("ConstantPadNdBackward0", constant_pad_backward, out, 1, &x);
    int64_t *copy = node ? malloc(sizeof(int64_t) * (size_t)(n > 0 ? n : 1)) : NULL;
    if (!copy) {
        if (node) em_fail(EM_ERR_MEMORY, "pad: out of memory");
        return fail_out(out);
    }
    memcpy(copy, pads, sizeof(int64_t) * (size_t)n);
    node->extra = copy;
    node->n_extra = n;
    return out;
}

em_tensor *em_pad(em_tensor *x, int n, const int64_t *pads, em_pad_mode mode, double value)
{
    char b1[EM_SHAPE_BUF];
    if (mode == EM_PAD_CONSTANT) return pad_constant(x, n, pads, value);
    bool reflect = mode == EM_PAD_REFLECT;
    const char *what = reflect ? "reflect" : "replicate";
    int k = n / 2;   /* padded dims */
    if (!((n == 2 && (x->ndim == 2 || x->ndim == 3)) || (n == 4 && (x->ndim == 3 || x->ndim == 4))))
        return em_fail(EM_ERR_VALUE, "pad: mode '%s' pads the last dim (2 values, 2-D or 3-D input) or the last two "
                       "(4 values, 3-D or 4-D input); got %d values for input %s (PyTorch's 3-D padding of 5-D input "
                       "is not implemented in ember)", what, n, em_shape_str(x->ndim, x->shape, b1, sizeof b1)),
               NULL;
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "pad: mode '%s' is not implemented for %s input", what,
                       em_dtype_name(x->dtype)), NULL;
    int64_t out_sz[2] = {0, 0};
    for (int i = 0; i < k; i++) {
        int d = x->ndim - 1 - i;
        int64_t in = x->shape[d], l = pads[2 * i], r = pads[2 * i + 1];
        if (in == 0)
            return em_fail(EM_ERR_SHAPE, "pad: mode '%s' needs non-empty padded dims, got input %s", what,
                           em_shape_str(x->ndim, x->shape, b1, sizeof b1)), NULL;
        if (reflect && (l >= in || r >= in))
            return em_fail(EM_ERR_VALUE, "pad: Argument #4: Padding size should be less than the corresponding input "
                           "dimension, but got: padding (%lld, %lld) at dimension %d of input %s", (long long)l,
                           (long long)r, d + 1, em_shape_str(x->ndim, x->shape, b1, sizeof b1)), NULL;
        if (__builtin_add_overflow(in, l, &out_sz[i]) || __builtin_add_overflow(out_sz[i], r, &out_sz[i]) ||
            out_sz[i] > ((int64_t)1 << 40))
            return em_fail(EM_ERR_VALUE, "pad: padding (%lld, %lld) is too large", (long long)l, (long long)r), NULL;
        if (out_sz[i] < 1)
            return em_fail(EM_ERR_SHAPE, "pad: input %s is too small for padding (%lld, %lld) of dim %d: the output "
                           "size would be %lld", em_shape_str(x->ndim, x->shape, b1, sizeof b1), (long long)l,
                           (long long)r, d + 1, (long long)out_sz[i]), NULL;
    }
    const em_backend *be = em_tensor_backend(x);
    em_tensor *iw = em_op_pad_index(x->shape[x->ndim - 1], pads[0], pads[1], reflect, be);
    em_tensor *ih = iw && k == 2 ? em_op_pad_index(x->shape[x->ndim - 2], pads[2], pads[3], reflect, be) : NULL;
    if (!iw || (k == 2 && !ih)) {
        em_tensor_release(iw);
        return NULL;
    }
    static const char *const names[2][2] = {{"ReplicationPad1DBackward0", "ReplicationPad2DBackward0"},
                                            {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0"}};
    return index2d(names[reflect][k - 1], x, ih, iw);
}

/* --- unfold / fold --- */

static void fold_opts_save(em_node *n, const em_fold_opts *o)
{
    for (int i = 0; i < 2; i++) {
        n->ints[i] = o->kernel[i];
        n->ints[2 + i] = o->dilation[i];
        n->ints[4 + i] = o->pad[i];
        n->ints[6 + i] = o->stride[i];
    }
}

static em_fold_opts fold_opts_of(const em_node *n)
{
    em_fold_opts o;
    for (int i = 0; i < 2; i++) {
        o.kernel[i] = n->ints[i];
        o.dilation[i] = n->ints[2 + i];
        o.pad[i] = n->ints[4 + i];
        o.stride[i] = n->ints[6 + i];
    }
    return o;
}

/* unfold = im2col: dx = col2im(g) = fold(g, (H, W)) */
static em_status unfold_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_fold_opts o = fold_opts_of(n);
    int nd = n->ndim[0];
    int64_t hw[2] = {n->shape[0][nd - 2], n->shape[0][nd - 1]};
    gi[0] = em_scratch_take(&s, SC(&s, em_op_fold(g, hw, &o)));
    return em_scratch_end(&s);
}

em_tensor *em_unfold(em_tensor *x, const em_fold_opts *o)
{
    em_tensor *out = em_op_unfold(x, o);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = em_record("Im2ColBackward0", unfold_backward, out, 1, &x);
    if (!n) return fail_out(out);
    fold_opts_save(n, o);
    return out;
}

/* fold = col2im: dx = im2col(g) = unfold(g) */
static em_status fold_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_fold_opts o = fold_opts_of(n);
    gi[0] = em_scratch_take(&s, SC(&s, em_op_unfold(g, &o)));
    return em_scratch_end(&s);
}

em_tensor *em_fold(em_tensor *x, const int64_t out_size[2], const em_fold_opts *o)
{
    em_tensor *out = em_op_fold(x, out_size, o);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = em_record("Col2ImBackward0", fold_backward, out, 1, &x);
    if (!n) return fail_out(out);
    fold_opts_save(n, o);
    return out;
}

/* --- channel dropout --- */

/* y = x * noise, noise (N, C, 1, ...) ~ Bernoulli(1 - p) / (1 - p), as
** PyTorch's feature dropout draws it (MulBackward0); p = 1 multiplies by a
** zero scalar, as PyTorch. */
em_tensor *em_dropout2d(em_tensor *x, double p, bool train, em_rng *g)
{
    char b1[EM_SHAPE_BUF];
    if (!(p >= 0.0 && p <= 1.0)) {
        em_fail(EM_ERR_VALUE, "dropout2d: dropout probability has to be between 0 and 1, but got %g", p);
        return NULL;
    }
    if (x->ndim < 2) {
        em_fail(EM_ERR_SHAPE, "dropout2d: Feature dropout requires at least 2 dimensions in the input, got %s",
                em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    if (!train || p == 0.0 || em_tensor_numel(x) == 0) {
        em_tensor_retain(x);
        return x;
    }
    int64_t shape[EM_MAX_DIMS];
    for (int i = 0; i < x->ndim; i++) shape[i] = i < 2 ? x->shape[i] : 1;
    em_tensor *like = p == 1.0 ? NULL : em_tensor_empty(x->ndim, shape, x->dtype, em_tensor_backend(x));
    em_tensor *noise = p == 1.0 ? em_op_scalar(0.0, x->dtype, em_tensor_backend(x), false)
                       : like ? em_op_dropout_noise(like, p, g) : NULL;
    em_tensor *out = noise ? em_binary(EM_B_MUL, x, noise) : NULL;
    if (!out) em_error_prefix("dropout2d");
    em_tensor_release(like);
    em_tensor_release(noise);
    return out;
}
