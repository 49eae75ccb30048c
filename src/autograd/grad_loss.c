/* grad_loss.c — the elementwise losses that are one ATen op (and one graph
** node) in PyTorch: binary_cross_entropy (BinaryCrossEntropyBackward0),
** smooth_l1_loss (SmoothL1LossBackward0) and huber_loss
** (HuberLossBackward0). Each forward checks its arguments with PyTorch's
** messages, composes the elementwise loss from ops (as PyTorch's CPU kernel
** writes it), reduces it, and records one node whose backward is PyTorch's
** own formula (so the gradients at the clamps and kinks are PyTorch's, not
** the derivative of the composition). Not here: the class losses and
** mse_loss (grad_nn.c), the losses PyTorch composes itself (Lua:
** lua/torch/nn/functional.lua). */
#include "loss_grad.h"
#include "../core/runtime.h"
#include "autograd.h"
#include "scratch.h"

#define SC(s, expr) ((s)->failed ? NULL : em_scratch_keep((s), (expr)))

static em_tensor *reduce(em_scratch *s, const em_tensor *l, em_reduction r)
{
    if (r == EM_REDUCTION_MEAN) return SC(s, l ? em_op_mean(l, 0, false) : NULL);
    if (r == EM_REDUCTION_SUM) return SC(s, l ? em_op_reduce(EM_R_SUM, l, 0, false) : NULL);
    return (em_tensor *)l;
}

/* The scale of a reduction's gradient: 1 / numel for "mean", else 1. */
static double norm_of(em_reduction r, int64_t numel)
{
    return r == EM_REDUCTION_MEAN ? 1.0 / (double)(numel ? numel : 1) : 1.0;
}

/* g (the output's gradient) as each element's: broadcast for mean / sum. */
static const em_tensor *grad_each(em_scratch *s, const em_tensor *g, int ndim, const int64_t *shape)
{
    return g && g->ndim == 0 && ndim > 0 ? sc_expand(s, g, ndim, shape) : g;
}

em_status em_loss_constant_arg(const char *fn, const char *arg, const em_tensor *t)
{
    if (t && t->requires_grad && em_grad_enabled())
        return em_fail(EM_ERR_VALUE, "The function '%s' is not differentiable with respect to argument '%s'. "
                       "This input cannot have requires_grad True.", fn, arg);
    return EM_OK;
}

/* --- binary cross entropy --- */

/* l = w ((t - 1) max(log(1 - x), -100) - t max(log(x), -100)), reduced (PyTorch's CPU kernel):
** dx = g (x - t) / max((1 - x) x, 1e-12) w norm ;  dt = -g log(x / (1 - x)) w norm
** (norm = 1 / numel for "mean"; PyTorch multiplies and divides in this order). */
static em_status bce_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0), *t = sc_saved(&s, n, 1);
    const em_tensor *w = n->ints[1] ? sc_saved(&s, n, 2) : NULL;
    const em_tensor *ge = x ? grad_each(&s, g, x->ndim, x->shape) : NULL;
    em_tensor *one_minus = sc_scalar(&s, EM_B_ADD, sc_un(&s, EM_U_NEG, x, 0, 0), 1.0);
    if (em_node_needs(n, 0)) {
        em_tensor *den = sc_scalar(&s, EM_B_MAXIMUM, sc_bin(&s, EM_B_MUL, one_minus, x), 1e-12);
        em_tensor *d = sc_bin(&s, EM_B_DIV, sc_bin(&s, EM_B_MUL, ge, sc_bin(&s, EM_B_SUB, x, t)), den);
        if (w) d = sc_bin(&s, EM_B_MUL, d, w);
        if (n->ints[0] == EM_REDUCTION_MEAN) d = sc_scalar(&s, EM_B_DIV, d, n->scalars[0]);
        gi[0] = em_scratch_take(&s, d);
    }
    if (em_node_needs(n, 1)) {
        em_tensor *logit = sc_un(&s, EM_U_LOG, sc_bin(&s, EM_B_DIV, x, one_minus), 0, 0);
        em_tensor *d = sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_NEG, logit, 0, 0), ge);
        if (w) d = sc_bin(&s, EM_B_MUL, d, w);
        if (n->ints[0] == EM_REDUCTION_MEAN) d = sc_scalar(&s, EM_B_DIV, d, n->scalars[0]);
        gi[1] = em_scratch_take(&s, d);
    }
    return em_scratch_end(&s);
}

