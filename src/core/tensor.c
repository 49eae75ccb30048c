/* tensor.c — storage allocation, tensor headers, release.
**
** Freed tensor and storage headers wait on small free lists (HEADERS_KEEP
** each) for the next tensor: a tiny training step makes and drops dozens of
** tensors, and glibc's own cache holds only 7 blocks of a size, so most of
** a garbage collection's frees (and every calloc) took its slow path. Off
** under AddressSanitizer (sanitizer.h), so a use after free is still
** caught. Not thread-safe, as cpu_alloc.c: tensors are made and dropped
** from one thread. */
#include "tensor.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "half.h"
#include "runtime.h"
#include "sanitizer.h"

#if EM_ASAN
#define HEADERS_KEEP 0
#else
#define HEADERS_KEEP 128
#endif

#if HEADERS_KEEP
static struct {
    em_tensor *tensor[HEADERS_KEEP];
    em_storage *storage[HEADERS_KEEP];
    int n_tensor, n_storage;
} spare;
#endif

static em_storage *storage_header_new(void)
{
#if HEADERS_KEEP
    if (spare.n_storage) return spare.storage[--spare.n_storage];
#endif
    return malloc(sizeof(em_storage));
}

static em_tensor *tensor_header_new(void)
{
#if HEADERS_KEEP
    if (spare.n_tensor) return spare.tensor[--spare.n_tensor];
#endif
    return malloc(sizeof(em_tensor));
}

static void storage_header_free(em_storage *s)
{
#if HEADERS_KEEP
    if (spare.n_storage < HEADERS_KEEP) {
        spare.storage[spare.n_storage++] = s;
        return;
    }
#endif
    free(s);
}

static void tensor_header_free(em_tensor *t)
{
#if HEADERS_KEEP
    if (spare.n_tensor < HEADERS_KEEP) {
        spare.tensor[spare.n_tensor++] = t;
        return;
    }
#endif
    free(t);
}

void (*em_node_release_hook)(struct em_node *n);
void (*em_node_forget_tensor_hook)(struct em_node *n, em_tensor *t);
void (*em_tensor_unlink_hook)(em_tensor *t);
void (*em_tensor_hooks_forget)(uint32_t key);

/* No single tensor may exceed this many bytes: far beyond any machine here,
** small enough that size arithmetic never overflows. */
#define MAX_TENSOR_BYTES ((int64_t)1 << 46)

static em_storage *storage_new(size_t nbytes, const em_backend *be, em_device device)
{
    if (em_mem_should_fail()) {
        em_fail(EM_ERR_MEMORY, "out of memory allocating %zu bytes (injected)", nbytes);
        return NULL;
    }
    if (em_mem_budget_check(nbytes) != EM_OK) return NULL;
    em_storage *s = storage_header_new();
    if (!s) {
        em_fail(EM_ERR_MEMORY, "out of memory allocating a storage header");
        return NULL;
    }
    s->data = be->alloc(nbytes);
    if (!s->data) {
        storage_header_free(s);
        em_fail(EM_ERR_MEMORY, "out of memory allocating %zu bytes on %s", nbytes, be->name);
        return NULL;
    }
    s->refcount = 1;
    s->nbytes = nbytes;
    s->backend = be;
    s->device = device;
    s->version = 0;
    em_mem_note_alloc(nbytes);
    return s;
}

static void storage_release(em_storage *s)
{
    if (!s || --s->refcount > 0) return;
    s->backend->free(s->data, s->nbytes);
    em_mem_note_free(s->nbytes);
    storage_header_free(s);
}

static void tensor_destroy(em_ref *r)
{
    em_tensor *t = (em_tensor *)r;
    if (t->link && em_tensor_unlink_hook) em_tensor_unlink_hook(t);
    if (t->hooks && em_tensor_hooks_forget) em_tensor_hooks_forget(t->hooks);
    storage_release(t->storage);
    if (t->retains_grad && t->grad_fn && em_node_forget_tensor_hook)
        em_node_forget_tensor_hook(t->grad_fn, t);
    if (t->grad) em_ref_release(&t->grad->ref);
    if (t->view_base) em_ref_release(&t->view_base->ref);
    if (t->grad_fn && em_node_release_hook) em_node_release_hook(t->grad_fn);
    tensor_header_free(t);
}

static em_tensor *header_new(void)
{
    em_tensor *t = tensor_header_new();
    if (t) memset(t, 0, sizeof *t);
    if (!t) {
        em_fail(EM_ERR_MEMORY, "out of memory allocating a tensor header");
        return NULL;
    }
    em_ref_init(&t->ref, tensor_destroy);
    return t;
}

