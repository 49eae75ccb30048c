/* nn.c — forward ops of linear, conv2d, max/avg pooling and softmax, and
** the backward helpers of conv2d and pooling: shape checks, allocation and
** calls to the backend's gemm and nn kernels. conv2d is the backend's
** convolution library when it takes the case, else im2col + a gemm per
** group batched over the images; avg_pool2d reuses im2col/col2im. Every
** window's sizes are checked in 64 bits here, before any kernel indexes
** with them. The losses, batch norm and random masks are in nn_loss.c;
** autograd in grad_nn.c.
** The fused kernels (conv2d, max_pool2d and its backward, softmax,
** channel_affine) are optional in the backend (backend.h): each call asks
** em_backend_supports once and otherwise runs the composed version written
** next to it from the required tier (same results up to float rounding). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"
#include "ops.h"

/* Columns are built for a few images at a time (at least one): ~256K
** elements (1 MB of float32) stay in L2 cache between im2col and the gemm. */
#define COL_BUDGET ((int64_t)1 << 18)

static void *data_of(const em_tensor *t)
{
    em_kview kv;
    em_tensor_kview(t, &kv);
    return kv.data;
}

static em_status check_float(const char *op, const char *what, const em_tensor *t)
{
    if (em_dtype_is_float(t->dtype)) return EM_OK;
    return em_fail(EM_ERR_TYPE, "%s: expected a floating point %s, got %s", op, what, em_dtype_name(t->dtype));
}

static em_status check_same_dtype(const char *op, const char *what, const em_tensor *x, const em_tensor *t)
{
    if (t->dtype == x->dtype) return em_check_same_device(op, x, t);
    return em_fail(EM_ERR_TYPE, "%s: expected %s of dtype %s (as the input), got %s", op, what,
                   em_dtype_name(x->dtype), em_dtype_name(t->dtype));
}

/* Finds a BLAS layout (transposed or not, leading dimension) for a 2-D
** tensor; false when neither fits (then the caller copies). */
static bool mat_layout(const em_tensor *t, bool *trans, int64_t *ld)
{
    int64_t r = t->shape[0], c = t->shape[1], sr = t->stride[0], sc = t->stride[1];
    if ((c <= 1 || sc == 1) && (r <= 1 || sr >= (c > 1 ? c : 1))) {
        *trans = false;
        *ld = r <= 1 ? (c > 1 ? c : 1) : sr;
        return true;
    }
    if ((r <= 1 || sr == 1) && (c <= 1 || sc >= (r > 1 ? r : 1))) {
        *trans = true;
        *ld = c <= 1 ? (r > 1 ? r : 1) : sc;
        return true;
    }
    return false;
}

/* t itself (retained) when mat_layout fits, else a contiguous copy. */
static em_tensor *blas_ready(const em_tensor *t, bool *trans, int64_t *ld)
{
    if (mat_layout(t, trans, ld)) {
        em_tensor_retain((em_tensor *)t);
        return (em_tensor *)t;
    }
    em_tensor *c = em_op_clone(t);
    if (c) mat_layout(c, trans, ld);
    return c;
}

/* --- linear --- */

