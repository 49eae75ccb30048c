/* safetensors_write.c — em_st_save (see safetensors.h): the library's checks
** (contiguous tensors, no shared bytes), its order (dtype size descending,
** then name), its compact JSON header padded with spaces to a multiple of 8,
** then the little-endian bytes, all through an atomic file. Not here: the
** reader (safetensors.c), Lua tables (bind/lua_safetensors.c). */
#include "safetensors.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"

#define WHAT "torch.save_safetensors"

/* The file's dtype name and the library's sort rank (higher is written first). */
static const char *st_name(em_dtype dt, int *rank)
{
    switch (dt) {
    case EM_INT64: *rank = 8; return "I64";
    case EM_FLOAT64: *rank = 7; return "F64";
    case EM_FLOAT32: *rank = 6; return "F32";
    case EM_INT32: *rank = 5; return "I32";
    case EM_BFLOAT16: *rank = 4; return "BF16";
    case EM_FLOAT16: *rank = 3; return "F16";
    case EM_UINT8: *rank = 2; return "U8";
    case EM_BOOL: *rank = 1; return "BOOL";
    default: *rank = 0; return NULL;
    }
}

/* --- a growing text buffer --- */
typedef struct buf {
    char *p;
    size_t len, cap;
    bool oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* A JSON string as serde_json writes it: \" \\ \b \f \n \r \t, other control
** characters as \u00xx, everything else (UTF-8 included) raw. */
static void put_json_string(buf *b, const char *s)
{
    put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        char tmp[8];
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (*p < 0x20) {
                snprintf(tmp, sizeof tmp, "\\u%04x", *p);
                esc = tmp;
            }
        }
        if (esc) puts_(b, esc);
        else put(b, (const char *)p, 1);
    }
    put(b, "\"", 1);
}

static bool valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t len = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
                   : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
        if (!len) return false;
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        if (len > 1 && (p[1] < lo || p[1] > hi)) return false;
        for (size_t k = 2; k < len; k++)
            if (p[k] < 0x80 || p[k] > 0xBF) return false;
        p += len;
    }
    return true;
}

/* --- order and checks --- */
typedef struct item {
    const char *name;
    const em_tensor *t;
    int rank;
    size_t first, last;   /* byte range in the storage (for sharing) */
} item;

