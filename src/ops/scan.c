/* scan.c — cumulative sum and product along one dim (cumsum, cumprod):
** PyTorch's dtype rule (integers and bools accumulate into int64, floats keep
** their dtype), then the backend's scan kernel. Not here: the dtype= option
** (the binding converts first, as PyTorch does) and autograd (grad_mathr.c). */
#include "ops.h"

em_tensor *em_op_scan(em_reduce_op op, const em_tensor *x, int dim, bool reverse)
{
    const char *name = op == EM_R_PROD ? "cumprod" : "cumsum";
    int d;
    if (em_wrap_dim(name, dim, x->ndim, &d)) return NULL;
    em_dtype dt = em_dtype_is_float(x->dtype) ? x->dtype : EM_INT64;
    em_tensor *in = x->dtype == dt ? (em_tensor_retain((em_tensor *)x), (em_tensor *)x) : em_op_to_dtype(x, dt);
    if (!in) return NULL;
    em_tensor *out = em_tensor_empty(x->ndim, x->shape, dt, em_tensor_backend(x));
    if (out) {
        em_kview ko, ki;
        em_tensor_kview(out, &ko);
        em_tensor_kview(in, &ki);
        if (em_tensor_backend(x)->scan(op, &ko, &ki, x->ndim ? d : -1, reverse) != EM_OK) {
            em_error_prefix(name);
            em_tensor_release(out);
            out = NULL;
        }
    }
    em_tensor_release(in);
    return out;
}
