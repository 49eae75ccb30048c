/* pt_load_legacy.c — the legacy reader of pt_load_legacy.h, following
** torch/serialization.py's _legacy_load (PyTorch 1.13): the header pickles
** are checked for the values _legacy_save writes, storages named by the
** value's persistent ids are allocated (each claim checked against the
** bytes left in the file first) and filled afterwards in the order of the
** key list, where every element count must match the claim. A key in the
** list that no tensor names, a storage the list leaves out, or a key listed
** twice is refused: PyTorch would hand out uninitialised memory or fail. */
#include "pt_load_legacy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/runtime.h"
#include "pickle_read.h"
#include "text.h"

/* LONG1 of 10 bytes: 0x1950a86a20f9469cfc6c, little-endian */
static const unsigned char MAGIC[12] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
#define PROTOCOL_VERSION 1001

typedef struct lstorage {
    char key[24];
    em_pt_stype type;
    em_tensor *base;
    bool filled;
} lstorage;

typedef struct lreader {
    const char *path;
    const em_src *src;
    uint64_t len;                 /* the file's bytes */
    uint64_t claimed;             /* bytes the storages named so far need in the file */
    lstorage *s;
    size_t n, cap;
    em_pt_notes *notes;
} lreader;

/* Length of the magic pickle at p (PROTO 2..5, an optional FRAME, the
** LONG1, STOP), or 0 when p does not start with it. */
static size_t magic_len(const unsigned char *p, size_t len)
{
    size_t i = 0;
    if (len < 2 || p[0] != 0x80 || p[1] < 2 || p[1] > 5) return 0;
    i = 2;
    if (i < len && p[i] == 0x95) {
        if (len - i < 9) return 0;
        i += 9;
    }
    if (len - i < sizeof MAGIC + 1 || memcmp(p + i, MAGIC, sizeof MAGIC) != 0 || p[i + sizeof MAGIC] != '.') return 0;
    return i + sizeof MAGIC + 1;
}

bool em_pt_is_legacy(const unsigned char *p, size_t len) { return magic_len(p, len) > 0; }

static em_tensor *legacy_storage(void *ctx, em_pt_stype type, const char *key, const char *location, int64_t numel)
{
    lreader *r = ctx;
    for (size_t i = 0; i < r->n; i++) {
        lstorage *c = &r->s[i];
        if (strcmp(c->key, key) != 0) continue;
        if (c->type != type || c->base->shape[0] != numel) {
            em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' is named as %s of %lld elements and as %s of %lld",
                    r->path, key, em_pt_stype_name(c->type), (long long)c->base->shape[0], em_pt_stype_name(type),
                    (long long)numel);
            return NULL;
        }
        em_tensor_retain(c->base);
        return c->base;
    }
    size_t es = em_pt_stype_size(type);
    uint64_t need = 8 + (uint64_t)numel * es;
    if ((uint64_t)numel > r->len / es || r->claimed + need > r->len) {
        em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' claims %lld %s elements, more than the %llu-byte file "
                "holds; refusing to read it", r->path, key, (long long)numel, em_pt_torch_dtype_name(type),
                (unsigned long long)r->len);
        return NULL;
    }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        lstorage *p = realloc(r->s, cap * sizeof *p);
        if (!p) {
            em_fail(EM_ERR_MEMORY, "torch.load: out of memory");
            return NULL;
        }
        r->s = p;
        r->cap = cap;
    }
    /* elements are read straight into the tensor (read_elements): host memory only */
    const em_backend *be = em_host_backend_for("torch.load", em_default_device());
    em_tensor *base = be ? em_tensor_empty(1, &numel, em_pt_ember_dtype(type), be) : NULL;
    if (!base) return NULL;
    r->claimed += need;
    lstorage *c = &r->s[r->n++];
    snprintf(c->key, sizeof c->key, "%s", key);
    c->type = type;
    c->base = base;
    c->filled = false;
    em_pt_note_storage(r->notes, type, location);
    em_tensor_retain(base);
    return base;
}

