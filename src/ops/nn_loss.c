/* nn_loss.c — forward ops of the losses (nll_loss and cross_entropy through
** the backend's fused class_loss kernels; binary cross entropy with logits
** composed of elementwise ops), batch norm (statistics, running-stat update,
** per-channel affine map, backward), and the random masks of bernoulli and
** dropout. No autograd here (autograd/grad_nn.c). Declared in nn.h.
** The fused kernels (class_loss and its backward, bn_stats, channel_affine,
** bn_backward_reduce) are optional in the backend (backend.h): each call
** asks em_backend_supports once and otherwise runs the composed version
** written next to it from the required tier (same results up to float
** rounding; the autograd nodes, in grad_nn.c, do not see the difference). */
#include <math.h>
#include <stdlib.h>

#include "nn.h"
#include "ops.h"

static void *data_of(const em_tensor *t)
{
    em_kview kv;
    em_tensor_kview(t, &kv);
    return kv.data;
}

/* A pool of temporaries: a failed op makes the following ones no-ops. */
typedef struct pool {
    em_tensor *t[48];
    int n;
    bool failed;
} pool;

static em_tensor *keep(pool *p, em_tensor *t)
{
    if (!t || p->n >= (int)(sizeof p->t / sizeof p->t[0])) {
        if (t) em_tensor_release(t);
        p->failed = true;
        return NULL;
    }
    return p->t[p->n++] = t;
}
/* Hands one of the pool's references to t to the caller. */
static em_tensor *take(pool *p, em_tensor *t)
{
    for (int i = p->n - 1; t && i >= 0; i--)
        if (p->t[i] == t) {
            p->t[i] = NULL;
            break;
        }
    return t;
}
static void drain(pool *p)
{
    for (int i = 0; i < p->n; i++) em_tensor_release(p->t[i]);
    p->n = 0;
}
static em_tensor *bin(pool *p, em_binary_op op, const em_tensor *a, const em_tensor *b)
{
    return p->failed || !a || !b ? (p->failed = true, NULL) : keep(p, em_op_binary(op, a, b));
}
static em_tensor *scal(pool *p, em_binary_op op, const em_tensor *a, double v)
{
    return p->failed || !a ? (p->failed = true, NULL) : keep(p, em_op_binary_scalar(op, a, v));
}
static em_tensor *un(pool *p, em_unary_op op, const em_tensor *a)
{
    return p->failed || !a ? (p->failed = true, NULL) : keep(p, em_op_unary(op, a, 0, 0));
}
static em_tensor *contig(pool *p, const em_tensor *a)
{
    return p->failed || !a ? (p->failed = true, NULL) : keep(p, em_op_contiguous(a));
}

static em_tensor *reduce(pool *p, const em_tensor *loss, em_reduction r)
{
    if (p->failed) return NULL;
    if (r == EM_REDUCTION_MEAN) return keep(p, em_op_mean(loss, 0, false));
    if (r == EM_REDUCTION_SUM) return keep(p, em_op_reduce(EM_R_SUM, loss, 0, false));
    return (em_tensor *)loss;
}

/* A view of t with a new shape (t contiguous), kept in the pool. */
static em_tensor *view(pool *p, const em_tensor *t, int ndim, const int64_t *shape)
{
    return p->failed || !t ? (p->failed = true, NULL) : keep(p, em_op_view(t, ndim, shape));
}
/* t (C) viewed as (1, C, 1): a per-channel value broadcast over (outer, C, inner). */
static em_tensor *per_channel(pool *p, const em_tensor *t, int64_t C)
{
    int64_t shape[3] = {1, C, 1};
    return t ? view(p, t, 3, shape) : NULL;
}
static em_tensor *to64(pool *p, const em_tensor *t)
{
    return p->failed || !t ? (p->failed = true, NULL) : keep(p, em_op_to_dtype(t, EM_FLOAT64));
}
/* Writes v into dst (dtype converted); a failure marks the pool. */
static void store(pool *p, em_tensor *dst, const em_tensor *v)
{
    if (!p->failed && (!v || em_op_copy_(dst, v) != EM_OK)) p->failed = true;
}

/* --- class-index losses --- */

