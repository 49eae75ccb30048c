/* nn_spatial.c — forward ops of conv1d, conv_transpose2d, adaptive
** average / max pooling, bilinear and nearest interpolation, padding and
** unfold / fold, with the backward helpers their formulas call. Every op is
** composed from the backend's required tier: conv1d runs conv2d on a
** height-1 view, conv_transpose2d is conv2d's input-gradient pass,
** bilinear and adaptive average gather along one axis at a time with
** index_select (weights and windows built on the host), nearest and
** reflect / replicate padding are index_select (index_add backward), adaptive max pooling gathers each window with
** index_select and takes the arg-max, unfold / fold are im2col / col2im.
** So no fused kernel and no fallback are needed (docs/DECISIONS.md, "A
** backend in two tiers"). Not here: autograd (autograd/grad_spatial.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn_spatial.h"
#include "ops.h"

#define RELEASE(...)                                                             \
    do {                                                                         \
        em_tensor *all_[] = {__VA_ARGS__};                                       \
        for (size_t i_ = 0; i_ < sizeof all_ / sizeof all_[0]; i_++) em_tensor_release(all_[i_]); \
    } while (0)

static void *data_of(const em_tensor *t)
{
    em_kview kv;
    em_tensor_kview(t, &kv);
    return kv.data;
}

static em_status check_float(const char *op, const em_tensor *x)
{
    if (em_dtype_is_float(x->dtype)) return EM_OK;
    return em_fail(EM_ERR_TYPE, "%s: expected a floating point input, got %s", op, em_dtype_name(x->dtype));
}

static em_status check_like(const char *op, const char *what, const em_tensor *x, const em_tensor *t)
{
    if (t->dtype == x->dtype) return em_check_same_device(op, x, t);
    return em_fail(EM_ERR_TYPE, "%s: expected %s of dtype %s (as the input), got %s", op, what,
                   em_dtype_name(x->dtype), em_dtype_name(t->dtype));
}

/* The shapes of a conv's groups, weight and bias, in PyTorch's words;
** wc: the weight dim that counts the input's channels per group (1), or 0
** for a transposed weight (whose dim 0 is the input's channels). */
static em_status check_groups(const char *op, const em_tensor *x, const em_tensor *w, const em_tensor *b,
                              int64_t G, bool transposed)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (G < 1) return em_fail(EM_ERR_VALUE, "%s: non-positive groups is not supported, got %lld", op, (long long)G);
    if (w->shape[0] < G)
        return em_fail(EM_ERR_SHAPE, "%s: Given groups=%lld, expected weight to be at least %lld at dimension 0, but "
                       "got weight of size %s instead", op, (long long)G, (long long)G,
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    if (w->shape[0] % G)
        return em_fail(EM_ERR_SHAPE, "%s: Given groups=%lld, expected weight to be divisible by %lld at dimension 0, "
                       "but got weight of size %s instead", op, (long long)G, (long long)G,
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    int64_t c = x->shape[x->ndim == w->ndim ? 1 : 0], want = w->shape[transposed ? 0 : 1], nb;
    char given[48];
    snprintf(given, sizeof given, transposed ? "transposed=1" : "groups=%lld", (long long)G);
    if (!transposed && __builtin_mul_overflow(want, G, &want)) want = -1;
    if (want != c)
        return em_fail(EM_ERR_SHAPE, "%s: Given %s, weight of size %s, expected input%s to have %lld channels, but "
                       "got %lld channels instead", op, given, em_shape_str(w->ndim, w->shape, b1, sizeof b1),
                       em_shape_str(x->ndim, x->shape, b2, sizeof b2), (long long)want, (long long)c);
    nb = transposed ? w->shape[1] * G : w->shape[0];
    if (b && (b->ndim != 1 || b->shape[0] != nb))
        return em_fail(EM_ERR_SHAPE, "%s: Given %sweight of size %s, expected bias to be 1-dimensional with %lld "
                       "elements, but got bias of size %s instead", op, transposed ? "transposed=1, " : "",
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1), (long long)nb,
                       em_shape_str(b->ndim, b->shape, b2, sizeof b2));
    return EM_OK;
}

/* --- conv1d --- */

em_conv2d_opts em_conv1d_opts(int64_t stride, int64_t pad, int64_t dilation, int64_t groups, bool same)
{
    em_conv2d_opts o = em_conv2d_defaults();
    o.stride[1] = stride;
    o.pad[1] = o.pad_end[1] = pad;
    o.dilation[1] = dilation;
    o.groups = groups;
    o.same = same;
    return o;
}

em_status em_conv1d_resolve(const em_tensor *w, em_conv2d_opts *o)
{
    if (!o->same) return EM_OK;
    if (o->stride[1] != 1)
        return em_fail(EM_ERR_VALUE, "conv1d: padding='same' is not supported for strided convolutions");
    if (w->ndim != 3) return EM_OK;   /* the shape check reports it */
    int64_t w4[4] = {w->shape[0], w->shape[1], 1, w->shape[2]};
    if (em_conv2d_resolve(w4, o)) {
        em_error_prefix("conv1d");
        return em_last_status();
    }
    return EM_OK;
}

