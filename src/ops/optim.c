/* optim.c — fused optimizer steps: argument checks, then one backend call. */
#include "optim.h"

#include <string.h>

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

em_status em_op_adam_step(em_tensor *p, const em_tensor *g, em_tensor *m, em_tensor *v, const em_adam_args *a)
{
    const em_tensor *all[4] = {p, g, m, v};
    const em_backend *be = em_tensor_backend(p);
    em_status st = check_like_param("adam_step", all, names, 4);
    if (st != EM_OK) return st;
    if (!be->adam_step) return em_fail(EM_ERR_DEVICE, "adam_step: not available on %s", be->name);
    em_kview kp, kg, km, kv;
    em_tensor_kview_inplace(p, &kp);
    em_tensor_kview(g, &kg);
    em_tensor_kview_inplace(m, &km);
    em_tensor_kview_inplace(v, &kv);
    return be->adam_step(p->dtype, em_tensor_numel(p), kp.data, kg.data, km.data, kv.data, a);
}

em_status em_op_sgd_step(em_tensor *p, const em_tensor *g, double lr, double weight_decay, bool maximize)
{
    const em_tensor *all[2] = {p, g};
    const em_backend *be = em_tensor_backend(p);
    em_status st = check_like_param("sgd_step", all, names, 2);
    if (st != EM_OK) return st;
    if (!be->sgd_step) return em_fail(EM_ERR_DEVICE, "sgd_step: not available on %s", be->name);
    em_kview kp, kg;
    em_tensor_kview_inplace(p, &kp);
    em_tensor_kview(g, &kg);
    return be->sgd_step(p->dtype, em_tensor_numel(p), kp.data, kg.data, lr, weight_decay, maximize);
}