static em_status class_geometry(const char *op, const em_tensor *x, const em_tensor *t, em_class_loss *a)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "%s: expected a floating point input, got %s", op, em_dtype_name(x->dtype));
    if (t->dtype != EM_INT64)
        return em_fail(EM_ERR_TYPE, "%s: expected target of dtype int64 (class indices), got %s", op,
                       em_dtype_name(t->dtype));
    if (em_check_same_device(op, x, t)) return em_last_status();
    em_shape_str(x->ndim, x->shape, b1, sizeof b1);
    em_shape_str(t->ndim, t->shape, b2, sizeof b2);
    if (x->ndim == 0)
        return em_fail(EM_ERR_SHAPE, "%s: expected input of shape (N, C) or (C), got %s", op, b1);
    if (x->ndim >= 2 && t->ndim >= 1 && t->shape[0] != x->shape[0])
        return em_fail(EM_ERR_SHAPE, "%s: expected input batch_size (%lld) to match target batch_size (%lld)", op,
                       (long long)x->shape[0], (long long)t->shape[0]);
    bool fits = t->ndim == (x->ndim == 1 ? 0 : x->ndim - 1);
    for (int i = 1; fits && i < t->ndim; i++) fits = t->shape[i] == x->shape[i + 1];
    if (!fits)
        return em_fail(EM_ERR_SHAPE, "%s: input %s needs a target of shape %s, got %s", op, b1,
                       x->ndim == 1 ? "[] (one class index)" : x->ndim == 2 ? "[N]" : "[N, d1, ...]", b2);
    a->classes = x->ndim == 1 ? x->shape[0] : x->shape[1];
    a->outer = x->ndim == 1 ? 1 : x->shape[0];
    a->inner = 1;
    for (int i = 2; i < x->ndim; i++) a->inner *= x->shape[i];
    return EM_OK;
}

/* The class weights as a contiguous tensor of x's dtype, or NULL (none given). */
static em_status class_weight(pool *p, const char *op, const em_tensor *x, const em_tensor *w, int64_t classes,
                              em_tensor **out)
{
    char b1[EM_SHAPE_BUF];
    *out = NULL;
    if (!w) return EM_OK;
    if (w->ndim != 1 || w->shape[0] != classes)
        return em_fail(EM_ERR_SHAPE, "%s: weight tensor should be defined either for all %lld classes or no classes "
                       "but got weight tensor of shape: %s", op, (long long)classes,
                       em_shape_str(w->ndim, w->shape, b1, sizeof b1));
    if (em_check_same_device(op, x, w)) return em_last_status();
    *out = keep(p, w->dtype == x->dtype ? em_op_contiguous(w) : em_op_to_dtype(w, x->dtype));
    return *out ? EM_OK : em_last_status();
}

static em_status class_setup(pool *p, const char *op, const em_tensor *x, const em_tensor *target, bool logits,
                             const em_loss_opts *o, em_class_loss *a, em_tensor **w)
{
    if (class_geometry(op, x, target, a)) return em_last_status();
    if (!(o->smoothing >= 0.0 && o->smoothing <= 1.0))
        return em_fail(EM_ERR_VALUE, "%s: label_smoothing must be between 0.0 and 1.0. Got: %g", op, o->smoothing);
    a->ignore_index = o->ignore_index;
    a->smoothing = o->smoothing;
    a->logits = logits;
    return class_weight(p, op, x, o->weight, a->classes, w);
}

/* What the composed class losses share: x as (outer, C, inner), the target
** as t3 (outer, 1, inner) with ignored rows set to class 0, and
** k3 (outer, 1, inner) = 1 for kept rows, 0 for ignored ones, and
** rw = w[t] k3. The targets are checked on the host first, with the
** kernel's message. */
static em_status class_rows(pool *p, const em_class_loss *a, const em_tensor *x, const em_tensor *tc,
                            const em_tensor *w, em_tensor **x3, em_tensor **t3, em_tensor **k3, em_tensor **rw)
{
    int64_t rows = a->outer * a->inner, xs[3] = {a->outer, a->classes, a->inner}, ts[3] = {a->outer, 1, a->inner};
    int64_t *host = malloc(rows ? (size_t)rows * sizeof *host : 1);
    em_status st = host ? em_op_to_host(tc, host, (size_t)rows * sizeof *host)
                        : em_fail(EM_ERR_MEMORY, "class_loss: out of memory");
    for (int64_t r = 0; st == EM_OK && r < rows; r++)
        if (host[r] != a->ignore_index && (host[r] < 0 || host[r] >= a->classes))
            st = em_fail(EM_ERR_INDEX, "target %lld is out of bounds for %lld classes", (long long)host[r],
                         (long long)a->classes);
    free(host);
    if (st != EM_OK) return st;
    em_tensor *kept = keep(p, p->failed ? NULL : em_op_binary_scalar(EM_B_NE, tc, (double)a->ignore_index));
    em_tensor *tk = bin(p, EM_B_MUL, tc, contig(p, p->failed ? NULL : keep(p, em_op_to_dtype(kept, EM_INT64))));
    *t3 = view(p, tk, 3, ts);
    *x3 = view(p, x, 3, xs);
    *k3 = view(p, p->failed ? NULL : keep(p, em_op_to_dtype(kept, x->dtype)), 3, ts);
    em_tensor *flat = w ? view(p, tk, 1, &rows) : NULL;
    em_tensor *wt = w && !p->failed ? view(p, keep(p, em_op_index_select(w, 0, flat)), 3, ts) : NULL;
    *rw = w ? bin(p, EM_B_MUL, wt, *k3) : *k3;
    return p->failed ? em_last_status() : EM_OK;
}

