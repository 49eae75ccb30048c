/* grad_linalg.c — differentiable matmul in all of torch.matmul's forms, and
** mm, bmm, mv, dot. The batched/2-D product is one node; the 1-D forms put a
** differentiable unsqueeze/squeeze around it, as PyTorch does. */
#include <string.h>

#include "autograd.h"
#include "scratch.h"

static em_tensor *transposed(em_scratch *s, const em_tensor *t)
{
    if (s->failed || !t) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_transpose(t, -1, -2));
}

static em_tensor *mat(em_scratch *s, const em_tensor *a, const em_tensor *b)
{
    if (s->failed || !a || !b) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_matmul(a, b));
}

/* a: (..., n, k)  b: (..., k, m)  out: (..., n, m)
** d/da (a @ b) = g @ b^T ;  d/db = a^T @ g   (summed over broadcast batch dims) */
static em_status matmul_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    if (em_node_needs(n, 0))
        gi[0] = em_scratch_take(&s, sc_sum_to(&s, mat(&s, g, transposed(&s, sc_saved(&s, n, 1))), n->ndim[0],
                                              n->shape[0]));
    if (em_node_needs(n, 1))
        gi[1] = em_scratch_take(&s, sc_sum_to(&s, mat(&s, transposed(&s, sc_saved(&s, n, 0)), g), n->ndim[1],
                                              n->shape[1]));
    return em_scratch_end(&s);
}

/* The product of two operands that are both at least 2-D. */
static em_tensor *matmul_nd(em_tensor *a, em_tensor *b, const char *name)
{
    em_tensor *out = em_op_matmul(a, b);
    if (!out || !em_any_requires_grad(a, b, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[2] = {a, b};
    em_node *n = em_record(name, matmul_backward, out, 2, ins);
    if (!n || (b->requires_grad && em_node_save(n, 0, a)) || (a->requires_grad && em_node_save(n, 1, b))) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* x with a size-1 dim inserted, the product taken, and that dim removed. */
static em_tensor *via_unsqueeze(em_tensor *a, em_tensor *b, int dim_a, int dim_b, int squeeze_dim)
{
    em_tensor *ua = dim_a == 99 ? (em_tensor_retain(a), a) : em_unsqueeze(a, dim_a);
    em_tensor *ub = !ua ? NULL : dim_b == 99 ? (em_tensor_retain(b), b) : em_unsqueeze(b, dim_b);
    em_tensor *p = ub ? matmul_nd(ua, ub, ua->ndim == 2 && ub->ndim == 2 ? "MmBackward0" : "BmmBackward0")
                      : NULL;
    em_tensor *out = p ? em_squeeze(p, squeeze_dim, false) : NULL;
    em_tensor_release(ua);
    em_tensor_release(ub);
    em_tensor_release(p);
    return out;
}

em_tensor *em_dot(em_tensor *a, em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (a->ndim != 1 || b->ndim != 1 || a->shape[0] != b->shape[0]) {
        em_fail(EM_ERR_SHAPE, "dot: expected two 1-D tensors of the same size, got %s and %s",
                em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(b->ndim, b->shape, b2, sizeof b2));
        return NULL;
    }
    em_tensor *p = via_unsqueeze(a, b, 0, 1, -1);   /* (1,k) @ (k,1) -> (1,1) -> (1) */
    em_tensor *out = p ? em_squeeze(p, 0, false) : NULL;
    em_tensor_release(p);
    if (out && out->grad_fn) out->grad_fn->name = "DotBackward0";
    return out;
}

em_tensor *em_mv(em_tensor *a, em_tensor *v)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (a->ndim != 2 || v->ndim != 1) {
        em_fail(EM_ERR_SHAPE, "mv: expected a 2-D matrix and a 1-D vector, got %s and %s",
                em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(v->ndim, v->shape, b2, sizeof b2));
        return NULL;
    }
    em_tensor *out = via_unsqueeze(a, v, 99, 1, -1);
    if (out && out->grad_fn) out->grad_fn->name = "MvBackward0";
    return out;
}

em_tensor *em_mm(em_tensor *a, em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (a->ndim != 2 || b->ndim != 2) {
        em_fail(EM_ERR_SHAPE, "mm: expected two 2-D matrices, got %s and %s",
                em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(b->ndim, b->shape, b2, sizeof b2));
        return NULL;
    }
    return matmul_nd(a, b, "MmBackward0");
}

em_tensor *em_bmm(em_tensor *a, em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (a->ndim != 3 || b->ndim != 3 || a->shape[0] != b->shape[0]) {
        em_fail(EM_ERR_SHAPE, "bmm: expected two 3-D tensors with the same batch size, got %s and %s",
                em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(b->ndim, b->shape, b2, sizeof b2));
        return NULL;
    }
    return matmul_nd(a, b, "BmmBackward0");
}

em_tensor *em_matmul(em_tensor *a, em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (a->ndim == 0 || b->ndim == 0) {
        em_fail(EM_ERR_SHAPE, "matmul: both arguments need at least 1 dimension, got %s and %s",
                em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(b->ndim, b->shape, b2, sizeof b2));
        return NULL;
    }
    if (a->ndim == 1 && b->ndim == 1) {
        if (a->shape[0] != b->shape[0]) {
            em_fail(EM_ERR_SHAPE, "matmul: shapes %s and %s cannot be multiplied (%lld != %lld)",
                    em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(b->ndim, b->shape, b2, sizeof b2),
                    (long long)a->shape[0], (long long)b->shape[0]);
            return NULL;
        }
        return em_dot(a, b);
    }
    if (a->ndim == 1) return via_unsqueeze(a, b, 0, 99, -2);    /* (k) @ (..., k, m) -> (..., m) */
    if (b->ndim == 1) return via_unsqueeze(a, b, 99, 1, -1);    /* (..., n, k) @ (k) -> (..., n) */
    return matmul_nd(a, b, a->ndim == 2 && b->ndim == 2 ? "MmBackward0" : "BmmBackward0");
}
