/* nn.c — forward ops of linear, conv2d, max/avg pooling and softmax, and
** the backward helpers of conv2d and pooling: shape checks, allocation and
** calls to the backend's gemm and nn kernels. conv2d is im2col + a gemm
** batched over the images; avg_pool2d reuses im2col/col2im. The losses,
** batch norm and random masks are in nn_loss.c; autograd in grad_nn.c. */
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

/* --- conv2d --- */

/* Floor division for output sizes (the numerator may be negative). */
static int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* The window of a conv/pool over x's last three dims (C, H, W) with the
** batch in front (or 1 for a 3-D x); NULL checks left to the caller. */
static em_status window_of(const char *op, const em_tensor *x, const int64_t k[2], const int64_t s[2],
                           const int64_t p[2], em_window2d *g)
{
    char b1[EM_SHAPE_BUF];
    if (k[0] < 1 || k[1] < 1)
        return em_fail(EM_ERR_VALUE, "%s: kernel size must be positive, got (%lld, %lld)", op, (long long)k[0],
                       (long long)k[1]);
    if (s[0] < 1 || s[1] < 1)
        return em_fail(EM_ERR_VALUE, "%s: stride must be positive, got (%lld, %lld)", op, (long long)s[0],
                       (long long)s[1]);
    if (p[0] < 0 || p[1] < 0)
        return em_fail(EM_ERR_VALUE, "%s: padding must be non-negative, got (%lld, %lld)", op, (long long)p[0],
                       (long long)p[1]);
    bool batched = x->ndim == 4;
    *g = (em_window2d){batched ? x->shape[0] : 1, x->shape[batched], x->shape[batched + 1], x->shape[batched + 2],
                       k[0], k[1], s[0], s[1], p[0], p[1], 0, 0};
    g->oh = floor_div(g->h + 2 * p[0] - k[0], s[0]) + 1;
    g->ow = floor_div(g->w + 2 * p[1] - k[1], s[1]) + 1;
    if (g->oh < 1 || g->ow < 1)
        return em_fail(EM_ERR_SHAPE, "%s: input %s padded to (%lld x %lld) is smaller than the kernel (%lld x %lld)",
                       op, em_shape_str(x->ndim, x->shape, b1, sizeof b1), (long long)(g->h + 2 * p[0]),
                       (long long)(g->w + 2 * p[1]), (long long)k[0], (long long)k[1]);
    return EM_OK;
}

static em_status conv_check(const em_tensor *x, const em_tensor *w, const em_tensor *b, const int64_t stride[2],
                            const int64_t pad[2], em_window2d *g)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (x->ndim != 4 && x->ndim != 3)
        return em_fail(EM_ERR_SHAPE, "conv2d: expected input with 4 dims (N, C, H, W), got %s (a 3-dim (C, H, W) "
                       "input is also accepted)", em_shape_str(x->ndim, x->shape, b1, sizeof b1));
    if (w->ndim != 4)
        return em_fail(EM_ERR_SHAPE, "conv2d: expected weight with 4 dims (out_channels, in_channels, kH, kW), "
                       "got %s", em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    if (check_float("conv2d", "input", x) || check_same_dtype("conv2d", "weight", x, w) ||
        (b && check_same_dtype("conv2d", "bias", x, b)))
        return em_last_status();
    int64_t c = x->shape[x->ndim - 3];
    if (w->shape[1] != c)
        return em_fail(EM_ERR_SHAPE, "conv2d: weight %s expects %lld input channels, but the input %s has %lld",
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1), (long long)w->shape[1],
                       em_shape_str(x->ndim, x->shape, b2, sizeof b2), (long long)c);
    if (b && (b->ndim != 1 || b->shape[0] != w->shape[0]))
        return em_fail(EM_ERR_SHAPE, "conv2d: expected bias of shape [%lld] (out_channels), got %s",
                       (long long)w->shape[0], em_shape_str(b->ndim, b->shape, b1, sizeof b1));
    int64_t k[2] = {w->shape[2], w->shape[3]};
    return window_of("conv2d", x, k, stride, pad, g);
}