static em_status bce_check(const em_tensor *x, const em_tensor *t, const em_tensor *w)
{
    const char *op = "binary_cross_entropy";
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (!em_same_shape(x, t))
        return em_fail(EM_ERR_VALUE, "%s: Using a target size (torch.Size(%s)) that is different to the input "
                       "size (torch.Size(%s)) is deprecated. Please ensure they have the same size.", op,
                       em_shape_str(t->ndim, t->shape, b1, sizeof b1), em_shape_str(x->ndim, x->shape, b2, sizeof b2));
    if (!em_dtype_is_float(x->dtype))
        return em_fail(EM_ERR_TYPE, "%s: \"binary_cross_entropy\" not implemented for %s", op,
                       em_dtype_name(x->dtype));
    if (t->dtype != x->dtype)
        return em_fail(EM_ERR_TYPE, "%s: Found dtype %s but expected %s", op, em_dtype_name(t->dtype),
                       em_dtype_name(x->dtype));
    if (em_check_same_device(op, x, t) || (w && em_check_same_device(op, x, w))) return em_last_status();
    return em_loss_constant_arg("binary_cross_entropy", "weight", w);
}

/* all elements of x in [0, 1] (NaN is not), as PyTorch's kernel checks */
static em_status bce_range(em_scratch *s, const em_tensor *x)
{
    if (em_tensor_numel(x) == 0) return EM_OK;
    double lo = 0.0, hi = 0.0;
    em_tensor *mn = SC(s, em_op_reduce(EM_R_MIN, x, 0, false)), *mx = SC(s, em_op_reduce(EM_R_MAX, x, 0, false));
    if (!mn || !mx || em_tensor_get_double(mn, 0, &lo) || em_tensor_get_double(mx, 0, &hi)) return em_last_status();
    if (!(lo >= 0.0 && hi <= 1.0))
        return em_fail(EM_ERR_VALUE, "binary_cross_entropy: all elements of input should be between 0 and 1");
    return EM_OK;
}

em_tensor *em_binary_cross_entropy(em_tensor *x, em_tensor *t, em_tensor *w, em_reduction r)
{
    if (bce_check(x, t, w)) return NULL;
    em_scratch s = {0};
    if (bce_range(&s, x)) {
        em_scratch_end(&s);
        return NULL;
    }
    if (w && w->dtype != x->dtype) w = SC(&s, em_op_to_dtype(w, x->dtype));   /* PyTorch computes in x's dtype */
    em_tensor *lx = sc_scalar(&s, EM_B_MAXIMUM, sc_un(&s, EM_U_LOG, x, 0, 0), -100.0);
    em_tensor *one_minus = sc_scalar(&s, EM_B_ADD, sc_un(&s, EM_U_NEG, x, 0, 0), 1.0);
    em_tensor *l1x = sc_scalar(&s, EM_B_MAXIMUM, sc_un(&s, EM_U_LOG, one_minus, 0, 0), -100.0);
    em_tensor *l = sc_bin(&s, EM_B_SUB, sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_SUB, t, 1.0), l1x),
                          sc_bin(&s, EM_B_MUL, t, lx));
    if (w) l = sc_bin(&s, EM_B_MUL, l, w);
    if (l && w && !em_same_shape(l, x)) {   /* a weight that broadcasts x up: PyTorch's error */
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        em_fail(EM_ERR_SHAPE, "binary_cross_entropy: weight of shape %s does not broadcast to the input's %s",
                em_shape_str(w->ndim, w->shape, b1, sizeof b1), em_shape_str(x->ndim, x->shape, b2, sizeof b2));
        s.failed = true;
    }
    em_tensor *out = em_scratch_take(&s, reduce(&s, l, r));
    em_node *n = NULL;
    if (out && !s.failed && em_any_requires_grad(x, t, NULL)) {
        em_tensor *ins[2] = {x, t};
        n = em_record("BinaryCrossEntropyBackward0", bce_backward, out, 2, ins);
        em_tensor *wx = n && w ? SC(&s, em_op_expand(w, x->ndim, x->shape)) : NULL;
        if (!n || (w && !wx) || em_node_save(n, 0, x) || em_node_save(n, 1, t) || (wx && em_node_save(n, 2, wx)))
            s.failed = true;
    }
    if (em_scratch_end(&s)) {
        em_tensor_release(out);
        return NULL;
    }
    if (!n) return out;
    n->ints[0] = r;
    n->ints[1] = w != NULL;
    n->scalars[0] = (double)em_tensor_numel(x);
    return out;
}

/* --- smooth L1 and Huber --- */