/* class_loss from the required tier (logp = log_softmax(x) over the classes
** for logits, x itself for log-probs; s = smoothing, rw as in class_rows):
**   loss = -(1 - s) rw logp[t] - s/C kept sum_c w[c] logp[c]
**   row_weight = rw */
static em_status class_loss_composed(pool *p, const em_class_loss *a, const em_tensor *x, const em_tensor *tc,
                                     const em_tensor *w, em_tensor **loss, em_tensor **roww)
{
    em_tensor *x3, *t3, *k3, *rw;
    if (class_rows(p, a, x, tc, w, &x3, &t3, &k3, &rw)) return em_last_status();
    em_tensor *logp = a->logits ? keep(p, em_op_softmax(x3, 1, true)) : x3;
    em_tensor *picked = p->failed || !logp ? NULL : keep(p, em_op_gather(logp, 1, t3));
    em_tensor *l = scal(p, EM_B_MUL, bin(p, EM_B_MUL, rw, picked), -(1.0 - a->smoothing));
    if (a->logits && a->smoothing > 0.0) {
        em_tensor *wl = w ? bin(p, EM_B_MUL, logp, per_channel(p, w, a->classes)) : logp;
        em_tensor *sm = p->failed ? NULL : keep(p, em_op_reduce(EM_R_SUM, wl, 1u << 1, true));
        em_tensor *smk = bin(p, EM_B_MUL, sm, k3);
        l = bin(p, EM_B_SUB, l, scal(p, EM_B_MUL, smk, a->smoothing / (double)a->classes));
    }
    if (p->failed) return em_last_status();
    store(p, *loss, view(p, l, (*loss)->ndim, (*loss)->shape));
    store(p, *roww, view(p, rw, (*roww)->ndim, (*roww)->shape));
    return p->failed ? em_last_status() : EM_OK;
}

em_tensor *em_op_class_loss(const char *op, const em_tensor *x, const em_tensor *target, bool logits,
                            const em_loss_opts *o, double *denom)
{
    pool p = {0};
    em_class_loss a;
    em_tensor *w, *out = NULL;
    *denom = 1.0;
    if (class_setup(&p, op, x, target, logits, o, &a, &w)) goto done;
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = contig(&p, x), *tc = contig(&p, target);
    em_tensor *loss = p.failed ? NULL : keep(&p, em_tensor_empty(target->ndim, target->shape, x->dtype, be));
    em_tensor *roww = p.failed ? NULL : keep(&p, em_tensor_empty(target->ndim, target->shape, x->dtype, be));
    if (p.failed) goto done;
    if (em_backend_supports(be, EM_FUSED_CLASS_LOSS, x->dtype)
            ? be->class_loss(x->dtype, &a, data_of(xc), data_of(tc), w ? data_of(w) : NULL, data_of(loss),
                             data_of(roww)) != EM_OK
            : class_loss_composed(&p, &a, xc, tc, w, &loss, &roww) != EM_OK) {
        em_error_prefix(op);
        goto done;
    }
    if (o->reduction == EM_REDUCTION_MEAN) {
        em_tensor *tw = keep(&p, em_op_reduce(EM_R_SUM, roww, 0, false));
        if (!tw || em_tensor_get_double(tw, 0, denom) != EM_OK) goto done;
        em_tensor *sum = keep(&p, em_op_reduce(EM_R_SUM, loss, 0, false));
        out = take(&p, scal(&p, EM_B_DIV, sum, *denom));
    } else {
        out = take(&p, reduce(&p, loss, o->reduction));
    }
done:
    drain(&p);
    return out;
}

