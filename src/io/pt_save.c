/* pt_save.c — em_pt_save: pickle the tree, then stream the zip records (or,
** for the legacy format, the header pickles, the value, the key list and the
** storages as _legacy_save writes them) into an atomic file. Storage bytes
** come straight from CPU memory (or through a host copy for other devices),
** as little-endian elements, whole storages. */
#include "pt_save.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "pickle_write.h"
#include "zip_write.h"

static em_status sink(void *ctx, const void *p, size_t n) { return em_atomic_write(ctx, p, n); }

static bool host_is_big_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

static void to_little_endian(unsigned char *p, size_t nbytes, size_t elsize)
{
    if (elsize == 1 || !host_is_big_endian()) return;
    for (size_t i = 0; i + elsize <= nbytes; i += elsize)
        for (size_t a = 0, b = elsize - 1; a < b; a++, b--) {
            unsigned char t = p[i + a];
            p[i + a] = p[i + b];
            p[i + b] = t;
        }
}

/* Calls put(ctx, name, bytes, n) with the storage's bytes as little-endian
** elements: straight from CPU memory, or through a host copy. */
static em_status with_storage_bytes(const em_pickle_storage *s, const char *name, void *ctx,
                                    em_status (*put)(void *ctx, const char *name, const void *p, size_t n))
{
    const em_storage *st = s->storage;
    size_t elsize = em_dtype_size(s->dtype), nbytes = (size_t)s->numel * elsize;
    bool direct = em_backend_host_memory(st->backend) && !(elsize > 1 && host_is_big_endian());
    if (direct) return put(ctx, name, st->data, nbytes);
    unsigned char *host = malloc(nbytes ? nbytes : 1);
    if (!host) return em_fail(EM_ERR_MEMORY, "torch.save: out of memory copying a %zu-byte storage", nbytes);
    em_status rc = st->backend->copy_to_host(host, st->data, nbytes);
    if (rc == EM_OK) {
        to_little_endian(host, nbytes, elsize);
        rc = put(ctx, name, host, nbytes);
    }
    free(host);
    return rc;
}

static em_status zip_put(void *ctx, const char *name, const void *p, size_t n) { return em_zip_add(ctx, name, p, n); }

/* Adds data/<key> holding the storage's bytes. */
static em_status add_storage(em_zip_writer *z, const em_pickle_storage *s, size_t key)
{
    char name[32];
    snprintf(name, sizeof name, "data/%zu", key);
    return with_storage_bytes(s, name, z, zip_put);
}

static em_status write_zip(em_atomic_file *f, const char *path, const em_pickle *pk)
{
    char root[256];
    em_zip_root_for_path(path, root, sizeof root);
    em_zip_writer *z = em_zip_writer_new(root, sink, f);
    em_status st = z ? em_zip_add(z, "data.pkl", pk->data, pk->len) : em_last_status();
    if (st == EM_OK) st = em_zip_add(z, "byteorder", "little", 6);
    for (size_t i = 0; i < pk->nstorages && st == EM_OK; i++) st = add_storage(z, &pk->storages[i], i);
    if (st == EM_OK) st = em_zip_add(z, "version", "3\n", 2);
    if (st == EM_OK) st = em_zip_finish(z);
    em_zip_writer_free(z);
    return st;
}

/* --- the legacy format --- */
static em_status file_put(void *ctx, const char *name, const void *p, size_t n)
{
    (void)name;
    return em_atomic_write(ctx, p, n);
}

/* Pickles v (no tensors) and appends it to the file. */
static em_status write_pickle(em_atomic_file *f, const em_pyval *v, const em_pickle_opts *o)
{
    em_pickle pk;
    em_status st = em_pickle_write_with(v, o, &pk);
    if (st == EM_OK) st = em_atomic_write(f, pk.data, pk.len);
    em_pickle_free(&pk);
    return st;
}

