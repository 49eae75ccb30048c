/* grad_view.c — differentiable views (the output shares the input's storage)
** and copies: view, reshape, transpose, permute, (un)squeeze, expand, narrow,
** select, flatten, contiguous, clone, dtype conversion; plus detach and the
** requires_grad switches. Each view node is marked is_view so that in-place
** ops on its output can refuse (see grad_inplace.c). */
#include <string.h>

#include "../core/runtime.h"
#include "autograd.h"
#include "engine.h"
#include "scratch.h"

static em_tensor *with_node(em_tensor *out, em_tensor *x, const char *name, em_backward_fn fn, bool is_view)
{
    if (out && is_view && out->storage == x->storage) {   /* remember the base for in-place ops on views */
        out->view_base = x->view_base ? x->view_base : x;
        em_tensor_retain(out->view_base);
    }
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = em_record(name, fn, out, 1, &x);
    if (!n) {
        em_tensor_release(out);
        return NULL;
    }
    n->is_view = is_view;
    return out;
}

static em_tensor *reshaped(em_scratch *s, const em_tensor *g, em_node *n)
{
    if (s->failed || !g) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_reshape(g, n->ndim[0], n->shape[0]));
}

/* d view(x) = g reshaped back to x's shape (also squeeze, flatten, reshape) */
static em_status reshape_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    gi[0] = em_scratch_take(&s, reshaped(&s, g, n));
    return em_scratch_end(&s);
}

em_tensor *em_view(em_tensor *x, int ndim, const int64_t *shape)
{
    return with_node(em_op_view(x, ndim, shape), x, "ViewBackward0", reshape_backward, true);
}

em_tensor *em_reshape(em_tensor *x, int ndim, const int64_t *shape)
{
    em_tensor *out = em_op_reshape(x, ndim, shape);
    bool is_view = out && out->storage == x->storage;
    return with_node(out, x, is_view ? "ReshapeAliasBackward0" : "UnsafeViewBackward0", reshape_backward,
                     is_view);
}

em_tensor *em_flatten(em_tensor *x, int start_dim, int end_dim)
{
    em_tensor *out = em_op_flatten(x, start_dim, end_dim);
    bool is_view = out && out->storage == x->storage;
    return with_node(out, x, is_view ? "ReshapeAliasBackward0" : "UnsafeViewBackward0", reshape_backward,
                     is_view);
}

em_tensor *em_squeeze(em_tensor *x, int dim, bool all)
{
    return with_node(em_op_squeeze(x, dim, all), x, all ? "SqueezeBackward0" : "SqueezeBackward1",
                     reshape_backward, true);
}

/* d transpose(x, i, j) = transpose(g, i, j) */
static em_status transpose_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_tensor *r = em_op_transpose(g, (int)n->ints[0], (int)n->ints[1]);
    gi[0] = r;
    return r ? EM_OK : em_last_status();
}

static em_tensor *transpose_named(em_tensor *x, int d0, int d1, const char *node)
{
    em_tensor *out = with_node(em_op_transpose(x, d0, d1), x, node, transpose_backward, true);
    if (out && out->grad_fn && out->grad_fn->backward == transpose_backward) {
        out->grad_fn->ints[0] = d0;
        out->grad_fn->ints[1] = d1;
    }
    return out;
}

em_tensor *em_transpose(em_tensor *x, int d0, int d1) { return transpose_named(x, d0, d1, "TransposeBackward0"); }

em_tensor *em_t(em_tensor *x)
{
    if (x->ndim > 2) {
        em_fail(EM_ERR_SHAPE, "t: expects a tensor with <= 2 dimensions, but self is %d-D (use transpose or "
                "permute)", x->ndim);
        return NULL;
    }
    return transpose_named(x, 0, x->ndim < 2 ? 0 : 1, "TBackward0");
}

/* d permute(x, p) = permute(g, inverse of p) */
static em_status permute_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    int64_t inv[EM_MAX_DIMS];
    for (int i = 0; i < n->ndim[0]; i++) inv[n->ints[i]] = i;
    em_tensor *r = em_op_permute(g, inv, n->ndim[0]);
    gi[0] = r;
    return r ? EM_OK : em_last_status();
}

em_tensor *em_permute(em_tensor *x, const int64_t *dims, int nd)
{
    em_tensor *out = with_node(em_op_permute(x, dims, nd), x, "PermuteBackward0", permute_backward, true);
    if (out && out->grad_fn && out->grad_fn->backward == permute_backward)
        for (int i = 0; i < nd; i++) out->grad_fn->ints[i] = dims[i] < 0 ? dims[i] + x->ndim : dims[i];
    return out;
}

/* d unsqueeze(x, d) = squeeze(g, d) */
static em_status unsqueeze_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    gi[0] = em_scratch_take(&s, reshaped(&s, g, n));
    return em_scratch_end(&s);
}