/* class_loss_backward from the required tier (rw, t3 as in class_rows;
** onehot_rw = rw at class t, 0 elsewhere; kept = 1, or 0 for ignored rows;
** p = softmax(x) over the classes):
**   log-probs: gx = -onehot_rw
**   logits:    gx = p ((1 - s) rw + s/C kept sum w) - ((1 - s) onehot_rw + s/C kept w)
** then gx *= grad (per row, or the one value) * scale. */
static em_tensor *class_loss_backward_composed(pool *p, const em_class_loss *a, const em_tensor *x,
                                               const em_tensor *tc, const em_tensor *w, const em_tensor *g,
                                               bool per_row, double scale)
{
    em_tensor *x3, *t3, *k3, *rw;
    if (class_rows(p, a, x, tc, w, &x3, &t3, &k3, &rw)) return NULL;
    int64_t ts[3] = {a->outer, 1, a->inner};
    em_tensor *zero = p->failed ? NULL : keep(p, em_op_full(3, x3->shape, 0.0, x->dtype, em_tensor_backend(x)));
    em_tensor *hot = p->failed ? NULL : keep(p, em_op_scatter_add(zero, 1, t3, rw));
    em_tensor *gx3;
    if (!a->logits) {
        gx3 = un(p, EM_U_NEG, hot);
    } else {
        double s = a->smoothing, sc = s / (double)a->classes;
        double wsum = (double)a->classes;
        em_tensor *ws = w ? keep(p, p->failed ? NULL : em_op_reduce(EM_R_SUM, w, 0, false)) : NULL;
        if (ws && em_tensor_get_double(ws, 0, &wsum) != EM_OK) p->failed = true;
        em_tensor *A = bin(p, EM_B_ADD, scal(p, EM_B_MUL, rw, 1.0 - s), scal(p, EM_B_MUL, k3, sc * wsum));
        em_tensor *sm = p->failed ? NULL : keep(p, em_op_softmax(x3, 1, false));
        em_tensor *wk = w ? bin(p, EM_B_MUL, per_channel(p, w, a->classes), k3) : k3;
        em_tensor *aa = bin(p, EM_B_ADD, scal(p, EM_B_MUL, hot, 1.0 - s), scal(p, EM_B_MUL, wk, sc));
        gx3 = bin(p, EM_B_SUB, bin(p, EM_B_MUL, sm, A), aa);
    }
    em_tensor *g3 = per_row ? view(p, contig(p, g), 3, ts) : (em_tensor *)g;
    em_tensor *gx = scal(p, EM_B_MUL, bin(p, EM_B_MUL, gx3, g3), scale);
    em_tensor *out = p->failed ? NULL : em_op_reshape(gx, x->ndim, x->shape);
    return out;
}

em_tensor *em_op_class_loss_backward(const em_tensor *g, const em_tensor *x, const em_tensor *target, bool logits,
                                     const em_loss_opts *o, double denom)
{
    pool p = {0};
    em_class_loss a;
    em_tensor *w, *gx = NULL;
    if (class_setup(&p, "class_loss_backward", x, target, logits, o, &a, &w)) goto done;
    const em_backend *be = em_tensor_backend(x);
    em_tensor *xc = contig(&p, x), *tc = contig(&p, target), *gc = contig(&p, g);
    bool per_row = o->reduction == EM_REDUCTION_NONE;
    double scale = o->reduction == EM_REDUCTION_MEAN ? 1.0 / denom : 1.0;
    if (!p.failed && !em_backend_supports(be, EM_FUSED_CLASS_LOSS_BACKWARD, x->dtype)) {
        gx = class_loss_backward_composed(&p, &a, xc, tc, w, gc, per_row, scale);
        goto done;
    }
    gx = p.failed ? NULL : em_tensor_empty(x->ndim, x->shape, x->dtype, be);
    if (gx && be->class_loss_backward(x->dtype, &a, data_of(xc), data_of(tc), w ? data_of(w) : NULL, data_of(gc),
                                      per_row ? 1 : 0, scale, data_of(gx)) != EM_OK) {
        em_tensor_release(gx);
        gx = NULL;
    }
done:
    drain(&p);
    return gx;
}

/* --- binary cross entropy with logits --- */

em_tensor *em_op_bce_with_logits(const em_tensor *x, const em_tensor *y, const em_loss_opts *o)
{
    const char *op = "binary_cross_entropy_with_logits";
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (!em_same_shape(x, y)) {
        em_fail(EM_ERR_SHAPE, "%s: target size %s must be the same as input size %s", op,
                em_shape_str(y->ndim, y->shape, b1, sizeof b1), em_shape_str(x->ndim, x->shape, b2, sizeof b2));
        return NULL;
    }
    if (!em_dtype_is_float(x->dtype) || !em_dtype_is_float(y->dtype)) {
        em_fail(EM_ERR_TYPE, "%s: expected floating point input and target, got %s and %s", op,
                em_dtype_name(x->dtype), em_dtype_name(y->dtype));
        return NULL;
    }
    pool p = {0};
    /* m = max(-x, 0); log(1 + e^-x) = log(e^-m + e^(-x-m)) + m without overflow */
    em_tensor *m = un(&p, EM_U_RELU, un(&p, EM_U_NEG, x));
    em_tensor *e1 = un(&p, EM_U_EXP, un(&p, EM_U_NEG, m));
    em_tensor *e2 = un(&p, EM_U_EXP, bin(&p, EM_B_SUB, un(&p, EM_U_NEG, x), m));
    em_tensor *lg = un(&p, EM_U_LOG, bin(&p, EM_B_ADD, e1, e2));
    em_tensor *lin = bin(&p, EM_B_MUL, un(&p, EM_U_NEG, scal(&p, EM_B_SUB, y, 1.0)), x);   /* (1 - y) x */
    em_tensor *loss;
    if (o->pos_weight) {
        em_tensor *lw = scal(&p, EM_B_ADD, bin(&p, EM_B_MUL, scal(&p, EM_B_SUB, o->pos_weight, 1.0), y), 1.0);
        loss = bin(&p, EM_B_ADD, lin, bin(&p, EM_B_MUL, lw, bin(&p, EM_B_ADD, lg, m)));
    } else {
        loss = bin(&p, EM_B_ADD, bin(&p, EM_B_ADD, lin, m), lg);
    }
    if (o->weight) loss = bin(&p, EM_B_MUL, loss, o->weight);
    em_tensor *out = take(&p, reduce(&p, loss, o->reduction));
    drain(&p);
    return out;
}

