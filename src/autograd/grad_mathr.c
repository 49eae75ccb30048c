/* grad_mathr.c — differentiable math beyond the op table's rows: cumsum,
** cumprod, amax/amin, logsumexp, the vector norms (torch.norm,
** linalg.vector_norm), nan_to_num, clamp with tensor bounds and lerp. Each
** forward is composed from ops (so it runs on every device) and records one
** node with PyTorch's name; each backward is PyTorch's formula
** (tools/autograd/derivatives.yaml, FunctionsManual.cpp), written above it.
** Not here: the bindings (bind/lua_mathr.c), the non-differentiable
** predicates (ops/predicates.c). */
#include <math.h>

#include "autograd.h"
#include "scratch.h"

/* A 0-dim tensor of value in like's dtype and device, kept in s. */
static em_tensor *sc_const(em_scratch *s, const em_tensor *like, double value)
{
    if (s->failed || !like) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_scalar(value, like->dtype, em_tensor_backend(like), true));
}

/* A forward's result out from a scratch s: handed over, or NULL. */
static em_tensor *finish(em_scratch *s, em_tensor *out)
{
    em_tensor *r = s->failed ? NULL : em_scratch_take(s, out);
    em_status st = em_scratch_end(s);
    if (st != EM_OK && r) {
        em_tensor_release(r);
        r = NULL;
    }
    return r;
}

/* Records node name on out with inputs; releases out and answers NULL when
** that fails. */
static em_node *record_or_drop(const char *name, em_backward_fn fn, em_tensor **out, int n,
                               em_tensor *const *inputs)
{
    em_node *node = em_record(name, fn, *out, n, inputs);
    if (!node) {
        em_tensor_release(*out);
        *out = NULL;
    }
    return node;
}

static em_tensor *saved_or_drop(em_node *n, em_tensor **out, int slot, const em_tensor *t)
{
    if (n && em_node_save(n, slot, t) == EM_OK) return *out;
    em_tensor_release(*out);
    *out = NULL;
    return NULL;
}

/* --- cumsum, cumprod (node: ints[2] = the 0-based dim) --- */

/* d cumsum(x) = the reversed cumsum of g along dim */
static em_status cumsum_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    gi[0] = em_op_scan(EM_R_SUM, g, (int)n->ints[2], true);
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_cumsum(em_tensor *x, int dim)
{
    em_tensor *out = em_op_scan(EM_R_SUM, x, dim, false);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = record_or_drop("CumsumBackward0", cumsum_backward, &out, 1, &x);
    if (n) n->ints[2] = x->ndim ? (dim < 0 ? dim + x->ndim : dim) : 0;
    return out;
}

/* d cumprod(x): with w = g * out, revcumsum(w) / x where no zero came
** before; at the first zero of a line, revcumsum(g * cumprod(x with that
** zero set to 1)); after it, 0 (PyTorch's cumprod_backward). */
static em_status cumprod_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    int d = (int)n->ints[2];
    const em_tensor *x = sc_saved(&s, n, 0), *out = sc_saved(&s, n, 1);
    if (s.failed) return em_scratch_end(&s);
    if (x->ndim == 0 || x->shape[d] <= 1) {
        gi[0] = em_scratch_take(&s, (em_tensor *)g);
        return em_scratch_end(&s);
    }
    em_tensor *zero = sc_scalar(&s, EM_B_EQ, x, 0.0);
    em_tensor *nz = s.failed ? NULL : em_scratch_keep(&s, em_op_scan(EM_R_SUM, zero, d, false));
    em_tensor *before = sc_scalar(&s, EM_B_EQ, nz, 0.0);
    em_tensor *first = sc_bin(&s, EM_B_AND, zero, sc_scalar(&s, EM_B_EQ, nz, 1.0));
    em_tensor *w = sc_bin(&s, EM_B_MUL, out, g);
    em_tensor *rw = s.failed ? NULL : em_scratch_keep(&s, em_op_scan(EM_R_SUM, w, d, true));
    em_tensor *gb = sc_bin(&s, EM_B_DIV, rw, x);
    em_tensor *x1 = sc_where(&s, first, sc_const(&s, x, 1.0), x);
    em_tensor *out1 = s.failed ? NULL : em_scratch_keep(&s, em_op_scan(EM_R_PROD, x1, d, false));
    em_tensor *w1 = sc_bin(&s, EM_B_MUL, out1, g);
    em_tensor *rw1 = s.failed ? NULL : em_scratch_keep(&s, em_op_scan(EM_R_SUM, w1, d, true));
    em_tensor *at_first = sc_where(&s, first, rw1, sc_const(&s, rw1, 0.0));
    gi[0] = em_scratch_take(&s, sc_where(&s, before, gb, at_first));
    return em_scratch_end(&s);
}

