/* grad_nn.c — differentiable neural-network ops: linear, conv2d, max/avg
** pooling, softmax / log_softmax, nll_loss, cross_entropy, binary cross
** entropy with logits, batch norm, dropout. The forward call comes from
** ops/nn.h; above each backward, its formula. g is the gradient of the
** output. Names of the nodes are PyTorch's. */
#include <string.h>

#include "autograd.h"
#include "loss_grad.h"
#include "nn_grad.h"
#include "scratch.h"

/* em_op_* results kept in the scratch pool (NULL input: the formula fails). */
#define SC(s, expr) ((s)->failed ? NULL : em_scratch_keep((s), (expr)))

static em_tensor *fail_out(em_tensor *out)
{
    em_tensor_release(out);
    return NULL;
}

/* --- linear --- */

/* The graph is PyTorch's: addmm(b, x, w^T), or mm(x, w^T) without a bias,
** where w^T is w.t() with its own TBackward0 node; the inputs are (b, x, wt)
** or (x, wt). The product itself is one fused kernel (em_op_linear). */

/* out = x @ w^T + b   (x: (m, in), w: (out, in), b: (out))
** db = g summed over the rows ;  dx = g @ w ;  d(w^T) = (g^T @ x)^T, which
** TBackward0 turns back into dw = g^T @ x */
static em_status linear_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const int o = n->n_next == 3;            /* with a bias, it is input 0 */
    if (o && em_node_needs(n, 0)) gi[0] = em_scratch_take(&s, SC(&s, em_op_reduce(EM_R_SUM, g, 1u, false)));
    if (em_node_needs(n, o)) gi[o] = em_scratch_take(&s, SC(&s, em_op_matmul(g, sc_saved(&s, n, 1))));
    if (em_node_needs(n, o + 1)) {
        em_tensor *gt = SC(&s, em_op_transpose(g, 0, 1));
        const em_tensor *x = sc_saved(&s, n, 0);
        em_tensor *gw = gt && x ? SC(&s, em_op_matmul(gt, x)) : (s.failed = true, NULL);
        gi[o + 1] = em_scratch_take(&s, gw ? SC(&s, em_op_transpose(gw, 0, 1)) : (s.failed = true, NULL));
    }
    return em_scratch_end(&s);
}