/* d = x - t (broadcast), z = |d|:
** smooth_l1: l = z < beta ? 0.5 z z / beta : z - 0.5 beta
** huber:     l = z < delta ? 0.5 z z : delta (z - 0.5 delta)
** backward (PyTorch's kernels; norm = 1 / numel for "mean", else 1):
** smooth_l1: dx = d <= -beta ? -norm g : d >= beta ? norm g : norm d g / beta
** huber:     dx = d <= -delta ? -norm g delta : d >= delta ? norm g delta : norm d g
** dt: the same with x and t swapped (d = t - x; as PyTorch, so where x = t
** and beta = 0 both get -norm g), each summed to its input's shape. */
static em_tensor *kink_grad(em_scratch *s, em_node *n, const em_tensor *d, const em_tensor *g)
{
    bool huber = n->ints[1] != 0;
    double k = n->scalars[0], norm = n->scalars[1];
    const em_tensor *ge = d ? grad_each(s, g, d->ndim, d->shape) : NULL;
    em_tensor *ng = sc_scalar(s, EM_B_MUL, ge, norm);                 /* norm g */
    em_tensor *hi = huber ? sc_scalar(s, EM_B_MUL, ng, k) : ng;       /* the slope past the kink */
    em_tensor *mid = sc_bin(s, EM_B_MUL, sc_scalar(s, EM_B_MUL, d, norm), ge);
    if (!huber) mid = sc_scalar(s, EM_B_DIV, mid, k);
    return sc_where(s, sc_scalar(s, EM_B_LE, d, -k), sc_un(s, EM_U_NEG, hi, 0, 0),
                    sc_where(s, sc_scalar(s, EM_B_GE, d, k), hi, mid));
}

static em_status pointwise_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0), *t = sc_saved(&s, n, 1);
    if (em_node_needs(n, 0))
        gi[0] = em_scratch_take(&s, sc_sum_to(&s, kink_grad(&s, n, sc_bin(&s, EM_B_SUB, x, t), g), n->ndim[0],
                                              n->shape[0]));
    if (em_node_needs(n, 1))
        gi[1] = em_scratch_take(&s, sc_sum_to(&s, kink_grad(&s, n, sc_bin(&s, EM_B_SUB, t, x), g), n->ndim[1],
                                              n->shape[1]));
    return em_scratch_end(&s);
}

static em_tensor *pointwise_loss(const char *op, em_tensor *x, em_tensor *t, em_reduction r, double k, bool huber)
{
    if (huber && !(k > 0.0)) {
        em_fail(EM_ERR_VALUE, "%s: huber_loss does not support non-positive values for delta.", op);
        return NULL;
    }
    if (!huber && !(k >= 0.0)) {
        em_fail(EM_ERR_VALUE, "%s: smooth_l1_loss does not support negative values for beta.", op);
        return NULL;
    }
    em_scratch s = {0};
    em_tensor *d = SC(&s, em_op_binary(EM_B_SUB, x, t));
    if (d && !em_dtype_is_float(d->dtype)) {
        em_fail(EM_ERR_TYPE, "%s: \"%s\" not implemented for %s", op, huber ? "huber_cpu" : "smooth_l1_cpu",
                em_dtype_name(d->dtype));
        em_scratch_end(&s);
        return NULL;
    }
    em_tensor *z = sc_un(&s, EM_U_ABS, d, 0, 0);
    em_tensor *sq = sc_bin(&s, EM_B_MUL, sc_scalar(&s, EM_B_MUL, z, 0.5), z);
    em_tensor *in = huber ? sq : sc_scalar(&s, EM_B_DIV, sq, k);
    em_tensor *out_l = huber ? sc_scalar(&s, EM_B_MUL, sc_scalar(&s, EM_B_SUB, z, 0.5 * k), k)
                             : sc_scalar(&s, EM_B_SUB, z, 0.5 * k);
    em_tensor *l = sc_where(&s, sc_scalar(&s, EM_B_LT, z, k), in, out_l);
    int64_t numel = l ? em_tensor_numel(l) : 0;
    em_tensor *out = em_scratch_take(&s, reduce(&s, l, r));
    if (em_scratch_end(&s)) {
        em_tensor_release(out);
        return NULL;
    }
    if (!em_any_requires_grad(x, t, NULL)) return out;
    em_tensor *ins[2] = {x, t};
    em_node *n = em_record(huber ? "HuberLossBackward0" : "SmoothL1LossBackward0", pointwise_backward, out, 2, ins);
    if (!n || em_node_save(n, 0, x) || em_node_save(n, 1, t)) {
        em_tensor_release(out);
        return NULL;
    }
    n->ints[0] = r;
    n->ints[1] = huber;
    n->scalars[0] = k;
    n->scalars[1] = norm_of(r, numel);
    return out;
}

em_tensor *em_smooth_l1_loss(em_tensor *x, em_tensor *t, em_reduction r, double beta)
{
    return pointwise_loss("smooth_l1_loss", x, t, r, beta, false);
}

em_tensor *em_huber_loss(em_tensor *x, em_tensor *t, em_reduction r, double delta)
{
    return pointwise_loss("huber_loss", x, t, r, delta, true);
}
