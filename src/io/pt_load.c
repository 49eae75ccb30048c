/* pt_load.c — em_pt_load: open the file, tell the two formats apart (a zip,
** or the legacy pickles: pt_load_legacy.c), and for a zip find the archive
** root, refuse records that would not fit the memory budget before reading
** them, check version / byteorder / TorchScript, then run data.pkl
** through the restricted unpickler (pickle_read.c) with a storage loader
** that checks the record size against numel x element size (overflow-safe)
** before allocating, reads the record straight into the tensor (or converts
** it chunk by chunk to ember's dtypes), checking its CRC, and caches by key. */
#include "pt_load.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/runtime.h"
#include "pickle_read.h"
#include "pt_elements.h"
#include "pt_load_legacy.h"
#include "text.h"
#include "file_read.h"
#include "zip_read.h"

#define MAX_STORAGE_BYTES ((uint64_t)1 << 46)

typedef struct cached {
    char key[24];
    em_pt_stype type;
    em_tensor *base;
} cached;

typedef struct loader {
    const char *path;
    em_zip_reader *z;
    char root[256];
    bool big_endian;              /* the file's elements */
    cached *cache;
    size_t ncache, cap;
    em_pt_notes notes;
} loader;

typedef struct convert_ctx {
    em_pt_stype type;
    bool big;
    unsigned char *dst;
    size_t dst_size;        /* bytes per ember element */
} convert_ctx;

static em_status convert_chunk(void *ctx, const unsigned char *p, size_t n, uint64_t offset)
{
    convert_ctx *c = ctx;
    size_t es = em_pt_stype_size(c->type);
    em_pt_convert_elements(c->type, p, (int64_t)(n / es), c->big, c->dst + (size_t)(offset / es) * c->dst_size);
    return EM_OK;
}

static em_tensor *load_storage(void *ctx, em_pt_stype type, const char *key, const char *location, int64_t numel)
{
    loader *ld = ctx;
    for (size_t i = 0; i < ld->ncache; i++) {
        cached *c = &ld->cache[i];
        if (strcmp(c->key, key) != 0) continue;
        if (c->type != type || c->base->shape[0] != numel) {
            em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' is named as %s of %lld elements and as %s of %lld",
                    ld->path, key, em_pt_stype_name(c->type), (long long)c->base->shape[0],
                    em_pt_stype_name(type), (long long)numel);
            return NULL;
        }
        em_tensor_retain(c->base);
        return c->base;
    }
    char name[300];
    snprintf(name, sizeof name, "%s/data/%s", ld->root, key);
    long idx = em_zip_index(ld->z, name);
    if (idx < 0) {
        em_fail(EM_ERR_IO, "torch.load: %s: storage '%s' has no record %s in the archive", ld->path, key, name);
        return NULL;
    }
    uint64_t len = em_zip_size(ld->z, (size_t)idx);
    size_t es = em_pt_stype_size(type);
    if ((uint64_t)numel > MAX_STORAGE_BYTES / es) {
        em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' claims %lld %s elements, far more than record %s "
                "(%llu bytes) holds; refusing to read it", ld->path, key, (long long)numel,
                em_pt_torch_dtype_name(type), name, (unsigned long long)len);
        return NULL;
    }
    if ((uint64_t)numel * es != len) {
        em_fail(EM_ERR_VALUE, "torch.load: %s: record %s holds %llu bytes but storage '%s' needs %llu (%lld %s "
                "elements of %zu bytes); refusing to read it", ld->path, name, (unsigned long long)len, key,
                (unsigned long long)numel * es, (long long)numel, em_pt_torch_dtype_name(type), es);
        return NULL;
    }
    if (ld->ncache == ld->cap) {
        size_t cap = ld->cap ? ld->cap * 2 : 16;
        cached *p = realloc(ld->cache, cap * sizeof *p);
        if (!p) {
            em_fail(EM_ERR_MEMORY, "torch.load: out of memory");
            return NULL;
        }
        ld->cache = p;
        ld->cap = cap;
    }
    /* records are read straight into the tensor: host memory only */
    const em_backend *be = em_host_backend_for("torch.load", em_default_device());
    em_tensor *base = be ? em_tensor_empty(1, &numel, em_pt_ember_dtype(type), be) : NULL;
    if (!base) return NULL;
    em_status st;
    if (em_pt_same_bytes(type, ld->big_endian)) {
        st = em_zip_read(ld->z, (size_t)idx, base->storage->data);        /* straight into the tensor */
    } else {
        convert_ctx cc = {type, ld->big_endian, base->storage->data, em_dtype_size(base->dtype)};
        st = em_zip_stream(ld->z, (size_t)idx, convert_chunk, &cc);
    }
    if (st != EM_OK) {
        em_tensor_release(base);
        return NULL;
    }
    cached *c = &ld->cache[ld->ncache++];
    snprintf(c->key, sizeof c->key, "%s", key);
    c->type = type;
    c->base = base;
    em_pt_note_storage(&ld->notes, type, location);
    em_tensor_retain(base);
    return base;
}

