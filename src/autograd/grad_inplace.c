/* grad_inplace.c — in-place ops (add_, mul_, relu_, copy_, fill_, ...). With
** no gradient involved they write straight into the tensor. When a gradient
** is involved the result is computed out of place with its graph node, copied
** into the tensor, and the tensor takes over the node ("rebase"), so that
** x:mul_(2) on a non-leaf differentiates like x = x * 2 while x stays the same
** object. As in PyTorch, in-place ops on a leaf that requires grad are
** refused unless grad mode is off, and so (unlike PyTorch) are in-place ops
** on views of tensors that require grad. */
#include "autograd.h"
#include "node.h"
#include "../core/runtime.h"
#include "../ops/ops.h"

static em_status check_target(const char *op, em_tensor *self)
{
    if (!self->grad_fn && self->requires_grad)
        return em_fail(EM_ERR_AUTOGRAD, "%s: a leaf Variable that requires grad is being used in an in-place "
                       "operation (wrap the update in torch.no_grad)", op);
    if (self->grad_fn && self->grad_fn->is_view)
        return em_fail(EM_ERR_AUTOGRAD, "%s: in-place operation on a view (%s) of a tensor that requires grad "
                       "is not supported; use the out-of-place op or clone() first", op, self->grad_fn->name);
    return EM_OK;
}

/* Copies r into self and makes r's node self's grad_fn. Consumes r. */
static em_status rebase(em_tensor *self, em_tensor *r)
{
    em_status st = EM_OK;
    if (!em_same_shape(self, r)) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        st = em_fail(EM_ERR_SHAPE, "in-place: output with shape %s doesn't match the broadcast shape %s",
                     em_shape_str(self->ndim, self->shape, b1, sizeof b1), em_shape_str(r->ndim, r->shape, b2, sizeof b2));
    }
    if (st == EM_OK) st = em_op_copy_(self, r);
    if (st == EM_OK && r->grad_fn) {
        em_node *n = r->grad_fn;
        em_ref_retain(&n->ref);
        em_node_attach(n, self);
    }
    em_tensor_release(r);
    return st;
}

em_status em_unary_(em_unary_op op, em_tensor *self, double p1, double p2)
{
    if (!em_any_requires_grad(self, NULL, NULL)) return em_op_unary_(op, self, p1, p2);
    if (check_target("in-place op", self)) return em_last_status();
    em_node_set_inplace_target(self);
    em_tensor *r = em_unary(op, self, p1, p2);
    em_node_set_inplace_target(NULL);
    return r ? rebase(self, r) : em_last_status();
}

em_status em_binary_(em_binary_op op, em_tensor *self, em_tensor *other)
{
    if (!em_any_requires_grad(self, other, NULL)) return em_op_binary_(op, self, other);
    if (check_target("in-place op", self)) return em_last_status();
    if (!em_dtype_is_float(self->dtype))
        return em_fail(EM_ERR_TYPE, "in-place op: result type can't be cast to the desired output type %s",
                       em_dtype_name(self->dtype));
    em_node_set_inplace_target(self);
    em_tensor *r = em_binary(op, self, other);
    em_node_set_inplace_target(NULL);
    return r ? rebase(self, r) : em_last_status();
}

em_status em_fill_(em_tensor *self, double value)
{
    if (em_grad_enabled() && self->requires_grad) {
        if (check_target("fill_", self)) return em_last_status();
        /* the old values no longer matter: the tensor becomes a constant */
        em_node_release(self->grad_fn);
        self->grad_fn = NULL;
        self->requires_grad = false;
    }
    return em_op_fill_(self, value);
}

em_status em_copy_(em_tensor *self, em_tensor *src)
{
    if (!em_any_requires_grad(self, src, NULL)) return em_op_copy_(self, src);
    if (check_target("copy_", self)) return em_last_status();
    /* d copy_(self, src) = nothing for the old self ; g summed to src's shape for src:
       built as an out-of-place broadcast of src converted to self's dtype */
    em_tensor *zero = em_op_scalar(0.0, self->dtype, em_tensor_backend(self), true);
    if (!zero) return em_last_status();
    em_tensor *conv = em_to_dtype(src, self->dtype);
    em_tensor *r = conv ? em_binary(EM_B_ADD, conv, zero) : NULL;
    em_tensor_release(zero);
    em_tensor_release(conv);
    if (!r) return em_last_status();
    if (!em_same_shape(self, r)) {
        em_tensor *e = em_expand(r, self->ndim, self->shape);
        em_tensor_release(r);
        if (!e) return em_last_status();
        r = e;
    }
    return rebase(self, r);
}