em_tensor *em_cumprod(em_tensor *x, int dim)
{
    em_tensor *out = em_op_scan(EM_R_PROD, x, dim, false);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    em_node *n = record_or_drop("CumprodBackward0", cumprod_backward, &out, 1, &x);
    if (!n) return NULL;
    n->ints[2] = x->ndim ? (dim < 0 ? dim + x->ndim : dim) : 0;
    if (!saved_or_drop(n, &out, 0, x)) return NULL;
    return saved_or_drop(n, &out, 1, out);
}

/* --- reductions with a dim mask (node: ints[0] = mask, 0 = all; ints[1] =
** keepdim; shape[0] = the input's shape) --- */

/* t (a reduction's result or its gradient) with the reduced dims back as 1 */
static em_tensor *sc_keepdim(em_scratch *s, em_node *n, const em_tensor *t)
{
    if (s->failed || !t) { s->failed = true; return NULL; }
    uint32_t mask = (uint32_t)n->ints[0];
    int64_t shape[EM_MAX_DIMS];
    for (int i = 0; i < n->ndim[0]; i++) shape[i] = (!mask || (mask & (1u << i))) ? 1 : n->shape[0][i];
    return em_scratch_keep(s, em_op_reshape(t, n->ndim[0], shape));
}

static em_node *record_mask(const char *name, em_backward_fn fn, em_tensor **out, em_tensor *x, uint32_t mask,
                            bool keepdim)
{
    em_node *n = record_or_drop(name, fn, out, 1, &x);
    if (n) {
        n->ints[0] = mask;
        n->ints[1] = keepdim;
    }
    return n;
}

/* d amax(x) = g * (x == amax) / (number of such x in the slice): ties share */
static em_status amaxmin_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *x = sc_saved(&s, n, 0);
    em_tensor *hit = sc_bin(&s, EM_B_EQ, sc_keepdim(&s, n, sc_saved(&s, n, 1)), x);
    em_tensor *count = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, hit, (uint32_t)n->ints[0], true));
    em_tensor *share = sc_bin(&s, EM_B_DIV, hit, count);   /* bool / int64: float32, as PyTorch */
    gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_MUL, share, sc_keepdim(&s, n, g)));
    return em_scratch_end(&s);
}

em_tensor *em_amaxmin(em_reduce_op op, em_tensor *x, uint32_t mask, bool keepdim)
{
    const char *name = op == EM_R_MAX ? "amax" : "amin";
    if (em_tensor_numel(x) == 0 && !mask) {
        em_fail(EM_ERR_SHAPE, "%s: Expected reduction dim to be specified for input.numel() == 0. Specify the "
                "reduction dim with the 'dim' argument.", name);
        return NULL;
    }
    em_tensor *out = em_op_reduce(op, x, mask, keepdim);
    if (!out) {
        em_error_prefix(name);
        return NULL;
    }
    if (!em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(x->dtype)) return out;
    em_node *n = record_mask(op == EM_R_MAX ? "AmaxBackward0" : "AminBackward0", amaxmin_backward, &out, x, mask,
                             keepdim);
    if (!saved_or_drop(n, &out, 0, x)) return NULL;
    return saved_or_drop(n, &out, 1, out);
}

/* d logsumexp(x) = g * exp(x - logsumexp(x)) */
static em_status logsumexp_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *d = sc_bin(&s, EM_B_SUB, sc_saved(&s, n, 0), sc_keepdim(&s, n, sc_saved(&s, n, 1)));
    gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_MUL, sc_keepdim(&s, n, g), sc_un(&s, EM_U_EXP, d, 0, 0)));
    return em_scratch_end(&s);
}

