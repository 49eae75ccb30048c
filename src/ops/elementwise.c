/* elementwise.c — unary, binary and where ops with PyTorch's broadcasting and
** type promotion, their in-place forms, fill, copy and dtype conversion.
** Not here: autograd (autograd/), the loops themselves (backend). */
#include <math.h>
#include <string.h>

#include "../core/promote.h"
#include "../core/runtime.h"
#include "ops.h"

static bool unary_needs_float(em_unary_op op) { return em_unary_info_of(op)->dtype == EM_DT_FLOAT; }

em_status em_check_same_device(const char *op, const em_tensor *a, const em_tensor *b)
{
    if (em_tensor_backend(a) != em_tensor_backend(b))
        return em_fail(EM_ERR_DEVICE,
                       "%s: expected all tensors to be on the same device, but found at least two "
                       "devices, %s and %s", op, em_tensor_device_name(a), em_tensor_device_name(b));
    return EM_OK;
}

void em_broadcast_kview(const em_tensor *t, int ndim, const int64_t *shape, em_kview *kv)
{
    em_tensor_kview(t, kv);
    int shift = ndim - t->ndim;
    for (int i = ndim - 1; i >= 0; i--) {
        int j = i - shift;
        bool real = j >= 0 && t->shape[j] == shape[i];
        kv->stride[i] = real ? t->stride[j] : 0;
        kv->shape[i] = shape[i];
    }
    kv->ndim = ndim;
}

/* t converted to dt (a new reference; t itself, retained, when it already is dt). */
static em_tensor *as_dtype(const em_tensor *t, em_dtype dt)
{
    if (t->dtype == dt) {
        em_tensor_retain((em_tensor *)t);
        return (em_tensor *)t;
    }
    return em_op_to_dtype(t, dt);
}

/* A new tensor of the given shape and dtype laid out in memory like ref when
** ref has that shape and is a permutation of a dense layout (a transposed
** input gives a transposed output), as PyTorch's elementwise ops do;
** otherwise contiguous. */
static em_tensor *alloc_like(const em_tensor *ref, int ndim, const int64_t *shape, em_dtype dt)
{
    const em_backend *be = em_tensor_backend(ref);
    if (ref->ndim != ndim || em_tensor_is_contiguous(ref) ||
        memcmp(ref->shape, shape, sizeof(int64_t) * (size_t)ndim) != 0)
        return em_tensor_empty(ndim, shape, dt, be);
    int perm[EM_MAX_DIMS];
    for (int i = 0; i < ndim; i++) perm[i] = i;
    for (int i = 1; i < ndim; i++)          /* stable insertion sort by stride, descending */
        for (int j = i; j > 0 && ref->stride[perm[j]] > ref->stride[perm[j - 1]]; j--) {
            int t = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = t;
        }
    int64_t pshape[EM_MAX_DIMS], pstride[EM_MAX_DIMS], expect = 1;
    for (int i = 0; i < ndim; i++) pshape[i] = shape[perm[i]];
    em_contiguous_strides(ndim, pshape, pstride);
    for (int i = ndim - 1; i >= 0; i--) {    /* dense: strides are exactly the packed ones */
        if (pshape[i] != 1 && ref->stride[perm[i]] != expect) return em_tensor_empty(ndim, shape, dt, be);
        expect *= pshape[i];
    }
    em_tensor *base = em_tensor_empty(ndim, pshape, dt, be);
    if (!base) return NULL;
    int64_t stride[EM_MAX_DIMS];
    for (int i = 0; i < ndim; i++) stride[perm[i]] = pstride[i];
    em_tensor *out = em_tensor_alias(base, ndim, shape, stride, 0);
    em_tensor_release(base);
    return out;
}