static void note(char *buf, size_t n, const char *fmt, const char *a, const char *b)
{
    if (!buf || !n) return;
    size_t used = strlen(buf);
    if (used + 3 >= n) return;
    if (used) {
        snprintf(buf + used, n - used, "; ");
        used += 2;
    }
    snprintf(buf + used, n - used, fmt, a, b);
}

/* Reads a record of at most 16 bytes (version, byteorder) into d: 1 when
** found, 0 when absent, -1 with a status set (too long, CRC). */
static int small_record(loader *ld, const char *name, unsigned char d[16], size_t *len)
{
    long i = em_zip_index(ld->z, name);
    if (i < 0) return 0;
    uint64_t size = em_zip_size(ld->z, (size_t)i);
    if (size > 16) {
        em_fail(EM_ERR_IO, "torch.load: %s: record %s holds %llu bytes, too many for what it should say", ld->path,
                name, (unsigned long long)size);
        return -1;
    }
    if (em_zip_read(ld->z, (size_t)i, d) != EM_OK) return -1;
    *len = (size_t)size;
    return 1;
}

/* Root folder, required records, version, byteorder. */
static em_status check_archive(loader *ld, char *notice, size_t n)
{
    const char *first = em_zip_count(ld->z) ? em_zip_name(ld->z, 0) : NULL;
    const char *slash = first ? strchr(first, '/') : NULL;
    if (!slash || (size_t)(slash - first) >= sizeof ld->root)
        return em_fail(EM_ERR_IO, "torch.load: %s: file in archive is not in a subdirectory (not a torch.save file)",
                       ld->path);
    memcpy(ld->root, first, (size_t)(slash - first));
    ld->root[slash - first] = '\0';
    size_t rl = strlen(ld->root);
    for (size_t i = 0; i < em_zip_count(ld->z); i++) {
        const char *nm = em_zip_name(ld->z, i);
        if (strncmp(nm, ld->root, rl) != 0 || nm[rl] != '/') {
            char a[160], b[160];
            return em_fail(EM_ERR_IO, "torch.load: %s: entry %s is outside the archive folder %s/", ld->path,
                           em_text_safe(nm, strlen(nm), a, sizeof a), em_text_safe(ld->root, rl, b, sizeof b));
        }
    }
    char name[300];
    unsigned char d[16];
    size_t len = 0;
    snprintf(name, sizeof name, "%s/constants.pkl", ld->root);
    if (em_zip_index(ld->z, name) >= 0)
        return em_fail(EM_ERR_IO, "torch.load: %s: this is a TorchScript archive (torch.jit.save), which ember "
                       "cannot load", ld->path);
    snprintf(name, sizeof name, "%s/.data/version", ld->root);
    int found = small_record(ld, name, d, &len);
    if (found == 0) {
        snprintf(name, sizeof name, "%s/version", ld->root);
        found = small_record(ld, name, d, &len);
        if (found == 0) return em_fail(EM_ERR_IO, "torch.load: %s: the archive has no version record", ld->path);
    }
    if (found < 0) return em_last_status();
    unsigned long version = 0;
    size_t i = 0;
    for (; i < len && i < 4 && d[i] >= '0' && d[i] <= '9'; i++) version = version * 10 + (d[i] - '0');
    if (i == 0) return em_fail(EM_ERR_IO, "torch.load: %s: could not parse the version record", ld->path);
    if (version < 1 || version > 10 || (i < len && d[i] >= '0' && d[i] <= '9'))
        return em_fail(EM_ERR_IO, "torch.load: %s: file format version %.*s is not supported (1 to 10 are)",
                       ld->path, (int)i, (const char *)d);
    if (version != 3) {
        char v[8];
        snprintf(v, sizeof v, "%lu", version);
        note(notice, n, "format version %s (torch.save writes 3)%s", v, "");
    }
    snprintf(name, sizeof name, "%s/byteorder", ld->root);
    found = small_record(ld, name, d, &len);
    if (found < 0) return em_last_status();
    if (found > 0) {
        if (len == 3 && memcmp(d, "big", 3) == 0) ld->big_endian = true;
        else if (!(len == 6 && memcmp(d, "little", 6) == 0))
            return em_fail(EM_ERR_IO, "torch.load: %s: unknown byteorder record (expected 'little' or 'big')",
                           ld->path);
    }
    return EM_OK;
}

static em_status parse_map_location(const char *path, const char *ml, bool *cuda)
{
    *cuda = false;
    if (!ml || strcmp(ml, "cpu") == 0) return EM_OK;
    if (strncmp(ml, "cuda", 4) == 0 && (ml[4] == '\0' || (ml[4] == ':' && ml[5] && strspn(ml + 5, "0123456789") == strlen(ml + 5)))) {
        *cuda = true;
        return EM_OK;
    }
    return em_fail(EM_ERR_VALUE, "torch.load: %s: map_location '%.40s' is not supported ('cpu' or 'cuda[:N]')", path, ml);
}