/* conv1d's checks in its own terms, before the conv2d on views. */
static em_status conv1d_check(const em_tensor *x, const em_tensor *w, const em_tensor *b, const em_conv2d_opts *o)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (x->ndim != 2 && x->ndim != 3)
        return em_fail(EM_ERR_SHAPE, "conv1d: Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input "
                       "of size: %s", em_shape_str(x->ndim, x->shape, b1, sizeof b1));
    if (w->ndim != 3)
        return em_fail(EM_ERR_SHAPE, "conv1d: Expected %d-dimensional input for %d-dimensional weight %s, but got "
                       "3-dimensional input of size %s instead (conv1d's weight is (out_channels, in_channels / "
                       "groups, kW))", w->ndim, w->ndim, em_shape_str(w->ndim, w->shape, b1, sizeof b1),
                       em_shape_str(x->ndim, x->shape, b2, sizeof b2));
    if (check_float("conv1d", x) || check_like("conv1d", "weight", x, w) || (b && check_like("conv1d", "bias", x, b)))
        return em_last_status();
    if (o->same) return em_fail(EM_ERR_INTERNAL, "conv1d: padding='same' not resolved");
    if (check_groups("conv1d", x, w, b, o->groups, false)) return em_last_status();
    if (o->stride[1] < 1) return em_fail(EM_ERR_VALUE, "conv1d: non-positive stride is not supported");
    if (o->pad[1] < 0 || o->pad_end[1] < 0) return em_fail(EM_ERR_VALUE, "conv1d: negative padding is not supported");
    if (o->dilation[1] < 1) return em_fail(EM_ERR_VALUE, "conv1d: dilation should be greater than zero");
    int64_t padded, eff, L = x->shape[x->ndim - 1], k = w->shape[2];
    if (!__builtin_add_overflow(L, o->pad[1], &padded) && !__builtin_add_overflow(padded, o->pad_end[1], &padded) &&
        !__builtin_mul_overflow(o->dilation[1], k - 1, &eff) && !__builtin_add_overflow(eff, 1, &eff) && eff > padded)
        return em_fail(EM_ERR_SHAPE, "conv1d: Calculated padded input size per channel: (%lld). Kernel size: (%lld). "
                       "Kernel size can't be greater than actual input size", (long long)padded, (long long)eff);
    return EM_OK;
}

/* t with a height-1 dim inserted before its last dim (a view). */
static em_tensor *with_height(const em_tensor *t) { return em_op_unsqueeze(t, t->ndim - 1); }

em_tensor *em_op_conv1d(const em_tensor *x, const em_tensor *w, const em_tensor *b, const em_conv2d_opts *o)
{
    if (conv1d_check(x, w, b, o)) return NULL;
    em_tensor *x4 = with_height(x), *w4 = x4 ? with_height(w) : NULL;
    em_tensor *y4 = w4 ? em_op_conv2d(x4, w4, b, o) : NULL;
    em_tensor *y = y4 ? em_op_squeeze(y4, y4->ndim - 2, false) : NULL;
    if (!y) em_error_prefix("conv1d");
    RELEASE(x4, w4, y4);
    return y;
}

em_tensor *em_op_conv1d_grad_input(const em_tensor *g, const em_tensor *w, const int64_t x_shape[3],
                                   const em_conv2d_opts *o)
{
    int64_t x4[4] = {x_shape[0], x_shape[1], 1, x_shape[2]};
    em_tensor *g4 = with_height(g), *w4 = g4 ? with_height(w) : NULL;
    em_tensor *d4 = w4 ? em_op_conv2d_grad_input(g4, w4, 4, x4, o) : NULL;
    em_tensor *d = d4 ? em_op_squeeze(d4, 2, false) : NULL;
    RELEASE(g4, w4, d4);
    return d;
}

em_tensor *em_op_conv1d_grad_weight(const em_tensor *g, const em_tensor *x, const int64_t w_shape[3],
                                    const em_conv2d_opts *o)
{
    int64_t w4[4] = {w_shape[0], w_shape[1], 1, w_shape[2]};
    em_tensor *g4 = with_height(g), *x4 = g4 ? with_height(x) : NULL;
    em_tensor *d4 = x4 ? em_op_conv2d_grad_weight(g4, x4, w4, o) : NULL;
    em_tensor *d = d4 ? em_op_squeeze(d4, 2, false) : NULL;
    RELEASE(g4, x4, d4);
    return d;
}

/* --- conv_transpose2d --- */