em_tensor *em_op_unary(em_unary_op op, const em_tensor *x, double p1, double p2)
{
    em_dtype dt = x->dtype;
    if (unary_needs_float(op) && !em_dtype_is_float(dt)) dt = em_default_float();
    /* clamp of an integer tensor to fractional bounds gives floats (PyTorch) */
    if (op == EM_U_CLAMP && !em_dtype_is_float(dt) &&
        ((isfinite(p1) && p1 != floor(p1)) || (isfinite(p2) && p2 != floor(p2))))
        dt = em_default_float();
    if (em_unary_info_of(op)->dtype == EM_DT_FLOAT_ONLY && !em_dtype_is_float(dt)) {   /* frac */
        em_fail(EM_ERR_TYPE, "%s: not supported for dtype %s", em_unary_op_name(op), em_dtype_name(dt));
        return NULL;
    }
    if (em_unary_info_of(op)->dtype == EM_DT_NO_BOOL && dt == EM_BOOL) {
        em_fail(EM_ERR_TYPE, "%s: not supported for bool tensors%s", em_unary_op_name(op),
                op == EM_U_NEG ? "; use logical_not" : "");
        return NULL;
    }
    em_tensor *in = as_dtype(x, dt);
    if (!in) return NULL;
    em_tensor *out = alloc_like(x, x->ndim, x->shape, dt);
    if (out) {
        em_kview ko, ki;
        em_tensor_kview(out, &ko);
        em_tensor_kview(in, &ki);
        if (em_tensor_backend(x)->unary(op, &ko, &ki, p1, p2) != EM_OK) {
            em_error_prefix(em_unary_op_name(op));
            em_tensor_release(out);
            out = NULL;
        }
    }
    em_tensor_release(in);
    return out;
}

/* The dtype a binary op computes in, and the dtype of its result, from the
** operands' promoted type t and the op's dtype rule. */
static void binary_types(em_binary_op op, em_dtype t, em_dtype *compute, em_dtype *result)
{
    em_dtype_rule rule = em_binary_info_of(op)->dtype;
    if (rule == EM_DT_LOGICAL) {
        *compute = *result = EM_BOOL;
        return;
    }
    if (rule == EM_DT_TRUE_DIV && !em_dtype_is_float(t)) t = em_default_float();
    *compute = t;
    *result = rule == EM_DT_COMPARE ? EM_BOOL : t;
}

em_tensor *em_op_binary(em_binary_op op, const em_tensor *a, const em_tensor *b)
{
    const char *name = em_binary_op_name(op);
    if (em_check_same_device(name, a, b) != EM_OK) return NULL;
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    if (em_broadcast_shapes(name, a->ndim, a->shape, b->ndim, b->shape, &ndim, shape) != EM_OK)
        return NULL;
    em_dtype compute, result;
    binary_types(op, em_result_type(2, (const em_tensor *[]){a, b}), &compute, &result);
    if ((op == EM_B_SUB) && compute == EM_BOOL) {
        em_fail(EM_ERR_TYPE, "sub: subtraction of bool tensors is not supported; use logical_xor");
        return NULL;
    }
    em_tensor *ca = as_dtype(a, compute), *cb = ca ? as_dtype(b, compute) : NULL;
    em_tensor *out = cb ? alloc_like(a->ndim == ndim ? a : b, ndim, shape, result) : NULL;
    if (out) {
        em_kview ko, ka, kb;
        em_tensor_kview(out, &ko);
        em_broadcast_kview(ca, ndim, shape, &ka);
        em_broadcast_kview(cb, ndim, shape, &kb);
        if (em_tensor_backend(a)->binary(op, &ko, &ka, &kb) != EM_OK) {
            em_error_prefix(name);
            em_tensor_release(out);
            out = NULL;
        }
    }
    em_tensor_release(ca);
    em_tensor_release(cb);
    return out;
}

em_scalar em_scalar_of(double v, const em_tensor *like)
{
    bool integral = v == floor(v) && fabs(v) < 9.0e15;
    if (integral && !em_dtype_is_float(like->dtype)) return (em_scalar){EM_INT64, (int64_t)v, v};
    return (em_scalar){EM_FLOAT64, 0, v};
}

em_tensor *em_op_binary_value(em_binary_op op, const em_tensor *a, em_scalar s, bool scalar_first)
{
    const char *name = em_binary_op_name(op);
    em_dtype compute, result;
    binary_types(op, em_result_type_number(a, s.dtype), &compute, &result);
    if ((op == EM_B_SUB) && compute == EM_BOOL) {
        em_fail(EM_ERR_TYPE, "sub: subtraction of bool tensors is not supported; use logical_xor");
        return NULL;
    }
    em_tensor *ca = as_dtype(a, compute);
    em_tensor *out = ca ? alloc_like(a, a->ndim, a->shape, result) : NULL;
    if (out) {
        em_kview ko, ka;
        em_tensor_kview(out, &ko);
        em_tensor_kview(ca, &ka);
        if (em_tensor_backend(a)->binary_scalar(op, &ko, &ka, s, scalar_first) != EM_OK) {
            em_error_prefix(name);
            em_tensor_release(out);
            out = NULL;
        }
    }
    em_tensor_release(ca);
    return out;
}

