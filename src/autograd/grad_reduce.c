/* grad_reduce.c — differentiable reductions: sum, mean, prod, var, std,
** max/min over everything or along a dim. Backward first puts the reduced
** dims back (size 1) and then broadcasts to the input's shape.
** Node data: ints[0] = dim mask (0 = all), ints[1] = keepdim, shape[0] = input. */
#include "autograd.h"
#include "scratch.h"

/* g reshaped to the keepdim shape of the reduction recorded in n. */
static em_tensor *keepdim_grad(em_scratch *s, em_node *n, const em_tensor *g)
{
    if (s->failed) return NULL;
    uint32_t mask = (uint32_t)n->ints[0];
    int64_t shape[EM_MAX_DIMS];
    for (int i = 0; i < n->ndim[0]; i++)
        shape[i] = (!mask || (mask & (1u << i))) ? 1 : n->shape[0][i];
    return em_scratch_keep(s, em_op_reshape(g, n->ndim[0], shape));
}

static em_tensor *expanded_grad(em_scratch *s, em_node *n, const em_tensor *g)
{
    return sc_expand(s, keepdim_grad(s, n, g), n->ndim[0], n->shape[0]);
}

static em_node *record_reduce(const char *name, em_backward_fn fn, em_tensor *out, em_tensor *x,
                              uint32_t mask, bool keepdim)
{
    em_node *n = em_record(name, fn, out, 1, &x);
    if (n) {
        n->ints[0] = mask;
        n->ints[1] = keepdim;
    }
    return n;
}

/* d sum(x) = g broadcast to x's shape */
static em_status sum_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    gi[0] = em_scratch_take(&s, expanded_grad(&s, n, g));
    return em_scratch_end(&s);
}

em_tensor *em_sum(em_tensor *x, uint32_t mask, bool keepdim)
{
    em_tensor *out = em_op_reduce(EM_R_SUM, x, mask, keepdim);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    if (!record_reduce(mask ? "SumBackward1" : "SumBackward0", sum_backward, out, x, mask, keepdim)) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* d mean(x) = g broadcast / N */
static em_status mean_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    gi[0] = em_scratch_take(&s, sc_scalar(&s, EM_B_DIV, expanded_grad(&s, n, g), n->scalars[0]));
    return em_scratch_end(&s);
}

static em_tensor *mean_named(em_tensor *x, uint32_t mask, bool keepdim, const char *node)
{
    em_tensor *out = em_op_mean(x, mask, keepdim);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = record_reduce(node ? node : mask ? "MeanBackward1" : "MeanBackward0", mean_backward, out, x, mask,
                               keepdim);
    if (!n) {
        em_tensor_release(out);
        return NULL;
    }
    n->scalars[0] = (double)em_reduced_count(x, mask);
    return out;
}

em_tensor *em_mean(em_tensor *x, uint32_t mask, bool keepdim) { return mean_named(x, mask, keepdim, NULL); }

/* d prod(x) = g * prod / x where x != 0. With zeros: an element that is the
** only zero of its slice gets g * (product of the others); otherwise 0. */
static em_status prod_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0);
    uint32_t mask = (uint32_t)n->ints[0];
    em_tensor *ge = expanded_grad(&s, n, g);
    em_tensor *zero = sc_scalar(&s, EM_B_EQ, x, 0.0);
    em_tensor *one = sc_scalar(&s, EM_B_ADD, sc_scalar(&s, EM_B_MUL, x, 0.0), 1.0);
    em_tensor *x1 = sc_where(&s, zero, one, x);                       /* zeros replaced by 1 */
    em_tensor *p1 = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_PROD, x1, mask, true));
    em_tensor *cnt = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, zero, mask, true));
    em_tensor *gp = sc_bin(&s, EM_B_MUL, ge, p1);                    /* g * prod of non-zeros */
    em_tensor *none = sc_scalar(&s, EM_B_EQ, cnt, 0.0), *single = sc_scalar(&s, EM_B_EQ, cnt, 1.0);
    em_tensor *z = sc_scalar(&s, EM_B_MUL, gp, 0.0);
    em_tensor *at_zero = sc_where(&s, single, gp, z);
    em_tensor *elsewhere = sc_where(&s, none, sc_bin(&s, EM_B_DIV, gp, x1), z);
    gi[0] = em_scratch_take(&s, sc_where(&s, zero, at_zero, elsewhere));
    return em_scratch_end(&s);
}

em_tensor *em_prod(em_tensor *x, uint32_t mask, bool keepdim)
{
    em_tensor *out = em_op_reduce(EM_R_PROD, x, mask, keepdim);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = record_reduce(mask ? "ProdBackward1" : "ProdBackward0", prod_backward, out, x, mask, keepdim);
    if (!n || em_node_save(n, 0, x) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* d var(x) = g * 2 (x - mean) / (N - correction) */
static em_status var_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0);
    uint32_t mask = (uint32_t)n->ints[0];
    em_tensor *mean = s.failed ? NULL : em_scratch_keep(&s, em_op_mean(x, mask, true));
    em_tensor *dev = sc_bin(&s, EM_B_SUB, x, mean);
    em_tensor *scale = sc_scalar(&s, EM_B_MUL, expanded_grad(&s, n, g), 2.0 / n->scalars[0]);
    gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_MUL, scale, dev));
    return em_scratch_end(&s);
}

