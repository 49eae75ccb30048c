/* grad_sort.c — gradients of sort, topk, kthvalue and median: each value
** came from one position of x, so its gradient goes back there. Median of
** all elements shares the gradient among the elements equal to it (ties),
** as PyTorch's evenly_distribute_backward does.
** Node data: ints[0] = dim, ints[1] = keepdim, shape[0] = x's shape. */
#include "autograd.h"
#include "scratch.h"
#include "sort_grad.h"

/* value_selecting_reduction_backward:
** d x = zeros of x's shape, with g put at the saved indices along dim
** (g and the indices get dim back first when the op dropped it) */
static em_status select_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    if (n->ndim[0] == 0) {   /* a 0-dim x: its one element is the value */
        gi[0] = em_scratch_take(&s, em_scratch_keep(&s, em_op_clone(g)));
        return em_scratch_end(&s);
    }
    int dim = (int)n->ints[0];
    bool keep = n->ints[1] != 0;
    const em_tensor *idx = sc_saved(&s, n, 0);
    const em_tensor *gk = keep ? g : em_scratch_keep(&s, em_op_unsqueeze(g, dim));
    const em_tensor *ik = keep || !idx ? idx : em_scratch_keep(&s, em_op_unsqueeze(idx, dim));
    em_tensor *zeros = sc_zeros(&s, n->ndim[0], n->shape[0], gk);
    gi[0] = s.failed ? NULL : em_scratch_take(&s, em_scratch_keep(&s, em_op_scatter_add(zeros, dim, ik, gk)));
    return em_scratch_end(&s);
}

/* Records name for values (from x, along dim d), saving the indices. */
static em_status record_select(const char *name, em_tensor *x, int d, bool keepdim, em_tensor **values,
                               em_tensor **indices)
{
    if (!em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(x->dtype)) return EM_OK;
    em_node *n = em_record(name, select_backward, *values, 1, &x);
    if (!n || em_node_save(n, 0, *indices) != EM_OK) {
        em_tensor_release(*values);
        em_tensor_release(*indices);
        *values = *indices = NULL;
        return em_last_status();
    }
    n->ints[0] = d;
    n->ints[1] = keepdim;
    return EM_OK;
}

static int wrapped_dim(int dim, int ndim)
{
    int d = 0;
    em_wrap_dim("", dim, ndim, &d);   /* already checked by the forward op */
    return d;
}

em_status em_sort(em_tensor *x, int dim, bool descending, bool stable_given, em_tensor **values,
                  em_tensor **indices)
{
    em_status st = em_op_sort(x, dim, descending, values, indices);
    if (st != EM_OK) return st;
    return record_select(stable_given ? "SortBackward1" : "SortBackward0", x, wrapped_dim(dim, x->ndim), true,
                         values, indices);
}

em_status em_topk(em_tensor *x, int64_t k, int dim, bool largest, em_tensor **values, em_tensor **indices)
{
    em_status st = em_op_topk(x, k, dim, largest, values, indices);
    if (st != EM_OK) return st;
    return record_select("TopkBackward0", x, wrapped_dim(dim, x->ndim), true, values, indices);
}

em_status em_kthvalue(em_tensor *x, int64_t k, int dim, bool keepdim, em_tensor **values, em_tensor **indices)
{
    em_status st = em_op_kthvalue(x, k, dim, keepdim, values, indices);
    if (st != EM_OK) return st;
    return record_select("KthvalueBackward0", x, wrapped_dim(dim, x->ndim), keepdim, values, indices);
}

em_status em_median_dim(em_tensor *x, int dim, bool keepdim, em_tensor **values, em_tensor **indices)
{
    em_status st = em_op_median_dim(x, dim, keepdim, values, indices);
    if (st != EM_OK) return st;
    return record_select("MedianBackward1", x, wrapped_dim(dim, x->ndim), keepdim, values, indices);
}

/* evenly_distribute_backward: mask = (x == median), or isnan(x) when the
** median is NaN; d x = g / count(mask) where mask, 0 elsewhere */
static em_status median_all_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0), *m = sc_saved(&s, n, 1);
    double mv = 0;
    if (m && em_tensor_get_double(m, 0, &mv) != EM_OK) s.failed = true;
    em_tensor *mask = mv != mv ? sc_bin(&s, EM_B_NE, x, x) : sc_bin(&s, EM_B_EQ, x, m);
    em_tensor *count = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, mask, 0, false));
    em_tensor *share = sc_bin(&s, EM_B_DIV, g, count);
    em_tensor *zeros = s.failed ? NULL : sc_zeros(&s, n->ndim[0], n->shape[0], share);
    gi[0] = em_scratch_take(&s, sc_where(&s, mask, share, zeros));
    return em_scratch_end(&s);
}

em_tensor *em_median_all(em_tensor *x)
{
    em_tensor *out = em_op_median_all(x);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(x->dtype)) return out;
    em_node *n = em_record("MedianBackward0", median_all_backward, out, 1, &x);
    if (!n || em_node_save(n, 0, x) != EM_OK || em_node_save(n, 1, out) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}
