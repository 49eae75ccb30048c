/* optim.c — optimizer steps: argument checks, then one fused backend call
** when the device supports it (backend.h: adam_step, sgd_step), else the
** same sequence of float operations composed from the required tier, each
** line of the formula one elementwise op, so the results are equal. */
#include "optim.h"

#include <math.h>
#include <string.h>

#include "ops.h"

static const char *const names[4] = {"param", "grad", "exp_avg", "exp_avg_sq"};

/* The n tensors in all[] (named by what[]) match all[0], the parameter, in
** shape, dtype and device, and are contiguous. */
static em_status check_like_param(const char *op, const em_tensor *const *all, const char *const *what, int n)
{
    const em_tensor *p = all[0];
    const em_backend *be = em_tensor_backend(p);
    for (int i = 0; i < n; i++) {
        const em_tensor *t = all[i];
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        if (t->ndim != p->ndim || memcmp(t->shape, p->shape, (size_t)p->ndim * sizeof p->shape[0]) != 0)
            return em_fail(EM_ERR_SHAPE, "%s: %s has shape %s but param has %s", op, what[i],
                           em_shape_str(t->ndim, t->shape, b1, sizeof b1),
                           em_shape_str(p->ndim, p->shape, b2, sizeof b2));
        if (t->dtype != p->dtype)
            return em_fail(EM_ERR_TYPE, "%s: %s is %s but param is %s", op, what[i],
                           em_dtype_name(t->dtype), em_dtype_name(p->dtype));
        if (em_tensor_backend(t) != be)
            return em_fail(EM_ERR_DEVICE, "%s: %s is on %s but param is on %s", op, what[i],
                           em_tensor_backend(t)->name, be->name);
        if (!em_tensor_is_contiguous(t))
            return em_fail(EM_ERR_VALUE, "%s: %s is not contiguous", op, what[i]);
    }
    return EM_OK;
}

/* Adam from the required tier, line by line as backend.h's formula, out of
** place, then one write into each of p, m, v (one version bump each, as
** the fused kernel's):
**   AdamW: p1 = p * (1 - lr wd);  Adam: g1 = g + p * wd
**   m1 = m * b1 + g1 * (1 - b1)
**   v1 = v * b2 + (g1 * g1) * (1 - b2)
**   denom = sqrt(v1) / sqrt(1 - b2^t) + eps
**   p = p1 + (m1 / denom) * -(lr / (1 - b1^t)) */
static em_status adam_composed(em_tensor *p, const em_tensor *g, em_tensor *m, em_tensor *v, const em_adam_args *a)
{
    bool decay = !a->decoupled && a->weight_decay != 0.0;
    em_tensor *p1 = a->decoupled ? em_op_binary_scalar(EM_B_MUL, p, 1.0 - a->lr * a->weight_decay) : NULL;
    em_tensor *pw = decay ? em_op_binary_scalar(EM_B_MUL, p, a->weight_decay) : NULL;
    em_tensor *g1 = pw ? em_op_binary(EM_B_ADD, g, pw) : NULL;
    const em_tensor *gg = decay ? g1 : g, *pp = a->decoupled ? p1 : p;
    bool ok = gg && pp;
    em_tensor *mb = ok ? em_op_binary_scalar(EM_B_MUL, m, a->beta1) : NULL;
    em_tensor *gb = mb ? em_op_binary_scalar(EM_B_MUL, gg, 1.0 - a->beta1) : NULL;
    em_tensor *m1 = gb ? em_op_binary(EM_B_ADD, mb, gb) : NULL;
    em_tensor *vb = m1 ? em_op_binary_scalar(EM_B_MUL, v, a->beta2) : NULL;
    em_tensor *sq = vb ? em_op_binary(EM_B_MUL, gg, gg) : NULL;
    em_tensor *sb = sq ? em_op_binary_scalar(EM_B_MUL, sq, 1.0 - a->beta2) : NULL;
    em_tensor *v1 = sb ? em_op_binary(EM_B_ADD, vb, sb) : NULL;
    em_tensor *sv = v1 ? em_op_unary(EM_U_SQRT, v1, 0, 0) : NULL;
    em_tensor *q = sv ? em_op_binary_scalar(EM_B_DIV, sv, sqrt(1.0 - pow(a->beta2, a->step))) : NULL;
    em_tensor *d = q ? em_op_binary_scalar(EM_B_ADD, q, a->eps) : NULL;
    em_tensor *r = d ? em_op_binary(EM_B_DIV, m1, d) : NULL;
    em_tensor *u = r ? em_op_binary_scalar(EM_B_MUL, r, -(a->lr / (1.0 - pow(a->beta1, a->step)))) : NULL;
    em_tensor *pn = u ? em_op_binary(EM_B_ADD, pp, u) : NULL;
    em_status st = pn && em_op_copy_(m, m1) == EM_OK && em_op_copy_(v, v1) == EM_OK && em_op_copy_(p, pn) == EM_OK
                       ? EM_OK
                       : em_last_status();
    em_tensor *all[] = {p1, pw, g1, mb, gb, m1, vb, sq, sb, v1, sv, q, d, r, u, pn};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) em_tensor_release(all[i]);
    return st;
}