em_tensor *em_unsqueeze(em_tensor *x, int dim)
{
    return with_node(em_op_unsqueeze(x, dim), x, "UnsqueezeBackward0", unsqueeze_backward, true);
}

/* d expand(x) = g summed over the expanded dims */
static em_status expand_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_tensor *r = em_op_sum_to(g, n->ndim[0], n->shape[0]);
    gi[0] = r;
    return r ? EM_OK : em_last_status();
}

em_tensor *em_expand(em_tensor *x, int ndim, const int64_t *shape)
{
    return with_node(em_op_expand(x, ndim, shape), x, "ExpandBackward0", expand_backward, true);
}

/* d narrow(x) / d select(x) = zeros of x's shape with g written into the window */
static em_status window_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *z = sc_zeros(&s, n->ndim[0], n->shape[0], g);
    em_tensor *w = NULL;
    if (!s.failed)
        w = em_scratch_keep(&s, n->ints[3] ? em_op_select(z, (int)n->ints[0], n->ints[1])
                                           : em_op_narrow(z, (int)n->ints[0], n->ints[1], n->ints[2]));
    if (!s.failed && em_op_copy_(w, g) != EM_OK) s.failed = true;
    gi[0] = em_scratch_take(&s, z);
    return em_scratch_end(&s);
}

static em_tensor *window_node(em_tensor *out, em_tensor *x, int dim, int64_t start, int64_t len, bool select)
{
    out = with_node(out, x, select ? "SelectBackward0" : "SliceBackward0", window_backward, true);
    if (out && out->grad_fn && out->grad_fn->backward == window_backward) {
        int d = 0;
        em_wrap_dim("narrow", dim, x->ndim, &d);
        int64_t size = x->ndim ? x->shape[d] : 1;
        out->grad_fn->ints[0] = d;
        out->grad_fn->ints[1] = start < 0 ? start + size : start;
        out->grad_fn->ints[2] = len;
        out->grad_fn->ints[3] = select;
    }
    return out;
}

em_tensor *em_narrow(em_tensor *x, int dim, int64_t start, int64_t length)
{
    return window_node(em_op_narrow(x, dim, start, length), x, dim, start, length, false);
}

em_tensor *em_select(em_tensor *x, int dim, int64_t index)
{
    return window_node(em_op_select(x, dim, index), x, dim, index, 1, true);
}

/* d clone(x) = g */
static em_status identity_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    (void)n;
    em_tensor_retain((em_tensor *)g);
    gi[0] = (em_tensor *)g;
    return EM_OK;
}

em_tensor *em_clone(em_tensor *x)
{
    return with_node(em_op_clone(x), x, "CloneBackward0", identity_backward, false);
}

em_tensor *em_contiguous(em_tensor *x)
{
    if (em_tensor_is_contiguous(x)) {
        em_tensor_retain(x);
        return x;
    }
    return em_clone(x);
}

/* d x.to(dtype) = g converted back to x's dtype */
static em_status to_copy_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_tensor *r = em_op_to_dtype(g, n->dtype[0]);
    gi[0] = r;
    return r ? EM_OK : em_last_status();
}

em_tensor *em_to_dtype(em_tensor *x, em_dtype dt)
{
    if (x->dtype == dt) {
        em_tensor_retain(x);
        return x;
    }
    return with_node(em_op_to_dtype(x, dt), x, "ToCopyBackward0", to_copy_backward, false);
}

em_tensor *em_detach(em_tensor *t)
{
    return em_tensor_alias(t, t->ndim, t->shape, t->stride, t->offset);
}

em_status em_set_requires_grad(em_tensor *t, bool on)
{
    if (t->grad_fn && !on)
        return em_fail(EM_ERR_AUTOGRAD, "requires_grad_: you can only change requires_grad flags of leaf "
                       "variables. If you want to use a computed variable in a subgraph that doesn't require "
                       "differentiation use var_no_grad = var:detach()");
    if (on && !em_dtype_is_float(t->dtype))
        return em_fail(EM_ERR_AUTOGRAD, "requires_grad_: only tensors of floating point dtype can require "
                       "gradients (this one is %s)", em_dtype_name(t->dtype));
    if (!t->grad_fn) t->requires_grad = on;
    return EM_OK;
}

em_status em_retain_grad(em_tensor *t)
{
    if (!t->requires_grad)
        return em_fail(EM_ERR_AUTOGRAD, "retain_grad: can't retain_grad on a tensor that has requires_grad=false");
    if (t->grad_fn && t->grad_fn->retained != t) {
        t->grad_fn->retained = t;
        /* PyTorch 1.13 keeps a tensor's hooks in one list, run where the
        ** first was registered: before retain_grad's if any came first */
        t->grad_fn->retain_mark = t->grad_fn->hooks ? UINT64_MAX : 0;
        t->retains_grad = true;
    }
    return EM_OK;
}