static int by_rank_name(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    if (a->rank != b->rank) return a->rank > b->rank ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int by_storage(const void *pa, const void *pb)
{
    const item *a = *(const item *const *)pa, *b = *(const item *const *)pb;
    if (a->t->storage != b->t->storage) return (uintptr_t)a->t->storage < (uintptr_t)b->t->storage ? -1 : 1;
    if (a->first != b->first) return a->first < b->first ? -1 : 1;
    return strcmp(a->name, b->name);
}

/* Fills items (the tensors in the library's order), refusing what it refuses. */
static em_status check_items(int n, const char *const *names, em_tensor *const *tensors, item *items)
{
    for (int i = 0; i < n; i++) {
        const em_tensor *t = tensors[i];
        item *it = &items[i];
        it->name = names[i];
        it->t = t;
        if (!valid_utf8(names[i])) return em_fail(EM_ERR_VALUE, WHAT ": tensor names must be UTF-8 text");
        if (strcmp(names[i], "__metadata__") == 0)
            return em_fail(EM_ERR_VALUE, WHAT ": `__metadata__` is reserved for the metadata map; rename the tensor");
        if (!st_name(t->dtype, &it->rank))
            return em_fail(EM_ERR_TYPE, WHAT ": tensor `%.200s` has dtype %s, which safetensors files here cannot hold",
                           names[i], em_dtype_name(t->dtype));
        if (!em_tensor_is_contiguous(t))
            return em_fail(EM_ERR_VALUE, WHAT ": you are trying to save a non contiguous tensor: `%.200s`, which is "
                           "not allowed; call :contiguous() on it first (or save the full tensor and slice it after "
                           "loading)", names[i]);
        size_t elsize = em_dtype_size(t->dtype);
        it->first = (size_t)t->offset * elsize;
        it->last = it->first + (size_t)em_tensor_numel(t) * elsize;
    }
    qsort(items, (size_t)n, sizeof *items, by_rank_name);
    for (int i = 1; i < n; i++)
        if (strcmp(items[i - 1].name, items[i].name) == 0)
            return em_fail(EM_ERR_VALUE, WHAT ": the name `%.200s` is used twice", items[i].name);
    /* shared bytes: overlapping non-empty ranges of one storage */
    const item **ord = malloc(((size_t)n + 1) * sizeof *ord);
    if (!ord) return em_fail(EM_ERR_MEMORY, WHAT ": out of memory");
    for (int i = 0; i < n; i++) ord[i] = &items[i];
    qsort(ord, (size_t)n, sizeof *ord, by_storage);
    em_status st = EM_OK;
    const item *reach = NULL;   /* the item reaching furthest so far in the current storage */
    for (int i = 0; i < n && st == EM_OK; i++) {
        const item *it = ord[i];
        if (it->first == it->last) continue;
        if (reach && reach->t->storage == it->t->storage && it->first < reach->last)
            st = em_fail(EM_ERR_VALUE, WHAT ": some tensors share memory (`%.200s` and `%.200s`), which would "
                         "duplicate it on disk; save one of them, or :clone() the other", reach->name, it->name);
        if (!reach || reach->t->storage != it->t->storage || it->last > reach->last) reach = it;
    }
    free(ord);
    return st;
}

/* --- the header --- */
static void put_u64(buf *b, uint64_t v)
{
    char tmp[24];
    snprintf(tmp, sizeof tmp, "%" PRIu64, v);
    puts_(b, tmp);
}

static em_status build_header(buf *b, int n, const item *items, int n_meta, const char *const *keys,
                              const char *const *values)
{
    put(b, "{", 1);
    if (n_meta >= 0) {
        int *ord = malloc(((size_t)n_meta + 1) * sizeof *ord);
        if (!ord) return em_fail(EM_ERR_MEMORY, WHAT ": out of memory");
        for (int i = 0; i < n_meta; i++) ord[i] = i;
        for (int i = 1; i < n_meta; i++)   /* insertion sort: metadata maps are small */
            for (int j = i; j > 0 && strcmp(keys[ord[j - 1]], keys[ord[j]]) > 0; j--) {
                int tmp = ord[j];
                ord[j] = ord[j - 1];
                ord[j - 1] = tmp;
            }
        puts_(b, "\"__metadata__\":{");
        em_status st = EM_OK;
        for (int i = 0; i < n_meta && st == EM_OK; i++) {
            const char *k = keys[ord[i]], *v = values[ord[i]];
            if (!valid_utf8(k) || !valid_utf8(v)) st = em_fail(EM_ERR_VALUE, WHAT ": metadata must be UTF-8 text");
            if (i > 0 && strcmp(keys[ord[i - 1]], k) == 0)
                st = em_fail(EM_ERR_VALUE, WHAT ": the metadata key `%.200s` is used twice", k);
            if (i > 0) put(b, ",", 1);
            put_json_string(b, k);
            put(b, ":", 1);
            put_json_string(b, v);
        }
        free(ord);
        if (st != EM_OK) return st;
        put(b, "}", 1);
        if (n > 0) put(b, ",", 1);
    }
    uint64_t offset = 0;
    for (int i = 0; i < n; i++) {
        const em_tensor *t = items[i].t;
        int rank;
        if (i > 0) put(b, ",", 1);
        put_json_string(b, items[i].name);
        puts_(b, ":{\"dtype\":\"");
        puts_(b, st_name(t->dtype, &rank));
        puts_(b, "\",\"shape\":[");
        for (int d = 0; d < t->ndim; d++) {
            if (d > 0) put(b, ",", 1);
            put_u64(b, (uint64_t)t->shape[d]);
        }
        puts_(b, "],\"data_offsets\":[");
        put_u64(b, offset);
        put(b, ",", 1);
        offset += (uint64_t)(items[i].last - items[i].first);
        put_u64(b, offset);
        puts_(b, "]}");
    }
    put(b, "}", 1);
    while (b->len % 8 != 0) put(b, " ", 1);
    if (b->oom) return em_fail(EM_ERR_MEMORY, WHAT ": out of memory building the header");
    if (b->len > EM_ST_MAX_HEADER)
        return em_fail(EM_ERR_VALUE, WHAT ": the header would be %zu bytes, over the format's limit of %u",
                       b->len, EM_ST_MAX_HEADER);
    return EM_OK;
}

/* --- the data --- */
static bool host_is_big_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

static em_status write_tensor(em_atomic_file *f, const item *it)
{
    const em_tensor *t = it->t;
    size_t nbytes = it->last - it->first, elsize = em_dtype_size(t->dtype);
    if (nbytes == 0) return EM_OK;
    const unsigned char *src = (const unsigned char *)t->storage->data + it->first;
    bool direct = em_backend_host_memory(t->storage->backend) && !(elsize > 1 && host_is_big_endian());
    if (direct) return em_atomic_write(f, src, nbytes);
    unsigned char *host = malloc(nbytes);
    if (!host) return em_fail(EM_ERR_MEMORY, WHAT ": out of memory copying tensor `%.200s`", it->name);
    em_status st = t->storage->backend->copy_to_host(host, src, nbytes);
    if (st == EM_OK && elsize > 1 && host_is_big_endian())
        for (size_t i = 0; i < nbytes; i += elsize)
            for (size_t a = 0, b = elsize - 1; a < b; a++, b--) {
                unsigned char tmp = host[i + a];
                host[i + a] = host[i + b];
                host[i + b] = tmp;
            }
    if (st == EM_OK) st = em_atomic_write(f, host, nbytes);
    free(host);
    return st;
}

em_status em_st_save(const char *path, int n, const char *const *names, em_tensor *const *tensors,
                     int n_meta, const char *const *meta_keys, const char *const *meta_values)
{
    item *items = calloc((size_t)n + 1, sizeof *items);
    if (!items) return em_fail(EM_ERR_MEMORY, WHAT ": out of memory");
    buf b = {0};
    em_status st = check_items(n, names, tensors, items);
    if (st == EM_OK) st = build_header(&b, n, items, n_meta, meta_keys, meta_values);
    em_atomic_file *f = NULL;
    if (st == EM_OK) {
        f = em_atomic_open(path, WHAT);
        if (!f) st = em_last_status();
    }
    if (st == EM_OK) {
        unsigned char len8[8];
        for (int i = 0; i < 8; i++) len8[i] = (unsigned char)((uint64_t)b.len >> (8 * i));
        st = em_atomic_write(f, len8, 8);
    }
    if (st == EM_OK) st = em_atomic_write(f, b.p, b.len);
    for (int i = 0; i < n && st == EM_OK; i++) st = write_tensor(f, &items[i]);
    if (f) {
        if (st == EM_OK) st = em_atomic_commit(f);
        else em_atomic_abort(f);
    }
    free(b.p);
    free(items);
    return st;
}