em_tensor *em_logsumexp(em_tensor *x, uint32_t mask, bool keepdim)
{
    em_scratch s = {0};
    const em_tensor *in = x;
    if (!em_dtype_is_float(x->dtype)) in = em_scratch_keep(&s, em_op_to_dtype(x, EM_FLOAT32));
    /* the max of each slice, taken out before exp and added back (0 where
    ** it is infinite), as PyTorch's logsumexp */
    em_tensor *m = NULL;
    if (!s.failed && em_tensor_numel(in) > 0) {
        m = em_scratch_keep(&s, em_op_reduce(EM_R_MAX, in, mask, true));
        em_tensor *inf = sc_scalar(&s, EM_B_EQ, sc_un(&s, EM_U_ABS, m, 0, 0), INFINITY);
        m = sc_where(&s, inf, sc_const(&s, m, 0.0), m);
    }
    em_tensor *e = sc_un(&s, EM_U_EXP, m ? sc_bin(&s, EM_B_SUB, in, m) : in, 0, 0);
    em_tensor *sum = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, e, mask, keepdim));
    em_tensor *out = sc_un(&s, EM_U_LOG, sum, 0, 0);
    if (m && !s.failed) out = sc_bin(&s, EM_B_ADD, out, em_scratch_keep(&s, em_op_reshape(m, sum->ndim, sum->shape)));
    out = finish(&s, out);
    if (!out) {
        em_error_prefix("logsumexp");
        return NULL;
    }
    if (!em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(x->dtype)) return out;
    em_node *n = record_mask("LogsumexpBackward0", logsumexp_backward, &out, x, mask, keepdim);
    if (!saved_or_drop(n, &out, 0, x)) return NULL;
    return saved_or_drop(n, &out, 1, out);
}

/* --- vector norms: ord 2 sqrt(sum x^2), 1 sum |x|, inf max |x|, -inf
** min |x|, 0 the count of non-zeros, else (sum |x|^p)^(1/p) (node as the
** reductions, scalars[0] = ord) --- */

/* PyTorch's norm_backward, with n = the norm (keepdim) and g likewise:
**   p = 0: 0;  p = 1: sgn(x) g;  p = 2: x g / n (0 where n = 0);
**   p = +-inf: sgn(x) g / count * (|x| == n or |x| is NaN);
**   p < 1: sgn(x) |x|^(p-1) (0 where x = 0) g n^(1-p);
**   p < 2: sgn(x) |x|^(p-1) g / n^(p-1) (0 where n = 0);
**   else: x |x|^(p-2) g / n^(p-1) (0 where n = 0). */
static em_status norm_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    double p = n->scalars[0];
    const em_tensor *x = sc_saved(&s, n, 0);
    em_tensor *nk = sc_keepdim(&s, n, sc_saved(&s, n, 1)), *gk = sc_keepdim(&s, n, g);
    em_tensor *r = NULL;
    if (s.failed) return em_scratch_end(&s);
    if (p == 0.0) {   /* PyTorch gives no gradient at all: x.grad stays None */
        return em_scratch_end(&s);
    } else if (p == 1.0) {
        r = sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_SIGN, x, 0, 0), gk);
    } else if (isinf(p)) {
        em_tensor *a = sc_un(&s, EM_U_ABS, x, 0, 0);
        em_tensor *hit = sc_bin(&s, EM_B_OR, sc_bin(&s, EM_B_EQ, a, nk), sc_bin(&s, EM_B_NE, a, a));
        em_tensor *cnt = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, hit, (uint32_t)n->ints[0], true));
        r = sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_SIGN, x, 0, 0), sc_bin(&s, EM_B_MUL, sc_bin(&s, EM_B_DIV, gk, cnt), hit));
    } else {
        em_tensor *nzero = sc_scalar(&s, EM_B_EQ, nk, 0.0);
        em_tensor *zero = sc_const(&s, gk, 0.0);
        if (p == 2.0) {
            r = sc_bin(&s, EM_B_MUL, x, sc_where(&s, nzero, zero, sc_bin(&s, EM_B_DIV, gk, nk)));
        } else if (p < 1.0) {
            em_tensor *xs = sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_SIGN, x, 0, 0),
                                   sc_un(&s, EM_U_POW, sc_un(&s, EM_U_ABS, x, 0, 0), p - 1, 0));
            xs = sc_where(&s, sc_scalar(&s, EM_B_EQ, x, 0.0), zero, xs);
            r = sc_bin(&s, EM_B_MUL, sc_bin(&s, EM_B_MUL, xs, gk), sc_un(&s, EM_U_POW, nk, 1 - p, 0));
        } else {
            em_tensor *xs = p < 2.0 ? sc_bin(&s, EM_B_MUL, sc_un(&s, EM_U_SIGN, x, 0, 0),
                                             sc_un(&s, EM_U_POW, sc_un(&s, EM_U_ABS, x, 0, 0), p - 1, 0))
                                    : sc_bin(&s, EM_B_MUL, x, sc_un(&s, EM_U_POW, sc_un(&s, EM_U_ABS, x, 0, 0), p - 2, 0));
            em_tensor *sv = sc_where(&s, nzero, zero, sc_bin(&s, EM_B_DIV, gk, sc_un(&s, EM_U_POW, nk, p - 1, 0)));
            r = sc_bin(&s, EM_B_MUL, xs, sv);
        }
    }
    gi[0] = em_scratch_take(&s, r);
    return em_scratch_end(&s);
}