static em_tensor *linear_2d(em_tensor *x, em_tensor *w, em_tensor *b)
{
    em_tensor *out = em_op_linear(x, w, b);
    if (!out || !em_any_requires_grad(x, w, b) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *wt = em_t(w);                 /* TBackward0 when w requires grad */
    if (!wt) return fail_out(out);
    em_tensor *ins[3] = {b, x, wt};
    em_node *n = b ? em_record("AddmmBackward0", linear_backward, out, 3, ins)
                   : em_record("MmBackward0", linear_backward, out, 2, ins + 1);
    bool ok = n && !(wt->requires_grad && em_node_save(n, 0, x)) && !(x->requires_grad && em_node_save(n, 1, w));
    em_tensor_release(wt);
    return ok ? out : fail_out(out);
}

em_tensor *em_linear(em_tensor *x, em_tensor *w, em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (x->ndim == 2) return linear_2d(x, w, b);
    if (x->ndim == 0 || w->ndim != 2 || x->shape[x->ndim - 1] != w->shape[1]) {
        em_fail(EM_ERR_SHAPE, "linear: input %s and weight %s do not fit: expected input (..., in_features) and "
                "weight (out_features, in_features)", em_shape_str(x->ndim, x->shape, b1, sizeof b1),
                em_shape_str(w->ndim, w->shape, b2, sizeof b2));
        return NULL;
    }
    /* (..., in) -> (rows, in) -> (rows, out) -> (..., out) */
    int64_t rows = 1, flat[2], shape[EM_MAX_DIMS];
    for (int i = 0; i < x->ndim - 1; i++) rows *= shape[i] = x->shape[i];
    shape[x->ndim - 1] = w->shape[0];
    flat[0] = rows;
    flat[1] = w->shape[1];
    em_tensor *x2 = em_reshape(x, 2, flat);
    em_tensor *y2 = x2 ? linear_2d(x2, w, b) : NULL;
    em_tensor *out = y2 ? em_view(y2, x->ndim, shape) : NULL;
    em_tensor_release(x2);
    em_tensor_release(y2);
    return out;
}

/* --- conv2d --- */

/* The resolved options live in the node's ints: stride, pad, pad_end,
** dilation (two each), groups. */
static void conv_opts_save(em_node *n, const em_conv2d_opts *o)
{
    int64_t *v = n->ints;
    for (int i = 0; i < 2; i++) {
        v[i] = o->stride[i];
        v[2 + i] = o->pad[i];
        v[4 + i] = o->pad_end[i];
        v[6 + i] = o->dilation[i];
    }
    v[8] = o->groups;
}

static em_conv2d_opts conv_opts_of(const em_node *n)
{
    const int64_t *v = n->ints;
    em_conv2d_opts o = em_conv2d_defaults();
    for (int i = 0; i < 2; i++) {
        o.stride[i] = v[i];
        o.pad[i] = v[2 + i];
        o.pad_end[i] = v[4 + i];
        o.dilation[i] = v[6 + i];
    }
    o.groups = v[8];
    return o;
}

/* per group: out_n = w (O, K) @ im2col(x)_n (K, L) + b   (K = C/groups kh kw, L = oh ow)
** dx_n = col2im(w^T @ g_n) ;  dw = sum_n g_n @ im2col(x)_n^T ;  db = g summed over N, oh, ow */
static em_status conv2d_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_conv2d_opts o = conv_opts_of(n);
    if (em_node_needs(n, 0)) {
        const em_tensor *w = sc_saved(&s, n, 1);
        gi[0] = em_scratch_take(&s, w ? SC(&s, em_op_conv2d_grad_input(g, w, n->ndim[0], n->shape[0], &o)) : NULL);
    }
    if (em_node_needs(n, 1)) {
        const em_tensor *x = sc_saved(&s, n, 0);
        gi[1] = em_scratch_take(&s, x ? SC(&s, em_op_conv2d_grad_weight(g, x, n->shape[1], &o)) : NULL);
    }
    if (em_node_needs(n, 2)) {
        uint32_t mask = n->ndim[0] == 4 ? (1u | 4u | 8u) : (2u | 4u);
        gi[2] = em_scratch_take(&s, SC(&s, em_op_reduce(EM_R_SUM, g, mask, false)));
    }
    return em_scratch_end(&s);
}

static em_tensor *conv2d_batched(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *o)
{
    em_tensor *out = em_op_conv2d(x, w, b, o);
    if (!out || !em_any_requires_grad(x, w, b)) return out;
    em_tensor *ins[3] = {x, w, b};
    em_node *n = em_record("ConvolutionBackward0", conv2d_backward, out, 3, ins);
    if (!n || (w->requires_grad && em_node_save(n, 0, x)) || (x->requires_grad && em_node_save(n, 1, w)))
        return fail_out(out);
    conv_opts_save(n, o);
    return out;
}

em_tensor *em_conv2d(em_tensor *x, em_tensor *w, em_tensor *b, const em_conv2d_opts *opts)
{
    em_conv2d_opts o = *opts;
    if (w->ndim == 4 && em_conv2d_resolve(w->shape, &o)) return NULL;
    if (x->ndim != 3) return conv2d_batched(x, w, b, &o);
    /* (C, H, W): a batch of one, as PyTorch (its graph ends in SqueezeBackward1) */
    em_tensor *x4 = em_unsqueeze(x, 0);
    em_tensor *y4 = x4 ? conv2d_batched(x4, w, b, &o) : NULL;
    em_tensor *out = y4 ? em_squeeze(y4, 0, false) : NULL;
    em_tensor_release(x4);
    em_tensor_release(y4);
    return out;
}

/* --- pooling --- */

/* d max_pool2d = zeros of x's shape with g added at the saved arg-max positions */
static em_status max_pool2d_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *idx = sc_saved(&s, n, 0);
    gi[0] = em_scratch_take(&s, idx ? SC(&s, em_op_max_pool2d_backward(g, idx, n->ndim[0], n->shape[0])) : NULL);
    return em_scratch_end(&s);
}

