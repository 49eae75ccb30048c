/* view.c — ops that return a new header on the same storage: view, reshape,
** transpose, permute, (un)squeeze, expand, narrow, select, flatten.
** Writing through a view is seen by the base. reshape copies when the strides
** cannot express the new shape. */
#include <string.h>

#include "ops.h"

static em_tensor *alias(const em_tensor *x, int ndim, const int64_t *shape, const int64_t *stride,
                        int64_t offset)
{
    return em_tensor_alias(x, ndim, shape, stride, offset);
}

em_status em_infer_shape(const char *op, const em_tensor *x, int ndim, const int64_t *in,
                         int64_t *out)
{
    char b1[EM_SHAPE_BUF];
    if (ndim > EM_MAX_DIMS)
        return em_fail(EM_ERR_SHAPE, "%s: %d dims requested; at most %d are supported", op, ndim,
                       EM_MAX_DIMS);
    int infer = -1;
    int64_t known = 1, numel = em_tensor_numel(x);
    for (int i = 0; i < ndim; i++) {
        out[i] = in[i];
        if (in[i] == -1) {
            if (infer >= 0) return em_fail(EM_ERR_SHAPE, "%s: only one dimension can be inferred (-1)", op);
            infer = i;
        } else if (in[i] < 0) {
            return em_fail(EM_ERR_VALUE, "%s: invalid shape dimension %lld", op, (long long)in[i]);
        } else {
            if (in[i] != 0 && known > INT64_MAX / in[i])
                return em_fail(EM_ERR_SHAPE, "%s: shape %s is too large", op,
                               em_shape_str(ndim, in, b1, sizeof b1));
            known *= in[i];
        }
    }
    /* PyTorch's words exactly (the shape asked for, quoted; the input's size) */
    if (infer >= 0 ? known == 0 || numel % known != 0 : known != numel)
        return em_fail(EM_ERR_SHAPE, "%s: shape '%s' is invalid for input of size %lld", op,
                       em_shape_str(ndim, in, b1, sizeof b1), (long long)numel);
    if (infer >= 0) out[infer] = numel / known;
    return EM_OK;
}

