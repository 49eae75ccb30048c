/* pickle_write.c — the encoder of pickle_write.h: a recursive walk of the
** value tree emitting CPython's protocol-2 encodings (§3.3 of
** formats/pytorch-pt.md) without memo, tensors as in §3.4 and state_dict
** metadata through BUILD as in §3.7. Storages get keys in the order they are
** first met, one per em_storage however many tensors view it. */
#include "pickle_write.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512
#define BATCH 1000     /* items per MARK ... APPENDS/SETITEMS, as CPython */

enum {
    OP_MARK = '(', OP_STOP = '.', OP_BINFLOAT = 'G', OP_BININT = 'J', OP_BININT1 = 'K', OP_BININT2 = 'M',
    OP_NONE = 'N', OP_BINPERSID = 'Q', OP_REDUCE = 'R', OP_BINUNICODE = 'X', OP_APPEND = 'a', OP_BUILD = 'b',
    OP_GLOBAL = 'c', OP_APPENDS = 'e', OP_SETITEM = 's', OP_TUPLE = 't', OP_SETITEMS = 'u',
    OP_EMPTY_TUPLE = ')', OP_EMPTY_LIST = ']', OP_EMPTY_DICT = '}', OP_PROTO = 0x80, OP_TUPLE1 = 0x85,
    OP_TUPLE2 = 0x86, OP_TUPLE3 = 0x87, OP_NEWTRUE = 0x88, OP_NEWFALSE = 0x89, OP_LONG1 = 0x8A,
};

/* torch's legacy storage class per dtype (the persistent id's type). */
static const char *storage_class(em_dtype dt)
{
    switch (dt) {
    case EM_FLOAT32: return "FloatStorage";
    case EM_FLOAT64: return "DoubleStorage";
    case EM_INT64: return "LongStorage";
    case EM_INT32: return "IntStorage";
    case EM_UINT8: return "ByteStorage";
    case EM_BOOL: return "BoolStorage";
    case EM_FLOAT16: return "HalfStorage";
    case EM_BFLOAT16: return "BFloat16Storage";
    default: return NULL;
    }
}

/* --- the output buffer --- */
static em_status put(em_pickle *pk, const void *p, size_t n)
{
    if (pk->len + n > pk->cap) {
        size_t cap = pk->cap ? pk->cap : 256;
        while (cap < pk->len + n) cap *= 2;
        unsigned char *d = realloc(pk->data, cap);
        if (!d) return em_fail(EM_ERR_MEMORY, "torch.save: out of memory pickling (%zu bytes)", cap);
        pk->data = d;
        pk->cap = cap;
    }
    memcpy(pk->data + pk->len, p, n);
    pk->len += n;
    return EM_OK;
}

static em_status op(em_pickle *pk, int code)
{
    unsigned char c = (unsigned char)code;
    return put(pk, &c, 1);
}

static em_status op_bytes(em_pickle *pk, int code, const unsigned char *arg, size_t n)
{
    em_status st = op(pk, code);
    return st == EM_OK ? put(pk, arg, n) : st;
}

static em_status global(em_pickle *pk, const char *module, const char *name)
{
    em_status st = op(pk, OP_GLOBAL);
    if (st == EM_OK) st = put(pk, module, strlen(module));
    if (st == EM_OK) st = put(pk, "\n", 1);
    if (st == EM_OK) st = put(pk, name, strlen(name));
    if (st == EM_OK) st = put(pk, "\n", 1);
    return st;
}

/* --- scalars, as CPython encodes them --- */
static em_status put_int(em_pickle *pk, int64_t v)
{
    unsigned char b[9];
    if (v >= 0 && v < 256) {
        b[0] = (unsigned char)v;
        return op_bytes(pk, OP_BININT1, b, 1);
    }
    if (v >= 0 && v < 65536) {
        b[0] = (unsigned char)v, b[1] = (unsigned char)(v >> 8);
        return op_bytes(pk, OP_BININT2, b, 2);
    }
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++) b[i + 1] = (unsigned char)(u >> (8 * i));
    if (v >= INT32_MIN && v <= INT32_MAX) return op_bytes(pk, OP_BININT, b + 1, 4);
    /* LONG1: the shortest two's complement that keeps the sign bit right */
    int n = 8;
    while (n > 1 && ((b[n] == 0x00 && !(b[n - 1] & 0x80)) || (b[n] == 0xFF && (b[n - 1] & 0x80)))) n--;
    b[0] = (unsigned char)n;
    return op_bytes(pk, OP_LONG1, b, (size_t)n + 1);
}