em_status em_max_pool2d(em_tensor *x, const em_pool2d_opts *o, em_tensor **out, em_tensor **indices)
{
    em_status st = em_op_max_pool2d(x, o, out, indices);
    if (st != EM_OK || !em_any_requires_grad(x, NULL, NULL)) return st;
    em_node *n = em_record("MaxPool2DWithIndicesBackward0", max_pool2d_backward, *out, 1, &x);
    if (!n || em_node_save(n, 0, *indices) != EM_OK) {
        em_tensor_release(*out);
        em_tensor_release(*indices);
        *out = *indices = NULL;
        return em_last_status();
    }
    return EM_OK;
}

/* The options of avg_pool2d in the node's ints: kernel, stride, pad (two
** each), ceil_mode, count_include_pad, divisor. */
static em_pool2d_opts avg_opts_of(const em_node *n)
{
    const int64_t *v = n->ints;
    em_pool2d_opts o = {{v[0], v[1]}, {v[2], v[3]}, {v[4], v[5]}, {1, 1}, v[6] != 0, v[7] != 0, v[8]};
    return o;
}

/* d avg_pool2d = col2im(g / divisor repeated over each window) */
static em_status avg_pool2d_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_pool2d_opts o = avg_opts_of(n);
    gi[0] = em_scratch_take(&s, SC(&s, em_op_avg_pool2d_backward(g, n->ndim[0], n->shape[0], &o)));
    return em_scratch_end(&s);
}

em_tensor *em_avg_pool2d(em_tensor *x, const em_pool2d_opts *o)
{
    em_tensor *out = em_op_avg_pool2d(x, o);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = em_record("AvgPool2DBackward0", avg_pool2d_backward, out, 1, &x);
    if (!n) return fail_out(out);
    for (int i = 0; i < 2; i++) {
        n->ints[i] = o->kernel[i];
        n->ints[2 + i] = o->stride[i];
        n->ints[4 + i] = o->pad[i];
    }
    n->ints[6] = o->ceil_mode;
    n->ints[7] = o->count_include_pad;
    n->ints[8] = o->divisor;
    return out;
}

/* --- softmax --- */

/* softmax (y = out):      dx = y * (g - sum(g * y, dim))
** log_softmax (y = out):  dx = g - exp(y) * sum(g, dim) */
static em_status softmax_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *y = sc_saved(&s, n, 0);
    uint32_t mask = n->ndim[0] ? 1u << n->ints[0] : 0;
    if (n->ints[1]) {
        em_tensor *sg = y ? SC(&s, em_op_reduce(EM_R_SUM, g, mask, true)) : NULL;
        gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_SUB, g, sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_EXP, y, 0, 0), sg)));
    } else {
        em_tensor *gy = sc_bin(&s, EM_B_MUL, g, y);
        em_tensor *sgy = gy ? SC(&s, em_op_reduce(EM_R_SUM, gy, mask, true)) : NULL;
        gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_SUB, gy, sc_bin(&s, EM_B_MUL, y, sgy)));
    }
    return em_scratch_end(&s);
}

em_tensor *em_softmax(em_tensor *x, int dim, bool log)
{
    em_tensor *out = em_op_softmax(x, dim, log);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = em_record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", softmax_backward, out, 1, &x);
    if (!n || em_node_save(n, 0, out) != EM_OK) return fail_out(out);
    int d = 0;
    em_wrap_dim("softmax", dim, x->ndim, &d);
    n->ints[0] = d;
    n->ints[1] = log;
    return out;
}

/* --- class-index losses --- */

