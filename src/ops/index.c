/* index.c — joining (cat) and index-tensor ops: index_select, index_add,
** gather, scatter_add. Index tensors are int64 and 0-based (PyTorch's data
** convention); their values are checked by the kernels. */
#include <string.h>

#include "../core/promote.h"
#include "ops.h"

static em_status check_index(const char *op, const em_tensor *x, const em_tensor *index, bool one_d)
{
    if (index->dtype != EM_INT64)
        return em_fail(EM_ERR_TYPE, "%s: index must be an int64 tensor, got %s (use :long())", op,
                       em_dtype_name(index->dtype));
    if (one_d && index->ndim > 1)
        return em_fail(EM_ERR_SHAPE, "%s: index must be 0-D or 1-D, got %d-D", op, index->ndim);
    return em_check_same_device(op, x, index);
}

em_tensor *em_op_cat(int n, em_tensor *const *ts, int dim)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (n <= 0) {
        em_fail(EM_ERR_VALUE, "cat: expected a non-empty list of tensors");
        return NULL;
    }
    /* PyTorch skips 1-D empty tensors (legacy); so do we */
    const em_tensor *ref = NULL;
    for (int i = 0; i < n; i++)
        if (!(ts[i]->ndim == 1 && ts[i]->shape[0] == 0)) { ref = ts[i]; break; }
    if (!ref) ref = ts[0];
    if (ref->ndim == 0) {
        em_fail(EM_ERR_SHAPE, "cat: zero-dimensional tensor (at position 1) cannot be concatenated");
        return NULL;
    }
    int d;
    if (em_wrap_dim("cat", dim, ref->ndim, &d)) return NULL;
    em_dtype dt = ref->dtype;
    int64_t shape[EM_MAX_DIMS];
    memcpy(shape, ref->shape, sizeof shape);
    shape[d] = 0;
    for (int i = 0; i < n; i++) {
        const em_tensor *t = ts[i];
        if (t->ndim == 1 && t->shape[0] == 0 && ref->ndim != 1) continue;
        if (em_check_same_device("cat", ref, t)) return NULL;
        if (t->ndim != ref->ndim) {
            em_fail(EM_ERR_SHAPE, "cat: tensors must have the same number of dims: got %d-D at position 1 "
                    "and %d-D at position %d", ref->ndim, t->ndim, i + 1);
            return NULL;
        }
        for (int j = 0; j < t->ndim; j++)
            if (j != d && t->shape[j] != ref->shape[j]) {
                em_fail(EM_ERR_SHAPE, "cat: sizes of tensors must match except in dim %d: expected %s, got %s "
                        "at position %d", d + 1, em_shape_str(ref->ndim, ref->shape, b1, sizeof b1),
                        em_shape_str(t->ndim, t->shape, b2, sizeof b2), i + 1);
                return NULL;
            }
        shape[d] += t->shape[d];
        dt = em_promote_types(dt, t->dtype);
    }
    em_tensor *out = em_tensor_empty(ref->ndim, shape, dt, em_tensor_backend(ref));
    if (!out) return NULL;
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        const em_tensor *t = ts[i];
        if (t->ndim != ref->ndim) continue;
        em_tensor *slot = em_op_narrow(out, d, at, t->shape[d]);
        em_status st = slot ? em_op_copy_(slot, t) : em_last_status();
        em_tensor_release(slot);
        if (st != EM_OK) {
            em_tensor_release(out);
            return NULL;
        }
        at += t->shape[d];
    }
    out->storage->version = 0;
    return out;
}