em_tensor *em_op_binary_scalar(em_binary_op op, const em_tensor *a, double s)
{
    return em_op_binary_value(op, a, em_scalar_of(s, a), false);
}

em_tensor *em_op_where(const em_tensor *cond, const em_tensor *a, const em_tensor *b)
{
    if (cond->dtype != EM_BOOL) {
        em_fail(EM_ERR_TYPE, "where: condition must be a bool tensor, got %s", em_dtype_name(cond->dtype));
        return NULL;
    }
    if (em_check_same_device("where", cond, a) || em_check_same_device("where", a, b)) return NULL;
    int n1, ndim;
    int64_t s1[EM_MAX_DIMS], shape[EM_MAX_DIMS];
    if (em_broadcast_shapes("where", a->ndim, a->shape, b->ndim, b->shape, &n1, s1) ||
        em_broadcast_shapes("where", cond->ndim, cond->shape, n1, s1, &ndim, shape))
        return NULL;
    const em_tensor *ts[2] = {a, b};
    em_dtype dt = em_result_type(2, ts);
    em_tensor *ca = as_dtype(a, dt), *cb = ca ? as_dtype(b, dt) : NULL;
    em_tensor *out = cb ? em_tensor_empty(ndim, shape, dt, em_tensor_backend(a)) : NULL;
    if (out) {
        em_kview ko, kc, ka, kb;
        em_tensor_kview(out, &ko);
        em_broadcast_kview(cond, ndim, shape, &kc);
        em_broadcast_kview(ca, ndim, shape, &ka);
        em_broadcast_kview(cb, ndim, shape, &kb);
        if (em_tensor_backend(a)->where(&ko, &kc, &ka, &kb) != EM_OK) {
            em_error_prefix("where");
            em_tensor_release(out);
            out = NULL;
        }
    }
    em_tensor_release(ca);
    em_tensor_release(cb);
    return out;
}

em_status em_op_unary_(em_unary_op op, em_tensor *self, double p1, double p2)
{
    if (unary_needs_float(op) && !em_dtype_is_float(self->dtype))
        return em_fail(EM_ERR_TYPE, "%s_: result type float32 can't be cast to the desired output "
                       "type %s", em_unary_op_name(op), em_dtype_name(self->dtype));
    if (em_unary_info_of(op)->dtype == EM_DT_FLOAT_ONLY && !em_dtype_is_float(self->dtype))
        return em_fail(EM_ERR_TYPE, "%s_: not supported for dtype %s", em_unary_op_name(op),
                       em_dtype_name(self->dtype));
    em_kview k;
    em_tensor_kview_inplace(self, &k);
    em_status st = em_tensor_backend(self)->unary(op, &k, &k, p1, p2);
    if (st != EM_OK) em_error_prefix(em_unary_op_name(op));
    return st;
}

/* Dims of t that overlap in memory (stride 0 with size > 1) make in-place
** writes ambiguous: PyTorch refuses them too. */
static bool has_internal_overlap(const em_tensor *t)
{
    for (int i = 0; i < t->ndim; i++)
        if (t->stride[i] == 0 && t->shape[i] > 1) return true;
    return false;
}

