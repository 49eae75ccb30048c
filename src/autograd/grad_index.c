/* grad_index.c — differentiable joining and indexing: cat, stack,
** index_select, gather, scatter_add. Index tensors are int64, 0-based, and
** never receive gradients. */
#include <stdlib.h>
#include <string.h>

#include "autograd.h"
#include "scratch.h"

/* d cat(xs, dim) = the slices of g along dim, one per input;
** d stack(xs, dim) = the selections of g along dim.
** Node data: ints[0] = dim, ints[1] = 1 for stack, extra = sizes along dim. */
static em_status cat_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    int dim = (int)n->ints[0];
    bool stack = n->ints[1] != 0;
    int64_t at = 0;
    for (int i = 0; i < n->n_next; i++) {
        int64_t len = n->extra[i];
        if (em_node_needs(n, i)) {
            gi[i] = stack ? em_op_select(g, dim, i) : em_op_narrow(g, dim, at, len);
            if (!gi[i]) return em_last_status();
        }
        at += len;
    }
    return EM_OK;
}

static em_tensor *join(int n, em_tensor *const *ts, int dim, bool stack)
{
    em_tensor **parts = (em_tensor **)ts;
    em_tensor *out = NULL;
    int d = dim;
    if (stack) {
        if (n <= 0) {
            em_fail(EM_ERR_VALUE, "stack: expected a non-empty list of tensors");
            return NULL;
        }
        for (int i = 1; i < n; i++)
            if (!em_same_shape(ts[i], ts[0])) {
                char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
                em_fail(EM_ERR_SHAPE, "stack: expects each tensor to be equal size, but got %s at entry 1 and %s "
                        "at entry %d", em_shape_str(ts[0]->ndim, ts[0]->shape, b1, sizeof b1),
                        em_shape_str(ts[i]->ndim, ts[i]->shape, b2, sizeof b2), i + 1);
                return NULL;
            }
        if (em_wrap_dim("stack", dim, ts[0]->ndim + 1, &d)) return NULL;
        parts = calloc((size_t)n, sizeof *parts);
        if (!parts) {
            em_fail(EM_ERR_MEMORY, "stack: out of memory");
            return NULL;
        }
        for (int i = 0; i < n; i++)
            if (!(parts[i] = em_op_unsqueeze(ts[i], d))) goto done;
    }
    out = em_op_cat(n, parts, d);
    if (!out || !em_dtype_is_float(out->dtype)) goto done;
    bool any = false;
    for (int i = 0; i < n; i++) any = any || em_any_requires_grad(ts[i], NULL, NULL);
    if (!any) goto done;
    int dd;
    em_wrap_dim("cat", d, out->ndim, &dd);
    em_node *node = em_record(stack ? "StackBackward0" : "CatBackward0", cat_backward, out, n, ts);
    int64_t *sizes = node ? calloc((size_t)n, sizeof *sizes) : NULL;
    if (!sizes) {
        if (node) em_fail(EM_ERR_MEMORY, "cat: out of memory");
        em_tensor_release(out);
        out = NULL;
        goto done;
    }
    for (int i = 0; i < n; i++) sizes[i] = stack ? 1 : (parts[i]->ndim == out->ndim ? parts[i]->shape[dd] : 0);
    node->extra = sizes;
    node->n_extra = n;
    node->ints[0] = dd;
    node->ints[1] = stack;
done:
    if (stack && parts) {
        for (int i = 0; i < n; i++) em_tensor_release(parts[i]);
        free(parts);
    }
    return out;
}

em_tensor *em_cat(int n, em_tensor *const *ts, int dim) { return join(n, ts, dim, false); }
em_tensor *em_stack(int n, em_tensor *const *ts, int dim) { return join(n, ts, dim, true); }

/* d index_select(x, dim, idx) = zeros of x's shape with g added at idx along dim */
static em_status index_select_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *z = sc_zeros(&s, n->ndim[0], n->shape[0], g);
    const em_tensor *idx = sc_saved(&s, n, 0);
    gi[0] = s.failed ? NULL : em_scratch_take(&s, em_scratch_keep(&s, em_op_index_add(z, (int)n->ints[0], idx, g)));
    return em_scratch_end(&s);
}

em_tensor *em_index_select(em_tensor *x, int dim, em_tensor *index)
{
    em_tensor *out = em_op_index_select(x, dim, index);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = em_record("IndexSelectBackward0", index_select_backward, out, 1, &x);
    if (!n || em_node_save(n, 0, index) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    em_wrap_dim("index_select", dim, x->ndim, &dim);
    n->ints[0] = dim;
    return out;
}

/* d gather(x, dim, idx) = zeros of x's shape with g scatter-added at idx */
static em_status gather_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *z = sc_zeros(&s, n->ndim[0], n->shape[0], g);
    const em_tensor *idx = sc_saved(&s, n, 0);
    gi[0] = s.failed ? NULL
                     : em_scratch_take(&s, em_scratch_keep(&s, em_op_scatter_add(z, (int)n->ints[0], idx, g)));
    return em_scratch_end(&s);
}

em_tensor *em_gather(em_tensor *x, int dim, em_tensor *index)
{
    em_tensor *out = em_op_gather(x, dim, index);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = em_record("GatherBackward0", gather_backward, out, 1, &x);
    if (!n || em_node_save(n, 0, index) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    em_wrap_dim("gather", dim, x->ndim, &dim);
    n->ints[0] = dim;
    return out;
}

/* d scatter_add(self, dim, idx, src) = g for self ; gather(g, dim, idx) for src */
static em_status scatter_add_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    if (em_node_needs(n, 0)) gi[0] = em_scratch_take(&s, (em_tensor *)g);
    if (em_node_needs(n, 1)) {
        const em_tensor *idx = sc_saved(&s, n, 0);
        gi[1] = s.failed ? NULL : em_scratch_take(&s, em_scratch_keep(&s, em_op_gather(g, (int)n->ints[0], idx)));
    }
    return em_scratch_end(&s);
}

em_tensor *em_scatter_add(em_tensor *self, int dim, em_tensor *index, em_tensor *src)
{
    em_tensor *out = em_op_scatter_add(self, dim, index, src);
    if (!out || !em_any_requires_grad(self, src, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[2] = {self, src};
    em_node *n = em_record("ScatterAddBackward0", scatter_add_backward, out, 2, ins);
    if (!n || em_node_save(n, 0, index) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    em_wrap_dim("scatter_add", dim, self->ndim, &dim);
    n->ints[0] = dim;
    return out;
}