/* --- batch norm --- */

static em_status bn_param(const char *what, const em_tensor *x, const em_tensor *t)
{
    char b1[EM_SHAPE_BUF];
    if (!t) return EM_OK;
    if (t->ndim != 1 || t->shape[0] != x->shape[1])
        return em_fail(EM_ERR_SHAPE, "batch_norm: expected %s of shape [%lld] (one value per channel), got %s", what,
                       (long long)x->shape[1], em_shape_str(t->ndim, t->shape, b1, sizeof b1));
    if (t->dtype != x->dtype)
        return em_fail(EM_ERR_TYPE, "batch_norm: expected %s of dtype %s (as the input), got %s", what,
                       em_dtype_name(x->dtype), em_dtype_name(t->dtype));
    return em_check_same_device("batch_norm", x, t);
}

/* t = (1 - m) t + m v, in double, written back into t (running statistics) */
static void lerp_into(pool *p, em_tensor *t, const em_tensor *v, double m)
{
    if (p->failed || !t) return;
    em_tensor *t64 = keep(p, em_op_to_dtype(t, EM_FLOAT64)), *v64 = p->failed ? NULL : keep(p, em_op_to_dtype(v, EM_FLOAT64));
    em_tensor *r = bin(p, EM_B_ADD, scal(p, EM_B_MUL, v64, m), scal(p, EM_B_MUL, t64, 1.0 - m));
    if (r && em_op_copy_(t, r) != EM_OK) p->failed = true;
}

/* y (N, C, inner) = a sa[c] + (b - center[c]) sb[c] + shift[c] (backend.h's
** channel_affine; b, center, sb, shift may be NULL): the fused kernel, or
** the same formula in broadcasting ops on (N, C, inner) and (1, C, 1). */
static void channel_affine(pool *p, em_tensor *y, const em_tensor *a, const em_tensor *b, const em_tensor *center,
                           int64_t N, int64_t C, int64_t inner, const em_tensor *sa, const em_tensor *sb,
                           const em_tensor *shift)
{
    if (p->failed) return;
    const em_backend *be = em_tensor_backend(a);
    if (em_backend_supports(be, EM_FUSED_CHANNEL_AFFINE, a->dtype)) {
        if (be->channel_affine(a->dtype, data_of(a), b ? data_of(b) : NULL, center ? data_of(center) : NULL, N, C,
                               inner, data_of(sa), sb ? data_of(sb) : NULL, shift ? data_of(shift) : NULL,
                               data_of(y)) != EM_OK)
            p->failed = true;
        return;
    }
    int64_t shape[3] = {N, C, inner};
    em_tensor *r = bin(p, EM_B_MUL, view(p, a, 3, shape), per_channel(p, sa, C));
    if (b) {
        em_tensor *d = bin(p, EM_B_SUB, view(p, b, 3, shape), per_channel(p, center, C));
        r = bin(p, EM_B_ADD, r, bin(p, EM_B_MUL, d, per_channel(p, sb, C)));
    }
    if (shift) r = bin(p, EM_B_ADD, r, per_channel(p, shift, C));
    store(p, view(p, y, 3, shape), r);
}

/* rows 0 and 1 of the (2, C) stats */
static em_tensor *row(pool *p, const em_tensor *stats, int i)
{
    return p->failed ? NULL : keep(p, em_op_select(stats, 0, i));
}