em_tensor *em_vector_norm(em_tensor *x, double ord, uint32_t mask, bool keepdim, const char *node, const char *fn)
{
    if (!em_dtype_is_float(x->dtype)) {
        em_fail(EM_ERR_TYPE, "%s: Expected a floating point tensor as input. Got %s", fn, em_dtype_name(x->dtype));
        return NULL;
    }
    if (isinf(ord) && em_tensor_numel(x) == 0) {
        em_fail(EM_ERR_SHAPE, "%s: cannot compute the %s norm on an empty tensor because the operation does not "
                "have an identity", fn, ord > 0 ? "inf" : "-inf");
        return NULL;
    }
    em_scratch s = {0};
    em_tensor *out;
    if (ord == 0.0) {
        em_tensor *c = sc_scalar(&s, EM_B_NE, x, 0.0);
        c = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, c, mask, keepdim));
        out = s.failed ? NULL : em_scratch_keep(&s, em_op_to_dtype(c, x->dtype));
    } else if (isinf(ord)) {
        em_tensor *a = sc_un(&s, EM_U_ABS, x, 0, 0);
        out = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(ord > 0 ? EM_R_MAX : EM_R_MIN, a, mask, keepdim));
    } else if (ord == 1.0) {
        em_tensor *a = sc_un(&s, EM_U_ABS, x, 0, 0);
        out = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, a, mask, keepdim));
    } else if (ord == 2.0) {
        em_tensor *q = sc_un(&s, EM_U_SQUARE, x, 0, 0);
        out = sc_un(&s, EM_U_SQRT, s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, q, mask, keepdim)), 0, 0);
    } else {
        em_tensor *q = sc_un(&s, EM_U_POW, sc_un(&s, EM_U_ABS, x, 0, 0), ord, 0);
        em_tensor *sum = s.failed ? NULL : em_scratch_keep(&s, em_op_reduce(EM_R_SUM, q, mask, keepdim));
        out = sc_un(&s, EM_U_POW, sum, 1.0 / ord, 0);
    }
    out = finish(&s, out);
    if (!out) {
        em_error_prefix(fn);
        return NULL;
    }
    if (!em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = record_mask(node, norm_backward, &out, x, mask, keepdim);
    if (!n) return NULL;
    n->scalars[0] = ord;
    if (!saved_or_drop(n, &out, 0, x)) return NULL;
    return saved_or_drop(n, &out, 1, out);
}

/* --- nan_to_num --- */

/* d nan_to_num(x) = g * isfinite(x) */
static em_status nan_to_num_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *finite = sc_scalar(&s, EM_B_LT, sc_un(&s, EM_U_ABS, sc_saved(&s, n, 0), 0, 0), INFINITY);
    gi[0] = em_scratch_take(&s, sc_bin(&s, EM_B_MUL, g, finite));
    return em_scratch_end(&s);
}

em_tensor *em_nan_to_num(em_tensor *x, double nan, double posinf, double neginf)
{
    if (!em_dtype_is_float(x->dtype)) return em_op_clone(x);   /* integers have no NaN or inf */
    em_scratch s = {0};
    em_tensor *r = sc_where(&s, sc_bin(&s, EM_B_NE, x, x), sc_const(&s, x, nan), x);
    r = sc_where(&s, sc_scalar(&s, EM_B_EQ, r, INFINITY), sc_const(&s, x, posinf), r);
    r = sc_where(&s, sc_scalar(&s, EM_B_EQ, r, -INFINITY), sc_const(&s, x, neginf), r);
    em_tensor *out = finish(&s, r);
    if (!out || !em_any_requires_grad(x, NULL, NULL)) return out;
    em_node *n = record_or_drop("NanToNumBackward0", nan_to_num_backward, &out, 1, &x);
    return saved_or_drop(n, &out, 0, x);
}

/* --- clamp(x, min, max) with tensor bounds (either may be NULL) ---
** node: ints[2], ints[3] = has min, has max; saved x, min, max */