/* Per row r with target t and gradient g_r = g (none, sum) or g / sum of the
** target weights (mean), 0 for ignored rows:
** cross_entropy (x logits, p = softmax(x), s smoothing, W = sum_c w_c):
**     dx_c = g_r ((1 - s) w_t (p_c - [c == t]) + s/C (W p_c - w_c))
** nll_loss (x log-probabilities):  dx_t = -g_r w_t, 0 for the other classes */
static em_status class_loss_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0), *t = sc_saved(&s, n, 1);
    const em_tensor *w = n->ints[3] ? sc_saved(&s, n, 2) : NULL;
    em_loss_opts o = {(em_reduction)n->ints[0], n->ints[1], n->scalars[1], w, NULL};
    gi[0] = em_scratch_take(&s, x && t ? SC(&s, em_op_class_loss_backward(g, x, t, n->ints[2], &o, n->scalars[0]))
                                       : NULL);
    return em_scratch_end(&s);
}

static em_tensor *class_loss(const char *op, em_tensor *x, em_tensor *target, bool logits, const em_loss_opts *o)
{
    double denom;
    if (em_loss_constant_arg("nll_loss_forward", "weight", o->weight)) return NULL;
    em_tensor *out = em_op_class_loss(op, x, target, logits, o, &denom);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    /* PyTorch's graph ends in nll_loss (nll_loss2d past 2 dims); label smoothing adds two terms */
    const char *name = logits && o->smoothing > 0 ? "AddBackward0"
                       : x->ndim <= 2            ? "NllLossBackward0"
                                                 : "NllLoss2DBackward0";
    em_node *n = em_record(name, class_loss_backward, out, 1, &x);
    if (!n || em_node_save(n, 0, x) || em_node_save(n, 1, target) || (o->weight && em_node_save(n, 2, o->weight)))
        return fail_out(out);
    n->ints[0] = o->reduction;
    n->ints[1] = o->ignore_index;
    n->ints[2] = logits;
    n->ints[3] = o->weight != NULL;
    n->scalars[0] = denom;
    n->scalars[1] = o->smoothing;
    return out;
}

em_tensor *em_nll_loss(em_tensor *logp, em_tensor *target, const em_loss_opts *o)
{
    em_loss_opts plain = *o;
    plain.smoothing = 0.0;
    return class_loss("nll_loss", logp, target, false, &plain);
}

em_tensor *em_cross_entropy(em_tensor *logits, em_tensor *target, const em_loss_opts *o)
{
    return class_loss("cross_entropy", logits, target, true, o);
}

/* --- binary cross entropy with logits --- */

/* l = w ((1 - y) x + lw softplus(-x)),  lw = 1 + (pw - 1) y  (pw = 1 without pos_weight):
** dx = g w (lw sigmoid(x) - pw y) ;  dy = g w ((pw - 1) softplus(-x) - x) ;  mean: g / numel */
static em_status bce_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0), *y = sc_saved(&s, n, 1);
    const em_tensor *aux = n->ints[1] ? sc_saved(&s, n, 2) : NULL, *w = NULL, *pw = NULL;
    if (n->ints[1] == 1) w = aux;
    if (n->ints[1] == 2) pw = aux;
    if (n->ints[1] == 3 && aux) {
        w = SC(&s, em_op_select(aux, 0, 0));
        pw = SC(&s, em_op_select(aux, 0, 1));
    }
    const em_tensor *ge = n->ints[0] == EM_REDUCTION_MEAN ? sc_scalar(&s, EM_B_DIV, g, n->scalars[0]) : g;
    if (w) ge = sc_bin(&s, EM_B_MUL, ge, w);
    em_tensor *pw1 = pw ? sc_scalar(&s, EM_B_SUB, pw, 1.0) : NULL;
    if (em_node_needs(n, 0)) {
        em_tensor *sig = sc_un(&s, EM_U_SIGMOID, x, 0, 0), *d;
        if (pw) {
            em_tensor *lw = sc_scalar(&s, EM_B_ADD, sc_bin(&s, EM_B_MUL, pw1, y), 1.0);
            d = sc_bin(&s, EM_B_SUB, sc_bin(&s, EM_B_MUL, lw, sig), sc_bin(&s, EM_B_MUL, pw, y));
        } else {
            d = sc_bin(&s, EM_B_SUB, sig, y);
        }
        gi[0] = em_scratch_take(&s, sc_sum_to(&s, sc_bin(&s, EM_B_MUL, d, ge), n->ndim[0], n->shape[0]));
    }
    if (em_node_needs(n, 1)) {
        em_tensor *d = sc_un(&s, EM_U_NEG, x, 0, 0);
        if (pw) {   /* softplus(-x) = log1p(e^-|x|) + max(-x, 0) */
            em_tensor *sp = sc_bin(&s, EM_B_ADD, sc_un(&s, EM_U_LOG1P, sc_un(&s, EM_U_EXP,
                                   sc_un(&s, EM_U_NEG, sc_un(&s, EM_U_ABS, x, 0, 0), 0, 0), 0, 0), 0, 0),
                                   sc_un(&s, EM_U_RELU, d, 0, 0));
            d = sc_bin(&s, EM_B_ADD, d, sc_bin(&s, EM_B_MUL, pw1, sp));
        }
        gi[1] = em_scratch_take(&s, sc_sum_to(&s, sc_bin(&s, EM_B_MUL, d, ge), n->ndim[1], n->shape[1]));
    }
    return em_scratch_end(&s);
}