/* y = conv2d's input gradient for "output" x (the adjoint of conv2d), + bias:
**   H' = (H - 1) s - 2 p + d (k - 1) + output_padding + 1 */
em_tensor *em_op_conv_transpose2d(const em_tensor *x, const em_tensor *w, const em_tensor *b,
                                  const em_conv2d_opts *o, const int64_t op_[2])
{
    const char *op = "conv_transpose2d";
    char b1[EM_SHAPE_BUF];
    if (x->ndim != 3 && x->ndim != 4) {
        em_fail(EM_ERR_SHAPE, "%s: Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input "
                "of size: %s", op, em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    if (w->ndim != 4) {
        em_fail(EM_ERR_SHAPE, "%s: expected weight with 4 dims (in_channels, out_channels / groups, kH, kW), got %s",
                op, em_shape_str(w->ndim, w->shape, b1, sizeof b1));
        return NULL;
    }
    if (check_float(op, x) || check_like(op, "weight", x, w) || (b && check_like(op, "bias", x, b)) ||
        check_groups(op, x, w, b, o->groups, true))
        return NULL;
    for (int i = 0; i < 2; i++) {
        const char *bad = o->stride[i] < 1 ? "non-positive stride" : o->pad[i] < 0 ? "negative padding"
                          : op_[i] < 0 ? "negative output_padding" : o->dilation[i] < 1 ? "non-positive dilation" : NULL;
        if (bad) {
            em_fail(EM_ERR_VALUE, "%s: %s is not supported", op, bad);
            return NULL;
        }
    }
    if ((op_[0] >= o->stride[0] && op_[0] >= o->dilation[0]) || (op_[1] >= o->stride[1] && op_[1] >= o->dilation[1])) {
        em_fail(EM_ERR_VALUE, "%s: output padding must be smaller than either stride or dilation, but got "
                "output_padding_height: %lld output_padding_width: %lld stride_height: %lld stride_width: %lld "
                "dilation_height: %lld dilation_width: %lld", op, (long long)op_[0], (long long)op_[1],
                (long long)o->stride[0], (long long)o->stride[1], (long long)o->dilation[0], (long long)o->dilation[1]);
        return NULL;
    }
    if (op_[0] >= o->stride[0] || op_[1] >= o->stride[1]) {
        em_fail(EM_ERR_VALUE, "%s: output_padding (%lld, %lld) at least the stride (%lld, %lld) (allowed by PyTorch "
                "when smaller than the dilation) is not implemented in ember", op, (long long)op_[0],
                (long long)op_[1], (long long)o->stride[0], (long long)o->stride[1]);
        return NULL;
    }
    int batched = x->ndim == 4;
    int64_t yshape[4], H = x->shape[batched + 1], W = x->shape[batched + 2], oh[2];
    for (int i = 0; i < 2; i++) {
        int64_t in = x->shape[batched + 1 + i], v;
        bool ovf = __builtin_mul_overflow(in - 1, o->stride[i], &v) || __builtin_sub_overflow(v, o->pad[i], &v) ||
                   __builtin_sub_overflow(v, o->pad_end[i], &v) ||
                   __builtin_mul_overflow(o->dilation[i], w->shape[2 + i] - 1, &oh[i]) ||
                   __builtin_add_overflow(v, oh[i], &v) || __builtin_add_overflow(v, op_[i] + 1, &v);
        if (ovf) {
            em_fail(EM_ERR_VALUE, "%s: stride, padding and dilation are too large: the output size does not fit in "
                    "64 bits", op);
            return NULL;
        }
        oh[i] = v;
    }
    if (oh[0] < 1 || oh[1] < 1) {
        em_fail(EM_ERR_SHAPE, "%s: Given input size per channel: (%lld x %lld). Calculated output size per channel: "
                "(%lld x %lld). Output size is too small", op, (long long)H, (long long)W, (long long)oh[0],
                (long long)oh[1]);
        return NULL;
    }
    if (batched) yshape[0] = x->shape[0];
    yshape[batched] = w->shape[1] * o->groups;
    yshape[batched + 1] = oh[0];
    yshape[batched + 2] = oh[1];
    em_tensor *y = em_op_conv2d_grad_input(x, w, x->ndim, yshape, o);
    if (y && b) {
        int64_t bshape[3] = {b->shape[0], 1, 1};
        em_tensor *b3 = em_op_view(b, 3, bshape);
        em_status st = b3 ? em_op_binary_(EM_B_ADD, y, b3) : em_last_status();
        em_tensor_release(b3);
        if (st != EM_OK) {
            em_tensor_release(y);
            y = NULL;
        }
    }
    if (!y) em_error_prefix(op);
    return y;
}

/* --- per-axis maps: adaptive average pooling and bilinear interpolation ---
** Both act on one axis at a time (W, then H), each output position reading
** a few input positions along that axis, found with index_select: the
** bilinear output y[i] = l0[i] x[i0[i]] + l1[i] x[i1[i]], the adaptive
** average the sum of the window's taps. Same association as PyTorch's
** kernels, no dense weights, and an inf only reaches the outputs that
** read it. */

static em_status spatial_input(const char *op, const em_tensor *x)
{
    char b1[EM_SHAPE_BUF];
    if (x->ndim != 3 && x->ndim != 4)
        return em_fail(EM_ERR_SHAPE, "%s: Expected 3D or 4D tensor, but got %s", op,
                       em_shape_str(x->ndim, x->shape, b1, sizeof b1));
    for (int d = x->ndim - 3; d < x->ndim; d++)
        if (x->shape[d] == 0)
            return em_fail(EM_ERR_SHAPE, "%s: Expected input to have non-zero size for non-batch dimensions, but "
                           "input has sizes %s with dimension %d being empty", op,
                           em_shape_str(x->ndim, x->shape, b1, sizeof b1), d + 1);
    return check_float(op, x);
}

static em_tensor *index_tensor(const int64_t *v, int64_t n, const em_backend *be)
{
    return em_op_from_host(v, 1, &n, EM_INT64, be);
}

/* n weights (doubles, already rounded as the dtype computes) as a tensor of
** dtype dt that broadcasts along axis d of an nd-dim tensor: (n) for the
** last axis, (n, 1) for the one before. */
static em_tensor *axis_weights(const double *v, int64_t n, bool last, em_dtype dt, const em_backend *be)
{
    int64_t shape[2] = {n, 1};
    em_tensor *t64 = em_op_from_host(v, last ? 1 : 2, shape, EM_FLOAT64, be);
    em_tensor *t = t64 ? em_op_to_dtype(t64, dt) : NULL;
    em_tensor_release(t64);
    return t;
}

/* adaptive windows along an axis: [floor(i in / out), ceil((i + 1) in / out)) */
static int64_t win_start(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
static int64_t win_end(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

/* The taps of an axis's adaptive windows: tab (out kmax) positions in
** [0, in], in standing for a zero past the end; len (out) the lengths. */
typedef struct adaptive_axis {
    int64_t in, out, kmax;
    em_tensor *tab, *len;
} adaptive_axis;

static em_status adaptive_axis_of(int64_t in, int64_t out, bool last, em_dtype dt, const em_backend *be,
                                  adaptive_axis *a)
{
    *a = (adaptive_axis){.in = in, .out = out};
    for (int64_t i = 0; i < out; i++) {
        int64_t n = win_end(i, in, out) - win_start(i, in, out);
        a->kmax = n > a->kmax ? n : a->kmax;
    }
    int64_t n;
    if (__builtin_mul_overflow(out, a->kmax, &n) || n > ((int64_t)1 << 40))
        return em_fail(EM_ERR_VALUE, "adaptive_avg_pool2d: the windows from %lld to %lld are too large",
                       (long long)in, (long long)out);
    int64_t *tab = malloc((size_t)n * sizeof *tab + 1);
    double *len = malloc((size_t)out * sizeof *len + 1);
    for (int64_t i = 0; tab && len && i < out; i++) {
        int64_t s = win_start(i, in, out), e = win_end(i, in, out);
        for (int64_t k = 0; k < a->kmax; k++) tab[i * a->kmax + k] = s + k < e ? s + k : in;
        len[i] = (double)(e - s);
    }
    if (tab && len) {
        a->tab = index_tensor(tab, n, be);
        a->len = a->tab ? axis_weights(len, out, last, dt, be) : NULL;
    }
    free(tab);
    free(len);
    if (a->len) return EM_OK;
    em_tensor_release(a->tab);
    a->tab = NULL;
    return tab && len ? em_last_status() : em_fail(EM_ERR_MEMORY, "adaptive_avg_pool2d: out of memory");
}

/* x's shape with axis d replaced by n (and, when k > 0, followed by k) */
static int axis_shape(const em_tensor *x, int d, int64_t n, int64_t k, int64_t *shape)
{
    int nd = 0;
    for (int i = 0; i < x->ndim; i++) {
        shape[nd++] = i == d ? n : x->shape[i];
        if (i == d && k > 0) shape[nd++] = k;
    }
    return nd;
}

/* y[.., i, ..] = sum of x along axis d over window i (x padded with one 0) */
static em_tensor *window_sums(const em_tensor *x, int d, const adaptive_axis *a)
{
    int64_t pads[4] = {0, 1, 0, 0}, shape[EM_MAX_DIMS];
    if (d == x->ndim - 2) pads[1] = 0, pads[3] = 1;
    em_tensor *xp = em_op_pad_constant(x, d == x->ndim - 2 ? 4 : 2, pads, 0.0);
    em_tensor *taps = xp ? em_op_index_select(xp, d, a->tab) : NULL;
    int nd = axis_shape(x, d, a->out, a->kmax, shape);
    em_tensor *t = taps ? em_op_view(taps, nd, shape) : NULL;
    em_tensor *y = t ? em_op_reduce(EM_R_SUM, t, 1u << (d + 1), false) : NULL;
    RELEASE(xp, taps, t);
    return y;
}

/* the adjoint of window_sums: each g[i] added to every tap of window i */
static em_tensor *window_sums_backward(const em_tensor *g, int d, const adaptive_axis *a)
{
    int64_t shape[EM_MAX_DIMS], flat[EM_MAX_DIMS], zshape[EM_MAX_DIMS];
    int nd = axis_shape(g, d, a->out, a->kmax, shape);
    axis_shape(g, d, a->out * a->kmax, 0, flat);
    axis_shape(g, d, a->in + 1, 0, zshape);
    em_tensor *g1 = em_op_unsqueeze(g, d + 1);
    em_tensor *e = g1 ? em_op_expand(g1, nd, shape) : NULL;
    em_tensor *ec = e ? em_op_contiguous(e) : NULL;
    em_tensor *ef = ec ? em_op_view(ec, g->ndim, flat) : NULL;
    em_tensor *z = ef ? em_op_full(g->ndim, zshape, 0.0, g->dtype, em_tensor_backend(g)) : NULL;
    em_tensor *acc = z ? em_op_index_add(z, d, a->tab, ef) : NULL;
    em_tensor *dx = acc ? em_op_narrow(acc, d, 0, a->in) : NULL;
    RELEASE(g1, e, ec, ef, z, acc);
    return dx;
}

/* PyTorch's kernel: the sum of each window / kh / kw */
em_tensor *em_op_adaptive_avg_pool2d(const em_tensor *x, int64_t oh, int64_t ow)
{
    if (em_adaptive_check("adaptive_avg_pool2d", x, oh, ow)) return NULL;
    const em_backend *be = em_tensor_backend(x);
    int h = x->ndim - 2, w = x->ndim - 1;
    adaptive_axis ah = {0}, aw = {0};
    em_tensor *sw = NULL, *s = NULL, *s1 = NULL, *y = NULL;
    if (adaptive_axis_of(x->shape[h], oh, false, x->dtype, be, &ah) == EM_OK &&
        adaptive_axis_of(x->shape[w], ow, true, x->dtype, be, &aw) == EM_OK) {
        sw = window_sums(x, w, &aw);
        s = sw ? window_sums(sw, h, &ah) : NULL;
        s1 = s ? em_op_binary(EM_B_DIV, s, ah.len) : NULL;
        y = s1 ? em_op_binary(EM_B_DIV, s1, aw.len) : NULL;
    }
    if (!y) em_error_prefix("adaptive_avg_pool2d");
    RELEASE(ah.tab, ah.len, aw.tab, aw.len, sw, s, s1);
    return y;
}

/* dx = the window sums' adjoint applied to g / kh / kw, along H then W */
em_tensor *em_op_adaptive_avg_pool2d_backward(const em_tensor *g, int x_ndim, const int64_t *x_shape)
{
    const em_backend *be = em_tensor_backend(g);
    int h = x_ndim - 2, w = x_ndim - 1;
    adaptive_axis ah = {0}, aw = {0};
    em_tensor *g1 = NULL, *g2 = NULL, *dh = NULL, *dx = NULL;
    if (adaptive_axis_of(x_shape[h], g->shape[h], false, g->dtype, be, &ah) == EM_OK &&
        adaptive_axis_of(x_shape[w], g->shape[w], true, g->dtype, be, &aw) == EM_OK) {
        g1 = em_op_binary(EM_B_DIV, g, ah.len);
        g2 = g1 ? em_op_binary(EM_B_DIV, g1, aw.len) : NULL;
        dh = g2 ? window_sums_backward(g2, h, &ah) : NULL;
        dx = dh ? window_sums_backward(dh, w, &aw) : NULL;
    }
    RELEASE(ah.tab, ah.len, aw.tab, aw.len, g1, g2, dh);
    return dx;
}

/* v rounded as the input's dtype computes it (float32: PyTorch's scalar_t) */
static double rnd(double v, bool f32) { return f32 ? (double)(float)v : v; }

/* The two taps of each output along an axis and their weights. */
typedef struct bilinear_axis {
    em_tensor *i0, *i1, *l0, *l1;
} bilinear_axis;

static void bilinear_release(bilinear_axis *a) { RELEASE(a->i0, a->i1, a->l0, a->l1); }

/* PyTorch's upsample rule for one axis (in -> out):
**   scale = align ? (in - 1) / (out - 1) (0 for out = 1) : scale_factor ? 1 / scale_factor : in / out
**   src = align ? scale i : max(scale (i + 0.5) - 0.5, 0)
**   i0 = floor(src), i1 = i0 + (i0 < in - 1), l1 = src - i0, l0 = 1 - l1 */
static em_status bilinear_axis_of(int64_t in, int64_t out, double scale_factor, bool align, bool last, em_dtype dt,
                                  const em_backend *be, bilinear_axis *a)
{
    *a = (bilinear_axis){0};
    bool f32 = dt == EM_FLOAT32;
    int64_t *idx = malloc(2 * (size_t)out * sizeof *idx + 1);
    double *lam = malloc(2 * (size_t)out * sizeof *lam + 1);
    if (!idx || !lam) {
        free(idx);
        free(lam);
        return em_fail(EM_ERR_MEMORY, "upsample_bilinear2d: out of memory");
    }
    double scale = align ? (out > 1 ? rnd(rnd((double)(in - 1), f32) / rnd((double)(out - 1), f32), f32) : 0.0)
                   : scale_factor > 0 ? rnd(1.0 / scale_factor, f32)
                   : rnd(rnd((double)in, f32) / rnd((double)out, f32), f32);
    for (int64_t i = 0; i < out; i++) {
        double src = align ? rnd(scale * rnd((double)i, f32), f32) : rnd(scale * ((double)i + 0.5) - 0.5, f32);
        if (src < 0) src = 0;
        int64_t i0 = (int64_t)src;
        double l1 = rnd(src - (double)i0, f32);
        l1 = l1 < 1 ? l1 : 1;
        idx[i] = i0;
        idx[out + i] = i0 + (i0 < in - 1 ? 1 : 0);
        lam[i] = rnd(1.0 - l1, f32);
        lam[out + i] = l1;
    }
    a->i0 = index_tensor(idx, out, be);
    a->i1 = a->i0 ? index_tensor(idx + out, out, be) : NULL;
    a->l0 = a->i1 ? axis_weights(lam, out, last, dt, be) : NULL;
    a->l1 = a->l0 ? axis_weights(lam + out, out, last, dt, be) : NULL;
    free(idx);
    free(lam);
    if (a->l1) return EM_OK;
    bilinear_release(a);
    return em_last_status();
}

/* y[.., i, ..] = l0[i] x[.., i0[i], ..] + l1[i] x[.., i1[i], ..] along axis d */
static em_tensor *lerp_axis(const em_tensor *x, int d, const bilinear_axis *a)
{
    em_tensor *x0 = em_op_index_select(x, d, a->i0), *x1 = x0 ? em_op_index_select(x, d, a->i1) : NULL;
    em_tensor *t0 = x1 ? em_op_binary(EM_B_MUL, a->l0, x0) : NULL, *t1 = t0 ? em_op_binary(EM_B_MUL, a->l1, x1) : NULL;
    em_tensor *y = t1 ? em_op_binary(EM_B_ADD, t0, t1) : NULL;
    RELEASE(x0, x1, t0, t1);
    return y;
}

/* the adjoint of lerp_axis: dx[.., i0[i], ..] += l0[i] g[.., i, ..], likewise i1, l1 */
static em_tensor *lerp_axis_backward(const em_tensor *g, int d, int64_t in, const bilinear_axis *a)
{
    int64_t shape[EM_MAX_DIMS];
    axis_shape(g, d, in, 0, shape);
    em_tensor *z = em_op_full(g->ndim, shape, 0.0, g->dtype, em_tensor_backend(g));
    em_tensor *g0 = z ? em_op_binary(EM_B_MUL, a->l0, g) : NULL, *g1 = g0 ? em_op_binary(EM_B_MUL, a->l1, g) : NULL;
    em_tensor *d0 = g1 ? em_op_index_add(z, d, a->i0, g0) : NULL;
    em_tensor *dx = d0 ? em_op_index_add(d0, d, a->i1, g1) : NULL;
    RELEASE(z, g0, g1, d0);
    return dx;
}

em_tensor *em_op_upsample_bilinear2d(const em_tensor *x, int64_t oh, int64_t ow, const double scales[2],
                                     bool align_corners)
{
    char b1[EM_SHAPE_BUF];
    if (x->ndim != 4) {
        em_fail(EM_ERR_SHAPE, "upsample_bilinear2d: Got %dD input, but bilinear mode needs 4D input (shape %s)",
                x->ndim, em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    int64_t H = x->shape[2], W = x->shape[3];
    if (H < 1 || W < 1 || oh < 1 || ow < 1) {
        em_fail(EM_ERR_SHAPE, "upsample_bilinear2d: Input and output sizes should be greater than 0, but got input "
                "(H: %lld, W: %lld) output (H: %lld, W: %lld)", (long long)H, (long long)W, (long long)oh,
                (long long)ow);
        return NULL;
    }
    if (check_float("upsample_bilinear2d", x)) return NULL;
    const em_backend *be = em_tensor_backend(x);
    bilinear_axis ah = {0}, aw = {0};
    em_tensor *t = NULL, *y = NULL;
    /* as PyTorch: h0l (w0l x00 + w1l x01) + h1l (w0l x10 + w1l x11) */
    if (bilinear_axis_of(H, oh, scales[0], align_corners, false, x->dtype, be, &ah) == EM_OK &&
        bilinear_axis_of(W, ow, scales[1], align_corners, true, x->dtype, be, &aw) == EM_OK) {
        t = lerp_axis(x, 3, &aw);
        y = t ? lerp_axis(t, 2, &ah) : NULL;
    }
    bilinear_release(&ah);
    bilinear_release(&aw);
    em_tensor_release(t);
    return y;
}

em_tensor *em_op_upsample_bilinear2d_backward(const em_tensor *g, int x_ndim, const int64_t *x_shape,
                                              const double scales[2], bool align_corners)
{
    const em_backend *be = em_tensor_backend(g);
    int h = x_ndim - 2, w = x_ndim - 1;
    bilinear_axis ah = {0}, aw = {0};
    em_tensor *dt = NULL, *dx = NULL;
    if (bilinear_axis_of(x_shape[h], g->shape[h], scales[0], align_corners, false, g->dtype, be, &ah) == EM_OK &&
        bilinear_axis_of(x_shape[w], g->shape[w], scales[1], align_corners, true, g->dtype, be, &aw) == EM_OK) {
        dt = lerp_axis_backward(g, h, x_shape[h], &ah);
        dx = dt ? lerp_axis_backward(dt, w, x_shape[w], &aw) : NULL;
    }
    bilinear_release(&ah);
    bilinear_release(&aw);
    em_tensor_release(dt);
    return dx;
}

/* --- index maps of the last two dims --- */

em_tensor *em_op_index2d(const em_tensor *x, const em_tensor *ih, const em_tensor *iw)
{
    em_tensor *a = ih ? em_op_index_select(x, x->ndim - 2, ih) : (em_tensor_retain((em_tensor *)x), (em_tensor *)x);
    em_tensor *y = a && iw ? em_op_index_select(a, x->ndim - 1, iw) : a;
    if (y != a) em_tensor_release(a);
    return y;
}

/* dx = zeros with g added back where each element came from: index_add along
** the last dim (iw), then along the one before (ih) */
em_tensor *em_op_index2d_backward(const em_tensor *g, const em_tensor *ih, const em_tensor *iw, int x_ndim,
                                  const int64_t *x_shape)
{
    const em_backend *be = em_tensor_backend(g);
    int64_t mid[EM_MAX_DIMS];
    memcpy(mid, g->shape, sizeof(int64_t) * (size_t)g->ndim);
    mid[x_ndim - 1] = x_shape[x_ndim - 1];
    em_tensor *z1 = iw ? em_op_full(x_ndim, mid, 0.0, g->dtype, be) : NULL;
    em_tensor *a = iw ? (z1 ? em_op_index_add(z1, x_ndim - 1, iw, g) : NULL)
                      : (em_tensor_retain((em_tensor *)g), (em_tensor *)g);
    em_tensor *z2 = a && ih ? em_op_full(x_ndim, x_shape, 0.0, g->dtype, be) : NULL;
    em_tensor *dx = !ih ? a : z2 ? em_op_index_add(z2, x_ndim - 2, ih, a) : NULL;
    if (dx != a) em_tensor_release(a);
    RELEASE(z1, z2);
    return dx;
}

/* PyTorch's nearest_idx / nearest_exact_idx (UpSample.h), scale in float32 */
em_tensor *em_op_nearest_index(int64_t in, int64_t out, double scale_factor, bool exact, const em_backend *be)
{
    int64_t *v = malloc((size_t)out * sizeof *v + 1);
    if (!v) {
        em_fail(EM_ERR_MEMORY, "upsample_nearest2d: out of memory");
        return NULL;
    }
    float scale = scale_factor > 0 ? (float)(1.0 / scale_factor) : (float)in / (float)out;
    for (int64_t i = 0; i < out; i++) {
        int64_t s;
        if (exact) s = (int64_t)floorf((float)(((double)i + 0.5) * scale));
        else if (out == in) s = i;
        else if (out == 2 * in) s = i >> 1;
        else s = (int64_t)floorf((float)i * scale);
        v[i] = s < in - 1 ? s : in - 1;
    }
    em_tensor *t = index_tensor(v, out, be);
    free(v);
    return t;
}

em_tensor *em_op_pad_index(int64_t in, int64_t pl, int64_t pr, bool reflect, const em_backend *be)
{
    int64_t out = in + pl + pr;
    int64_t *v = malloc((size_t)(out > 0 ? out : 0) * sizeof *v + 1);
    if (!v) {
        em_fail(EM_ERR_MEMORY, "pad: out of memory");
        return NULL;
    }
    for (int64_t o = 0; o < out; o++) {
        int64_t i = o - pl;
        if (reflect) {
            if (i < 0) i = -i;
            if (i >= in) i = 2 * (in - 1) - i;
        } else {
            i = i < 0 ? 0 : i >= in ? in - 1 : i;
        }
        v[o] = i;
    }
    em_tensor *t = index_tensor(v, out, be);
    free(v);
    return t;
}

/* --- adaptive max pooling --- */

em_status em_adaptive_check(const char *op, const em_tensor *x, int64_t oh, int64_t ow)
{
    if (spatial_input(op, x)) return em_last_status();
    if (oh < 0 || ow < 0)
        return em_fail(EM_ERR_VALUE, "%s: output_size must be non-negative, got (%lld, %lld)", op, (long long)oh,
                       (long long)ow);
    int64_t H = x->shape[x->ndim - 2], W = x->shape[x->ndim - 1], t;
    if (__builtin_mul_overflow(oh + 1, H, &t) || __builtin_mul_overflow(ow + 1, W, &t) ||
        __builtin_mul_overflow(oh, ow, &t) || t > ((int64_t)1 << 40))
        return em_fail(EM_ERR_VALUE, "%s: output_size (%lld, %lld) is too large", op, (long long)oh, (long long)ow);
    return EM_OK;
}

/* Each window's taps k (kh_max kw_max of them, row-major) gathered from the
** planes padded with one -inf column: col (P, K, L), then the arg-max over
** K with the pooling rule (ties: the first; NaN: the last NaN), and the
** tap's position in its plane looked up in the same table:
**   table[k L + l] = (hs + a) W + ws + b for tap k = (a, b) inside window l, H W outside */
em_status em_op_adaptive_max_pool2d(const em_tensor *x, int64_t oh, int64_t ow, em_tensor **out,
                                    em_tensor **indices)
{
    *out = *indices = NULL;
    if (em_adaptive_check("adaptive_max_pool2d", x, oh, ow)) return em_last_status();
    const em_backend *be = em_tensor_backend(x);
    int64_t H = x->shape[x->ndim - 2], W = x->shape[x->ndim - 1], L = oh * ow, HW = H * W;
    int64_t P = HW ? em_tensor_numel(x) / HW : 0, kmh = 0, kmw = 0;
    int64_t oshape[4];
    memcpy(oshape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    oshape[x->ndim - 2] = oh;
    oshape[x->ndim - 1] = ow;
    if (L == 0 || P == 0) {
        *out = em_tensor_empty(x->ndim, oshape, x->dtype, be);
        *indices = *out ? em_tensor_empty(x->ndim, oshape, EM_INT64, be) : NULL;
        return *indices ? EM_OK : em_last_status();
    }
    for (int64_t i = 0; i < oh; i++) {
        int64_t n = win_end(i, H, oh) - win_start(i, H, oh);
        kmh = n > kmh ? n : kmh;
    }
    for (int64_t j = 0; j < ow; j++) {
        int64_t n = win_end(j, W, ow) - win_start(j, W, ow);
        kmw = n > kmw ? n : kmw;
    }
    int64_t K = kmh * kmw, KL, cells;
    if (__builtin_mul_overflow(K, L, &KL) || __builtin_mul_overflow(KL, P, &cells) || cells > ((int64_t)1 << 46))
        return em_fail(EM_ERR_VALUE, "adaptive_max_pool2d: the windows of output_size (%lld, %lld) are too large",
                       (long long)oh, (long long)ow);
    int64_t *table = malloc((size_t)KL * sizeof *table);
    if (!table) return em_fail(EM_ERR_MEMORY, "adaptive_max_pool2d: out of memory");
    for (int64_t k = 0; k < K; k++) {
        int64_t a = k / kmw, b = k % kmw;
        for (int64_t l = 0; l < L; l++) {
            int64_t i = l / ow, j = l % ow, hs = win_start(i, H, oh), ws = win_start(j, W, ow);
            bool in = a < win_end(i, H, oh) - hs && b < win_end(j, W, ow) - ws;
            table[k * L + l] = in ? (hs + a) * W + ws + b : HW;
        }
    }
    int64_t pshape[2] = {P, HW + 1}, xshape[2] = {P, HW}, cshape[3] = {P, K, L};
    int64_t *ar = malloc((size_t)L * sizeof *ar);
    for (int64_t l = 0; ar && l < L; l++) ar[l] = l;
    em_tensor *tab = ar ? index_tensor(table, KL, be) : NULL, *arl = tab ? index_tensor(ar, L, be) : NULL;
    free(table);
    free(ar);
    em_tensor *xp = arl ? em_op_full(2, pshape, -INFINITY, x->dtype, be) : NULL;
    em_tensor *inside = xp ? em_op_narrow(xp, 1, 0, HW) : NULL;
    em_tensor *x2 = inside ? em_op_reshape(x, 2, xshape) : NULL;
    em_tensor *cols = x2 && em_op_copy_(inside, x2) == EM_OK ? em_op_index_select(xp, 1, tab) : NULL;
    em_tensor *col = cols ? em_op_view(cols, 3, cshape) : NULL, *vals = NULL, *kf = NULL;
    em_status st = col ? em_op_reduce_dim_idx(EM_R_MAX, col, 1, false, &vals, &kf) : em_last_status();
    em_tensor *k = st == EM_OK ? em_op_pool_argmax_nan(col, kf) : NULL;
    em_tensor *kl = k ? em_op_binary_scalar(EM_B_MUL, k, (double)L) : NULL;
    em_tensor *flat = kl ? em_op_binary(EM_B_ADD, kl, arl) : NULL;   /* k L + l */
    int64_t n_flat = P * L;
    em_tensor *flat1 = flat ? em_op_view(flat, 1, &n_flat) : NULL;
    em_tensor *pos = flat1 ? em_op_index_select(tab, 0, flat1) : NULL;
    *out = pos ? em_op_reshape(vals, x->ndim, oshape) : NULL;
    *indices = *out ? em_op_view(pos, x->ndim, oshape) : NULL;
    if (!*indices) {
        st = em_last_status();
        em_tensor_release(*out);
        *out = NULL;
        if (st == EM_OK) st = em_fail(EM_ERR_MEMORY, "adaptive_max_pool2d: out of memory");
    }
    RELEASE(tab, arl, xp, inside, x2, cols, col, vals, kf, k, kl, flat, flat1, pos);
    return *indices ? EM_OK : st;
}

/* --- constant padding --- */

em_tensor *em_op_pad_constant(const em_tensor *x, int n, const int64_t *pads, double value)
{
    if (n % 2) {
        em_fail(EM_ERR_VALUE, "pad: Padding length must be divisible by 2");
        return NULL;
    }
    if (n / 2 > x->ndim) {
        em_fail(EM_ERR_VALUE, "pad: Padding length too large (%d values pad %d dims; the input has %d)", n, n / 2,
                x->ndim);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS];
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    for (int i = 0; i < n / 2; i++) {
        int d = x->ndim - 1 - i;
        int64_t l = pads[2 * i], r = pads[2 * i + 1], s;
        if (__builtin_add_overflow(x->shape[d], l, &s) || __builtin_add_overflow(s, r, &s)) {
            em_fail(EM_ERR_VALUE, "pad: padding (%lld, %lld) of dim %d is too large", (long long)l, (long long)r, d + 1);
            return NULL;
        }
        if (s < 0) {
            em_fail(EM_ERR_VALUE, "pad: The input size %lld, plus negative padding %lld and %lld resulted in a negative "
                    "output size, which is invalid. Check dimension %d of your input.", (long long)x->shape[d],
                    (long long)l, (long long)r, d + 1);
            return NULL;
        }
        shape[d] = s;
    }
    em_tensor *y = em_op_full(x->ndim, shape, value, x->dtype, em_tensor_backend(x));
    if (!y || em_shape_numel("pad", x->ndim, shape) == 0) return y;
    /* the part of x that survives, copied to where it lands in y */
    em_tensor *src = (em_tensor_retain((em_tensor *)x), (em_tensor *)x), *dst = (em_tensor_retain(y), y);
    bool empty = false;
    for (int i = 0; src && dst && i < n / 2; i++) {
        int d = x->ndim - 1 - i;
        int64_t l = pads[2 * i], r = pads[2 * i + 1], in = x->shape[d];
        int64_t s0 = l < 0 ? -l : 0, len = in - s0 - (r < 0 ? -r : 0);
        if (len <= 0) {
            empty = true;
            break;
        }
        em_tensor *ns = em_op_narrow(src, d, s0, len), *nd = ns ? em_op_narrow(dst, d, l > 0 ? l : 0, len) : NULL;
        RELEASE(src, dst);
        src = ns;
        dst = nd;
    }
    em_status st = !src || !dst ? em_last_status() : empty ? EM_OK : em_op_copy_(dst, src);
    RELEASE(src, dst);
    if (st != EM_OK) {
        em_tensor_release(y);
        return NULL;
    }
    return y;
}

/* --- unfold / fold --- */

/* The number of sliding blocks along one axis, or -1 past int64. */
static int64_t blocks(int64_t size, int64_t k, int64_t d, int64_t p, int64_t s)
{
    int64_t v, e;
    if (s < 1 || k < 1 || d < 1 || p < 0) return 1;   /* em_window2d_of reports these */
    if (__builtin_mul_overflow(p, 2, &v) || __builtin_add_overflow(v, size, &v) ||
        __builtin_mul_overflow(d, k - 1, &e) || __builtin_sub_overflow(v, e + 1, &v))
        return -1;
    return v < 0 ? 0 : v / s + 1;
}

static em_status fold_window(const char *op, int64_t n, int64_t c, int64_t h, int64_t w, const em_fold_opts *o,
                             em_window2d *g)
{
    int64_t shape[4] = {n, c, h, w};
    int64_t bh = blocks(h, o->kernel[0], o->dilation[0], o->pad[0], o->stride[0]);
    int64_t bw = blocks(w, o->kernel[1], o->dilation[1], o->pad[1], o->stride[1]);
    if (bh == 0 || bw == 0 || (bh < 0 && bw < 0))
        return em_fail(EM_ERR_SHAPE, "%s: Given input with spatial size (%lld, %lld), kernel_size=(%lld, %lld), "
                       "dilation=(%lld, %lld), padding=(%lld, %lld), calculated shape of the array of sliding blocks "
                       "as (%lld, %lld), but its components must be at least one.", op, (long long)h, (long long)w,
                       (long long)o->kernel[0], (long long)o->kernel[1], (long long)o->dilation[0],
                       (long long)o->dilation[1], (long long)o->pad[0], (long long)o->pad[1], (long long)bh,
                       (long long)bw);
    if (em_window2d_of(op, 4, shape, o->kernel, o->stride, o->pad, o->dilation, g)) return em_last_status();
    int64_t cshape[3] = {g->c, g->kh * g->kw, g->oh * g->ow}, t;
    if (__builtin_mul_overflow(cshape[0], cshape[1], &t) || __builtin_mul_overflow(t, cshape[2], &t) ||
        __builtin_mul_overflow(t, n > 0 ? n : 1, &t) || t > ((int64_t)1 << 46))
        return em_fail(EM_ERR_VALUE, "%s: the columns would have more than 2^46 elements", op);
    return EM_OK;
}

em_tensor *em_op_unfold(const em_tensor *x, const em_fold_opts *o)
{
    char b1[EM_SHAPE_BUF];
    if (x->ndim != 3 && x->ndim != 4) {
        em_fail(EM_ERR_SHAPE, "unfold: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                "non-zero dimensions for input, but got: %s", em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    if (check_float("unfold", x)) return NULL;
    bool batched = x->ndim == 4;
    em_window2d g;
    if (fold_window("unfold", batched ? x->shape[0] : 1, x->shape[batched], x->shape[batched + 1],
                    x->shape[batched + 2], o, &g))
        return NULL;
    int64_t shape[3] = {g.n, g.c * g.kh * g.kw, g.oh * g.ow};
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = em_op_contiguous(x);
    em_tensor *col = xc ? em_tensor_empty(2 + batched, shape + !batched, x->dtype, be) : NULL;
    if (col && em_tensor_numel(col) > 0 && be->im2col(x->dtype, &g, data_of(xc), data_of(col)) != EM_OK) {
        em_tensor_release(col);
        col = NULL;
    }
    em_tensor_release(xc);
    return col;
}

em_tensor *em_op_fold(const em_tensor *x, const int64_t out_size[2], const em_fold_opts *o)
{
    char b1[EM_SHAPE_BUF];
    if (x->ndim != 2 && x->ndim != 3) {
        em_fail(EM_ERR_SHAPE, "fold: Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero "
                "dimensions for input, but got: %s", em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    if (check_float("fold", x)) return NULL;
    bool batched = x->ndim == 3;
    int64_t ck = x->shape[batched], L = x->shape[batched + 1], kk;
    if (o->kernel[0] < 1 || o->kernel[1] < 1 || __builtin_mul_overflow(o->kernel[0], o->kernel[1], &kk)) {
        em_fail(EM_ERR_VALUE, "fold: kernel size should be greater than zero, but got kH: %lld kW: %lld",
                (long long)o->kernel[0], (long long)o->kernel[1]);
        return NULL;
    }
    if (ck % kk) {
        em_fail(EM_ERR_SHAPE, "fold: Expected size of input's dimension %d to be divisible by the product of "
                "kernel_size, but got input.size(%d)=%lld and kernel_size=(%lld, %lld).", batched + 1, batched + 1,
                (long long)ck, (long long)o->kernel[0], (long long)o->kernel[1]);
        return NULL;
    }
    if (out_size[0] < 1 || out_size[1] < 1) {
        em_fail(EM_ERR_VALUE, "fold: output_size must be positive, got (%lld, %lld)", (long long)out_size[0],
                (long long)out_size[1]);
        return NULL;
    }
    em_window2d g;
    if (fold_window("fold", batched ? x->shape[0] : 1, ck / kk, out_size[0], out_size[1], o, &g)) return NULL;
    if (g.oh * g.ow != L) {
        em_fail(EM_ERR_SHAPE, "fold: Given output_size=(%lld, %lld), kernel_size=(%lld, %lld), dilation=(%lld, %lld), "
                "padding=(%lld, %lld), stride=(%lld, %lld), expected size of input's dimension %d to match the "
                "calculated number of sliding blocks %lld * %lld = %lld, but got input.size(%d)=%lld.",
                (long long)out_size[0], (long long)out_size[1], (long long)o->kernel[0], (long long)o->kernel[1],
                (long long)o->dilation[0], (long long)o->dilation[1], (long long)o->pad[0], (long long)o->pad[1],
                (long long)o->stride[0], (long long)o->stride[1], batched + 2, (long long)g.oh, (long long)g.ow,
                (long long)(g.oh * g.ow), batched + 2, (long long)L);
        return NULL;
    }
    int64_t shape[4] = {g.n, g.c, g.h, g.w};
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = em_op_contiguous(x);
    em_tensor *y = xc ? em_tensor_empty(3 + batched, shape + !batched, x->dtype, be) : NULL;
    em_status st = !y ? em_last_status()
                   : em_tensor_numel(y) == 0 ? EM_OK
                   : em_tensor_numel(xc) == 0 ? em_op_fill_(y, 0.0)
                   : be->col2im(x->dtype, &g, data_of(xc), data_of(y));
    em_tensor_release(xc);
    if (st != EM_OK) {
        em_tensor_release(y);
        return NULL;
    }
    return y;
}