/* PyTorch's clamp_backward and clamp_backward_min_max:
**   x:   g where min <= x <= max (the given bounds), else 0;
**   min: g where x < min (and min < max when both are given), else 0;
**   max: g where x > max (or max < min when both are given), else 0;
** each summed back to its input's shape. */
static em_status clamp_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    bool has_lo = n->ints[2], has_hi = n->ints[3];
    const em_tensor *x = sc_saved(&s, n, 0);
    const em_tensor *lo = has_lo ? sc_saved(&s, n, 1) : NULL, *hi = has_hi ? sc_saved(&s, n, 2) : NULL;
    if (s.failed) return em_scratch_end(&s);
    em_tensor *zero = sc_const(&s, g, 0.0);
    int k = 0;
    if (em_node_needs(n, k)) {
        em_tensor *in = has_lo ? sc_bin(&s, EM_B_GE, x, lo) : NULL;
        if (has_hi) in = in ? sc_bin(&s, EM_B_AND, in, sc_bin(&s, EM_B_LE, x, hi)) : sc_bin(&s, EM_B_LE, x, hi);
        gi[k] = em_scratch_take(&s, sc_sum_to(&s, sc_where(&s, in, g, zero), x->ndim, x->shape));
    }
    if (has_lo && em_node_needs(n, ++k)) {
        em_tensor *c = sc_bin(&s, EM_B_LT, x, lo);
        if (has_hi) c = sc_bin(&s, EM_B_AND, c, sc_bin(&s, EM_B_LT, lo, hi));
        gi[k] = em_scratch_take(&s, sc_sum_to(&s, sc_where(&s, c, g, zero), lo->ndim, lo->shape));
    }
    k = has_lo ? 2 : 1;
    if (has_hi && em_node_needs(n, k)) {
        em_tensor *c = sc_bin(&s, EM_B_GT, x, hi);
        if (has_lo) c = sc_bin(&s, EM_B_OR, c, sc_bin(&s, EM_B_LT, hi, lo));
        gi[k] = em_scratch_take(&s, sc_sum_to(&s, sc_where(&s, c, g, zero), hi->ndim, hi->shape));
    }
    return em_scratch_end(&s);
}

em_tensor *em_clamp_tensor(em_tensor *x, em_tensor *lo, em_tensor *hi)
{
    if (!lo && !hi) {
        em_fail(EM_ERR_VALUE, "clamp: At least one of 'min' or 'max' must not be None");
        return NULL;
    }
    em_scratch s = {0};
    em_tensor *r = x;
    if (lo) r = sc_bin(&s, EM_B_MAXIMUM, r, lo);
    if (hi) r = sc_bin(&s, EM_B_MINIMUM, r, hi);
    if (r == x) r = NULL;
    em_tensor *out = finish(&s, r);
    if (!out) {
        em_error_prefix("clamp");
        return NULL;
    }
    if (!em_any_requires_grad(x, lo, hi) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *inputs[3] = {x};
    int n_in = 1;
    if (lo) inputs[n_in++] = lo;
    if (hi) inputs[n_in++] = hi;
    em_node *n = record_or_drop("ClampBackward0", clamp_backward, &out, n_in, inputs);
    if (!n) return NULL;
    n->ints[2] = lo != NULL;
    n->ints[3] = hi != NULL;
    if (!saved_or_drop(n, &out, 0, x)) return NULL;
    if (lo && !saved_or_drop(n, &out, 1, lo)) return NULL;
    if (hi && !saved_or_drop(n, &out, 2, hi)) return NULL;
    return out;
}

/* --- lerp(a, b, w) = a + w (b - a) for |w| < 0.5, else b - (b - a)(1 - w),
** as PyTorch's kernel; w a number (LerpBackward0: scalars[0] = w) or a
** tensor (LerpBackward1: saved a, b, w) --- */

/* d lerp: a: g (1 - w); b: g w; w: g (b - a); summed to each input's shape */
static em_status lerp_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    bool tensor_w = n->ints[2];
    const em_tensor *w = tensor_w ? sc_saved(&s, n, 2) : NULL;
    double ws = n->scalars[0];
    if (s.failed) return em_scratch_end(&s);
    if (em_node_needs(n, 0)) {
        em_tensor *ga = tensor_w ? sc_bin(&s, EM_B_MUL, g, sc_scalar(&s, EM_B_SUB, sc_scalar(&s, EM_B_MUL, w, -1.0), -1.0))
                                 : sc_scalar(&s, EM_B_MUL, g, 1.0 - ws);
        gi[0] = em_scratch_take(&s, sc_sum_to(&s, ga, n->ndim[0], n->shape[0]));
    }
    if (em_node_needs(n, 1)) {
        em_tensor *gb = tensor_w ? sc_bin(&s, EM_B_MUL, g, w) : sc_scalar(&s, EM_B_MUL, g, ws);
        gi[1] = em_scratch_take(&s, sc_sum_to(&s, gb, n->ndim[1], n->shape[1]));
    }
    if (tensor_w && em_node_needs(n, 2)) {
        em_tensor *d = sc_bin(&s, EM_B_SUB, sc_saved(&s, n, 1), sc_saved(&s, n, 0));
        gi[2] = em_scratch_take(&s, sc_sum_to(&s, sc_bin(&s, EM_B_MUL, g, d), w->ndim, w->shape));
    }
    return em_scratch_end(&s);
}