/* What bce_backward needs besides x and y: weight, pos_weight, or both
** broadcast to x's shape and stacked (a node holds three saved tensors). */
static em_tensor *bce_aux(const em_tensor *x, const em_loss_opts *o, int *flags)
{
    *flags = (o->weight ? 1 : 0) | (o->pos_weight ? 2 : 0);
    if (*flags != 3) {
        em_tensor *t = (em_tensor *)(o->weight ? o->weight : o->pos_weight);
        em_tensor_retain(t);
        return t;
    }
    em_tensor *w = em_op_expand(o->weight, x->ndim, x->shape);
    em_tensor *p = w ? em_op_expand(o->pos_weight, x->ndim, x->shape) : NULL;
    em_tensor *w1 = p ? em_op_unsqueeze(w, 0) : NULL, *p1 = w1 ? em_op_unsqueeze(p, 0) : NULL;
    em_tensor *both[2] = {w1, p1};
    em_tensor *out = p1 ? em_op_cat(2, both, 0) : NULL;
    em_tensor_release(w);
    em_tensor_release(p);
    em_tensor_release(w1);
    em_tensor_release(p1);
    return out;
}

em_tensor *em_bce_with_logits(em_tensor *x, em_tensor *y, const em_loss_opts *o)
{
    const char *fn = "binary_cross_entropy_with_logits";
    if (em_loss_constant_arg(fn, "weight", o->weight) || em_loss_constant_arg(fn, "pos_weight", o->pos_weight))
        return NULL;
    em_tensor *out = em_op_bce_with_logits(x, y, o);
    if (!out || !em_any_requires_grad(x, y, NULL)) return out;
    em_tensor *ins[2] = {x, y};
    em_node *n = em_record("BinaryCrossEntropyWithLogitsBackward0", bce_backward, out, 2, ins);
    int flags = 0;
    em_tensor *aux = n ? bce_aux(x, o, &flags) : NULL;
    bool ok = n && (aux || !flags) && !em_node_save(n, 0, x) && !em_node_save(n, 1, y) &&
              (!aux || !em_node_save(n, 2, aux));
    em_tensor_release(aux);
    if (!ok) return fail_out(out);
    n->ints[0] = o->reduction;
    n->ints[1] = flags;
    n->scalars[0] = (double)em_tensor_numel(out->ndim ? out : x);
    return out;
}

/* --- mean squared error --- */

/* l = reduce((a - b)^2), one node instead of three (sub, square, mean):
** da = ((a - b) * norm) * g,  db = -da,  norm = 2/N for "mean" (N elements)
** else 2; each summed back to its input's shape (a and b may broadcast).
** PyTorch's mse_loss_backward computes the same products in this order. */
static em_status mse_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *a = sc_saved(&s, n, 0), *b = sc_saved(&s, n, 1);
    em_tensor *da = sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_MUL, sc_bin(&s, EM_B_SUB, a, b), n->scalars[0]), g);
    if (em_node_needs(n, 0)) gi[0] = em_scratch_take(&s, sc_sum_to(&s, da, n->ndim[0], n->shape[0]));
    if (em_node_needs(n, 1))
        gi[1] = em_scratch_take(&s, sc_sum_to(&s, sc_un(&s, EM_U_NEG, da, 0, 0), n->ndim[1], n->shape[1]));
    return em_scratch_end(&s);
}