em_status em_op_adam_step(em_tensor *p, const em_tensor *g, em_tensor *m, em_tensor *v, const em_adam_args *a)
{
    const em_tensor *all[4] = {p, g, m, v};
    const em_backend *be = em_tensor_backend(p);
    em_status st = check_like_param("adam_step", all, names, 4);
    if (st != EM_OK) return st;
    if (!em_dtype_is_float(p->dtype))
        return em_fail(EM_ERR_TYPE, "adam_step: parameters must be float32 or float64, got %s", em_dtype_name(p->dtype));
    if (!em_backend_supports(be, EM_FUSED_ADAM_STEP, p->dtype)) return adam_composed(p, g, m, v, a);
    em_kview kp, kg, km, kv;
    em_tensor_kview_inplace(p, &kp);
    em_tensor_kview(g, &kg);
    em_tensor_kview_inplace(m, &km);
    em_tensor_kview_inplace(v, &kv);
    return be->adam_step(p->dtype, em_tensor_numel(p), kp.data, kg.data, km.data, kv.data, a);
}

/* SGD from the required tier, line by line as backend.h's formula:
**   d = maximize ? -g : g;  d = d + p * weight_decay (when not 0);  p = p + d * -lr */
static em_status sgd_composed(em_tensor *p, const em_tensor *g, double lr, double weight_decay, bool maximize)
{
    em_tensor *d = maximize ? em_op_unary(EM_U_NEG, g, 0, 0) : em_op_clone(g);
    em_tensor *pw = d && weight_decay != 0.0 ? em_op_binary_scalar(EM_B_MUL, p, weight_decay) : NULL;
    em_status st = !d ? em_last_status() : pw ? em_op_binary_(EM_B_ADD, d, pw) : weight_decay != 0.0 ? em_last_status() : EM_OK;
    em_tensor *u = st == EM_OK ? em_op_binary_scalar(EM_B_MUL, d, -lr) : NULL;
    if (st == EM_OK) st = u ? em_op_binary_(EM_B_ADD, p, u) : em_last_status();
    em_tensor_release(d);
    em_tensor_release(pw);
    em_tensor_release(u);
    return st;
}

em_status em_op_sgd_step(em_tensor *p, const em_tensor *g, double lr, double weight_decay, bool maximize)
{
    const em_tensor *all[2] = {p, g};
    const em_backend *be = em_tensor_backend(p);
    em_status st = check_like_param("sgd_step", all, names, 2);
    if (st != EM_OK) return st;
    if (!em_dtype_is_float(p->dtype))
        return em_fail(EM_ERR_TYPE, "sgd_step: parameters must be float32 or float64, got %s", em_dtype_name(p->dtype));
    if (!em_backend_supports(be, EM_FUSED_SGD_STEP, p->dtype)) return sgd_composed(p, g, lr, weight_decay, maximize);
    em_kview kp, kg;
    em_tensor_kview_inplace(p, &kp);
    em_tensor_kview(g, &kg);
    return be->sgd_step(p->dtype, em_tensor_numel(p), kp.data, kg.data, lr, weight_decay, maximize);
}
