/* linalg.c — matrix multiply for 2-D and batched (broadcast) operands through
** the backend's gemm, passing transposed views as BLAS transposes instead of
** copying. The 1-D forms of matmul (dot, mv, vector @ matrix) are composed
** from this with unsqueeze/squeeze in autograd/, so their gradients come free. */
#include <string.h>

#include "ops.h"

typedef struct {
    em_tensor *t;          /* 3-D (batch, rows, cols) view or copy we own */
    bool trans;
    int64_t ld, batch_stride;
} gemm_operand;

/* Finds a BLAS layout for each matrix of a 3-D tensor, or false. */
static bool blas_layout(const em_tensor *t, bool *trans, int64_t *ld)
{
    int64_t r = t->shape[1], c = t->shape[2], sr = t->stride[1], sc = t->stride[2];
    int64_t cmin = c > 1 ? c : 1, rmin = r > 1 ? r : 1;
    if ((c == 1 || sc == 1) && (r == 1 || sr >= cmin)) {
        *trans = false;
        *ld = r == 1 ? cmin : sr;
        return true;
    }
    if ((r == 1 || sr == 1) && (c == 1 || sc >= rmin)) {
        *trans = true;
        *ld = c == 1 ? rmin : sc;
        return true;
    }
    return false;
}

/* x expanded to (batch..., rows, cols), flattened to 3-D, laid out for BLAS. */
static em_status prepare(const em_tensor *x, int nbatch, const int64_t *batch, int64_t nb,
                         gemm_operand *op)
{
    int64_t shape[EM_MAX_DIMS];
    memcpy(shape, batch, sizeof(int64_t) * (size_t)nbatch);
    shape[nbatch] = x->shape[x->ndim - 2];
    shape[nbatch + 1] = x->shape[x->ndim - 1];
    em_tensor *e = em_op_expand(x, nbatch + 2, shape);
    if (!e) return em_last_status();
    int64_t s3[3] = {nb, shape[nbatch], shape[nbatch + 1]};
    op->t = em_op_reshape(e, 3, s3);
    em_tensor_release(e);
    if (!op->t) return em_last_status();
    if (!blas_layout(op->t, &op->trans, &op->ld)) {
        em_tensor *c = em_op_clone(op->t);
        em_tensor_release(op->t);
        op->t = c;
        if (!c) return em_last_status();
        blas_layout(c, &op->trans, &op->ld);
    }
    op->batch_stride = op->t->stride[0];
    return EM_OK;
}

em_tensor *em_op_matmul(const em_tensor *a, const em_tensor *b)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (em_check_same_device("matmul", a, b) != EM_OK) return NULL;
    if (a->ndim < 2 || b->ndim < 2) {
        em_fail(EM_ERR_INTERNAL, "matmul: em_op_matmul needs 2-D or batched operands");
        return NULL;
    }
    if (a->dtype != b->dtype) {
        em_fail(EM_ERR_TYPE, "matmul: both operands must have the same dtype, got %s and %s",
                em_dtype_name(a->dtype), em_dtype_name(b->dtype));
        return NULL;
    }
    if (a->dtype == EM_BOOL || a->dtype == EM_UINT8) {
        em_fail(EM_ERR_TYPE, "matmul: not implemented for %s tensors", em_dtype_name(a->dtype));
        return NULL;
    }
    int64_t n = a->shape[a->ndim - 2], k = a->shape[a->ndim - 1];
    int64_t k2 = b->shape[b->ndim - 2], m = b->shape[b->ndim - 1];
    if (k != k2) {
        em_fail(EM_ERR_SHAPE, "matmul: shapes %s and %s cannot be multiplied (%lld != %lld)",
                em_shape_str(a->ndim, a->shape, b1, sizeof b1), em_shape_str(b->ndim, b->shape, b2, sizeof b2),
                (long long)k, (long long)k2);
        return NULL;
    }
    int nbatch;
    int64_t batch[EM_MAX_DIMS];
    if (em_broadcast_shapes("matmul", a->ndim - 2, a->shape, b->ndim - 2, b->shape, &nbatch, batch))
        return NULL;
    int64_t nb = em_shape_numel("matmul", nbatch, batch);
    if (nb < 0) return NULL;
    int64_t oshape[EM_MAX_DIMS];
    memcpy(oshape, batch, sizeof(int64_t) * (size_t)nbatch);
    oshape[nbatch] = n;
    oshape[nbatch + 1] = m;
    em_tensor *out = em_tensor_empty(nbatch + 2, oshape, a->dtype, em_tensor_backend(a));
    if (!out) return NULL;
    gemm_operand pa = {0}, pb = {0};
    if (prepare(a, nbatch, batch, nb, &pa) || prepare(b, nbatch, batch, nb, &pb)) goto fail;
    if (n * m * nb > 0) {
        const em_backend *be = em_tensor_backend(a);
        size_t es = em_dtype_size(a->dtype);
        const char *pa_data = (const char *)pa.t->storage->data + pa.t->offset * (int64_t)es;
        const char *pb_data = (const char *)pb.t->storage->data + pb.t->offset * (int64_t)es;
        if (be->gemm(a->dtype, pa.trans, pb.trans, n, m, k, 1.0, pa_data, pa.ld, pa.batch_stride, pb_data,
                     pb.ld, pb.batch_stride, 0.0, out->storage->data, m > 0 ? m : 1, n * m, nb) != EM_OK) {
            em_error_prefix("matmul");
            goto fail;
        }
    }
    em_tensor_release(pa.t);
    em_tensor_release(pb.t);
    return out;
fail:
    em_tensor_release(pa.t);
    em_tensor_release(pb.t);
    em_tensor_release(out);
    return NULL;
}