/* Runs one of the header pickles (no storages) at *pos of buf. */
static em_status header_pickle(lreader *r, const unsigned char *buf, size_t blen, size_t *pos, const char *which,
                               bool *short_buf, em_pyval **out)
{
    char what[1200];
    snprintf(what, sizeof what, "torch.load: %s: the legacy %s pickle", r->path, which);
    em_unpickle_opts o = {NULL, NULL, what, short_buf};
    size_t used = 0;
    em_status st = em_pickle_read_prefix(buf + *pos, blen - *pos, &o, out, &used);
    *pos += used;
    return st;
}

static lstorage *find(lreader *r, const char *key, size_t n)
{
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->s[i].key) == n && memcmp(r->s[i].key, key, n) == 0) return &r->s[i];
    return NULL;
}

/* One storage's elements at off, converted chunk by chunk (or read straight
** into the tensor when the bytes are ember's). */
static em_status read_elements(lreader *r, const lstorage *s, uint64_t off)
{
    size_t es = em_pt_stype_size(s->type), ds = em_dtype_size(s->base->dtype);
    int64_t numel = s->base->shape[0];
    unsigned char *dst = s->base->storage->data;
    if (em_pt_same_bytes(s->type, false)) return em_src_read(r->src, off, dst, (size_t)numel * es);
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    if (!buf) return em_fail(EM_ERR_MEMORY, "torch.load: out of memory");
    em_status st = EM_OK;
    for (int64_t done = 0; done < numel && st == EM_OK;) {
        int64_t k = numel - done > (int64_t)(CHUNK / es) ? (int64_t)(CHUNK / es) : numel - done;
        st = em_src_read(r->src, off + (uint64_t)done * es, buf, (size_t)k * es);
        if (st == EM_OK) em_pt_convert_elements(s->type, buf, k, false, dst + (size_t)done * ds);
        done += k;
    }
    free(buf);
    return st;
}

/* The storages listed in keys, from byte pos of the file: each an int64
** little-endian element count and its elements. */
static em_status read_storages(lreader *r, uint64_t pos, const em_pyval *keys)
{
    if (keys->kind != EM_PY_LIST)
        return em_fail(EM_ERR_VALUE, "torch.load: %s: the legacy storage key list is not a list", r->path);
    char shown[64];
    for (size_t i = 0; i < keys->u.seq.len; i++) {
        const em_pyval *k = keys->u.seq.items[i];
        if (k->kind != EM_PY_STR)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: the legacy storage key list holds a non-string", r->path);
        lstorage *s = find(r, k->u.s.data, k->u.s.len);
        if (!s)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: the storage key list names '%s', which no tensor uses",
                           r->path, em_text_safe(k->u.s.data, k->u.s.len, shown, sizeof shown));
        if (s->filled)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' is listed twice", r->path, s->key);
        size_t es = em_pt_stype_size(s->type);
        int64_t numel = s->base->shape[0];
        unsigned char cnt[8];
        if (r->len - pos < 8 || em_src_read(r->src, pos, cnt, 8) != EM_OK)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: the file ends before storage '%s' (truncated)", r->path,
                           s->key);
        uint64_t count = 0;
        for (int b = 0; b < 8; b++) count |= (uint64_t)cnt[b] << (8 * b);
        pos += 8;
        if (count != (uint64_t)numel)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' holds %llu elements in the file but the value "
                           "names %lld; refusing to read it", r->path, s->key, (unsigned long long)count,
                           (long long)numel);
        if ((uint64_t)numel * es > r->len - pos)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: the file ends inside storage '%s' (%llu bytes needed, %llu "
                           "left; truncated)", r->path, s->key, (unsigned long long)numel * es,
                           (unsigned long long)(r->len - pos));
        em_status st = read_elements(r, s, pos);
        if (st != EM_OK) return st;
        pos += (uint64_t)numel * es;
        s->filled = true;
    }
    for (size_t i = 0; i < r->n; i++)
        if (!r->s[i].filled)
            return em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' is used by a tensor but its data is not in the "
                           "file", r->path, r->s[i].key);
    return EM_OK;
}