int64_t em_shape_numel(const char *op, int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] < 0) {
            em_fail(EM_ERR_VALUE, "%s: negative size %lld at dim %d", op,
                    (long long)shape[i], i + 1);
            return -1;
        }
        if (shape[i] != 0 && n > MAX_TENSOR_BYTES / shape[i]) {
            char buf[EM_SHAPE_BUF];
            em_fail(EM_ERR_MEMORY, "%s: size %s is too large (more than 2^46 elements)", op,
                    em_shape_str(ndim, shape, buf, sizeof buf));
            return -1;
        }
        n *= shape[i];
    }
    return n;
}

bool em_contiguous_strides(int ndim, const int64_t *shape, int64_t *stride)
{
    int64_t s = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        stride[i] = s;
        int64_t d = shape[i] > 1 ? shape[i] : 1;
        if (s > INT64_MAX / d) return false;
        s *= d;
    }
    return true;
}

static em_tensor *empty_on(int ndim, const int64_t *shape, em_dtype dt, const em_backend *be, em_device device)
{
    if (ndim < 0 || ndim > EM_MAX_DIMS) {
        em_fail(EM_ERR_SHAPE, "tensor: %d dims requested; at most %d are supported", ndim, EM_MAX_DIMS);
        return NULL;
    }
    int64_t n = em_shape_numel("tensor", ndim, shape);
    if (n < 0) return NULL;
    int64_t bytes = n * (int64_t)em_dtype_size(dt);
    if (bytes > MAX_TENSOR_BYTES) {
        em_fail(EM_ERR_MEMORY, "tensor: %lld bytes requested; that is more than this machine can hold",
                (long long)bytes);
        return NULL;
    }
    em_tensor *t = header_new();
    if (!t) return NULL;
    t->storage = storage_new((size_t)bytes, be, device);
    if (!t->storage) {
        tensor_header_free(t);
        return NULL;
    }
    t->dtype = dt;
    t->ndim = ndim;
    if (ndim) memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
    em_contiguous_strides(ndim, shape, t->stride);
    return t;
}

em_tensor *em_tensor_empty(int ndim, const int64_t *shape, em_dtype dt, const em_backend *be)
{
    if (!be) be = em_backend_for(em_default_device());
    if (!be) return NULL;
    return empty_on(ndim, shape, dt, be, em_backend_device(be));
}

em_tensor *em_tensor_empty_on(int ndim, const int64_t *shape, em_dtype dt, em_device d)
{
    const em_backend *be = em_backend_for(d);
    if (!be) return NULL;
    if (d.type == EM_CPU) d.index = -1;     /* PyTorch: torch.zeros(2, device="cpu:1").device is cpu */
    else if (d.index < 0) d.index = em_backend_device(be).index;
    return empty_on(ndim, shape, dt, be, d);
}

em_tensor *em_tensor_alias(const em_tensor *src, int ndim, const int64_t *shape,
                           const int64_t *stride, int64_t offset)
{
    em_tensor *t = header_new();
    if (!t) return NULL;
    t->storage = src->storage;
    t->storage->refcount++;
    t->dtype = src->dtype;
    t->ndim = ndim;
    if (ndim) {
        memcpy(t->shape, shape, sizeof(int64_t) * (size_t)ndim);
        memcpy(t->stride, stride, sizeof(int64_t) * (size_t)ndim);
    }
    t->offset = offset;
    return t;
}

void em_tensor_set_storage(em_tensor *t, em_storage *s)
{
    if (t->storage == s) return;
    s->refcount++;
    storage_release(t->storage);
    t->storage = s;
}

int64_t em_tensor_numel(const em_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) n *= t->shape[i];
    return n;
}

bool em_tensor_is_contiguous(const em_tensor *t)
{
    int64_t expect = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] == 1) continue;
        if (t->shape[i] == 0) return true;
        if (t->stride[i] != expect) return false;
        expect *= t->shape[i];
    }
    return true;
}

const em_backend *em_tensor_backend(const em_tensor *t) { return t->storage->backend; }
em_device em_tensor_device(const em_tensor *t) { return t->storage->device; }
const char *em_tensor_device_name(const em_tensor *t) { return t->storage->backend->name; }