em_status em_op_binary_(em_binary_op op, em_tensor *self, const em_tensor *other)
{
    const char *name = em_binary_op_name(op);
    if (em_check_same_device(name, self, other) != EM_OK) return em_last_status();
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    if (em_broadcast_shapes(name, self->ndim, self->shape, other->ndim, other->shape, &ndim, shape))
        return em_last_status();
    if (ndim != self->ndim || memcmp(shape, self->shape, sizeof(int64_t) * (size_t)ndim) != 0) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        return em_fail(EM_ERR_SHAPE, "%s_: output with shape %s doesn't match the broadcast shape %s",
                       name, em_shape_str(self->ndim, self->shape, b1, sizeof b1),
                       em_shape_str(ndim, shape, b2, sizeof b2));
    }
    if (has_internal_overlap(self))
        return em_fail(EM_ERR_VALUE, "%s_: the tensor is an expanded view whose elements share memory; "
                       "call clone() before writing to it in place", name);
    em_dtype compute, result;
    binary_types(op, em_result_type(2, (const em_tensor *[]){self, other}), &compute, &result);
    if (em_promote_types(compute, self->dtype) != self->dtype || result != self->dtype)
        return em_fail(EM_ERR_TYPE, "%s_: result type %s can't be cast to the desired output type %s",
                       name, em_dtype_name(result), em_dtype_name(self->dtype));
    em_tensor *co = as_dtype(other, self->dtype);
    if (!co) return em_last_status();
    /* other may alias self's memory (x:add_(x:t())): read from a copy then */
    em_tensor *src = co;
    if (co->storage == self->storage && !(co->offset == self->offset &&
        memcmp(co->stride, self->stride, sizeof(int64_t) * (size_t)self->ndim) == 0 &&
        co->ndim == self->ndim)) {
        src = em_op_clone(co);
        em_tensor_release(co);
        if (!src) return em_last_status();
    }
    em_kview ks, ko;
    em_tensor_kview_inplace(self, &ks);
    em_broadcast_kview(src, self->ndim, self->shape, &ko);
    em_status st = em_tensor_backend(self)->binary(op, &ks, &ks, &ko);
    if (st != EM_OK) em_error_prefix(name);
    em_tensor_release(src);
    return st;
}

em_status em_op_binary_value_(em_binary_op op, em_tensor *self, em_scalar s)
{
    const char *name = em_binary_op_name(op);
    if (has_internal_overlap(self))
        return em_fail(EM_ERR_VALUE, "%s_: the tensor is an expanded view whose elements share memory; "
                       "call clone() before writing to it in place", name);
    em_dtype compute, result;
    binary_types(op, em_result_type_number(self, s.dtype), &compute, &result);
    if (compute != self->dtype || result != self->dtype)
        return em_fail(EM_ERR_TYPE, "%s_: result type %s can't be cast to the desired output type %s",
                       name, em_dtype_name(result), em_dtype_name(self->dtype));
    em_kview ks;
    em_tensor_kview_inplace(self, &ks);
    em_status st = em_tensor_backend(self)->binary_scalar(op, &ks, &ks, s, false);
    if (st != EM_OK) em_error_prefix(name);
    return st;
}

em_status em_op_fill_(em_tensor *self, double value)
{
    em_kview k;
    em_tensor_kview_inplace(self, &k);
    return em_tensor_backend(self)->fill(&k, value);
}

em_status em_op_copy_(em_tensor *dst, const em_tensor *src)
{
    if (em_check_same_device("copy_", dst, src) != EM_OK) return em_last_status();
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    if (em_broadcast_shapes("copy_", dst->ndim, dst->shape, src->ndim, src->shape, &ndim, shape))
        return em_last_status();
    if (ndim != dst->ndim || memcmp(shape, dst->shape, sizeof(int64_t) * (size_t)ndim) != 0) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        return em_fail(EM_ERR_SHAPE, "copy_: source of shape %s cannot be broadcast to %s",
                       em_shape_str(src->ndim, src->shape, b1, sizeof b1),
                       em_shape_str(dst->ndim, dst->shape, b2, sizeof b2));
    }
    em_tensor *s = (em_tensor *)src;
    em_tensor_retain(s);
    if (src->storage == dst->storage) {       /* overlapping: go through a copy */
        em_tensor_release(s);
        s = em_op_clone(src);
        if (!s) return em_last_status();
    }
    em_kview kd, ks;
    em_tensor_kview_inplace(dst, &kd);
    em_broadcast_kview(s, dst->ndim, dst->shape, &ks);
    em_status st = em_tensor_backend(dst)->copy(&kd, &ks);
    em_tensor_release(s);
    return st;
}

em_tensor *em_op_to_dtype(const em_tensor *x, em_dtype dt)
{
    em_tensor *out = em_tensor_empty(x->ndim, x->shape, dt, em_tensor_backend(x));
    if (!out) return NULL;
    em_kview ko, ki;
    em_tensor_kview(out, &ko);
    em_tensor_kview(x, &ki);
    if (em_tensor_backend(x)->copy(&ko, &ki) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

em_tensor *em_op_clone(const em_tensor *x) { return em_op_to_dtype(x, x->dtype); }

em_tensor *em_op_contiguous(const em_tensor *x)
{
    if (em_tensor_is_contiguous(x)) {
        em_tensor_retain((em_tensor *)x);
        return (em_tensor *)x;
    }
    return em_op_clone(x);
}