static void drop_storages(lreader *r)
{
    for (size_t i = 0; i < r->n; i++) em_tensor_release(r->s[i].base);
    r->n = 0;
    r->claimed = 0;
}

/* The five pickles from buf (the file's first blen bytes): *short_buf is set
** when they run past its end. *pos receives where the storages begin. */
static em_status read_pickles(lreader *r, const unsigned char *buf, size_t blen, bool *short_buf, size_t *pos,
                              em_pyval **root, em_pyval **keys)
{
    em_pyval *version = NULL, *sys_info = NULL;
    *pos = magic_len(buf, blen);
    em_status st = EM_OK;
    if (*pos == 0) st = em_fail(EM_ERR_VALUE, "torch.load: %s: no legacy magic number", r->path);
    if (st == EM_OK) st = header_pickle(r, buf, blen, pos, "protocol version", short_buf, &version);
    if (st == EM_OK && (version->kind != EM_PY_INT || version->u.i != PROTOCOL_VERSION))
        st = em_fail(EM_ERR_VALUE, "torch.load: %s: legacy protocol version %lld is not supported (%d is)", r->path,
                     version->kind == EM_PY_INT ? (long long)version->u.i : -1LL, PROTOCOL_VERSION);
    if (st == EM_OK) st = header_pickle(r, buf, blen, pos, "sys_info", short_buf, &sys_info);
    if (st == EM_OK && sys_info->kind != EM_PY_DICT)
        st = em_fail(EM_ERR_VALUE, "torch.load: %s: the legacy sys_info is not a dict", r->path);
    if (st == EM_OK) {
        char what[1200];
        snprintf(what, sizeof what, "torch.load: %s: the legacy value pickle", r->path);
        em_unpickle_opts o = {legacy_storage, r, what, short_buf};
        size_t used = 0;
        st = em_pickle_read_prefix(buf + *pos, blen - *pos, &o, root, &used);
        *pos += used;
    }
    if (st == EM_OK) st = header_pickle(r, buf, blen, pos, "storage key list", short_buf, keys);
    em_pyval_free(version);
    em_pyval_free(sys_info);
    return st;
}

em_status em_pt_load_legacy(const char *path, const em_src *src, em_pt_notes *notes, em_pyval **root)
{
    *root = NULL;
    lreader r = {.path = path, .src = src, .len = src->len, .notes = notes};
    em_pyval *keys = NULL;
    size_t pos = 0;
    em_status st = EM_OK;
    /* the pickles come first and say nothing of their length: read 64 KiB,
       four times more while they run past the end of what was read */
    for (uint64_t want = 65536;; want *= 4) {
        size_t blen = (size_t)(want < r.len ? want : r.len);
        bool short_buf = false;
        st = em_mem_budget_check(blen);
        unsigned char *buf = st == EM_OK ? malloc(blen ? blen : 1) : NULL;
        if (st == EM_OK && !buf) st = em_fail(EM_ERR_MEMORY, "torch.load: out of memory");
        if (st == EM_OK) {
            em_mem_note_alloc(blen);
            st = em_src_read(src, 0, buf, blen);
            if (st == EM_OK) st = read_pickles(&r, buf, blen, &short_buf, &pos, root, &keys);
            em_mem_note_free(blen);
        }
        free(buf);
        if (st == EM_OK || !short_buf || blen == r.len) break;
        em_pyval_free(*root);     /* start again with more of the file */
        em_pyval_free(keys);
        *root = keys = NULL;
        drop_storages(&r);
    }
    if (st == EM_OK) st = read_storages(&r, pos, keys);
    drop_storages(&r);
    free(r.s);
    em_pyval_free(keys);
    if (st != EM_OK) {
        em_pyval_free(*root);
        *root = NULL;
    }
    return st;
}