void em_tensor_kview(const em_tensor *t, em_kview *kv)
{
    kv->data = (char *)t->storage->data + t->offset * (int64_t)em_dtype_size(t->dtype);
    kv->dtype = t->dtype;
    kv->ndim = t->ndim;
    memcpy(kv->shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    memcpy(kv->stride, t->stride, sizeof(int64_t) * (size_t)t->ndim);
}

void em_tensor_kview_inplace(em_tensor *t, em_kview *kv)
{
    t->storage->version++;
    em_tensor_kview(t, kv);
}

const char *em_tensor_type_name(const em_tensor *t)
{
    static const char *const names[2][EM_NUM_DTYPES] = {
        {[EM_FLOAT32] = "torch.FloatTensor", [EM_FLOAT64] = "torch.DoubleTensor",
         [EM_INT64] = "torch.LongTensor",    [EM_INT32] = "torch.IntTensor",
         [EM_UINT8] = "torch.ByteTensor",    [EM_BOOL] = "torch.BoolTensor",
         [EM_FLOAT16] = "torch.HalfTensor",  [EM_BFLOAT16] = "torch.BFloat16Tensor"},
        {[EM_FLOAT32] = "torch.cuda.FloatTensor", [EM_FLOAT64] = "torch.cuda.DoubleTensor",
         [EM_INT64] = "torch.cuda.LongTensor",    [EM_INT32] = "torch.cuda.IntTensor",
         [EM_UINT8] = "torch.cuda.ByteTensor",    [EM_BOOL] = "torch.cuda.BoolTensor",
         [EM_FLOAT16] = "torch.cuda.HalfTensor",  [EM_BFLOAT16] = "torch.cuda.BFloat16Tensor"},
    };
    if (!em_dtype_is_valid((int)t->dtype)) return "torch.Tensor";
    return names[em_tensor_backend(t)->type == EM_CUDA][t->dtype];
}

char *em_shape_str(int ndim, const int64_t *shape, char *buf, size_t n)
{
    size_t used = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < ndim && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, i ? ", %lld" : "%lld", (long long)shape[i]);
    if (used < n) snprintf(buf + used, n - used, "]");
    return buf;
}

em_status em_wrap_dim(const char *op, int64_t dim, int ndim, int *out)
{
    int64_t n = ndim > 0 ? ndim : 1;
    int64_t d = dim < 0 ? dim + n : dim;
    if (d < 0 || d >= n)
        return em_fail(EM_ERR_INDEX,
                       "%s: dim %lld is out of range for a %d-D tensor (valid: 1..%lld or -%lld..-1)",
                       op, (long long)(dim >= 0 ? dim + 1 : dim), ndim, (long long)n, (long long)n);
    *out = (int)d;
    return EM_OK;
}

em_status em_broadcast_shapes(const char *op, int na, const int64_t *sa, int nb,
                              const int64_t *sb, int *out_ndim, int64_t *out)
{
    int n = na > nb ? na : nb;
    for (int i = 0; i < n; i++) {
        int ia = na - n + i, ib = nb - n + i;
        int64_t x = ia >= 0 ? sa[ia] : 1, y = ib >= 0 ? sb[ib] : 1;
        if (x != y && x != 1 && y != 1) {
            char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
            return em_fail(EM_ERR_SHAPE,
                           "%s: shapes %s and %s cannot be broadcast (size %lld vs %lld at dim %d)",
                           op, em_shape_str(na, sa, b1, sizeof b1), em_shape_str(nb, sb, b2, sizeof b2),
                           (long long)x, (long long)y, i + 1);
        }
        out[i] = x == 1 ? y : x;
    }
    *out_ndim = n;
    return EM_OK;
}

bool em_same_shape(const em_tensor *a, const em_tensor *b)
{
    if (a->ndim != b->ndim) return false;
    for (int i = 0; i < a->ndim; i++)
        if (a->shape[i] != b->shape[i]) return false;
    return true;
}

em_status em_tensor_get_double(const em_tensor *t, int64_t flat, double *out)
{
    int64_t off = t->offset;
    for (int i = t->ndim - 1; i >= 0; i--) {
        off += (flat % t->shape[i]) * t->stride[i];
        flat /= t->shape[i];
    }
    unsigned char buf[8];
    size_t sz = em_dtype_size(t->dtype);
    em_status st = t->storage->backend->copy_to_host(buf, (char *)t->storage->data + off * (int64_t)sz, sz);
    if (st != EM_OK) return st;
    switch (t->dtype) {
    case EM_FLOAT32: { float v; memcpy(&v, buf, 4); *out = v; break; }
    case EM_FLOAT64: { double v; memcpy(&v, buf, 8); *out = v; break; }
    case EM_INT64: { int64_t v; memcpy(&v, buf, 8); *out = (double)v; break; }
    case EM_INT32: { int32_t v; memcpy(&v, buf, 4); *out = v; break; }
    case EM_UINT8: *out = buf[0]; break;
    case EM_BOOL: *out = buf[0] != 0; break;
    case EM_FLOAT16: { uint16_t v; memcpy(&v, buf, 2); *out = em_f16_to_f32(v); break; }
    case EM_BFLOAT16: { uint16_t v; memcpy(&v, buf, 2); *out = em_bf16_to_f32(v); break; }
    default: return em_fail(EM_ERR_INTERNAL, "get: bad dtype");
    }
    return EM_OK;
}
