/* cpu_iter.c — the strided iterator behind every CPU kernel, and the scalar
** load/store helpers. Dims of size 1 are dropped and neighbouring dims that
** are contiguous in every operand are merged, so a contiguous tensor is one
** long row. No kernels here. */
#include "cpu_iter.h"

#include <string.h>

em_status cpu_iter_init(cpu_iter *it, int nops, const em_kview *const views[])
{
    const em_kview *v0 = views[0];
    memset(it, 0, sizeof *it);
    if (nops < 1 || nops > CPU_ITER_MAX_OPS || v0->ndim < 0 || v0->ndim > EM_MAX_DIMS)
        return em_fail(EM_ERR_INTERNAL, "cpu kernel: bad operand count or ndim %d", v0->ndim);
    int ndim = v0->ndim;
    int64_t esize[CPU_ITER_MAX_OPS];
    it->nops = nops;
    it->numel = 1;
    for (int k = 0; k < nops; k++) {
        const em_kview *v = views[k];
        esize[k] = (int64_t)em_dtype_size(v->dtype);
        if (v->ndim != ndim || esize[k] == 0)
            return em_fail(EM_ERR_INTERNAL, "cpu kernel: operand %d has ndim %d (want %d) "
                           "or a bad dtype", k + 1, v->ndim, ndim);
        for (int d = 0; d < ndim; d++)
            if (v->shape[d] != v0->shape[d] || v->stride[d] < 0)
                return em_fail(EM_ERR_INTERNAL, "cpu kernel: operand %d differs in size "
                               "(%lld vs %lld) or stride at dim %d", k + 1,
                               (long long)v->shape[d], (long long)v0->shape[d], d + 1);
        it->ptr[k] = (char *)v->data;
    }
    for (int d = 0; d < ndim; d++) it->numel *= v0->shape[d];
    if (it->numel <= 0) {
        it->numel = 0;
        return EM_OK;
    }

    /* Walk dims inner to outer, merging a dim into the group inside it when
    ** it steps exactly over that group in every operand. */
    int64_t gshape[EM_MAX_DIMS], gstride[CPU_ITER_MAX_OPS][EM_MAX_DIMS];
    int ng = 0;
    for (int d = ndim - 1; d >= 0; d--) {
        int64_t size = v0->shape[d];
        if (size == 1) continue;
        bool merge = ng > 0;
        for (int k = 0; k < nops && merge; k++)
            merge = views[k]->stride[d] == gstride[k][ng - 1] * gshape[ng - 1];
        if (merge) {
            gshape[ng - 1] *= size;
            continue;
        }
        gshape[ng] = size;
        for (int k = 0; k < nops; k++) gstride[k][ng] = views[k]->stride[d];
        ng++;
    }
    if (ng == 0) {   /* a single element */
        gshape[0] = 1;
        for (int k = 0; k < nops; k++) gstride[k][0] = 0;
        ng = 1;
    }
    it->ndim = ng;
    for (int g = 0; g < ng; g++) {
        it->shape[ng - 1 - g] = gshape[g];
        for (int k = 0; k < nops; k++) it->bstride[k][ng - 1 - g] = gstride[k][g] * esize[k];
    }
    it->n = gshape[0];
    for (int k = 0; k < nops; k++) it->step[k] = gstride[k][0];
    return EM_OK;
}

em_status cpu_iter_status(const cpu_iter *it)
{
    return it->interrupted ? em_interrupted() : EM_OK;
}

int64_t cpu_numel(const em_kview *v)
{
    int64_t n = 1;
    for (int d = 0; d < v->ndim; d++) n *= v->shape[d];
    return n;
}

em_kview cpu_slice(const em_kview *v, int dim, int64_t i)
{
    em_kview s = *v;
    s.data = (char *)v->data + i * v->stride[dim] * (int64_t)em_dtype_size(v->dtype);
    s.shape[dim] = 1;
    return s;
}

double cpu_load_f64(em_dtype dt, const void *p)
{
    switch (dt) {
    case EM_FLOAT32: return *(const float *)p;
    case EM_FLOAT64: return *(const double *)p;
    case EM_INT64: return (double)*(const int64_t *)p;
    case EM_INT32: return *(const int32_t *)p;
    case EM_UINT8: return *(const uint8_t *)p;
    case EM_BOOL: return *(const uint8_t *)p != 0;
    case EM_FLOAT16: return em_f16_to_f32(*(const uint16_t *)p);
    case EM_BFLOAT16: return em_bf16_to_f32(*(const uint16_t *)p);
    default: return 0;
    }
}

int64_t cpu_load_i64(em_dtype dt, const void *p)
{
    switch (dt) {
    case EM_FLOAT32: return cpu_f2i(*(const float *)p);
    case EM_FLOAT64: return cpu_f2i(*(const double *)p);
    case EM_INT64: return *(const int64_t *)p;
    case EM_INT32: return *(const int32_t *)p;
    case EM_UINT8: return *(const uint8_t *)p;
    case EM_BOOL: return *(const uint8_t *)p != 0;
    case EM_FLOAT16: case EM_BFLOAT16: return cpu_f2i(cpu_load_f64(dt, p));
    default: return 0;
    }
}

void cpu_store_f64(em_dtype dt, void *p, double v)
{
    switch (dt) {
    case EM_FLOAT32: *(float *)p = cpu_d2f(v); break;
    case EM_FLOAT64: *(double *)p = v; break;
    case EM_BOOL: *(uint8_t *)p = v != 0; break;
    case EM_FLOAT16: *(uint16_t *)p = em_f32_to_f16(cpu_d2f(v)); break;      /* through float32, as c10 */
    case EM_BFLOAT16: *(uint16_t *)p = em_f32_to_bf16(cpu_d2f(v)); break;
    default: cpu_store_i64(dt, p, cpu_f2i(v)); break;
    }
}

void cpu_store_i64(em_dtype dt, void *p, int64_t v)
{
    switch (dt) {
    case EM_FLOAT32: *(float *)p = (float)v; break;
    case EM_FLOAT64: *(double *)p = (double)v; break;
    case EM_INT64: *(int64_t *)p = v; break;
    case EM_INT32: *(int32_t *)p = (int32_t)(uint32_t)v; break;
    case EM_UINT8: *(uint8_t *)p = (uint8_t)v; break;
    case EM_BOOL: *(uint8_t *)p = v != 0; break;
    case EM_FLOAT16: *(uint16_t *)p = em_f32_to_f16((float)v); break;
    case EM_BFLOAT16: *(uint16_t *)p = em_f32_to_bf16((float)v); break;
    default: break;
    }
}
