/* cpu_index.c — gather, scatter_add, index_select and index_add on the CPU.
** Every index value is checked (0 <= v < size) before anything is written.
** index_select and index_add are gather and scatter_add with the 1-D index
** broadcast (stride 0) over the other dims. Index tensors are int64, 0-based;
** messages give dims 1-based, as users type them. */
#include "cpu_iter.h"

static em_status check_indices(const char *op, const em_kview *index, int dim, int64_t size)
{
    if (index->dtype != EM_INT64)
        return em_fail(EM_ERR_TYPE, "%s: index must be int64, got %s", op,
                       em_dtype_name(index->dtype));
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 1, (const em_kview *[]){index});
    if (st != EM_OK || it.numel == 0) return st;
    do {
        const int64_t *p = (const int64_t *)it.ptr[0];
        for (int64_t i = 0; i < it.n; i++) {
            int64_t v = p[i * it.step[0]];
            if (v < 0 || v >= size)
                return em_fail(EM_ERR_INDEX, "%s: index %lld is out of bounds for dim %d "
                               "with size %lld", op, (long long)v, dim + 1, (long long)size);
        }
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

/* v with index's shape and stride 0 along dim: the base for each element. */
static em_kview along(const em_kview *v, int dim, const em_kview *index)
{
    em_kview r = *v;
    for (int d = 0; d < v->ndim; d++) r.shape[d] = index->shape[d];
    r.stride[dim] = 0;
    return r;
}

#define GATHER_ROW(T) do {                                                  \
    T *o_ = (T *)it.ptr[0]; const T *s_ = (const T *)it.ptr[2];              \
    for (int64_t i = 0; i < it.n; i++) o_[i * so] = s_[i * ss + ix[i * si] * sd]; \
} while (0)

static em_status gather_core(const em_kview *out, const em_kview *in, int dim,
                             const em_kview *index)
{
    em_kview src = along(in, dim, index);
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 3, (const em_kview *[]){out, index, &src});
    if (st != EM_OK || it.numel == 0) return st;
    size_t es = em_dtype_size(in->dtype);
    int64_t sd = in->stride[dim];
    do {
        const int64_t *ix = (const int64_t *)it.ptr[1];
        int64_t so = it.step[0], si = it.step[1], ss = it.step[2];
        if (es == 1) GATHER_ROW(uint8_t);
        else if (es == 4) GATHER_ROW(uint32_t);
        else GATHER_ROW(uint64_t);
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

#define SCATTER_ROW(T, ADD) do {                                            \
    T *o_ = (T *)it.ptr[0]; const T *s_ = (const T *)it.ptr[2];              \
    for (int64_t i = 0; i < it.n; i++) {                                     \
        T *p_ = &o_[i * so + ix[i * si] * sd];                               \
        *p_ = ADD(*p_, s_[i * ss]);                                          \
    }                                                                        \
} while (0)
#define FADD(x, y) ((x) + (y))
#define IADD(x, y) cpu_wrap((uint64_t)(int64_t)(x) + (uint64_t)(int64_t)(y))
#define BOR(x, y) ((uint8_t)(((x) != 0) | ((y) != 0)))

static em_status scatter_core(const em_kview *out, int dim, const em_kview *index,
                              const em_kview *src)
{
    em_kview dst = along(out, dim, index);
    cpu_iter it;
    em_status st = cpu_iter_init(&it, 3, (const em_kview *[]){&dst, index, src});
    if (st != EM_OK || it.numel == 0) return st;
    int64_t sd = out->stride[dim];
    do {
        const int64_t *ix = (const int64_t *)it.ptr[1];
        int64_t so = it.step[0], si = it.step[1], ss = it.step[2];
        switch (out->dtype) {
        case EM_FLOAT32: SCATTER_ROW(float, FADD); break;
        case EM_FLOAT64: SCATTER_ROW(double, FADD); break;
        case EM_INT64: SCATTER_ROW(int64_t, IADD); break;
        case EM_INT32: SCATTER_ROW(int32_t, (int32_t)(uint32_t)IADD); break;
        case EM_UINT8: SCATTER_ROW(uint8_t, (uint8_t)IADD); break;
        default: SCATTER_ROW(uint8_t, BOR); break;
        }
    } while (cpu_iter_next(&it));
    return cpu_iter_status(&it);
}

/* Checks what the kernels rely on: `shaped` (the view walked element by
** element) fits inside `target` (the view indexed along dim) in every other
** dim; data and target share a dtype; a 1-D index (n >= 0) has n elements. */
static em_status check_args(const char *op, const em_kview *shaped, const em_kview *target,
                            const em_kview *data, int dim, const em_kview *index, int64_t n)
{
    int nd = target->ndim;
    if (data->dtype != target->dtype || shaped->ndim != nd || data->ndim != nd || dim < 0 ||
        dim >= nd || (n < 0 ? index->ndim != nd : index->ndim > 1 || cpu_numel(index) != n))
        return em_fail(EM_ERR_INTERNAL, "%s: bad operands (dim %d)", op, dim + 1);
    for (int d = 0; d < nd; d++)
        if (d != dim && shaped->shape[d] > target->shape[d])
            return em_fail(EM_ERR_SHAPE, "%s: size %lld at dim %d is larger than %lld",
                           op, (long long)shaped->shape[d], d + 1, (long long)target->shape[d]);
    return EM_OK;
}

/* The 1-D index seen as a view of shape like's shape, varying only along dim. */
static em_kview broadcast_index(const em_kview *index, int dim, const em_kview *like)
{
    em_kview r = *like;
    r.data = index->data;
    r.dtype = index->dtype;
    for (int d = 0; d < like->ndim; d++) r.stride[d] = 0;
    r.stride[dim] = index->ndim == 1 ? index->stride[0] : 0;
    return r;
}

em_status em_cpu_gather(const em_kview *out, const em_kview *in, int dim,
                        const em_kview *index)
{
    em_status st = check_args("gather", index, in, out, dim, index, -1);
    if (st == EM_OK) st = check_indices("gather", index, dim, in->shape[dim]);
    return st == EM_OK ? gather_core(out, in, dim, index) : st;
}

em_status em_cpu_scatter_add(const em_kview *out, int dim, const em_kview *index,
                             const em_kview *src)
{
    em_status st = check_args("scatter_add", index, out, src, dim, index, -1);
    if (st == EM_OK) st = check_indices("scatter_add", index, dim, out->shape[dim]);
    return st == EM_OK ? scatter_core(out, dim, index, src) : st;
}

em_status em_cpu_index_select(const em_kview *out, const em_kview *in, int dim,
                              const em_kview *index)
{
    em_status st = check_args("index_select", out, in, out, dim, index,
                              dim >= 0 && dim < out->ndim ? out->shape[dim] : 0);
    if (st == EM_OK) st = check_indices("index_select", index, dim, in->shape[dim]);
    if (st != EM_OK) return st;
    em_kview bi = broadcast_index(index, dim, out);
    return gather_core(out, in, dim, &bi);
}

em_status em_cpu_index_add(const em_kview *out, int dim, const em_kview *index,
                           const em_kview *src)
{
    em_status st = check_args("index_add", src, out, src, dim, index,
                              dim >= 0 && dim < src->ndim ? src->shape[dim] : 0);
    if (st == EM_OK) st = check_indices("index_add", index, dim, out->shape[dim]);
    if (st != EM_OK) return st;
    em_kview bi = broadcast_index(index, dim, src);
    return scatter_core(out, dim, &bi, src);
}