static em_status put_float(em_pickle *pk, double f)
{
    uint64_t u;
    memcpy(&u, &f, 8);
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(u >> (56 - 8 * i));   /* big-endian */
    return op_bytes(pk, OP_BINFLOAT, b, 8);
}

static em_status put_str(em_pickle *pk, const char *s, size_t n)
{
    if (n > UINT32_MAX) return em_fail(EM_ERR_VALUE, "torch.save: a %zu-byte string is too long to pickle", n);
    unsigned char b[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 24)};
    em_status st = op_bytes(pk, OP_BINUNICODE, b, 4);
    return st == EM_OK ? put(pk, s, n) : st;
}

static em_status put_cstr(em_pickle *pk, const char *s) { return put_str(pk, s, strlen(s)); }

/* A tuple of ints (sizes, strides) as CPython writes it. */
static em_status put_int_tuple(em_pickle *pk, int n, const int64_t *v)
{
    if (n == 0) return op(pk, OP_EMPTY_TUPLE);
    em_status st = n > 3 ? op(pk, OP_MARK) : EM_OK;
    for (int i = 0; i < n && st == EM_OK; i++) st = put_int(pk, v[i]);
    if (st != EM_OK) return st;
    return op(pk, n == 1 ? OP_TUPLE1 : n == 2 ? OP_TUPLE2 : n == 3 ? OP_TUPLE3 : OP_TUPLE);
}

static em_status empty_ordered_dict(em_pickle *pk)
{
    em_status st = global(pk, "collections", "OrderedDict");
    if (st == EM_OK) st = op(pk, OP_EMPTY_TUPLE);
    return st == EM_OK ? op(pk, OP_REDUCE) : st;
}

/* --- tensors --- */
/* The key of t's storage, adding it on first sight. */
static em_status storage_key(em_pickle *pk, const em_tensor *t, size_t *key)
{
    size_t elsize = em_dtype_size(t->dtype);
    em_storage *s = t->storage;
    for (size_t i = 0; i < pk->nstorages; i++)
        if (pk->storages[i].storage == s) {
            if (pk->storages[i].dtype != t->dtype)
                return em_fail(EM_ERR_TYPE, "torch.save: two tensors view the same storage as %s and %s; "
                               "PyTorch cannot save that (clone one of them)",
                               em_dtype_name(pk->storages[i].dtype), em_dtype_name(t->dtype));
            *key = i;
            return EM_OK;
        }
    if (s->nbytes % elsize != 0)
        return em_fail(EM_ERR_INTERNAL, "torch.save: a %zu-byte storage does not hold whole %s elements",
                       s->nbytes, em_dtype_name(t->dtype));
    if (pk->nstorages == pk->storages_cap) {
        size_t cap = pk->storages_cap ? pk->storages_cap * 2 : 16;
        em_pickle_storage *p = realloc(pk->storages, cap * sizeof *p);
        if (!p) return em_fail(EM_ERR_MEMORY, "torch.save: out of memory");
        pk->storages = p;
        pk->storages_cap = cap;
    }
    pk->storages[pk->nstorages] = (em_pickle_storage){s, t->dtype, (int64_t)(s->nbytes / elsize)};
    *key = pk->nstorages++;
    return EM_OK;
}

/* The view must stay inside its storage, or torch refuses the file. */
static em_status check_view(const em_tensor *t, int64_t storage_numel)
{
    bool empty = false;
    int64_t last = t->offset;
    bool ok = t->offset >= 0;
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] < 0 || t->stride[d] < 0) ok = false;
        if (t->shape[d] == 0) empty = true;
    }
    for (int d = 0; ok && !empty && d < t->ndim; d++) {
        if (t->stride[d] > 0 && t->shape[d] - 1 > (INT64_MAX - last) / t->stride[d]) ok = false;
        else last += (t->shape[d] - 1) * t->stride[d];
    }
    if (ok && (empty || last < storage_numel)) return EM_OK;
    char buf[EM_SHAPE_BUF];
    return em_fail(EM_ERR_INTERNAL, "torch.save: a tensor of shape %s (offset %lld) reaches past its "
                   "%lld-element storage", em_shape_str(t->ndim, t->shape, buf, sizeof buf),
                   (long long)t->offset, (long long)storage_numel);
}

