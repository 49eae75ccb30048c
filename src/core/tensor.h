/* tensor.h — refcounted storage and the tensor: a strided view (shape,
** stride, offset) on one storage, plus the autograd fields the engine needs.
** This file knows nothing of ops or Lua; autograd nodes are opaque here.
**
** Ownership: functions that return em_tensor * return a new reference the
** caller must release (em_tensor_release); arguments are borrowed. */
#ifndef EMBER_TENSOR_H
#define EMBER_TENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "../backend/backend.h"
#include "../backend/device.h"
#include "dtype.h"
#include "ref.h"
#include "status.h"

typedef struct em_storage {
    int refcount;
    void *data;                 /* device memory, owned by backend */
    size_t nbytes;
    const em_backend *backend;  /* allocated and freed through this */
    em_device device;           /* where the memory is: backend's type plus an index */
    uint64_t version;           /* PyTorch's version counter: bumped by every in-place
                                   write (em_tensor_kview_inplace), so shared by a
                                   tensor, its views and its detached aliases */
} em_storage;

struct em_node;
struct em_tensor_link;

typedef struct em_tensor {
    em_ref ref;
    em_storage *storage;
    em_dtype dtype;
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    int64_t stride[EM_MAX_DIMS];   /* elements */
    int64_t offset;                /* elements into storage */
    /* autograd */
    bool requires_grad;            /* leaves: set by the user; others: has grad_fn */
    bool retains_grad;             /* non-leaf keeps .grad (retain_grad) */
    bool is_wrapped;               /* made from a Lua number (type promotion) */
    struct em_tensor *grad;        /* owned; NULL until a backward reaches it */
    struct em_node *grad_fn;       /* owned; NULL for leaves */
    struct em_tensor *view_base;   /* owned; the tensor a view was made from (in-place on views) */
    struct em_tensor_link *link;   /* autograd's weak reference, once saved for backward */
    uint32_t hooks;                /* nonzero: key of its gradient hooks (autograd/engine.h) */
} em_tensor;

/* --- creation --- */
/* A new contiguous tensor of the given shape, uninitialised. Checks sizes
** (negative, overflow, absurd) before allocating. be NULL: the default
** device's backend (em_default_device). */
em_tensor *em_tensor_empty(int ndim, const int64_t *shape, em_dtype dt, const em_backend *be);
/* The same on device d (its backend from the device registry; NULL with
** EM_ERR_DEVICE when d is not available). */
em_tensor *em_tensor_empty_on(int ndim, const int64_t *shape, em_dtype dt, em_device d);
/* A new tensor header on t's storage (no autograd fields). */
em_tensor *em_tensor_alias(const em_tensor *t, int ndim, const int64_t *shape,
                           const int64_t *stride, int64_t offset);

static inline void em_tensor_retain(em_tensor *t) { if (t) em_ref_retain(&t->ref); }
static inline void em_tensor_release(em_tensor *t) { if (t) em_ref_release(&t->ref); }

/* Set by autograd so that tensor destruction can release grad_fn without
** core depending on autograd. */
extern void (*em_node_release_hook)(struct em_node *n);
extern void (*em_node_forget_tensor_hook)(struct em_node *n, em_tensor *t);
/* Called when a tensor with a link dies, before its grad_fn is released. */
extern void (*em_tensor_unlink_hook)(em_tensor *t);
/* Called when a tensor with gradient hooks (t->hooks) dies. */
extern void (*em_tensor_hooks_forget)(uint32_t key);

/* Points t at storage s (retained), releasing its old storage. */
void em_tensor_set_storage(em_tensor *t, em_storage *s);

/* --- shape queries --- */
int64_t em_tensor_numel(const em_tensor *t);
bool em_tensor_is_contiguous(const em_tensor *t);
const em_backend *em_tensor_backend(const em_tensor *t);
/* t's device (x.device): type and index (none for the CPU, as in PyTorch). */
em_device em_tensor_device(const em_tensor *t);
const char *em_tensor_device_name(const em_tensor *t);   /* the type's name: "cpu" */
/* A kernel view of t (data pointer with offset applied). */
void em_tensor_kview(const em_tensor *t, em_kview *kv);
/* Writes "[2, 3]" into buf (for error messages); returns buf. */
char *em_shape_str(int ndim, const int64_t *shape, char *buf, size_t n);
#define EM_SHAPE_BUF 96
/* Contiguous strides for shape; returns false on overflow. */
bool em_contiguous_strides(int ndim, const int64_t *shape, int64_t *stride);
/* numel of a shape with overflow and sign checks; -1 on failure (status set). */
int64_t em_shape_numel(const char *op, int ndim, const int64_t *shape);
/* Normalises a 0-based or negative dim; EM_ERR_INDEX with a message in the
** user's 1-based terms when out of range. ndim 0 accepts dims 0 and -1. */
em_status em_wrap_dim(const char *op, int64_t dim, int ndim, int *out);
/* Broadcasts two shapes (PyTorch rules) into out/out_ndim. */
em_status em_broadcast_shapes(const char *op, int na, const int64_t *sa, int nb,
                              const int64_t *sb, int *out_ndim, int64_t *out);
bool em_same_shape(const em_tensor *a, const em_tensor *b);

/* A kernel view of t for writing into it in place. The one place where
** in-place writes bump the version counter that autograd checks: every op
** that modifies an existing tensor (add_, copy_, fill_, x[i] = v, optimizer
** steps, ...) gets its destination here, and nothing else writes into a
** tensor that may already exist. */
void em_tensor_kview_inplace(em_tensor *t, em_kview *kv);
/* PyTorch's name of t's type, as in its error messages and x:type():
** "torch.FloatTensor", "torch.cuda.LongTensor". */
const char *em_tensor_type_name(const em_tensor *t);

/* Copies one element at a flat (row-major) index to host as double. */
em_status em_tensor_get_double(const em_tensor *t, int64_t flat_index, double *out);

#endif