/* d std(x) = g * (x - mean) / ((N - correction) * std) */
static em_status std_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0);
    uint32_t mask = (uint32_t)n->ints[0];
    em_tensor *mean = s.failed ? NULL : em_scratch_keep(&s, em_op_mean(x, mask, true));
    em_tensor *dev = sc_bin(&s, EM_B_SUB, x, mean);
    em_tensor *sd = keepdim_grad(&s, n, sc_saved(&s, n, 1));
    em_tensor *gs = sc_bin(&s, EM_B_DIV, keepdim_grad(&s, n, g), sc_scalar(&s, EM_B_MUL, sd, n->scalars[0]));
    gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_MUL, gs, dev));
    return em_scratch_end(&s);
}

static em_tensor *var_std(em_tensor *x, uint32_t mask, bool keepdim, double correction, bool is_std,
                          const char *node)
{
    em_tensor *v = em_op_var(x, mask, keepdim, correction);
    em_tensor *out = v && is_std ? em_op_unary(EM_U_SQRT, v, 0, 0) : v;
    if (is_std) em_tensor_release(v);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = record_reduce(node ? node : is_std ? "StdBackward0" : "VarBackward0", is_std ? std_backward : var_backward,
                               out, x, mask, keepdim);
    if (!n || em_node_save(n, 0, x) != EM_OK || (is_std && em_node_save(n, 1, out) != EM_OK)) {
        em_tensor_release(out);
        return NULL;
    }
    double d = (double)em_reduced_count(x, mask) - correction;
    n->scalars[0] = d > 0 ? d : 0.0;
    return out;
}

em_tensor *em_var(em_tensor *x, uint32_t mask, bool keepdim, double correction)
{
    return var_std(x, mask, keepdim, correction, false, NULL);
}

em_tensor *em_std(em_tensor *x, uint32_t mask, bool keepdim, double correction)
{
    return var_std(x, mask, keepdim, correction, true, NULL);
}

/* std_mean / var_mean: both results come from PyTorch's one node
** StdMeanBackward0 (VarMeanBackward0); here each has a node of that name
** with its own formula (the gradients add up the same). */
em_status em_stat_mean(em_tensor *x, uint32_t mask, bool keepdim, double correction, bool is_std,
                       em_tensor **stat, em_tensor **mean)
{
    const char *node = is_std ? "StdMeanBackward0" : "VarMeanBackward0";
    *mean = NULL;
    *stat = var_std(x, mask, keepdim, correction, is_std, node);
    if (!*stat) return em_last_status();
    *mean = mean_named(x, mask, keepdim, node);
    if (*mean) return EM_OK;
    em_tensor_release(*stat);
    *stat = NULL;
    return em_last_status();
}

/* d max(x) = g * (x == max) / (number of ties): ties share the gradient */
static em_status maxmin_all_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *hit = sc_bin(&s, EM_B_EQ, sc_saved(&s, n, 0), sc_saved(&s, n, 1));
    em_tensor *count = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, hit, 0, false));
    em_tensor *share = sc_bin(&s, EM_B_DIV, g, count);
    gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_MUL, hit, share));
    return em_scratch_end(&s);
}

em_tensor *em_maxmin_all(em_reduce_op op, em_tensor *x)
{
    em_tensor *out = em_op_reduce(op, x, 0, false);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = record_reduce(op == EM_R_MAX ? "MaxBackward1" : "MinBackward1", maxmin_all_backward, out, x, 0,
                               false);
    if (!n || em_node_save(n, 0, x) != EM_OK || em_node_save(n, 1, out) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* d max(x, dim) = zeros with g scattered to the arg-max positions */
static em_status maxmin_dim_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *gk = keepdim_grad(&s, n, g);
    const em_tensor *idx = sc_saved(&s, n, 0);
    em_tensor *idxk = keepdim_grad(&s, n, idx);
    em_tensor *zeros = sc_zeros(&s, n->ndim[0], n->shape[0], gk);
    int dim = (int)n->ints[2];
    gi[0] = s.failed ? NULL : em_scratch_take(&s, em_scratch_keep(&s, em_op_scatter_add(zeros, dim, idxk, gk)));
    return em_scratch_end(&s);
}

em_status em_maxmin_dim(em_reduce_op op, em_tensor *x, int dim, bool keepdim, em_tensor **values,
                        em_tensor **indices)
{
    em_status st = em_op_reduce_dim_idx(op, x, dim, keepdim, values, indices);
    if (st != EM_OK || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(x->dtype)) return st;
    int d;
    em_wrap_dim("max", dim, x->ndim, &d);
    em_node *n = record_reduce(op == EM_R_MAX ? "MaxBackward0" : "MinBackward0", maxmin_dim_backward, *values, x,
                               x->ndim ? 1u << d : 0, keepdim);
    if (!n || em_node_save(n, 0, *indices) != EM_OK) {
        em_tensor_release(*values);
        em_tensor_release(*indices);
        *values = *indices = NULL;
        return em_last_status();
    }
    n->ints[2] = d;
    return EM_OK;
}