/* sys_info as _legacy_save writes it: protocol_version, little_endian,
** type_sizes {short, int, long} (the sizes of PyTorch's Linux x86-64 build). */
static em_pyval *sys_info(void)
{
    em_pyval *d = em_pyval_new(EM_PY_DICT), *sizes = em_pyval_new(EM_PY_DICT);
    if (!d || !sizes) {
        em_pyval_free(d);
        em_pyval_free(sizes);
        return NULL;
    }
    static const struct { const char *name; int size; } ts[] = {{"short", 2}, {"int", 4}, {"long", 4}};
    em_status st = EM_OK;
    for (size_t i = 0; i < 3 && st == EM_OK; i++)
        st = em_pyval_dict_set(sizes, em_pyval_new_str(ts[i].name, strlen(ts[i].name)), em_pyval_new_int(ts[i].size));
    if (st == EM_OK) st = em_pyval_dict_set(d, em_pyval_new_str("protocol_version", 16), em_pyval_new_int(1001));
    if (st == EM_OK) st = em_pyval_dict_set(d, em_pyval_new_str("little_endian", 13), em_pyval_new_bool(true));
    if (st == EM_OK) st = em_pyval_dict_set(d, em_pyval_new_str("type_sizes", 10), sizes);
    else em_pyval_free(sizes);
    if (st != EM_OK) {
        em_pyval_free(d);
        return NULL;
    }
    return d;
}

static em_status write_legacy(em_atomic_file *f, const em_pickle *pk, int protocol)
{
    em_pickle_opts o = {protocol, true};
    /* the magic number 0x1950a86a20f9469cfc6c (LONG1, 10 bytes) and the protocol version 1001 */
    unsigned char magic[15] = {0x80, (unsigned char)protocol, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20,
                               0x6a, 0xa8, 0x50, 0x19, '.'};
    unsigned char version[6] = {0x80, (unsigned char)protocol, 'M', 0xe9, 0x03, '.'};
    em_status st = em_atomic_write(f, magic, sizeof magic);
    if (st == EM_OK) st = em_atomic_write(f, version, sizeof version);
    em_pyval *info = st == EM_OK ? sys_info() : NULL;
    if (st == EM_OK) st = info ? write_pickle(f, info, &o) : em_last_status();
    em_pyval_free(info);
    if (st == EM_OK) st = em_atomic_write(f, pk->data, pk->len);
    /* the storage keys, then each storage: int64 little-endian element count, elements */
    em_pyval *keys = st == EM_OK ? em_pyval_new(EM_PY_LIST) : NULL;
    if (st == EM_OK && !keys) st = em_last_status();
    for (size_t i = 0; i < pk->nstorages && st == EM_OK; i++) {
        char key[24];
        int n = snprintf(key, sizeof key, "%zu", i);
        em_pyval *k = em_pyval_new_str(key, (size_t)n);
        st = k ? em_pyval_append(keys, k) : em_last_status();
    }
    if (st == EM_OK) st = write_pickle(f, keys, &o);
    em_pyval_free(keys);
    for (size_t i = 0; i < pk->nstorages && st == EM_OK; i++) {
        uint64_t numel = (uint64_t)pk->storages[i].numel;
        unsigned char count[8];
        for (int b = 0; b < 8; b++) count[b] = (unsigned char)(numel >> (8 * b));
        st = em_atomic_write(f, count, 8);
        if (st == EM_OK) st = with_storage_bytes(&pk->storages[i], NULL, f, file_put);
    }
    return st;
}

/* "torch.save: PATH: reason" from the last message ("torch.save: reason"). */
static em_status with_path(em_status st, const char *path)
{
    char msg[1024];
    const char *m = em_last_error();
    snprintf(msg, sizeof msg, "%s", strncmp(m, "torch.save: ", 12) == 0 ? m + 12 : m);
    return em_fail(st, "torch.save: %s: %s", path, msg);
}

em_status em_pt_save(const char *path, const em_pyval *tree)
{
    em_pt_save_opts o = {2, false};
    return em_pt_save_with(path, tree, &o);
}

em_status em_pt_save_with(const char *path, const em_pyval *tree, const em_pt_save_opts *opts)
{
    em_pickle pk;
    em_pickle_opts po = {opts->protocol, opts->legacy};
    em_status st = em_pickle_write_with(tree, &po, &pk);
    if (st != EM_OK) {
        em_pickle_free(&pk);
        return with_path(st, path);
    }
    em_atomic_file *f = em_atomic_open(path, "torch.save");
    if (!f) {
        em_pickle_free(&pk);
        return em_last_status();
    }
    st = opts->legacy ? write_legacy(f, &pk, opts->protocol) : write_zip(f, path, &pk);
    em_pickle_free(&pk);
    if (st != EM_OK) {
        em_atomic_abort(f);
        return st == EM_ERR_IO ? st : with_path(st, path);
    }
    return em_atomic_commit(f);
}