/* Refuses, before any record is read, a file whose storage records alone
** would not fit the memory budget (they all become tensors). */
static em_status check_budget(loader *ld)
{
    uint64_t total = 0;
    for (size_t i = 0; i < em_zip_count(ld->z); i++) {
        const char *nm = em_zip_name(ld->z, i), *d = strstr(nm, "/data/");
        if (d && d[6] && strspn(d + 6, "0123456789") == strlen(d + 6)) total += em_zip_size(ld->z, i);
    }
    if (total > SIZE_MAX || em_mem_budget_check((size_t)total) != EM_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s", em_last_error());
        return em_fail(EM_ERR_MEMORY, "torch.load: %s: refusing to load: its tensors need %.1f MB, which the "
                       "memory budget does not allow (%s)", ld->path, (double)total / 1048576.0, why);
    }
    return EM_OK;
}

static em_status load_zip(loader *ld, const em_src *src, char *notice, size_t n, em_pyval **root)
{
    ld->z = em_zip_open_src(src);
    if (!ld->z) return em_last_status();
    em_status st = check_budget(ld);
    if (st == EM_OK) st = check_archive(ld, notice, n);
    unsigned char *pkl = NULL;
    size_t len = 0;
    char name[300], what[1200];
    if (st == EM_OK) {
        snprintf(name, sizeof name, "%s/data.pkl", ld->root);
        st = em_zip_load(ld->z, name, &pkl, &len);
    }
    if (st == EM_OK) {
        em_mem_note_alloc(len);       /* the pickle's bytes count while it runs */
        snprintf(what, sizeof what, "torch.load: %s: data.pkl", ld->path);
        em_unpickle_opts o = {load_storage, ld, what, NULL};
        st = em_pickle_read(pkl, len, &o, root);
        em_mem_note_free(len);
    }
    free(pkl);
    for (size_t i = 0; i < ld->ncache; i++) em_tensor_release(ld->cache[i].base);
    free(ld->cache);
    em_zip_close(ld->z);
    return st;
}

/* Tells the formats apart by their first bytes and reads src. */
static em_status load_src(loader *ld, const em_src *src, char *notice, size_t n, em_pyval **root)
{
    unsigned char head[32] = {0};
    size_t hn = src->len < sizeof head ? (size_t)src->len : sizeof head;
    em_status st = em_src_read(src, 0, head, hn);
    if (st != EM_OK) return st;
    if (hn >= 4 && memcmp(head, "PK\3\4", 4) == 0) return load_zip(ld, src, notice, n, root);
    if (em_pt_is_legacy(head, hn)) return em_pt_load_legacy(ld->path, src, &ld->notes, root);
    return em_fail(EM_ERR_IO, "torch.load: %s: not a PyTorch zip checkpoint (which starts with PK\\3\\4, torch.save's "
                   "format since PyTorch 1.6), nor a legacy one (which starts with the pickled magic number "
                   "0x1950a86a20f9469cfc6c)", ld->path);
}

em_status em_pt_load_from(const em_src *src, const char *path, const char *map_location, em_pyval **root,
                          char *notice, size_t n)
{
    *root = NULL;
    if (notice && n) notice[0] = '\0';
    bool want_cuda;
    em_status st = parse_map_location(path, map_location, &want_cuda);
    if (st != EM_OK) return st;
    loader ld = {.path = path};
    st = load_src(&ld, src, notice, n, root);
    if (st != EM_OK) {
        em_pyval_free(*root);
        *root = NULL;
        return st;
    }
    char conv[160] = "";
    for (int t = 0; t < EM_PT_NUM_STYPES; t++)
        if (ld.notes.converted[t])
            snprintf(conv + strlen(conv), sizeof conv - strlen(conv), "%s%s -> %s", conv[0] ? ", " : "",
                     em_pt_torch_dtype_name(t), em_dtype_name(em_pt_ember_dtype(t)));
    if (conv[0]) note(notice, n, "converted %s (ember has no such dtypes)", conv, "");
    if (want_cuda) note(notice, n, "map_location '%s': tensors were loaded to the CPU%s", map_location,
                        " (ember has no CUDA support yet)");
    else if (ld.notes.other_loc[0] && !map_location)
        note(notice, n, "tensors saved on %s were loaded to the CPU%s", ld.notes.other_loc,
             strncmp(ld.notes.other_loc, "cuda", 4) == 0 ? " (ember has no CUDA support yet)" : "");
    if (notice && notice[0]) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "torch.load: %s: %s", path, notice);
        snprintf(notice, n, "%s", tmp);
    }
    return EM_OK;
}

em_status em_pt_load(const char *path, const char *map_location, em_pyval **root, char *notice, size_t n)
{
    *root = NULL;
    char label[1100];
    snprintf(label, sizeof label, "torch.load: %s", path);
    em_src src;
    em_status st = em_src_open(&src, path, label);
    if (st == EM_OK) st = em_pt_load_from(&src, path, map_location, root, notice, n);
    em_src_close(&src);
    return st;
}