em_tensor *em_lerp(em_tensor *a, em_tensor *b, em_tensor *w, double ws)
{
    if (a->dtype != b->dtype || (w && w->dtype != a->dtype)) {
        em_fail(EM_ERR_TYPE, "lerp: expected dtype %s for `%s` but got dtype %s", em_dtype_name(a->dtype),
                a->dtype != b->dtype ? "end" : "weight", em_dtype_name(a->dtype != b->dtype ? b->dtype : w->dtype));
        return NULL;
    }
    if (!em_dtype_is_float(a->dtype)) {
        em_fail(EM_ERR_TYPE, "lerp: not implemented for dtype %s", em_dtype_name(a->dtype));
        return NULL;
    }
    /* the weight as the kernel sees it: rounded to the dtype first */
    if (!w && a->dtype == EM_FLOAT32) ws = (double)(float)ws;
    em_scratch s = {0};
    em_tensor *diff = sc_bin(&s, EM_B_SUB, b, a);
    em_tensor *r;
    if (w) {
        em_tensor *small = sc_scalar(&s, EM_B_LT, sc_un(&s, EM_U_ABS, w, 0, 0), 0.5);
        em_tensor *lo = sc_bin(&s, EM_B_ADD, a, sc_bin(&s, EM_B_MUL, w, diff));
        em_tensor *one_minus = sc_scalar(&s, EM_B_SUB, sc_scalar(&s, EM_B_MUL, w, -1.0), -1.0);
        em_tensor *hi = sc_bin(&s, EM_B_SUB, b, sc_bin(&s, EM_B_MUL, diff, one_minus));
        r = sc_where(&s, small, lo, hi);
    } else if (fabs(ws) < 0.5) {
        r = sc_bin(&s, EM_B_ADD, a, sc_scalar(&s, EM_B_MUL, diff, ws));
    } else {
        r = sc_bin(&s, EM_B_SUB, b, sc_scalar(&s, EM_B_MUL, diff, 1.0 - ws));
    }
    em_tensor *out = finish(&s, r);
    if (!out) {
        em_error_prefix("lerp");
        return NULL;
    }
    if (!em_any_requires_grad(a, b, w)) return out;
    em_tensor *inputs[3] = {a, b, w};
    em_node *n = record_or_drop(w ? "LerpBackward1" : "LerpBackward0", lerp_backward, &out, w ? 3 : 2, inputs);
    if (!n) return NULL;
    n->ints[2] = w != NULL;
    n->scalars[0] = ws;
    if (w && (!saved_or_drop(n, &out, 0, a) || !saved_or_drop(n, &out, 1, b) || !saved_or_drop(n, &out, 2, w)))
        return NULL;
    return out;
}

/* --- constants with a zero gradient (torch.normal's NormalBackward1-3) --- */

/* d out / d input = 0 for every input, shaped like it */
static em_status zero_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    for (int i = 0; i < n->n_next && i < 2; i++) {
        if (!em_node_needs(n, i)) continue;
        gi[i] = em_op_full(n->ndim[i], n->shape[i], 0.0, g->dtype, em_tensor_backend(g));
        if (!gi[i]) return em_last_status();
    }
    return EM_OK;
}

em_status em_record_zero_grad(const char *name, em_tensor *out, int n_inputs, em_tensor *const *inputs)
{
    if (n_inputs > 2) return em_fail(EM_ERR_INTERNAL, "%s: at most two inputs", name);
    bool any = false;
    for (int i = 0; i < n_inputs; i++) any = any || em_any_requires_grad(inputs[i], NULL, NULL);
    if (!any) return EM_OK;
    return em_record(name, zero_backward, out, n_inputs, inputs) ? EM_OK : em_last_status();
}