em_tensor *em_op_index_select(const em_tensor *x, int dim, const em_tensor *index)
{
    int d;
    if (check_index("index_select", x, index, true) || em_wrap_dim("index_select", dim, x->ndim, &d))
        return NULL;
    int64_t n = index->ndim ? index->shape[0] : 1;
    int64_t shape[EM_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    if (x->ndim) shape[d] = n;
    em_tensor *out = em_tensor_empty(x->ndim, shape, x->dtype, em_tensor_backend(x));
    em_tensor *idx = out ? em_op_reshape(index, 1, &n) : NULL;
    if (!idx) {
        em_tensor_release(out);
        return NULL;
    }
    em_kview ko, ki, kx;
    em_tensor_kview(out, &ko);
    em_tensor_kview(idx, &ki);
    em_tensor_kview(x, &kx);
    em_status st = em_tensor_backend(x)->index_select(&ko, &kx, x->ndim ? d : 0, &ki);
    em_tensor_release(idx);
    if (st != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

em_tensor *em_op_index_add(const em_tensor *self, int dim, const em_tensor *index, const em_tensor *src)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    int d;
    if (check_index("index_add", self, index, true) || em_wrap_dim("index_add", dim, self->ndim, &d) ||
        em_check_same_device("index_add", self, src))
        return NULL;
    int64_t n = index->ndim ? index->shape[0] : 1;
    bool ok = src->ndim == self->ndim && src->dtype == self->dtype;
    for (int i = 0; ok && i < self->ndim; i++)
        ok = src->shape[i] == (i == d ? n : self->shape[i]);
    if (!ok) {
        em_fail(EM_ERR_SHAPE, "index_add: source %s %s does not fit self %s %s with %lld indices along dim %d",
                em_dtype_name(src->dtype), em_shape_str(src->ndim, src->shape, b1, sizeof b1),
                em_dtype_name(self->dtype), em_shape_str(self->ndim, self->shape, b2, sizeof b2),
                (long long)n, d + 1);
        return NULL;
    }
    em_tensor *out = em_op_clone(self);
    em_tensor *idx = out ? em_op_reshape(index, 1, &n) : NULL;
    if (!idx) {
        em_tensor_release(out);
        return NULL;
    }
    em_kview ko, ki, ks;
    em_tensor_kview(out, &ko);
    em_tensor_kview(idx, &ki);
    em_tensor_kview(src, &ks);
    em_status st = em_tensor_backend(self)->index_add(&ko, self->ndim ? d : 0, &ki, &ks);
    em_tensor_release(idx);
    if (st != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* gather/scatter_add: index has self's ndim and fits inside it except along dim. */
static em_status check_gather_shapes(const char *op, const em_tensor *x, int d, const em_tensor *index)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (index->ndim != x->ndim)
        return em_fail(EM_ERR_SHAPE, "%s: index tensor must have the same number of dims as input (%d vs %d)",
                       op, index->ndim, x->ndim);
    for (int i = 0; i < x->ndim; i++)
        if (i != d && index->shape[i] > x->shape[i])
            return em_fail(EM_ERR_SHAPE, "%s: size of index %s does not fit input %s at dim %d", op,
                           em_shape_str(index->ndim, index->shape, b1, sizeof b1),
                           em_shape_str(x->ndim, x->shape, b2, sizeof b2), i + 1);
    return EM_OK;
}

em_tensor *em_op_gather(const em_tensor *x, int dim, const em_tensor *index)
{
    int d;
    if (check_index("gather", x, index, false) || em_wrap_dim("gather", dim, x->ndim, &d) ||
        check_gather_shapes("gather", x, d, index))
        return NULL;
    em_tensor *out = em_tensor_empty(index->ndim, index->shape, x->dtype, em_tensor_backend(x));
    if (!out) return NULL;
    em_kview ko, kx, ki;
    em_tensor_kview(out, &ko);
    em_tensor_kview(x, &kx);
    em_tensor_kview(index, &ki);
    if (em_tensor_backend(x)->gather(&ko, &kx, x->ndim ? d : 0, &ki) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

em_tensor *em_op_scatter_add(const em_tensor *self, int dim, const em_tensor *index, const em_tensor *src)
{
    int d;
    if (check_index("scatter_add", self, index, false) || em_wrap_dim("scatter_add", dim, self->ndim, &d) ||
        check_gather_shapes("scatter_add", self, d, index) || em_check_same_device("scatter_add", self, src))
        return NULL;
    if (src->dtype != self->dtype) {
        em_fail(EM_ERR_TYPE, "scatter_add: self (%s) and src (%s) must have the same dtype",
                em_dtype_name(self->dtype), em_dtype_name(src->dtype));
        return NULL;
    }
    for (int i = 0; i < index->ndim; i++)
        if (src->ndim != index->ndim || index->shape[i] > src->shape[i]) {
            em_fail(EM_ERR_SHAPE, "scatter_add: index does not fit inside src at dim %d", i + 1);
            return NULL;
        }
    em_tensor *out = em_op_clone(self);
    if (!out) return NULL;
    /* src is read only where index has entries: narrow it to index's shape */
    em_tensor *s = em_tensor_alias(src, index->ndim, index->shape, src->stride, src->offset);
    if (!s) {
        em_tensor_release(out);
        return NULL;
    }
    em_kview ko, ki, ks;
    em_tensor_kview(out, &ko);
    em_tensor_kview(index, &ki);
    em_tensor_kview(s, &ks);
    em_status st = em_tensor_backend(self)->scatter_add(&ko, self->ndim ? d : 0, &ki, &ks);
    em_tensor_release(s);
    if (st != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}