em_tensor *em_op_linear(const em_tensor *x, const em_tensor *w, const em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (x->ndim != 2 || w->ndim != 2 || x->shape[1] != w->shape[1]) {
        em_fail(EM_ERR_SHAPE, "linear: input %s and weight %s do not fit: expected input (N, in_features) and "
                "weight (out_features, in_features)", em_shape_str(x->ndim, x->shape, b1, sizeof b1),
                em_shape_str(w->ndim, w->shape, b2, sizeof b2));
        return NULL;
    }
    if (check_same_dtype("linear", "weight", x, w) || (b && check_same_dtype("linear", "bias", x, b)))
        return NULL;
    if (x->dtype == EM_BOOL || x->dtype == EM_UINT8) {
        em_fail(EM_ERR_TYPE, "linear: not implemented for %s tensors", em_dtype_name(x->dtype));
        return NULL;
    }
    int64_t m = x->shape[0], in = x->shape[1], out_f = w->shape[0];
    if (b && (b->ndim != 1 || b->shape[0] != out_f)) {
        em_fail(EM_ERR_SHAPE, "linear: expected bias of shape [%lld] (out_features), got %s", (long long)out_f,
                em_shape_str(b->ndim, b->shape, b1, sizeof b1));
        return NULL;
    }
    bool ta, tw;
    int64_t lda, ldw;
    em_tensor *xa = blas_ready(x, &ta, &lda);
    em_tensor *wa = xa ? blas_ready(w, &tw, &ldw) : NULL;
    int64_t shape[2] = {m, out_f};
    em_tensor *out = wa ? em_tensor_empty(2, shape, x->dtype, em_tensor_backend(x)) : NULL;
    bool ok = out && (!b || em_op_copy_(out, b) == EM_OK);
    /* out = x @ w^T: w (out, in) read transposed, i.e. with its flag flipped */
    if (ok)
        ok = em_tensor_backend(x)->gemm(x->dtype, ta, !tw, m, out_f, in, 1.0, data_of(xa), lda, 0, data_of(wa),
                                        ldw, 0, b ? 1.0 : 0.0, data_of(out), out_f, 0, 1) == EM_OK;
    em_tensor_release(xa);
    em_tensor_release(wa);
    if (!ok) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* --- window geometry, checked in 64 bits ---
** Sizes typed by a user (padding, dilation, stride) can be anything up to
** 2^63: every sum and product of a window is checked, and every buffer a
** window implies (output, columns) must stay within the 2^46 elements a
** tensor may hold, so the kernels' index arithmetic cannot overflow. */

#define MAX_ELEMS ((int64_t)1 << 46)   /* core/tensor.c's limit on a tensor */

/* Floor division for output sizes (the numerator may be negative). */
static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* The product of n sizes when it is at most MAX_ELEMS, else -1. */
static int64_t capped_product(int n, const int64_t *v)
{
    int64_t p = 1;
    for (int i = 0; i < n; i++) {
        if (v[i] == 0) return 0;
        if (v[i] < 0 || __builtin_mul_overflow(p, v[i], &p) || p > MAX_ELEMS) {
            for (int j = i + 1; j < n; j++)
                if (v[j] == 0) return 0;
            return -1;
        }
    }
    return p;
}

static em_status too_large(const char *op, const char *what, int n, const int64_t *shape)
{
    char b1[EM_SHAPE_BUF];
    return em_fail(EM_ERR_VALUE, "%s: the %s would have size %s, more than 2^46 elements (check the padding, "
                   "stride and dilation)", op, what, em_shape_str(n, shape, b1, sizeof b1));
}

/* One axis of a window: input size h, kernel k, stride s, padding p0 before
** and p1 after, dilation d. *padded = h + p0 + p1, *eff = d (k - 1) + 1, and
** *out = (padded - eff [+ s - 1 with ceil]) / s + 1, rounded down; with
** ceil_mode the last window must start inside the input or the left
** padding (PyTorch's pooling_output_shape). False when a sum or product
** overflows int64 (the values are then meaningless). */
static bool axis_size(int64_t h, int64_t k, int64_t s, int64_t p0, int64_t p1, int64_t d, bool ceil_mode,
                      int64_t *padded, int64_t *eff, int64_t *out)
{
    int64_t num;
    if (__builtin_add_overflow(h, p0, padded) || __builtin_add_overflow(*padded, p1, padded) ||
        __builtin_mul_overflow(d, k - 1, eff) || __builtin_add_overflow(*eff, 1, eff) ||
        __builtin_sub_overflow(*padded, *eff, &num) || (ceil_mode && __builtin_add_overflow(num, s - 1, &num)))
        return false;
    *out = floor_div(num, s) + 1;
    if (ceil_mode && *out > 1 && (*out - 1) * s >= h + p0) --*out;
    return true;
}

/* The window of a conv/pool over x's shape (C, H, W last, batch in front or
** 1): output size and the checks every window shares (positive kernel,
** stride, dilation, non-negative padding, sizes that fit). The messages are
** PyTorch's where it has one; `pool` picks its pooling wording. */
static em_status window_of(const char *op, bool pool, int x_ndim, const int64_t *x_shape, const int64_t k[2],
                           const int64_t s[2], const int64_t p[2], const int64_t p_end[2], const int64_t d[2],
                           bool ceil_mode, em_window2d *g)
{
    char b1[EM_SHAPE_BUF];
    if (k[0] < 1 || k[1] < 1)
        return em_fail(EM_ERR_VALUE, "%s: kernel size should be greater than zero, but got kH: %lld kW: %lld", op,
                       (long long)k[0], (long long)k[1]);
    if (s[0] < 1 || s[1] < 1)
        return pool ? em_fail(EM_ERR_VALUE, "%s: stride should be greater than zero, but got dH: %lld dW: %lld", op,
                              (long long)s[0], (long long)s[1])
                    : em_fail(EM_ERR_VALUE, "%s: non-positive stride is not supported, got (%lld, %lld)", op,
                              (long long)s[0], (long long)s[1]);
    if (p[0] < 0 || p[1] < 0 || p_end[0] < 0 || p_end[1] < 0)
        return pool ? em_fail(EM_ERR_VALUE, "%s: pad must be non-negative, but got pad: (%lld, %lld)", op,
                              (long long)p[0], (long long)p[1])
                    : em_fail(EM_ERR_VALUE, "%s: negative padding is not supported, got (%lld, %lld)", op,
                              (long long)p[0], (long long)p[1]);
    if (d[0] < 1 || d[1] < 1)
        return pool ? em_fail(EM_ERR_VALUE, "%s: dilation should be greater than zero, but got dilationH: %lld "
                              "dilationW: %lld", op, (long long)d[0], (long long)d[1])
                    : em_fail(EM_ERR_VALUE, "%s: dilation should be greater than zero, but got [%lld, %lld]", op,
                              (long long)d[0], (long long)d[1]);
    bool batched = x_ndim == 4;
    *g = (em_window2d){.n = batched ? x_shape[0] : 1, .c = x_shape[batched], .h = x_shape[batched + 1],
                       .w = x_shape[batched + 2], .kh = k[0], .kw = k[1], .sh = s[0], .sw = s[1], .ph = p[0],
                       .pw = p[1], .dh = d[0], .dw = d[1], .groups = 1};
    int64_t ph, pw, eh, ew;
    if (!axis_size(g->h, k[0], s[0], p[0], p_end[0], d[0], ceil_mode, &ph, &eh, &g->oh) ||
        !axis_size(g->w, k[1], s[1], p[1], p_end[1], d[1], ceil_mode, &pw, &ew, &g->ow))
        return em_fail(EM_ERR_VALUE, "%s: padding (%lld, %lld), dilation (%lld, %lld) and kernel (%lld, %lld) "
                       "are too large: the window's size does not fit in 64 bits", op, (long long)p[0],
                       (long long)p[1], (long long)d[0], (long long)d[1], (long long)k[0], (long long)k[1]);
    if (pool && (g->oh < 1 || g->ow < 1))
        return em_fail(EM_ERR_SHAPE, "%s: Given input size: (%lldx%lldx%lld). Calculated output size: "
                       "(%lldx%lldx%lld). Output size is too small", op, (long long)g->c, (long long)g->h,
                       (long long)g->w, (long long)g->c, (long long)(g->oh > 0 ? g->oh : 0),
                       (long long)(g->ow > 0 ? g->ow : 0));
    if (!pool && (g->oh < 1 || g->ow < 1))
        return em_fail(EM_ERR_SHAPE, "%s: Calculated padded input size per channel: (%lld x %lld). Kernel size: "
                       "(%lld x %lld). Kernel size can't be greater than actual input size (input %s)", op,
                       (long long)ph, (long long)pw, (long long)eh, (long long)ew,
                       em_shape_str(x_ndim, x_shape, b1, sizeof b1));
    int64_t out_shape[4] = {g->n, g->c, g->oh, g->ow};
    if (capped_product(4, out_shape) < 0) return too_large(op, "output", 4, out_shape);
    return EM_OK;
}

/* window_of for the ops of nn_spatial.c (unfold, fold): conv2d's checks
** and messages, padding the same on both sides, no ceil_mode. */
em_status em_window2d_of(const char *op, int x_ndim, const int64_t *x_shape, const int64_t k[2], const int64_t s[2],
                         const int64_t p[2], const int64_t d[2], em_window2d *g)
{
    return window_of(op, false, x_ndim, x_shape, k, s, p, p, d, false, g);
}

/* --- conv2d --- */

em_conv2d_opts em_conv2d_defaults(void)
{
    return (em_conv2d_opts){{1, 1}, {0, 0}, {0, 0}, {1, 1}, 1, false};
}

/* "same" with stride 1: d (k - 1) padding in total per axis, half before,
** the rest (one more when odd) after, as PyTorch's _convolution_mode. */
em_status em_conv2d_resolve(const int64_t w_shape[4], em_conv2d_opts *o)
{
    if (!o->same) return EM_OK;
    if (o->stride[0] != 1 || o->stride[1] != 1)
        return em_fail(EM_ERR_VALUE, "conv2d: padding='same' is not supported for strided convolutions");
    for (int i = 0; i < 2; i++) {
        int64_t total;
        if (o->dilation[i] < 1 || w_shape[2 + i] < 1) break;   /* window_of reports it */
        if (__builtin_mul_overflow(o->dilation[i], w_shape[2 + i] - 1, &total))
            return em_fail(EM_ERR_VALUE, "conv2d: dilation %lld is too large for padding='same'",
                           (long long)o->dilation[i]);
        o->pad[i] = total / 2;
        o->pad_end[i] = total - total / 2;
    }
    o->same = false;
    return EM_OK;
}

/* The window of a conv2d: x's shape, w's shape (O, C / groups, kh, kw). */
static em_status conv_window(int x_ndim, const int64_t *x_shape, const int64_t *w_shape, const em_conv2d_opts *o,
                             em_window2d *g)
{
    int64_t k[2] = {w_shape[2], w_shape[3]};
    if (window_of("conv2d", false, x_ndim, x_shape, k, o->stride, o->pad, o->pad_end, o->dilation, false, g))
        return em_last_status();
    g->groups = o->groups;
    /* the output (n, O, oh, ow) and one image's columns (C kh kw, oh ow) must fit too */
    int64_t out_shape[4] = {g->n, w_shape[0], g->oh, g->ow}, col_shape[4] = {g->c, g->kh * g->kw, g->oh, g->ow};
    if (capped_product(4, out_shape) < 0) return too_large("conv2d", "output", 4, out_shape);
    if (capped_product(4, col_shape) < 0) return too_large("conv2d", "column buffer", 4, col_shape);
    return EM_OK;
}

static em_status conv_check(const em_tensor *x, const em_tensor *w, const em_tensor *b, const em_conv2d_opts *o,
                            em_window2d *g)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (x->ndim != 4 && x->ndim != 3)
        return em_fail(EM_ERR_SHAPE, "conv2d: expected input with 4 dims (N, C, H, W), got %s (a 3-dim (C, H, W) "
                       "input is also accepted)", em_shape_str(x->ndim, x->shape, b1, sizeof b1));
    if (w->ndim != 4)
        return em_fail(EM_ERR_SHAPE, "conv2d: expected weight with 4 dims (out_channels, in_channels / groups, kH, "
                       "kW), got %s", em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    if (check_float("conv2d", "input", x) || check_same_dtype("conv2d", "weight", x, w) ||
        (b && check_same_dtype("conv2d", "bias", x, b)))
        return em_last_status();
    int64_t G = o->groups, c = x->shape[x->ndim - 3];
    if (G < 1) return em_fail(EM_ERR_VALUE, "conv2d: non-positive groups is not supported, got %lld", (long long)G);
    if (w->shape[0] < G)
        return em_fail(EM_ERR_SHAPE, "conv2d: Given groups=%lld, expected weight to be at least %lld at dimension 0, "
                       "but got weight of size %s instead", (long long)G, (long long)G,
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    if (w->shape[0] % G)
        return em_fail(EM_ERR_SHAPE, "conv2d: Given groups=%lld, expected weight to be divisible by %lld at "
                       "dimension 0, but got weight of size %s instead", (long long)G, (long long)G,
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    int64_t want;
    if (__builtin_mul_overflow(w->shape[1], G, &want) || want != c)
        return em_fail(EM_ERR_SHAPE, "conv2d: Given groups=%lld, weight of size %s, expected input%s to have %lld "
                       "channels, but got %lld channels instead", (long long)G,
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1), em_shape_str(x->ndim, x->shape, b2, sizeof b2),
                       (long long)want, (long long)c);
    if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
        return em_fail(EM_ERR_SHAPE, "conv2d: Given weight of size %s, expected bias to be 1-dimensional with %lld "
                       "elements, but got bias of size %s instead", em_shape_str(w->ndim, w->shape, b1, sizeof b1),
                       (long long)w->shape[0], em_shape_str(b->ndim, b->shape, b2, sizeof b2));
    if (o->same) return em_fail(EM_ERR_INTERNAL, "conv2d: padding='same' not resolved");
    return conv_window(x->ndim, x->shape, w->shape, o, g);
}

/* A 1x1 kernel with stride 1 and no padding: the columns are the input itself. */
static bool is_pointwise(const em_window2d *g)
{
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0 && g->oh == g->h &&
           g->ow == g->w;
}

static int64_t chunk_images(const em_window2d *g)
{
    int64_t per = g->c * g->kh * g->kw * g->oh * g->ow, nb = per > 0 ? COL_BUDGET / per : g->n;
    return nb < 1 ? 1 : nb > g->n ? g->n : nb;
}

/* A column buffer for nb images (NULL when the input serves as its own columns). */
static bool col_buffer(const em_window2d *g, int64_t nb, const em_tensor *like, em_tensor **col)
{
    *col = NULL;
    if (is_pointwise(g)) return true;
    int64_t shape[3] = {nb, g->c * g->kh * g->kw, g->oh * g->ow};
    *col = em_tensor_empty(3, shape, like->dtype, em_tensor_backend(like));
    return *col != NULL;
}

/* The columns of images [b0, b0 + cnt) of xc (contiguous), into col or in place. */
static const void *columns(const em_window2d *g, const em_tensor *xc, em_tensor *col, int64_t b0, int64_t cnt,
                           em_status *st)
{
    size_t es = em_dtype_size(xc->dtype);
    const char *xp = (const char *)data_of(xc) + (size_t)(b0 * g->c * g->h * g->w) * es;
    if (!col) return xp;
    em_window2d part = *g;
    part.n = cnt;
    *st = em_tensor_backend(xc)->im2col(xc->dtype, &part, xp, data_of(col));
    return data_of(col);
}

/* out (.., O, oh, ow) += bias (O) broadcast as (O, 1, 1): conv2d's bias
** without the fused channel_affine. */
static em_status bias_add_(em_tensor *out, const em_tensor *bias, int64_t O)
{
    int64_t shape[3] = {O, 1, 1};
    em_tensor *b3 = em_op_view(bias, 3, shape);
    em_status st = b3 ? em_op_binary_(EM_B_ADD, out, b3) : em_last_status();
    em_tensor_release(b3);
    return st;
}

/* The fallback's products, per group gi of G: the weight's rows
** [gi Og, (gi + 1) Og) (Og = O / G) read the column rows [gi Kg, (gi + 1) Kg)
** (Kg = K / G = C / G kh kw) and write the output channels of the group. */
em_tensor *em_op_conv2d(const em_tensor *x, const em_tensor *w, const em_tensor *b, const em_conv2d_opts *o)
{
    em_window2d g;
    if (conv_check(x, w, b, o, &g)) return NULL;
    const em_backend *be = em_tensor_backend(x);
    int64_t O = w->shape[0], K = g.c * g.kh * g.kw, L = g.oh * g.ow, nb = chunk_images(&g);
    int64_t G = g.groups, Og = O / G, Kg = K / G;
    int64_t shape[4] = {g.n, O, g.oh, g.ow};
    bool batched = x->ndim == 4;
    em_tensor *xc = em_op_contiguous(x), *wc = xc ? em_op_contiguous(w) : NULL, *col = NULL;
    em_tensor *out = wc ? em_tensor_empty(3 + batched, shape + !batched, x->dtype, be) : NULL;
    em_tensor *bc = out && b ? em_op_contiguous(b) : NULL, *ones = NULL;
    bool done = out && em_backend_supports(be, EM_FUSED_CONV2D, x->dtype) && (!b || bc) &&
                be->conv2d(EM_CONV_FORWARD, x->dtype, &g, O, data_of(xc), data_of(wc), b ? data_of(bc) : NULL,
                           data_of(out));
    bool affine = em_backend_supports(be, EM_FUSED_CHANNEL_AFFINE, x->dtype);
    if (!done && bc && affine) ones = em_op_full(1, &O, 1.0, x->dtype, be);   /* the fallback's bias pass */
    em_status st = done || (out && (!b || ones || !affine) && col_buffer(&g, nb, x, &col)) ? EM_OK : EM_ERR_MEMORY;
    size_t es = em_dtype_size(x->dtype);
    for (int64_t b0 = 0; !done && st == EM_OK && b0 < g.n; b0 += nb) {
        int64_t cnt = g.n - b0 < nb ? g.n - b0 : nb;
        const char *cols = columns(&g, xc, col, b0, cnt, &st);
        /* out_b[group] (Og, L) = w[group] (Og, Kg) @ col_b[group] (Kg, L), for each image b */
        for (int64_t gi = 0; st == EM_OK && gi < G; gi++)
            st = be->gemm(x->dtype, false, false, Og, L, Kg, 1.0, (const char *)data_of(wc) + (size_t)(gi * Og * Kg) * es,
                          Kg, 0, cols + (size_t)(gi * Kg * L) * es, L, K * L, 0.0,
                          (char *)data_of(out) + (size_t)((b0 * O + gi * Og) * L) * es, L, O * L, cnt);
    }
    /* out[n][o] += bias[o], in place (1 * out + bias) */
    if (!done && st == EM_OK && b && affine)
        st = be->channel_affine(x->dtype, data_of(out), NULL, NULL, g.n, O, L, data_of(ones), NULL, data_of(bc),
                                data_of(out));
    else if (!done && st == EM_OK && b)   /* composed: out += bias viewed (O, 1, 1) */
        st = bias_add_(out, bc, O);
    if (st != EM_OK && out && em_last_status() != EM_OK) em_error_prefix("conv2d");
    em_tensor_release(xc);
    em_tensor_release(wc);
    em_tensor_release(col);
    em_tensor_release(bc);
    em_tensor_release(ones);
    if (st != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

em_tensor *em_op_conv2d_grad_input(const em_tensor *g_out, const em_tensor *w, int x_ndim, const int64_t *x_shape,
                                   const em_conv2d_opts *o)
{
    em_window2d g;
    if (conv_window(x_ndim, x_shape, w->shape, o, &g)) return NULL;
    const em_backend *be = em_tensor_backend(w);
    int64_t O = w->shape[0], K = g.c * g.kh * g.kw, L = g.oh * g.ow, nb = chunk_images(&g);
    int64_t G = g.groups, Og = O / G, Kg = K / G;
    size_t es = em_dtype_size(w->dtype);
    em_tensor *gc = em_op_contiguous(g_out), *wc = gc ? em_op_contiguous(w) : NULL, *col = NULL;
    em_tensor *dx = wc ? em_tensor_empty(x_ndim, x_shape, w->dtype, be) : NULL;
    bool done = dx && em_backend_supports(be, EM_FUSED_CONV2D, w->dtype) &&
                be->conv2d(EM_CONV_GRAD_INPUT, w->dtype, &g, O, data_of(gc), data_of(wc), NULL, data_of(dx));
    em_status st = done || (dx && col_buffer(&g, nb, w, &col)) ? EM_OK : EM_ERR_MEMORY;
    for (int64_t b0 = 0; !done && st == EM_OK && b0 < g.n; b0 += nb) {
        int64_t cnt = g.n - b0 < nb ? g.n - b0 : nb;
        char *dxp = (char *)data_of(dx) + (size_t)(b0 * g.c * g.h * g.w) * es;
        char *dcol = col ? data_of(col) : dxp;
        /* dcol_b[group] (Kg, L) = w[group]^T (Kg, Og) @ g_b[group] (Og, L); dx_b = col2im(dcol_b) */
        for (int64_t gi = 0; st == EM_OK && gi < G; gi++)
            st = be->gemm(w->dtype, true, false, Kg, L, Og, 1.0, (const char *)data_of(wc) + (size_t)(gi * Og * Kg) * es,
                          Kg, 0, (const char *)data_of(gc) + (size_t)((b0 * O + gi * Og) * L) * es, L, O * L, 0.0,
                          dcol + (size_t)(gi * Kg * L) * es, L, K * L, cnt);
        if (st == EM_OK && col) {
            em_window2d part = g;
            part.n = cnt;
            st = be->col2im(w->dtype, &part, data_of(col), dxp);
        }
    }
    em_tensor_release(gc);
    em_tensor_release(wc);
    em_tensor_release(col);
    if (st != EM_OK) {
        em_tensor_release(dx);
        return NULL;
    }
    return dx;
}

em_tensor *em_op_conv2d_grad_weight(const em_tensor *g_out, const em_tensor *x, const int64_t w_shape[4],
                                    const em_conv2d_opts *o)
{
    em_window2d g;
    if (conv_window(x->ndim, x->shape, w_shape, o, &g)) return NULL;
    const em_backend *be = em_tensor_backend(x);
    int64_t O = w_shape[0], K = g.c * g.kh * g.kw, L = g.oh * g.ow, nb = chunk_images(&g);
    int64_t G = g.groups, Og = O / G, Kg = K / G;
    size_t es = em_dtype_size(x->dtype);
    em_tensor *gc = em_op_contiguous(g_out), *xc = gc ? em_op_contiguous(x) : NULL, *col = NULL;
    em_tensor *dw = xc ? em_tensor_empty(4, w_shape, x->dtype, be) : NULL;
    bool done = dw && em_backend_supports(be, EM_FUSED_CONV2D, x->dtype) &&
                be->conv2d(EM_CONV_GRAD_WEIGHT, x->dtype, &g, O, data_of(gc), data_of(xc), NULL, data_of(dw));
    /* the fallback adds image by image into zeros */
    em_status st = done || (dw && em_op_fill_(dw, 0.0) == EM_OK && col_buffer(&g, nb, x, &col)) ? EM_OK
                                                                                              : EM_ERR_MEMORY;
    for (int64_t b0 = 0; !done && st == EM_OK && b0 < g.n; b0 += nb) {
        int64_t cnt = g.n - b0 < nb ? g.n - b0 : nb;
        const char *cols = columns(&g, xc, col, b0, cnt, &st);
        /* dw[group] (Og, Kg) += g_b[group] (Og, L) @ col_b[group]^T (L, Kg), one image at a time */
        for (int64_t i = 0; st == EM_OK && i < cnt; i++)
            for (int64_t gi = 0; st == EM_OK && gi < G; gi++)
                st = be->gemm(x->dtype, false, true, Og, Kg, L, 1.0,
                              (const char *)data_of(gc) + (size_t)(((b0 + i) * O + gi * Og) * L) * es, L, 0,
                              cols + (size_t)((i * K + gi * Kg) * L) * es, L, 0, 1.0,
                              (char *)data_of(dw) + (size_t)(gi * Og * Kg) * es, Kg, 0, 1);
    }
    em_tensor_release(gc);
    em_tensor_release(xc);
    em_tensor_release(col);
    if (st != EM_OK) {
        em_tensor_release(dw);
        return NULL;
    }
    return dw;
}

/* --- pooling --- */

static em_status pool_window(const char *op, int x_ndim, const int64_t *x_shape, const em_pool2d_opts *o,
                             em_window2d *g)
{
    /* PyTorch checks the stride before anything else ("should not be zero") */
    if (o->stride[0] == 0 || o->stride[1] == 0) return em_fail(EM_ERR_VALUE, "%s: stride should not be zero", op);
    for (int i = 0; i < 2; i++)
        if (o->kernel[i] > 0 && o->pad[i] >= 0 && o->pad[i] > o->kernel[i] / 2)
            return em_fail(EM_ERR_VALUE, "%s: pad should be at most half of kernel size, but got pad=%lld and "
                           "kernel_size=%lld", op, (long long)o->pad[i], (long long)o->kernel[i]);
    return window_of(op, true, x_ndim, x_shape, o->kernel, o->stride, o->pad, o->pad, o->dilation, o->ceil_mode, g);
}

static em_status pool_check(const char *op, const em_tensor *x, const em_pool2d_opts *o, em_window2d *g)
{
    char b1[EM_SHAPE_BUF];
    if ((x->ndim != 4 && x->ndim != 3) || em_tensor_numel(x) == 0)
        return em_fail(EM_ERR_SHAPE, "%s: expected input with 4 dims (N, C, H, W) or 3 dims (C, H, W), non-empty, "
                       "got %s", op, em_shape_str(x->ndim, x->shape, b1, sizeof b1));
    if (check_float(op, "input", x)) return em_last_status();
    return pool_window(op, x->ndim, x->shape, o, g);
}

/* (N, C, oh, ow) or (C, oh, ow), as x. */
static void pooled_shape(int x_ndim, const int64_t *x_shape, const em_window2d *g, int64_t *shape)
{
    memcpy(shape, x_shape, sizeof(int64_t) * (size_t)x_ndim);
    shape[x_ndim - 2] = g->oh;
    shape[x_ndim - 1] = g->ow;
}

/* The kernel's arg-max rule over dim 1 of col (P, K, L), given kf, the
** first max's position: where a window holds NaNs, the last NaN wins:
**   last = max over k of (k + 1) [col_k is NaN];  k = last > 0 ? last - 1 : kf */
em_tensor *em_op_pool_argmax_nan(const em_tensor *col, const em_tensor *kf)
{
    int64_t K = col->shape[1], kshape[3] = {1, K, 1};
    int64_t *ks = malloc((size_t)K * sizeof *ks);    /* 1, 2, ..., K on the device */
    for (int64_t i = 0; ks && i < K; i++) ks[i] = i + 1;
    em_tensor *nan = ks ? em_op_binary(EM_B_NE, col, col) : NULL;
    em_tensor *n64 = nan ? em_op_to_dtype(nan, EM_INT64) : NULL;
    em_tensor *ar3 = n64 ? em_op_from_host(ks, 3, kshape, EM_INT64, em_tensor_backend(col)) : NULL;
    if (!ks) em_fail(EM_ERR_MEMORY, "max_pool2d: out of memory");
    free(ks);
    em_tensor *pos = ar3 ? em_op_binary(EM_B_MUL, n64, ar3) : NULL;
    em_tensor *last = pos ? em_op_reduce(EM_R_MAX, pos, 1u << 1, false) : NULL;
    em_tensor *has = last ? em_op_binary_scalar(EM_B_GT, last, 0.0) : NULL;
    em_tensor *lm1 = has ? em_op_binary_scalar(EM_B_SUB, last, 1.0) : NULL;
    em_tensor *k = lm1 ? em_op_where(has, lm1, kf) : NULL;
    em_tensor *all[] = {nan, n64, ar3, pos, last, has, lm1};
    for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) em_tensor_release(all[t]);
    return k;
}

/* max_pool2d from the required tier, into out and idx (P = n c planes):
** the planes padded with -inf to (P, 1, Hp, Wp), unfolded by im2col into
** col (P, kh kw, L), then (out, k) = max over dim 1 (ties: the first max;
** NaNs: the last NaN, as the kernel). The arg-max
** k = i kw + j of output l = (oy, ox) sits in its plane at
**   idx = (oy sh - ph + i dh) w + (ox sw - pw + j dw) = base[l] + i dh w + j dw
** except where the max is -inf: there idx = first[l], the window's first tap
** inside the input (the kernel skips the padding). */
static em_status max_pool2d_composed(const em_tensor *xc, const em_window2d *g, em_tensor *out, em_tensor *idx)
{
    const em_backend *be = em_tensor_backend(xc);
    int64_t P = g->n * g->c, L = g->oh * g->ow, K = g->kh * g->kw;
    int64_t Hp = (g->oh - 1) * g->sh + (g->kh - 1) * g->dh + 1, Wp = (g->ow - 1) * g->sw + (g->kw - 1) * g->dw + 1;
    Hp = Hp > g->h + 2 * g->ph ? Hp : g->h + 2 * g->ph;
    Wp = Wp > g->w + 2 * g->pw ? Wp : g->w + 2 * g->pw;
    int64_t pshape[4] = {P, 1, Hp, Wp}, xshape[4] = {P, 1, g->h, g->w}, cshape[3] = {P, K, L}, oshape[2] = {P, L};
    em_window2d pg = *g;
    pg.n = P, pg.c = 1, pg.h = Hp, pg.w = Wp, pg.ph = pg.pw = 0;
    int64_t *base = malloc(2 * (size_t)L * sizeof *base), *first = base ? base + L : NULL;
    for (int64_t l = 0; base && l < L; l++) {
        int64_t h0 = (l / g->ow) * g->sh - g->ph, w0 = (l % g->ow) * g->sw - g->pw;
        base[l] = h0 * g->w + w0;
        if (h0 < 0) h0 += (-h0 + g->dh - 1) / g->dh * g->dh;   /* the first tap inside the input */
        if (w0 < 0) w0 += (-w0 + g->dw - 1) / g->dw * g->dw;
        first[l] = h0 * g->w + w0;
    }
    em_tensor *padded = em_op_full(4, pshape, -INFINITY, xc->dtype, be);
    em_tensor *rows = padded ? em_op_narrow(padded, 2, g->ph, g->h) : NULL;
    em_tensor *inside = rows ? em_op_narrow(rows, 3, g->pw, g->w) : NULL;
    em_tensor *x4 = inside ? em_op_view(xc, 4, xshape) : NULL;
    em_tensor *col = x4 && em_op_copy_(inside, x4) == EM_OK ? em_tensor_empty(3, cshape, xc->dtype, be) : NULL;
    em_tensor *vals = NULL, *kf = NULL, *k = NULL;
    em_status st = col ? be->im2col(xc->dtype, &pg, data_of(padded), data_of(col)) : em_last_status();
    if (st == EM_OK) st = em_op_reduce_dim_idx(EM_R_MAX, col, 1, false, &vals, &kf);
    if (st == EM_OK) k = em_op_pool_argmax_nan(col, kf);
    if (st == EM_OK && !k) st = em_last_status();
    em_tensor *i = st == EM_OK ? em_op_binary_scalar(EM_B_FLOOR_DIV, k, (double)g->kw) : NULL;   /* k / kw */
    em_tensor *ikw = i ? em_op_binary_scalar(EM_B_MUL, i, (double)g->kw) : NULL;
    em_tensor *j = ikw ? em_op_binary(EM_B_SUB, k, ikw) : NULL;                                  /* k % kw */
    em_tensor *di = j ? em_op_binary_scalar(EM_B_MUL, i, (double)(g->dh * g->w)) : NULL;
    em_tensor *dj = di ? em_op_binary_scalar(EM_B_MUL, j, (double)g->dw) : NULL;
    em_tensor *off = dj ? em_op_binary(EM_B_ADD, di, dj) : NULL;
    em_tensor *bt = off && base ? em_op_from_host(base, 1, &L, EM_INT64, be) : NULL;
    em_tensor *pos0 = bt ? em_op_binary(EM_B_ADD, off, bt) : NULL;
    /* a window whose max is -inf (no NaN): its first tap inside, as the kernel, never the padding */
    em_tensor *ninf = pos0 ? em_op_binary_scalar(EM_B_EQ, vals, -INFINITY) : NULL;
    em_tensor *ft = ninf ? em_op_from_host(first, 1, &L, EM_INT64, be) : NULL;
    em_tensor *pos = ft ? em_op_where(ninf, ft, pos0) : NULL;
    em_tensor *out2 = pos ? em_op_view(out, 2, oshape) : NULL, *idx2 = out2 ? em_op_view(idx, 2, oshape) : NULL;
    if (st == EM_OK)
        st = idx2 && em_op_copy_(out2, vals) == EM_OK && em_op_copy_(idx2, pos) == EM_OK
                 ? EM_OK
                 : base ? em_last_status() : em_fail(EM_ERR_MEMORY, "max_pool2d: out of memory");
    em_tensor *all[] = {padded, rows, inside, x4, col, vals, kf, k, i, ikw, j, di, dj, off, bt, pos0, ninf, ft, pos, out2, idx2};
    for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) em_tensor_release(all[t]);
    free(base);
    return st;
}

em_status em_op_max_pool2d(const em_tensor *x, const em_pool2d_opts *o, em_tensor **out, em_tensor **indices)
{
    em_window2d g;
    *out = *indices = NULL;
    if (pool_check("max_pool2d", x, o, &g)) return em_last_status();
    int64_t shape[4];
    pooled_shape(x->ndim, x->shape, &g, shape);
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = em_op_contiguous(x);
    *out = xc ? em_tensor_empty(x->ndim, shape, x->dtype, be) : NULL;
    *indices = *out ? em_tensor_empty(x->ndim, shape, EM_INT64, be) : NULL;
    em_status st = !*indices ? em_last_status()
                   : em_backend_supports(be, EM_FUSED_MAX_POOL2D, x->dtype)
                       ? be->max_pool2d(x->dtype, &g, data_of(xc), data_of(*out), data_of(*indices))
                       : max_pool2d_composed(xc, &g, *out, *indices);
    em_tensor_release(xc);
    if (st != EM_OK) {
        em_tensor_release(*out);
        em_tensor_release(*indices);
        *out = *indices = NULL;
    }
    return st;
}

/* dx = zeros of x's shape with g added at the arg-max positions (indices
** are flat positions inside each (H, W) plane, as PyTorch's). */
em_tensor *em_op_max_pool2d_backward(const em_tensor *g, const em_tensor *indices, int x_ndim,
                                     const int64_t *x_shape)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    int64_t planes = 1;
    for (int i = 0; i < x_ndim - 2; i++) planes *= x_shape[i];
    int64_t plane_n = x_shape[x_ndim - 2] * x_shape[x_ndim - 1];
    int64_t L = g->ndim == x_ndim && g->ndim >= 2 ? g->shape[g->ndim - 2] * g->shape[g->ndim - 1] : -1;
    if (L < 0 || em_tensor_numel(g) != planes * L || !em_same_shape(g, indices) || indices->dtype != EM_INT64) {
        em_fail(EM_ERR_SHAPE, "max_pool2d_backward: gradient %s and indices %s do not fit an input of %d dims",
                em_shape_str(g->ndim, g->shape, b1, sizeof b1),
                em_shape_str(indices->ndim, indices->shape, b2, sizeof b2), x_ndim);
        return NULL;
    }
    const em_backend *be = em_tensor_backend(g);
    em_tensor *gc = em_op_contiguous(g), *ic = gc ? em_op_contiguous(indices) : NULL;
    if (!em_backend_supports(be, EM_FUSED_MAX_POOL2D_BACKWARD, g->dtype)) {
        /* composed: dx (planes, plane_n) = zeros, scatter_add(dx, 1, idx (planes, L), g (planes, L)) */
        int64_t zshape[2] = {planes, plane_n}, gshape[2] = {planes, L};
        em_tensor *z = ic ? em_op_full(2, zshape, 0.0, g->dtype, be) : NULL;
        em_tensor *g2 = z ? em_op_view(gc, 2, gshape) : NULL, *i2 = g2 ? em_op_view(ic, 2, gshape) : NULL;
        em_tensor *d2 = i2 ? em_op_scatter_add(z, 1, i2, g2) : NULL;
        em_tensor *dx = d2 ? em_op_view(d2, x_ndim, x_shape) : NULL;
        if (i2 && !d2) em_error_prefix("max_pool2d_backward");
        em_tensor *all[] = {gc, ic, z, g2, i2, d2};
        for (size_t t = 0; t < sizeof all / sizeof all[0]; t++) em_tensor_release(all[t]);
        return dx;
    }
    em_tensor *dx = ic ? em_tensor_empty(x_ndim, x_shape, g->dtype, be) : NULL;
    if (dx && be->max_pool2d_backward(g->dtype, planes, plane_n, L, data_of(gc), data_of(ic), data_of(dx)) != EM_OK) {
        em_tensor_release(dx);
        dx = NULL;
    }
    em_tensor_release(gc);
    em_tensor_release(ic);
    return dx;
}

/* The planes of x as (N*C, 1, H, W) images for im2col/col2im. */
static void plane_window(em_window2d *g)
{
    g->n *= g->c;
    g->c = 1;
}

/* One axis of avg_pool2d's divisors: the count of window positions inside
** the padded input (count_include_pad) or inside the input, per output. */
static void avg_counts(int64_t n_out, int64_t size, int64_t k, int64_t s, int64_t p, bool include_pad, double *cnt)
{
    for (int64_t o = 0; o < n_out; o++) {
        int64_t a = o * s - p, b = a + k < size + p ? a + k : size + p;
        if (!include_pad) {
            a = a < 0 ? 0 : a;
            b = b > size ? size : b;
        }
        cnt[o] = (double)(b - a);
    }
}

/* avg_pool2d's divisor per output (PyTorch's avg_pool2d kernel): divisor
** when set, else the product of the two axes' counts. *div stays NULL, and
** *uniform holds the divisor, when every window has the same one (the
** common case: no padding left out, no ceil_mode window past the end). */
static em_status avg_divisors(const em_window2d *g, const em_pool2d_opts *o, em_dtype dt, const em_backend *be,
                              em_tensor **div, double *uniform)
{
    *div = NULL;
    if (o->divisor != 0) {
        *uniform = (double)o->divisor;
        return EM_OK;
    }
    double *ch = calloc((size_t)(g->oh + g->ow), sizeof *ch);
    if (!ch) return em_fail(EM_ERR_MEMORY, "avg_pool2d: out of memory");
    double *cw = ch + g->oh;
    avg_counts(g->oh, g->h, g->kh, g->sh, g->ph, o->count_include_pad, ch);
    avg_counts(g->ow, g->w, g->kw, g->sw, g->pw, o->count_include_pad, cw);
    bool same = true;
    for (int64_t i = 0; i < g->oh; i++) same = same && ch[i] == ch[0];
    for (int64_t j = 0; j < g->ow; j++) same = same && cw[j] == cw[0];
    *uniform = ch[0] * cw[0];
    em_status st = EM_OK;
    double *d = same ? NULL : malloc((size_t)(g->oh * g->ow) * sizeof *d);
    if (!same && d) {
        for (int64_t i = 0; i < g->oh; i++)
            for (int64_t j = 0; j < g->ow; j++) d[i * g->ow + j] = ch[i] * cw[j];
        int64_t shape[2] = {1, g->oh * g->ow};
        em_tensor *t64 = em_op_from_host(d, 2, shape, EM_FLOAT64, be);
        *div = t64 ? em_op_to_dtype(t64, dt) : NULL;
        em_tensor_release(t64);
        if (!*div) st = em_last_status();
    } else if (!same) {
        st = em_fail(EM_ERR_MEMORY, "avg_pool2d: out of memory");
    }
    free(d);
    free(ch);
    return st;
}

/* x / divisors (a number, or (1, L) broadcast over the planes' rows) */
static em_tensor *divide_by(const em_tensor *x, const em_tensor *div, double uniform)
{
    return div ? em_op_binary(EM_B_DIV, x, div) : em_op_binary_scalar(EM_B_DIV, x, uniform);
}

/* out = sum over each window / divisor, via im2col: col (P, kh*kw, L) */
em_tensor *em_op_avg_pool2d(const em_tensor *x, const em_pool2d_opts *o)
{
    em_window2d g;
    if (pool_check("avg_pool2d", x, o, &g)) return NULL;
    plane_window(&g);
    int64_t shape[4], cshape[3] = {g.n, g.kh * g.kw, g.oh * g.ow};
    if (capped_product(3, cshape) < 0) {
        too_large("avg_pool2d", "column buffer", 3, cshape);
        return NULL;
    }
    pooled_shape(x->ndim, x->shape, &g, shape);
    const em_backend *be = em_tensor_backend(x);
    double uniform = 0.0;
    em_tensor *div;
    if (avg_divisors(&g, o, x->dtype, be, &div, &uniform)) return NULL;
    em_tensor *xc = em_op_contiguous(x);
    em_tensor *col = xc ? em_tensor_empty(3, cshape, x->dtype, be) : NULL;
    em_status st = col ? be->im2col(x->dtype, &g, data_of(xc), data_of(col)) : em_last_status();
    em_tensor *sum = st == EM_OK ? em_op_reduce(EM_R_SUM, col, 1u << 1, false) : NULL;
    em_tensor *avg = sum ? divide_by(sum, div, uniform) : NULL;
    em_tensor *out = avg ? em_op_reshape(avg, x->ndim, shape) : NULL;
    em_tensor_release(div);
    em_tensor_release(xc);
    em_tensor_release(col);
    em_tensor_release(sum);
    em_tensor_release(avg);
    return out;
}

/* dx = col2im(g / divisor repeated over each window) */
em_tensor *em_op_avg_pool2d_backward(const em_tensor *g_out, int x_ndim, const int64_t *x_shape,
                                     const em_pool2d_opts *o)
{
    em_window2d g;
    if (pool_window("avg_pool2d_backward", x_ndim, x_shape, o, &g)) return NULL;
    plane_window(&g);
    int64_t gshape[3] = {g.n, 1, g.oh * g.ow}, cshape[3] = {g.n, g.kh * g.kw, g.oh * g.ow};
    const em_backend *be = em_tensor_backend(g_out);
    double uniform = 0.0;
    em_tensor *div;
    if (avg_divisors(&g, o, g_out->dtype, be, &div, &uniform)) return NULL;
    em_tensor *g3 = em_op_reshape(g_out, 3, gshape);
    em_tensor *scaled = g3 ? divide_by(g3, div, uniform) : NULL;
    em_tensor *e = scaled ? em_op_expand(scaled, 3, cshape) : NULL;
    em_tensor *col = e ? em_op_contiguous(e) : NULL;
    em_tensor *dx = col ? em_tensor_empty(x_ndim, x_shape, g_out->dtype, be) : NULL;
    if (dx && be->col2im(g_out->dtype, &g, data_of(col), data_of(dx)) != EM_OK) {
        em_tensor_release(dx);
        dx = NULL;
    }
    em_tensor_release(div);
    em_tensor_release(scaled);
    em_tensor_release(g3);
    em_tensor_release(e);
    em_tensor_release(col);
    return dx;
}

/* --- softmax --- */

/* softmax from the required tier, along dim d (m = max over d, kept):
**   softmax:     y = exp(x - m) / sum exp(x - m)
**   log_softmax: y = (x - m) - log(sum exp(x - m)) */
static em_tensor *softmax_composed(const em_tensor *x, int d, bool log)
{
    if (em_tensor_numel(x) == 0) return em_op_clone(x);   /* no max of nothing */
    uint32_t mask = x->ndim ? 1u << d : 0;
    em_tensor *m = em_op_reduce(EM_R_MAX, x, mask, true);
    em_tensor *z = m ? em_op_binary(EM_B_SUB, x, m) : NULL;
    em_tensor *e = z ? em_op_unary(EM_U_EXP, z, 0, 0) : NULL;
    em_tensor *s = e ? em_op_reduce(EM_R_SUM, e, mask, true) : NULL;
    em_tensor *ls = s && log ? em_op_unary(EM_U_LOG, s, 0, 0) : NULL;
    em_tensor *y = !s ? NULL : log ? (ls ? em_op_binary(EM_B_SUB, z, ls) : NULL) : em_op_binary(EM_B_DIV, e, s);
    if (!y) em_error_prefix(log ? "log_softmax" : "softmax");
    em_tensor_release(m);
    em_tensor_release(z);
    em_tensor_release(e);
    em_tensor_release(s);
    em_tensor_release(ls);
    return y;
}

em_tensor *em_op_softmax(const em_tensor *x, int dim, bool log)
{
    const char *op = log ? "log_softmax" : "softmax";
    int d;
    if (check_float(op, "input", x) || em_wrap_dim(op, dim, x->ndim, &d)) return NULL;
    int64_t outer = 1, n = x->ndim ? x->shape[d] : 1, inner = 1;
    for (int i = 0; i < d; i++) outer *= x->shape[i];
    for (int i = d + 1; i < x->ndim; i++) inner *= x->shape[i];
    const em_backend *be = em_tensor_backend(x);
    if (!em_backend_supports(be, log ? EM_FUSED_LOG_SOFTMAX : EM_FUSED_SOFTMAX, x->dtype))
        return softmax_composed(x, d, log);
    em_tensor *xc = em_op_contiguous(x);
    em_tensor *y = xc ? em_tensor_empty(x->ndim, x->shape, x->dtype, be) : NULL;
    if (y && be->softmax(x->dtype, data_of(xc), data_of(y), outer, n, inner, log) != EM_OK) {
        em_error_prefix(op);
        em_tensor_release(y);
        y = NULL;
    }
    em_tensor_release(xc);
    return y;
}