static em_status put_tensor_v2(em_pickle *pk, const em_tensor *t, bool requires_grad, const char *location)
{
    const char *cls = storage_class(t->dtype);
    if (!cls) return em_fail(EM_ERR_TYPE, "torch.save: cannot save a %s tensor", em_dtype_name(t->dtype));
    size_t key = 0;
    em_status st = storage_key(pk, t, &key);
    if (st == EM_OK) st = check_view(t, pk->storages[key].numel);
    if (st != EM_OK) return st;
    char keystr[24];
    snprintf(keystr, sizeof keystr, "%zu", key);
    if (st == EM_OK) st = global(pk, "torch._utils", "_rebuild_tensor_v2");
    if (st == EM_OK) st = op(pk, OP_MARK);
    /* the persistent id ('storage', <Type>Storage, key, location, numel) */
    if (st == EM_OK) st = op(pk, OP_MARK);
    if (st == EM_OK) st = put_cstr(pk, "storage");
    if (st == EM_OK) st = global(pk, "torch", cls);
    if (st == EM_OK) st = put_cstr(pk, keystr);
    if (st == EM_OK) st = put_cstr(pk, location);
    if (st == EM_OK) st = put_int(pk, pk->storages[key].numel);
    if (st == EM_OK && pk->legacy) st = op(pk, OP_NONE);      /* view_metadata */
    if (st == EM_OK) st = op(pk, OP_TUPLE);
    if (st == EM_OK) st = op(pk, OP_BINPERSID);
    /* offset, size, stride, requires_grad, backward_hooks */
    if (st == EM_OK) st = put_int(pk, t->offset);
    if (st == EM_OK) st = put_int_tuple(pk, t->ndim, t->shape);
    if (st == EM_OK) st = put_int_tuple(pk, t->ndim, t->stride);
    if (st == EM_OK) st = op(pk, requires_grad ? OP_NEWTRUE : OP_NEWFALSE);
    if (st == EM_OK) st = empty_ordered_dict(pk);
    if (st == EM_OK) st = op(pk, OP_TUPLE);
    return st == EM_OK ? op(pk, OP_REDUCE) : st;
}

static bool location_ok(const char *loc)
{
    if (!*loc) return false;
    for (const char *c = loc; *c; c++)
        if (*c < 0x21 || *c > 0x7E) return false;
    return true;
}

static em_status put_tensor(em_pickle *pk, const em_pyval *v)
{
    const char *loc = v->u.tensor.location;
    if (!memchr(loc, '\0', sizeof v->u.tensor.location) || !location_ok(loc))
        return em_fail(EM_ERR_VALUE, "torch.save: a tensor's location tag is not printable ASCII");
    if (!v->u.tensor.is_parameter) return put_tensor_v2(pk, v->u.tensor.t, v->u.tensor.requires_grad, loc);
    /* _rebuild_parameter(data, requires_grad, OrderedDict()) */
    em_status st = global(pk, "torch._utils", "_rebuild_parameter");
    if (st == EM_OK) st = put_tensor_v2(pk, v->u.tensor.t, false, loc);
    if (st == EM_OK) st = op(pk, v->u.tensor.requires_grad ? OP_NEWTRUE : OP_NEWFALSE);
    if (st == EM_OK) st = empty_ordered_dict(pk);
    if (st == EM_OK) st = op(pk, OP_TUPLE3);
    return st == EM_OK ? op(pk, OP_REDUCE) : st;
}

/* --- containers --- */
static em_status put_value(em_pickle *pk, const em_pyval *v, int depth);

static bool hashable(const em_pyval *k)
{
    switch (k->kind) {
    case EM_PY_NONE: case EM_PY_BOOL: case EM_PY_INT: case EM_PY_FLOAT: case EM_PY_STR: return true;
    case EM_PY_TUPLE:
        for (size_t i = 0; i < k->u.seq.len; i++)
            if (!hashable(k->u.seq.items[i])) return false;
        return true;
    default: return false;
    }
}

/* Items of a dict or OrderedDict (already on the stack), in batches of up to
** 1000 as CPython: a batch of one is "k v SETITEM", else MARK ... SETITEMS. */
static em_status put_items(em_pickle *pk, const em_pyval *m, int depth)
{
    size_t n = m->u.map.len;
    for (size_t i = 0; i < n; i++)
        if (!hashable(m->u.map.keys[i]))
            return em_fail(EM_ERR_TYPE, "torch.save: a dict key must be a string, number, boolean, None or "
                           "tuple of those");
    em_status st = EM_OK;
    for (size_t start = 0; start < n && st == EM_OK; start += BATCH) {
        size_t end = start + BATCH < n ? start + BATCH : n;
        if (end - start > 1) st = op(pk, OP_MARK);
        for (size_t i = start; i < end && st == EM_OK; i++) {
            st = put_value(pk, m->u.map.keys[i], depth);
            if (st == EM_OK) st = put_value(pk, m->u.map.values[i], depth);
        }
        if (st == EM_OK) st = op(pk, end - start > 1 ? OP_SETITEMS : OP_SETITEM);
    }
    return st;
}