/* A 1x1 kernel with stride 1 and no padding: the columns are the input itself. */
static bool is_pointwise(const em_window2d *g)
{
    return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0;
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

em_tensor *em_op_conv2d(const em_tensor *x, const em_tensor *w, const em_tensor *b, const int64_t stride[2],
                        const int64_t pad[2])
{
    em_window2d g;
    if (conv_check(x, w, b, stride, pad, &g)) return NULL;
    const em_backend *be = em_tensor_backend(x);
    int64_t O = w->shape[0], K = g.c * g.kh * g.kw, L = g.oh * g.ow, nb = chunk_images(&g);
    int64_t shape[4] = {g.n, O, g.oh, g.ow};
    bool batched = x->ndim == 4;
    em_tensor *xc = em_op_contiguous(x), *wc = xc ? em_op_contiguous(w) : NULL, *col = NULL;
    em_tensor *out = wc ? em_tensor_empty(3 + batched, shape + !batched, x->dtype, be) : NULL;
    em_tensor *bc = out && b ? em_op_contiguous(b) : NULL, *ones = NULL;
    bool done = out && be->conv2d && (!b || bc) &&
                be->conv2d(EM_CONV_FORWARD, x->dtype, &g, O, data_of(xc), data_of(wc), b ? data_of(bc) : NULL,
                           data_of(out));
    if (!done && bc) ones = em_op_full(1, &O, 1.0, x->dtype, be);   /* the fallback's bias pass */
    em_status st = done || (out && (!b || ones) && col_buffer(&g, nb, x, &col)) ? EM_OK : EM_ERR_MEMORY;
    size_t es = em_dtype_size(x->dtype);
    for (int64_t b0 = 0; !done && st == EM_OK && b0 < g.n; b0 += nb) {
        int64_t cnt = g.n - b0 < nb ? g.n - b0 : nb;
        const void *cols = columns(&g, xc, col, b0, cnt, &st);
        /* out_b (O, L) = w (O, K) @ col_b (K, L), for each image b */
        if (st == EM_OK)
            st = be->gemm(x->dtype, false, false, O, L, K, 1.0, data_of(wc), K, 0, cols, L, K * L, 0.0,
                          (char *)data_of(out) + (size_t)(b0 * O * L) * es, L, O * L, cnt);
    }
    /* out[n][o] += bias[o], in place (1 * out + bias) */
    if (!done && st == EM_OK && b)
        st = be->channel_affine(x->dtype, data_of(out), NULL, NULL, g.n, O, L, data_of(ones), NULL, data_of(bc),
                                data_of(out));
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

/* The window of the forward call, rebuilt from the saved shapes. */
static em_status conv_window_from(int x_ndim, const int64_t *x_shape, const int64_t *w_shape,
                                  const int64_t stride[2], const int64_t pad[2], em_window2d *g)
{
    em_tensor fake = {0};
    fake.ndim = x_ndim;
    memcpy(fake.shape, x_shape, sizeof(int64_t) * (size_t)x_ndim);
    int64_t k[2] = {w_shape[2], w_shape[3]};
    return window_of("conv2d_backward", &fake, k, stride, pad, g);
}

em_tensor *em_op_conv2d_grad_input(const em_tensor *g_out, const em_tensor *w, int x_ndim, const int64_t *x_shape,
                                   const int64_t stride[2], const int64_t pad[2])
{
    em_window2d g;
    if (conv_window_from(x_ndim, x_shape, w->shape, stride, pad, &g)) return NULL;
    const em_backend *be = em_tensor_backend(w);
    int64_t O = w->shape[0], K = g.c * g.kh * g.kw, L = g.oh * g.ow, nb = chunk_images(&g);
    size_t es = em_dtype_size(w->dtype);
    em_tensor *gc = em_op_contiguous(g_out), *wc = gc ? em_op_contiguous(w) : NULL, *col = NULL;
    em_tensor *dx = wc ? em_tensor_empty(x_ndim, x_shape, w->dtype, be) : NULL;
    bool done = dx && be->conv2d &&
                be->conv2d(EM_CONV_GRAD_INPUT, w->dtype, &g, O, data_of(gc), data_of(wc), NULL, data_of(dx));
    em_status st = done || (dx && col_buffer(&g, nb, w, &col)) ? EM_OK : EM_ERR_MEMORY;
    for (int64_t b0 = 0; !done && st == EM_OK && b0 < g.n; b0 += nb) {
        int64_t cnt = g.n - b0 < nb ? g.n - b0 : nb;
        char *dxp = (char *)data_of(dx) + (size_t)(b0 * g.c * g.h * g.w) * es;
        /* dcol_b (K, L) = w^T (K, O) @ g_b (O, L); dx_b = col2im(dcol_b) */
        st = be->gemm(w->dtype, true, false, K, L, O, 1.0, data_of(wc), K, 0,
                      (const char *)data_of(gc) + (size_t)(b0 * O * L) * es, L, O * L, 0.0,
                      col ? data_of(col) : dxp, L, K * L, cnt);
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
                                    const int64_t stride[2], const int64_t pad[2])
{
    em_window2d g;
    if (conv_window_from(x->ndim, x->shape, w_shape, stride, pad, &g)) return NULL;
    const em_backend *be = em_tensor_backend(x);
    int64_t O = w_shape[0], K = g.c * g.kh * g.kw, L = g.oh * g.ow, nb = chunk_images(&g);
    size_t es = em_dtype_size(x->dtype);
    em_tensor *gc = em_op_contiguous(g_out), *xc = gc ? em_op_contiguous(x) : NULL, *col = NULL;
    em_tensor *dw = xc ? em_tensor_empty(4, w_shape, x->dtype, be) : NULL;
    bool done = dw && be->conv2d &&
                be->conv2d(EM_CONV_GRAD_WEIGHT, x->dtype, &g, O, data_of(gc), data_of(xc), NULL, data_of(dw));
    /* the fallback adds image by image into zeros */
    em_status st = done || (dw && em_op_fill_(dw, 0.0) == EM_OK && col_buffer(&g, nb, x, &col)) ? EM_OK
                                                                                              : EM_ERR_MEMORY;
    for (int64_t b0 = 0; !done && st == EM_OK && b0 < g.n; b0 += nb) {
        int64_t cnt = g.n - b0 < nb ? g.n - b0 : nb;
        const char *cols = columns(&g, xc, col, b0, cnt, &st);
        /* dw (O, K) += g_b (O, L) @ col_b^T (L, K), one image at a time */
        for (int64_t i = 0; st == EM_OK && i < cnt; i++)
            st = be->gemm(x->dtype, false, true, O, K, L, 1.0,
                          (const char *)data_of(gc) + (size_t)((b0 + i) * O * L) * es, L, 0,
                          cols + (size_t)(i * K * L) * es, L, 0, 1.0, data_of(dw), K, 0, 1);
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

static em_status pool_check(const char *op, const em_tensor *x, const int64_t k[2], const int64_t s[2],
                            const int64_t p[2], em_window2d *g)
{
    char b1[EM_SHAPE_BUF];
    if (x->ndim != 4 && x->ndim != 3)
        return em_fail(EM_ERR_SHAPE, "%s: expected input with 4 dims (N, C, H, W) or 3 dims (C, H, W), got %s", op,
                       em_shape_str(x->ndim, x->shape, b1, sizeof b1));
    if (check_float(op, "input", x)) return em_last_status();
    if (p[0] > k[0] / 2 || p[1] > k[1] / 2)
        return em_fail(EM_ERR_VALUE, "%s: pad should be at most half of kernel size, but got pad=(%lld, %lld) and "
                       "kernel_size=(%lld, %lld)", op, (long long)p[0], (long long)p[1], (long long)k[0],
                       (long long)k[1]);
    return window_of(op, x, k, s, p, g);
}

/* (N, C, oh, ow) or (C, oh, ow), as x. */
static void pooled_shape(const em_tensor *x, const em_window2d *g, int64_t *shape)
{
    memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
    shape[x->ndim - 2] = g->oh;
    shape[x->ndim - 1] = g->ow;
}

em_status em_op_max_pool2d(const em_tensor *x, const int64_t k[2], const int64_t s[2], const int64_t p[2],
                           em_tensor **out, em_tensor **indices)
{
    em_window2d g;
    *out = *indices = NULL;
    if (pool_check("max_pool2d", x, k, s, p, &g)) return em_last_status();
    int64_t shape[4];
    pooled_shape(x, &g, shape);
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = em_op_contiguous(x);
    *out = xc ? em_tensor_empty(x->ndim, shape, x->dtype, be) : NULL;
    *indices = *out ? em_tensor_empty(x->ndim, shape, EM_INT64, be) : NULL;
    em_status st = *indices ? be->max_pool2d(x->dtype, &g, data_of(xc), data_of(*out), data_of(*indices))
                            : em_last_status();
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

/* out = sum over each window / (kh * kw), via im2col: col (P, kh*kw, L) */
em_tensor *em_op_avg_pool2d(const em_tensor *x, const int64_t k[2], const int64_t s[2], const int64_t p[2])
{
    em_window2d g;
    if (pool_check("avg_pool2d", x, k, s, p, &g)) return NULL;
    plane_window(&g);
    int64_t shape[4], cshape[3] = {g.n, g.kh * g.kw, g.oh * g.ow};
    pooled_shape(x, &g, shape);
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = em_op_contiguous(x);
    em_tensor *col = xc ? em_tensor_empty(3, cshape, x->dtype, be) : NULL;
    em_status st = col ? be->im2col(x->dtype, &g, data_of(xc), data_of(col)) : em_last_status();
    em_tensor *sum = st == EM_OK ? em_op_reduce(EM_R_SUM, col, 1u << 1, false) : NULL;
    em_tensor *avg = sum ? em_op_binary_scalar(EM_B_DIV, sum, (double)(g.kh * g.kw)) : NULL;
    em_tensor *out = avg ? em_op_reshape(avg, x->ndim, shape) : NULL;
    em_tensor_release(xc);
    em_tensor_release(col);
    em_tensor_release(sum);
    em_tensor_release(avg);
    return out;
}

/* dx = col2im(g / (kh * kw) repeated over each window) */
em_tensor *em_op_avg_pool2d_backward(const em_tensor *g_out, int x_ndim, const int64_t *x_shape, const int64_t k[2],
                                     const int64_t s[2], const int64_t p[2])
{
    em_tensor fake = {0};
    fake.ndim = x_ndim;
    fake.dtype = g_out->dtype;
    memcpy(fake.shape, x_shape, sizeof(int64_t) * (size_t)x_ndim);
    em_window2d g;
    if (window_of("avg_pool2d_backward", &fake, k, s, p, &g)) return NULL;
    plane_window(&g);
    int64_t gshape[3] = {g.n, 1, g.oh * g.ow}, cshape[3] = {g.n, g.kh * g.kw, g.oh * g.ow};
    const em_backend *be = em_tensor_backend(g_out);
    em_tensor *scaled = em_op_binary_scalar(EM_B_DIV, g_out, (double)(g.kh * g.kw));
    em_tensor *g3 = scaled ? em_op_reshape(scaled, 3, gshape) : NULL;
    em_tensor *e = g3 ? em_op_expand(g3, 3, cshape) : NULL;
    em_tensor *col = e ? em_op_contiguous(e) : NULL;
    em_tensor *dx = col ? em_tensor_empty(x_ndim, x_shape, g_out->dtype, be) : NULL;
    if (dx && be->col2im(g_out->dtype, &g, data_of(col), data_of(dx)) != EM_OK) {
        em_tensor_release(dx);
        dx = NULL;
    }
    em_tensor_release(scaled);
    em_tensor_release(g3);
    em_tensor_release(e);
    em_tensor_release(col);
    return dx;
}

/* --- softmax --- */

em_tensor *em_op_softmax(const em_tensor *x, int dim, bool log)
{
    const char *op = log ? "log_softmax" : "softmax";
    int d;
    if (check_float(op, "input", x) || em_wrap_dim(op, dim, x->ndim, &d)) return NULL;
    int64_t outer = 1, n = x->ndim ? x->shape[d] : 1, inner = 1;
    for (int i = 0; i < d; i++) outer *= x->shape[i];
    for (int i = d + 1; i < x->ndim; i++) inner *= x->shape[i];
    const em_backend *be = em_tensor_backend(x);
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
