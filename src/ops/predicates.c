/* predicates.c — the non-differentiable tests of values: isnan, isinf,
** isposinf, isneginf, isfinite, isclose, and count_nonzero. Composed from
** comparisons, so they run on every device; results are bool (int64 for
** count_nonzero), never recorded by autograd. Not here: allclose (Lua, from
** isclose), nan_to_num (differentiable: autograd/grad_mathr.c). */
#include <math.h>

#include "ops.h"

static em_tensor *done(em_tensor **tmp, int n, em_tensor *r)
{
    for (int i = 0; i < n; i++) em_tensor_release(tmp[i]);
    return r;
}

em_tensor *em_op_isfloat_class(em_float_class kind, const em_tensor *x)
{
    if (!em_dtype_is_float(x->dtype))   /* integers and bools: finite, never NaN or inf */
        return em_op_full(x->ndim, x->shape, kind == EM_IS_FINITE ? 1.0 : 0.0, EM_BOOL, em_tensor_backend(x));
    switch (kind) {
    case EM_IS_NAN: return em_op_binary(EM_B_NE, x, x);
    case EM_IS_POSINF: return em_op_binary_scalar(EM_B_EQ, x, INFINITY);
    case EM_IS_NEGINF: return em_op_binary_scalar(EM_B_EQ, x, -INFINITY);
    default: break;
    }
    em_tensor *a = em_op_unary(EM_U_ABS, x, 0, 0);
    if (!a) return NULL;
    /* |x| < inf is false for inf and for NaN */
    return done(&a, 1, em_op_binary_scalar(kind == EM_IS_INF ? EM_B_EQ : EM_B_LT, a, INFINITY));
}

em_tensor *em_op_isclose(const em_tensor *a, const em_tensor *b, double rtol, double atol, bool equal_nan)
{
    if (a->dtype != b->dtype) {
        em_fail(EM_ERR_TYPE, "isclose: %s did not match %s", em_dtype_name(a->dtype), em_dtype_name(b->dtype));
        return NULL;
    }
    if (rtol < 0 || atol < 0) {
        em_fail(EM_ERR_VALUE, "isclose: %s must be greater than or equal to zero, but got %g", rtol < 0 ? "rtol" : "atol",
                rtol < 0 ? rtol : atol);
        return NULL;
    }
    /* PyTorch's order: a == b; or both NaN (equal_nan); or a finite
    ** |a - b| <= atol + |rtol * b|, each step in the tensors' dtype */
    em_tensor *t[8] = {0};
    int n = 0;
    em_tensor *close = t[n++] = em_op_binary(EM_B_EQ, a, b);
    if (!close) return done(t, n, NULL);
    if (equal_nan && em_dtype_is_float(a->dtype)) {
        em_tensor *na = t[n++] = em_op_binary(EM_B_NE, a, a);
        em_tensor *nb = na ? (t[n++] = em_op_binary(EM_B_NE, b, b)) : NULL;
        em_tensor *both = nb ? (t[n++] = em_op_binary(EM_B_AND, na, nb)) : NULL;
        close = both ? (t[n++] = em_op_binary(EM_B_OR, close, both)) : NULL;
        if (!close) return done(t, n, NULL);
    }
    if (rtol == 0 && atol == 0) {
        em_tensor_retain(close);
        return done(t, n, close);
    }
    const em_tensor *ca = a, *cb = b;
    em_tensor *conv[2] = {0};
    if (a->dtype == EM_BOOL) {
        ca = conv[0] = em_op_to_dtype(a, EM_FLOAT32);
        cb = conv[1] = ca ? em_op_to_dtype(b, EM_FLOAT32) : NULL;
        if (!cb) return done(conv, 2, done(t, n, NULL));
    }
    em_tensor *rb = em_op_binary_scalar(EM_B_MUL, cb, rtol);
    em_tensor *arb = rb ? em_op_unary(EM_U_ABS, rb, 0, 0) : NULL;
    em_tensor *allowed = arb ? em_op_binary_value(EM_B_ADD, arb, (em_scalar){EM_FLOAT64, 0, atol}, true) : NULL;
    em_tensor *d = allowed ? em_op_binary(EM_B_SUB, ca, cb) : NULL;
    em_tensor *actual = d ? em_op_unary(EM_U_ABS, d, 0, 0) : NULL;
    em_tensor *fin = actual ? em_op_isfloat_class(EM_IS_FINITE, actual) : NULL;
    em_tensor *le = fin ? em_op_binary(EM_B_LE, actual, allowed) : NULL;
    em_tensor *ok = le ? em_op_binary(EM_B_AND, fin, le) : NULL;
    em_tensor *r = ok ? em_op_binary(EM_B_OR, close, ok) : NULL;
    em_tensor *more[] = {rb, arb, allowed, d, actual, fin, le, ok, conv[0], conv[1]};
    done(more, 10, NULL);
    return done(t, n, r);
}

em_tensor *em_op_count_nonzero(const em_tensor *x, uint32_t mask)
{
    em_tensor *nz = em_op_binary_scalar(EM_B_NE, x, 0.0);
    if (!nz) return NULL;
    return done(&nz, 1, em_op_reduce(EM_R_SUM, nz, mask, false));
}
