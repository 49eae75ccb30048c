/* pt_save.c — em_pt_save: pickle the tree, then stream the zip records into
** an atomic file. Storage bytes come straight from CPU memory (or through a
** host copy for other devices), as little-endian elements, whole storages. */
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

/* Adds data/<key> holding the storage's bytes. */
static em_status add_storage(em_zip_writer *z, const em_pickle_storage *s, size_t key)
{
    char name[32];
    snprintf(name, sizeof name, "data/%zu", key);
    const em_storage *st = s->storage;
    size_t elsize = em_dtype_size(s->dtype), nbytes = (size_t)s->numel * elsize;
    bool direct = st->backend->type == EM_CPU && !(elsize > 1 && host_is_big_endian());
    if (direct) return em_zip_add(z, name, st->data, nbytes);
    unsigned char *host = malloc(nbytes ? nbytes : 1);
    if (!host) return em_fail(EM_ERR_MEMORY, "torch.save: out of memory copying a %zu-byte storage", nbytes);
    em_status rc = st->backend->copy_to_host(host, st->data, nbytes);
    if (rc == EM_OK) {
        to_little_endian(host, nbytes, elsize);
        rc = em_zip_add(z, name, host, nbytes);
    }
    free(host);
    return rc;
}

em_status em_pt_save(const char *path, const em_pyval *tree)
{
    em_pickle pk;
    em_status st = em_pickle_write(tree, &pk);
    if (st != EM_OK) {
        em_pickle_free(&pk);
        return st;
    }
    em_atomic_file *f = em_atomic_open(path, "torch.save");
    if (!f) {
        em_pickle_free(&pk);
        return em_last_status();
    }
    char root[256];
    em_zip_root_for_path(path, root, sizeof root);
    em_zip_writer *z = em_zip_writer_new(root, sink, f);
    st = z ? em_zip_add(z, "data.pkl", pk.data, pk.len) : em_last_status();
    if (st == EM_OK) st = em_zip_add(z, "byteorder", "little", 6);
    for (size_t i = 0; i < pk.nstorages && st == EM_OK; i++) st = add_storage(z, &pk.storages[i], i);
    if (st == EM_OK) st = em_zip_add(z, "version", "3\n", 2);
    if (st == EM_OK) st = em_zip_finish(z);
    em_zip_writer_free(z);
    em_pickle_free(&pk);
    if (st != EM_OK) {
        em_atomic_abort(f);
        if (st != EM_ERR_IO) em_error_prefix(path);
        return st;
    }
    return em_atomic_commit(f);
}