em_tensor *em_op_batch_norm(const em_tensor *x, const em_tensor *w, const em_tensor *b, em_tensor *rm,
                            em_tensor *rv, bool training, double momentum, double eps, em_tensor **stats)
{
    char b1[EM_SHAPE_BUF];
    *stats = NULL;
    if (x->ndim < 2) {
        em_fail(EM_ERR_SHAPE, "batch_norm: expected input with at least 2 dims (N, C, ...), got %s",
                em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    if (!em_dtype_is_float(x->dtype)) {
        em_fail(EM_ERR_TYPE, "batch_norm: expected a floating point input, got %s", em_dtype_name(x->dtype));
        return NULL;
    }
    if (bn_param("weight", x, w) || bn_param("bias", x, b) || bn_param("running_mean", x, rm) ||
        bn_param("running_var", x, rv))
        return NULL;
    int64_t N = x->shape[0], C = x->shape[1], inner = 1;
    for (int i = 2; i < x->ndim; i++) inner *= x->shape[i];
    int64_t M = N * inner;
    if (training && M <= 1) {
        em_fail(EM_ERR_VALUE, "batch_norm: expected more than 1 value per channel when training, got input size %s",
                em_shape_str(x->ndim, x->shape, b1, sizeof b1));
        return NULL;
    }
    if (!training && (!rm || !rv)) {
        em_fail(EM_ERR_VALUE, "batch_norm: running_mean and running_var are needed in evaluation mode "
                "(training = false)");
        return NULL;
    }
    pool p = {0};
    const em_backend *be = em_tensor_backend(x);
    int64_t sshape[2] = {2, C};
    em_tensor *st = keep(&p, em_tensor_empty(2, sshape, x->dtype, be));
    em_tensor *xc = contig(&p, x), *mean = row(&p, st, 0), *var = row(&p, st, 1), *y = NULL;
    if (p.failed) goto done;
    if (training) {
        if (em_backend_supports(be, EM_FUSED_BN_STATS, x->dtype)) {
            if (be->bn_stats(x->dtype, data_of(xc), N, C, inner, data_of(mean), data_of(var)) != EM_OK) goto done;
        } else {
            /* composed, in double: mean = E[x], var = E[(x - mean)^2] over dims 0 and 2 of (N, C, inner) */
            int64_t shape[3] = {N, C, inner};
            em_tensor *x3 = to64(&p, view(&p, xc, 3, shape));
            em_tensor *m = p.failed ? NULL : keep(&p, em_op_mean(x3, 1u | 4u, true));
            em_tensor *v = p.failed ? NULL : keep(&p, em_op_mean(un(&p, EM_U_SQUARE, bin(&p, EM_B_SUB, x3, m)),
                                                                 1u | 4u, false));
            store(&p, mean, view(&p, m, 1, &C));
            store(&p, var, v);
            if (p.failed) goto done;
        }
        lerp_into(&p, rm, mean, momentum);
        lerp_into(&p, rv, scal(&p, EM_B_MUL, var, (double)M / (double)(M - 1)), momentum);   /* unbiased */
    } else if (em_op_copy_(mean, rm) != EM_OK || em_op_copy_(var, rv) != EM_OK) {
        goto done;
    }
    /* invstd = 1 / sqrt(var + eps): in double for batch statistics (as PyTorch) */
    em_tensor *v = training ? keep(&p, em_op_to_dtype(var, EM_FLOAT64)) : var;
    em_tensor *inv = un(&p, EM_U_RECIPROCAL, un(&p, EM_U_SQRT, scal(&p, EM_B_ADD, v, eps)));
    if (p.failed || em_op_copy_(var, inv) != EM_OK) goto done;
    /* y = x * scale + shift, scale = w * invstd, shift = b - mean * scale */
    em_tensor *scale = w ? bin(&p, EM_B_MUL, var, w) : var;
    em_tensor *ms = bin(&p, EM_B_MUL, mean, scale);
    em_tensor *shift = b ? bin(&p, EM_B_SUB, b, ms) : un(&p, EM_U_NEG, ms);
    em_tensor *sc = contig(&p, scale), *sh = contig(&p, shift);
    y = p.failed ? NULL : em_tensor_empty(x->ndim, x->shape, x->dtype, be);
    if (y) channel_affine(&p, y, xc, NULL, NULL, N, C, inner, sc, NULL, sh);
    if (y && p.failed) {
        em_tensor_release(y);
        y = NULL;
    }
    if (y) *stats = take(&p, st);
done:
    drain(&p);
    return y;
}

em_status em_op_batch_norm_backward(const em_tensor *g, const em_tensor *x, const em_tensor *w,
                                    const em_tensor *stats, bool training, em_tensor **gx, em_tensor **gw,
                                    em_tensor **gb)
{
    int64_t N = x->shape[0], C = x->shape[1], inner = 1;
    for (int i = 2; i < x->ndim; i++) inner *= x->shape[i];
    double M = (double)(N * inner);
    pool p = {0};
    const em_backend *be = em_tensor_backend(x);
    em_tensor *gc = contig(&p, g), *xc = contig(&p, x), *sc = contig(&p, stats);
    em_tensor *mean = row(&p, sc, 0), *invstd = row(&p, sc, 1);
    em_tensor *sum_g = p.failed ? NULL : keep(&p, em_tensor_empty(1, &C, x->dtype, be));
    em_tensor *sum_gx = p.failed ? NULL : keep(&p, em_tensor_empty(1, &C, x->dtype, be));
    if (p.failed) {
    } else if (em_backend_supports(be, EM_FUSED_BN_BACKWARD_REDUCE, x->dtype)) {
        if (be->bn_backward_reduce(x->dtype, data_of(gc), data_of(xc), data_of(mean), N, C, inner, data_of(sum_g),
                                   data_of(sum_gx)) != EM_OK)
            p.failed = true;
    } else {
        /* composed, in double: sum_g = sum g, sum_gx = sum g (x - mean), over dims 0 and 2 of (N, C, inner) */
        int64_t shape[3] = {N, C, inner};
        em_tensor *g3 = to64(&p, view(&p, gc, 3, shape)), *x3 = to64(&p, view(&p, xc, 3, shape));
        em_tensor *xm = bin(&p, EM_B_SUB, x3, per_channel(&p, to64(&p, mean), C));
        store(&p, sum_g, p.failed ? NULL : keep(&p, em_op_reduce(EM_R_SUM, g3, 1u | 4u, false)));
        em_tensor *gxm = bin(&p, EM_B_MUL, g3, xm);
        store(&p, sum_gx, p.failed ? NULL : keep(&p, em_op_reduce(EM_R_SUM, gxm, 1u | 4u, false)));
    }
    if (gw) *gw = take(&p, bin(&p, EM_B_MUL, sum_gx, invstd));          /* sum g * xhat */
    if (gb) *gb = take(&p, contig(&p, sum_g));                          /* sum g */
    if (gx) {
        /* dx = A (g - sum_g / M - (x - mean) k),  A = w invstd,  k = invstd^2 sum_gx / M  (training);
        ** dx = A g with the running statistics (eval) */
        em_tensor *A = contig(&p, w ? bin(&p, EM_B_MUL, w, invstd) : invstd), *sb = NULL, *shift = NULL;
        if (training) {
            em_tensor *k = scal(&p, EM_B_DIV, bin(&p, EM_B_MUL, un(&p, EM_U_SQUARE, invstd), sum_gx), M);
            sb = un(&p, EM_U_NEG, bin(&p, EM_B_MUL, A, k));
            shift = un(&p, EM_U_NEG, bin(&p, EM_B_MUL, A, scal(&p, EM_B_DIV, sum_g, M)));
        }
        *gx = p.failed ? NULL : em_tensor_empty(x->ndim, x->shape, x->dtype, be);
        if (*gx) channel_affine(&p, *gx, gc, training ? xc : NULL, training ? mean : NULL, N, C, inner, A,
                                training ? sb : NULL, training ? shift : NULL);
        if (*gx && p.failed) {
            em_tensor_release(*gx);
            *gx = NULL;
        }
        if (!*gx) p.failed = true;
    }
    drain(&p);
    if (!p.failed) return EM_OK;
    if (gx) { em_tensor_release(*gx); *gx = NULL; }
    if (gw) { em_tensor_release(*gw); *gw = NULL; }
    if (gb) { em_tensor_release(*gb); *gb = NULL; }
    return em_last_status() != EM_OK ? em_last_status() : EM_ERR_INTERNAL;
}

/* --- random masks ---
** PyTorch 1.13's CPU bernoulli_ (built without MKL, as Debian's is; the MKL
** build draws from another generator) walks the tensor in order and, per
** element, compares one uniform sample with p: for a number p or a float64
** p tensor the sample takes 53 bits of one 64-bit draw (as torch.rand on
** float64), for a float32 p tensor 24 bits of one 32-bit draw; the element
** is 1 when sample < p. ember does the same with the same generator, so the
** masks (and dropout's) equal PyTorch's for the same seed; checked by
** tests/peer/test_nn_parity.lua. */
/* A new float32 tensor of Bernoulli(p) draws valued `on` or 0. */
static em_tensor *bernoulli_f32(int ndim, const int64_t *shape, double p, float on, const em_backend *be,
                                em_rng *g)
{
    int64_t n = em_shape_numel("bernoulli_", ndim, shape);
    if (n < 0) return NULL;
    if (em_backend_host_memory(be)) {   /* the tensor's memory is host memory: draw into it */
        em_tensor *t = em_tensor_empty(ndim, shape, EM_FLOAT32, be);
        if (t) em_rng_bernoulli_fill_f32(g, (float *)t->storage->data + t->offset, n, p, on);
        return t;
    }
    float *buf = malloc(n ? (size_t)n * sizeof *buf : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "bernoulli_: out of memory for %lld values", (long long)n);
        return NULL;
    }
    em_rng_bernoulli_fill_f32(g, buf, n, p, on);
    em_tensor *t = em_op_from_host(buf, ndim, shape, EM_FLOAT32, be);
    free(buf);
    return t;
}

em_status em_op_bernoulli_(em_tensor *x, double p, const em_tensor *p_tensor, em_rng *g)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    int64_t n = em_tensor_numel(x);
    if (!p_tensor && !(p >= 0.0 && p <= 1.0))
        return em_fail(EM_ERR_VALUE, "bernoulli_: expects p to be in [0, 1], but got p=%g", p);
    if (p_tensor && !em_dtype_is_float(p_tensor->dtype))
        return em_fail(EM_ERR_TYPE, "bernoulli_: expected probabilities of a floating point dtype, got %s",
                       em_dtype_name(p_tensor->dtype));
    if (!p_tensor && x->dtype == EM_FLOAT32) {     /* the common case, without a double buffer */
        em_tensor *tmp = bernoulli_f32(x->ndim, x->shape, p, 1.0f, em_tensor_backend(x), g);
        em_status st = tmp ? em_op_copy_(x, tmp) : em_last_status();
        em_tensor_release(tmp);
        return st;
    }
    double *buf = malloc(n ? (size_t)n * sizeof *buf : 1);
    if (!buf) return em_fail(EM_ERR_MEMORY, "bernoulli_: out of memory for %lld values", (long long)n);
    em_status st = EM_OK;
    bool f32 = p_tensor && p_tensor->dtype == EM_FLOAT32;
    if (p_tensor) {
        em_tensor *e = em_op_expand(p_tensor, x->ndim, x->shape);
        em_tensor *e64 = e ? em_op_to_dtype(e, EM_FLOAT64) : NULL;
        if (!e)
            em_fail(EM_ERR_SHAPE, "bernoulli_: probabilities of shape %s cannot be broadcast to %s",
                    em_shape_str(p_tensor->ndim, p_tensor->shape, b1, sizeof b1),
                    em_shape_str(x->ndim, x->shape, b2, sizeof b2));
        st = e64 ? em_op_to_host(e64, buf, (size_t)n * sizeof *buf) : em_last_status();
        em_tensor_release(e);
        em_tensor_release(e64);
    }
    for (int64_t i = 0; st == EM_OK && p_tensor && i < n; i++)   /* every probability, before any draw */
        if (!(buf[i] >= 0.0 && buf[i] <= 1.0))
            st = em_fail(EM_ERR_VALUE, "bernoulli_: expects every probability p to be in [0, 1] (PyTorch: Expected "
                         "p_in >= 0 && p_in <= 1), but got p=%g at flat index %lld", buf[i], (long long)i);
    for (int64_t i = 0; st == EM_OK && i < n; i++) {
        double pi = p_tensor ? buf[i] : p;
        double u = f32 ? em_rng_uniform_float(g, 0.0, 1.0) : em_rng_uniform_double(g, 0.0, 1.0);
        buf[i] = u < (f32 ? (double)(float)pi : pi) ? 1.0 : 0.0;
    }
    em_tensor *tmp = st == EM_OK ? em_op_from_host(buf, x->ndim, x->shape, EM_FLOAT64, em_tensor_backend(x)) : NULL;
    free(buf);
    if (tmp) st = em_op_copy_(x, tmp);
    else if (st == EM_OK) st = em_last_status();
    em_tensor_release(tmp);
    return st;
}

em_tensor *em_op_dropout_noise(const em_tensor *x, double p, em_rng *g)
{
    if (!em_dtype_is_float(x->dtype)) {
        em_fail(EM_ERR_TYPE, "dropout: expected a floating point input, got %s", em_dtype_name(x->dtype));
        return NULL;
    }
    /* float32: the mask draws and the division by 1 - p in one go (1 / (1 - p)
    ** is what mask / (1 - p) gives for a kept element, rounded the same) */
    if (x->dtype == EM_FLOAT32 && p < 1.0)
        return bernoulli_f32(x->ndim, x->shape, 1.0 - p, 1.0f / (float)(1.0 - p), em_tensor_backend(x), g);
    em_tensor *mask = em_tensor_empty(x->ndim, x->shape, x->dtype, em_tensor_backend(x));
    em_tensor *noise = NULL;
    if (mask && em_op_bernoulli_(mask, 1.0 - p, NULL, g) == EM_OK)
        noise = em_op_binary_scalar(EM_B_DIV, mask, 1.0 - p);
    em_tensor_release(mask);
    return noise;
}