/* Strides for viewing x as shape without copying, or false (PyTorch's
** computeStride: groups of old dims that are contiguous among themselves). */
static bool view_strides(const em_tensor *x, int ndim, const int64_t *shape, int64_t *stride)
{
    if (em_tensor_numel(x) == 0 || x->ndim == 0) {
        em_contiguous_strides(ndim, shape, stride);
        return true;
    }
    int view_d = ndim - 1;
    int64_t chunk_base_stride = x->stride[x->ndim - 1];
    int64_t tensor_numel = 1, view_numel = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        tensor_numel *= x->shape[d];
        if (d == 0 || (x->shape[d - 1] != 1 && x->stride[d - 1] != tensor_numel * chunk_base_stride)) {
            while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
                stride[view_d] = view_numel * chunk_base_stride;
                view_numel *= shape[view_d];
                view_d--;
            }
            if (view_numel != tensor_numel) return false;
            if (d > 0) {
                chunk_base_stride = x->stride[d - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return view_d == -1;
}

em_tensor *em_op_view(const em_tensor *x, int ndim, const int64_t *in)
{
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    if (em_infer_shape("view", x, ndim, in, shape) != EM_OK) return NULL;
    if (!view_strides(x, ndim, shape, stride)) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        em_fail(EM_ERR_SHAPE, "view: size %s is not compatible with the input's strides (shape %s); "
                "use reshape(...) or contiguous() first", em_shape_str(ndim, shape, b1, sizeof b1),
                em_shape_str(x->ndim, x->shape, b2, sizeof b2));
        return NULL;
    }
    return alias(x, ndim, shape, stride, x->offset);
}

em_tensor *em_op_reshape(const em_tensor *x, int ndim, const int64_t *in)
{
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    if (em_infer_shape("reshape", x, ndim, in, shape) != EM_OK) return NULL;
    if (view_strides(x, ndim, shape, stride)) return alias(x, ndim, shape, stride, x->offset);
    em_tensor *c = em_op_clone(x);
    if (!c) return NULL;
    em_tensor *v = em_op_view(c, ndim, shape);
    em_tensor_release(c);
    return v;
}

em_tensor *em_op_transpose(const em_tensor *x, int d0, int d1)
{
    int a, b;
    if (em_wrap_dim("transpose", d0, x->ndim, &a) || em_wrap_dim("transpose", d1, x->ndim, &b))
        return NULL;
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    memcpy(stride, x->stride, sizeof stride);
    if (x->ndim > 0) {
        shape[a] = x->shape[b], shape[b] = x->shape[a];
        stride[a] = x->stride[b], stride[b] = x->stride[a];
    }
    return alias(x, x->ndim, shape, stride, x->offset);
}

em_tensor *em_op_permute(const em_tensor *x, const int64_t *dims, int n)
{
    if (n != x->ndim) {
        em_fail(EM_ERR_SHAPE, "permute: number of dims don't match: the tensor has %d dims but %d were given",
                x->ndim, n);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    bool seen[EM_MAX_DIMS] = {false};
    for (int i = 0; i < n; i++) {
        int d;
        if (em_wrap_dim("permute", dims[i], x->ndim, &d)) return NULL;
        if (seen[d]) {
            em_fail(EM_ERR_SHAPE, "permute: dim %d appears more than once", d + 1);
            return NULL;
        }
        seen[d] = true;
        shape[i] = x->shape[d];
        stride[i] = x->stride[d];
    }
    return alias(x, n, shape, stride, x->offset);
}

em_tensor *em_op_unsqueeze(const em_tensor *x, int dim)
{
    int d;
    if (x->ndim >= EM_MAX_DIMS) {
        em_fail(EM_ERR_SHAPE, "unsqueeze: a tensor can have at most %d dims", EM_MAX_DIMS);
        return NULL;
    }
    if (em_wrap_dim("unsqueeze", dim, x->ndim + 1, &d)) return NULL;
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    for (int i = 0, j = 0; i <= x->ndim; i++) {
        if (i == d) {
            shape[i] = 1;
            stride[i] = d < x->ndim ? x->shape[d] * x->stride[d] : 1;
        } else {
            shape[i] = x->shape[j];
            stride[i] = x->stride[j];
            j++;
        }
    }
    return alias(x, x->ndim + 1, shape, stride, x->offset);
}

em_tensor *em_op_squeeze(const em_tensor *x, int dim, bool all)
{
    int d = -1;
    if (!all && em_wrap_dim("squeeze", dim, x->ndim, &d)) return NULL;
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < x->ndim; i++) {
        bool drop = x->shape[i] == 1 && (all || i == d);
        if (!drop) {
            shape[n] = x->shape[i];
            stride[n] = x->stride[i];
            n++;
        }
    }
    return alias(x, n, shape, stride, x->offset);
}

em_tensor *em_op_expand(const em_tensor *x, int ndim, const int64_t *in)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (ndim < x->ndim || ndim > EM_MAX_DIMS) {
        em_fail(EM_ERR_SHAPE, "expand: the number of sizes provided (%d) must be greater or equal to "
                "the number of dimensions in the tensor (%d)", ndim, x->ndim);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    int shift = ndim - x->ndim;
    for (int i = 0; i < ndim; i++) {
        int j = i - shift;
        int64_t have = j >= 0 ? x->shape[j] : 1;
        int64_t want = in[i];
        if (want == -1) {
            if (j < 0) {
                em_fail(EM_ERR_SHAPE, "expand: -1 is not allowed in a leading, new dimension");
                return NULL;
            }
            want = have;
        }
        if (want < 0 || (have != 1 && have != want)) {
            em_fail(EM_ERR_SHAPE, "expand: the expanded size of the tensor (%lld) must match the existing "
                    "size (%lld) at dim %d; target %s, tensor %s", (long long)want, (long long)have, i + 1,
                    em_shape_str(ndim, in, b1, sizeof b1), em_shape_str(x->ndim, x->shape, b2, sizeof b2));
            return NULL;
        }
        shape[i] = want;
        stride[i] = (j >= 0 && have == want) ? x->stride[j] : 0;
    }
    if (em_shape_numel("expand", ndim, shape) < 0) return NULL;
    return alias(x, ndim, shape, stride, x->offset);
}

em_tensor *em_op_narrow(const em_tensor *x, int dim, int64_t start, int64_t length)
{
    int d;
    if (x->ndim == 0) {
        em_fail(EM_ERR_SHAPE, "narrow: cannot be applied to a 0-dim tensor");
        return NULL;
    }
    if (em_wrap_dim("narrow", dim, x->ndim, &d)) return NULL;
    int64_t size = x->shape[d];
    if (start < 0) start += size;
    if (start < 0 || length < 0 || start > size || length > size - start) {
        em_fail(EM_ERR_INDEX, "narrow: start %lld and length %lld are out of range for dim %d of size %lld",
                (long long)start + 1, (long long)length, d + 1, (long long)size);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[d] = length;
    return alias(x, x->ndim, shape, x->stride, x->offset + start * x->stride[d]);
}

em_tensor *em_op_select(const em_tensor *x, int dim, int64_t index)
{
    int d;
    if (x->ndim == 0) {
        em_fail(EM_ERR_INDEX, "select: cannot index a 0-dim tensor");
        return NULL;
    }
    if (em_wrap_dim("select", dim, x->ndim, &d)) return NULL;
    int64_t size = x->shape[d];
    int64_t i = index < 0 ? index + size : index;
    if (i < 0 || i >= size) {
        em_fail(EM_ERR_INDEX, "select: index %lld is out of range for dim %d of size %lld (valid: 1..%lld "
                "or -%lld..-1)", (long long)(index >= 0 ? index + 1 : index), d + 1, (long long)size,
                (long long)size, (long long)size);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS], stride[EM_MAX_DIMS];
    for (int k = 0, j = 0; k < x->ndim; k++) {
        if (k == d) continue;
        shape[j] = x->shape[k];
        stride[j] = x->stride[k];
        j++;
    }
    return alias(x, x->ndim - 1, shape, stride, x->offset + i * x->stride[d]);
}

em_tensor *em_op_flatten(const em_tensor *x, int start_dim, int end_dim)
{
    int s, e;
    if (em_wrap_dim("flatten", start_dim, x->ndim, &s) || em_wrap_dim("flatten", end_dim, x->ndim, &e))
        return NULL;
    if (x->ndim == 0) {
        int64_t one[1] = {1};
        return em_op_reshape(x, 1, one);
    }
    if (s > e) {
        em_fail(EM_ERR_INDEX, "flatten: start_dim (%d) cannot come after end_dim (%d)", s + 1, e + 1);
        return NULL;
    }
    int64_t shape[EM_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < s; i++) shape[n++] = x->shape[i];
    int64_t m = 1;
    for (int i = s; i <= e; i++) m *= x->shape[i];
    shape[n++] = m;
    for (int i = e + 1; i < x->ndim; i++) shape[n++] = x->shape[i];
    return em_op_reshape(x, n, shape);
}