/* forward: the elementwise (a - b)^2, then the reduction, as op by op */
em_tensor *em_mse_loss(em_tensor *a, em_tensor *b, em_reduction reduction)
{
    em_tensor *d = em_op_binary(EM_B_SUB, a, b);
    em_tensor *sq = d ? em_op_unary(EM_U_SQUARE, d, 0, 0) : NULL;
    em_tensor_release(d);
    if (!sq) return NULL;
    int64_t numel = em_tensor_numel(sq);
    em_tensor *out = sq;
    if (reduction != EM_REDUCTION_NONE) {
        out = reduction == EM_REDUCTION_MEAN ? em_op_mean(sq, 0, false) : em_op_reduce(EM_R_SUM, sq, 0, false);
        em_tensor_release(sq);
    }
    if (!out || !em_any_requires_grad(a, b, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[2] = {a, b};
    em_node *n = em_record("MseLossBackward0", mse_backward, out, 2, ins);
    if (!n || em_node_save(n, 0, a) || em_node_save(n, 1, b)) return fail_out(out);
    n->scalars[0] = reduction == EM_REDUCTION_MEAN ? 2.0 / (double)(numel ? numel : 1) : 2.0;
    return out;
}

/* --- batch norm --- */

/* xhat = (x - mean) invstd, sums over every dim but the channel, M values per channel:
** training: dx = w invstd (g - sum(g)/M - xhat sum(g xhat)/M) ; eval: dx = w invstd g
** dw = sum(g xhat) ;  db = sum(g) */
static em_status batch_norm_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0), *st = sc_saved(&s, n, 2);
    const em_tensor *w = n->ints[1] ? sc_saved(&s, n, 1) : NULL;
    if (!s.failed && em_op_batch_norm_backward(g, x, w, st, n->ints[0], em_node_needs(n, 0) ? &gi[0] : NULL,
                                               em_node_needs(n, 1) ? &gi[1] : NULL,
                                               em_node_needs(n, 2) ? &gi[2] : NULL) != EM_OK)
        s.failed = true;
    return em_scratch_end(&s);
}

em_tensor *em_batch_norm(em_tensor *x, em_tensor *w, em_tensor *b, em_tensor *running_mean,
                         em_tensor *running_var, bool training, double momentum, double eps)
{
    em_tensor *stats = NULL;
    em_tensor *out = em_op_batch_norm(x, w, b, running_mean, running_var, training, momentum, eps, &stats);
    if (!out || !em_any_requires_grad(x, w, b)) {
        em_tensor_release(stats);
        return out;
    }
    em_tensor *ins[3] = {x, w, b};
    em_node *n = em_record("NativeBatchNormBackward0", batch_norm_backward, out, 3, ins);
    bool ok = n && !em_node_save(n, 0, x) && (!w || !em_node_save(n, 1, w)) && !em_node_save(n, 2, stats);
    em_tensor_release(stats);
    if (!ok) return fail_out(out);
    n->ints[0] = training;
    n->ints[1] = w != NULL;
    return out;
}

/* --- dropout --- */

em_tensor *em_dropout(em_tensor *x, double p, bool train, em_rng *g)
{
    if (!(p >= 0.0 && p <= 1.0)) {
        em_fail(EM_ERR_VALUE, "dropout: dropout probability has to be between 0 and 1, but got %g", p);
        return NULL;
    }
    if (!train || p == 0.0 || em_tensor_numel(x) == 0) {
        em_tensor_retain(x);
        return x;
    }
    /* as PyTorch: p == 1 multiplies by a zero scalar, else by mask / (1 - p) */
    em_tensor *noise = p == 1.0 ? em_op_scalar(0.0, x->dtype, em_tensor_backend(x), false)
                                : em_op_dropout_noise(x, p, g);
    em_tensor *out = noise ? em_binary(EM_B_MUL, x, noise) : NULL;
    em_tensor_release(noise);
    return out;
}