/* EMPTY_LIST, then batches like put_items: "x APPEND" or MARK ... APPENDS. */
static em_status put_list(em_pickle *pk, const em_pyval *v, int depth)
{
    size_t n = v->u.seq.len;
    em_status st = op(pk, OP_EMPTY_LIST);
    for (size_t start = 0; start < n && st == EM_OK; start += BATCH) {
        size_t end = start + BATCH < n ? start + BATCH : n;
        if (end - start > 1) st = op(pk, OP_MARK);
        for (size_t i = start; i < end && st == EM_OK; i++) st = put_value(pk, v->u.seq.items[i], depth);
        if (st == EM_OK) st = op(pk, end - start > 1 ? OP_APPENDS : OP_APPEND);
    }
    return st;
}

static em_status put_tuple(em_pickle *pk, const em_pyval *v, int depth)
{
    size_t n = v->u.seq.len;
    if (n == 0) return op(pk, OP_EMPTY_TUPLE);
    em_status st = n > 3 ? op(pk, OP_MARK) : EM_OK;
    for (size_t i = 0; i < n && st == EM_OK; i++) st = put_value(pk, v->u.seq.items[i], depth);
    if (st != EM_OK) return st;
    return op(pk, n == 1 ? OP_TUPLE1 : n == 2 ? OP_TUPLE2 : n == 3 ? OP_TUPLE3 : OP_TUPLE);
}

static em_status put_ordered_dict(em_pickle *pk, const em_pyval *v, int depth)
{
    em_status st = empty_ordered_dict(pk);
    if (st == EM_OK) st = put_items(pk, v, depth);
    if (st != EM_OK || !v->u.map.metadata) return st;
    /* BUILD with the state {'_metadata': metadata}: sets the attribute */
    st = op(pk, OP_EMPTY_DICT);
    if (st == EM_OK) st = put_cstr(pk, "_metadata");
    if (st == EM_OK) st = put_value(pk, v->u.map.metadata, depth);
    if (st == EM_OK) st = op(pk, OP_SETITEM);
    return st == EM_OK ? op(pk, OP_BUILD) : st;
}

static em_status put_value(em_pickle *pk, const em_pyval *v, int depth)
{
    if (++depth > MAX_DEPTH)
        return em_fail(EM_ERR_VALUE, "torch.save: values nested deeper than %d levels", MAX_DEPTH);
    switch (v->kind) {
    case EM_PY_NONE: return op(pk, OP_NONE);
    case EM_PY_BOOL: return op(pk, v->u.b ? OP_NEWTRUE : OP_NEWFALSE);
    case EM_PY_INT: return put_int(pk, v->u.i);
    case EM_PY_FLOAT: return put_float(pk, v->u.f);
    case EM_PY_STR: return put_str(pk, v->u.s.data, v->u.s.len);
    case EM_PY_BYTES:
        return em_fail(EM_ERR_TYPE, "torch.save: bytes values are not supported (torch 1.13's safe loader "
                       "refuses them); use a string or a uint8 tensor");
    case EM_PY_LIST: return put_list(pk, v, depth);
    case EM_PY_TUPLE: return put_tuple(pk, v, depth);
    case EM_PY_DICT: {
        em_status st = op(pk, OP_EMPTY_DICT);
        return st == EM_OK ? put_items(pk, v, depth) : st;
    }
    case EM_PY_ODICT: return put_ordered_dict(pk, v, depth);
    case EM_PY_TENSOR: return put_tensor(pk, v);
    }
    return em_fail(EM_ERR_INTERNAL, "torch.save: unknown value kind %d", (int)v->kind);
}

em_status em_pickle_write(const em_pyval *root, em_pickle *out) { return em_pickle_write_with(root, NULL, out); }

em_status em_pickle_write_with(const em_pyval *root, const em_pickle_opts *opts, em_pickle *out)
{
    memset(out, 0, sizeof *out);
    int protocol = opts ? opts->protocol : 2;
    if (protocol < 2 || protocol > 5)
        return em_fail(EM_ERR_VALUE, "torch.save: pickle_protocol %d is not supported (2 to 5 are; torch.save "
                       "needs at least 2 for its storage references)", protocol);
    out->legacy = opts && opts->legacy;
    unsigned char proto[2] = {OP_PROTO, (unsigned char)protocol};
    em_status st = put(out, proto, 2);
    if (st == EM_OK) st = put_value(out, root, 0);
    if (st == EM_OK) st = op(out, OP_STOP);
    return st;
}

void em_pickle_free(em_pickle *p)
{
    if (!p) return;
    free(p->data);
    free(p->storages);
    memset(p, 0, sizeof *p);
}
