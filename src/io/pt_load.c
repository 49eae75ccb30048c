/* pt_load.c — em_pt_load: open the zip (zip_read.c), find the archive root,
** check version / byteorder / TorchScript, then run data.pkl through the
** restricted unpickler (pickle_read.c) with a storage loader that checks the
** record size against numel x element size (overflow-safe) before
** allocating, converts elements to ember's dtypes and caches by key. */
#include "pt_load.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pickle_read.h"
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
    bool converted[EM_PT_NUM_STYPES];
    char other_loc[32];           /* first non-cpu location seen */
} loader;

static em_dtype ember_dtype(em_pt_stype t)
{
    switch (t) {
    case EM_PT_FLOAT: case EM_PT_HALF: case EM_PT_BFLOAT16: return EM_FLOAT32;
    case EM_PT_DOUBLE: return EM_FLOAT64;
    case EM_PT_LONG: return EM_INT64;
    case EM_PT_INT: case EM_PT_SHORT: case EM_PT_CHAR: return EM_INT32;
    case EM_PT_BYTE: return EM_UINT8;
    default: return EM_BOOL;
    }
}

static const char *torch_dtype_name(em_pt_stype t)
{
    static const char *names[EM_PT_NUM_STYPES] = {"float32", "float64", "float16", "bfloat16", "int64",
                                                 "int32", "int16", "int8", "uint8", "bool"};
    return names[t];
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, exp = (h >> 10) & 0x1F, man = h & 0x3FF, bits;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | man << 13;                 /* inf / nan */
    } else if (exp != 0) {
        bits = sign | (exp + 112) << 23 | man << 13;           /* normal: rebias 15 -> 127 */
    } else if (man == 0) {
        bits = sign;                                           /* zero */
    } else {                                                   /* subnormal: normalise */
        int e = -1;
        do {
            man <<= 1;
            e++;
        } while (!(man & 0x400));
        bits = sign | (uint32_t)(112 - e) << 23 | (man & 0x3FF) << 13;
    }
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Element i of the record as an unsigned little-endian (or swapped) value. */
static uint64_t raw(const unsigned char *p, size_t elsize, size_t i, bool big)
{
    uint64_t v = 0;
    const unsigned char *e = p + i * elsize;
    for (size_t b = 0; b < elsize; b++) v |= (uint64_t)e[big ? elsize - 1 - b : b] << (8 * b);
    return v;
}

static void convert_elements(em_pt_stype t, const unsigned char *src, int64_t numel, bool big, void *dst)
{
    size_t es = em_pt_stype_size(t);
    for (int64_t i = 0; i < numel; i++) {
        uint64_t v = raw(src, es, (size_t)i, big);
        switch (t) {
        case EM_PT_FLOAT: { uint32_t u = (uint32_t)v; memcpy((float *)dst + i, &u, 4); break; }
        case EM_PT_DOUBLE: memcpy((double *)dst + i, &v, 8); break;
        case EM_PT_HALF: ((float *)dst)[i] = half_to_float((uint16_t)v); break;
        case EM_PT_BFLOAT16: { uint32_t u = (uint32_t)v << 16; memcpy((float *)dst + i, &u, 4); break; }
        case EM_PT_LONG: ((int64_t *)dst)[i] = (int64_t)v; break;
        case EM_PT_INT: ((int32_t *)dst)[i] = (int32_t)(uint32_t)v; break;
        case EM_PT_SHORT: ((int32_t *)dst)[i] = (int16_t)(uint16_t)v; break;
        case EM_PT_CHAR: ((int32_t *)dst)[i] = (int8_t)(uint8_t)v; break;
        case EM_PT_BYTE: ((uint8_t *)dst)[i] = (uint8_t)v; break;
        default: ((bool *)dst)[i] = v != 0; break;
        }
    }
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
    const unsigned char *data;
    size_t len;
    if (!em_zip_find(ld->z, name, &data, &len)) {
        em_fail(EM_ERR_IO, "torch.load: %s: storage '%s' has no record %s in the archive", ld->path, key, name);
        return NULL;
    }
    size_t es = em_pt_stype_size(type);
    if ((uint64_t)numel > MAX_STORAGE_BYTES / es) {
        em_fail(EM_ERR_VALUE, "torch.load: %s: storage '%s' claims %lld %s elements, far more than record %s "
                "(%zu bytes) holds; refusing to read it", ld->path, key, (long long)numel, torch_dtype_name(type),
                name, len);
        return NULL;
    }
    if ((uint64_t)numel * es != len) {
        em_fail(EM_ERR_VALUE, "torch.load: %s: record %s holds %zu bytes but storage '%s' needs %llu (%lld %s "
                "elements of %zu bytes); refusing to read it", ld->path, name, len, key,
                (unsigned long long)numel * es, (long long)numel, torch_dtype_name(type), es);
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
    em_tensor *base = em_tensor_empty(1, &numel, ember_dtype(type), em_cpu_backend());
    if (!base) return NULL;
    convert_elements(type, data, numel, ld->big_endian, base->storage->data);
    cached *c = &ld->cache[ld->ncache++];
    snprintf(c->key, sizeof c->key, "%s", key);
    c->type = type;
    c->base = base;
    if (type == EM_PT_HALF || type == EM_PT_BFLOAT16 || type == EM_PT_SHORT || type == EM_PT_CHAR)
        ld->converted[type] = true;
    if (strcmp(location, "cpu") != 0 && !ld->other_loc[0]) snprintf(ld->other_loc, sizeof ld->other_loc, "%s", location);
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
        if (strncmp(nm, ld->root, rl) != 0 || nm[rl] != '/')
            return em_fail(EM_ERR_IO, "torch.load: %s: entry %s is outside the archive folder %s/", ld->path, nm,
                           ld->root);
    }
    char name[300];
    const unsigned char *d;
    size_t len;
    snprintf(name, sizeof name, "%s/constants.pkl", ld->root);
    if (em_zip_find(ld->z, name, &d, &len))
        return em_fail(EM_ERR_IO, "torch.load: %s: this is a TorchScript archive (torch.jit.save), which ember "
                       "cannot load", ld->path);
    snprintf(name, sizeof name, "%s/.data/version", ld->root);
    if (!em_zip_find(ld->z, name, &d, &len)) {
        snprintf(name, sizeof name, "%s/version", ld->root);
        if (!em_zip_find(ld->z, name, &d, &len))
            return em_fail(EM_ERR_IO, "torch.load: %s: the archive has no version record", ld->path);
    }
    unsigned long version = 0;
    size_t i = 0;
    for (; i < len && i < 4 && d[i] >= '0' && d[i] <= '9'; i++) version = version * 10 + (d[i] - '0');
    if (i == 0) return em_fail(EM_ERR_IO, "torch.load: %s: could not parse the version record", ld->path);
    if (version < 1 || version > 10 || (i < len && d[i] >= '0' && d[i] <= '9'))
        return em_fail(EM_ERR_IO, "torch.load: %s: file format version %.*s is not supported (1 to 10 are)",
                       ld->path, (int)i,
                       (const char *)d);
    if (version != 3) {
        char v[8];
        snprintf(v, sizeof v, "%lu", version);
        note(notice, n, "format version %s (torch.save writes 3)%s", v, "");
    }
    snprintf(name, sizeof name, "%s/byteorder", ld->root);
    if (em_zip_find(ld->z, name, &d, &len)) {
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

em_status em_pt_load(const char *path, const char *map_location, em_pyval **root, char *notice, size_t n)
{
    *root = NULL;
    if (notice && n) notice[0] = '\0';
    bool want_cuda;
    em_status st = parse_map_location(path, map_location, &want_cuda);
    if (st != EM_OK) return st;
    loader ld = {.path = path};
    ld.z = em_zip_open(path, "torch.load");
    if (!ld.z) return em_last_status();
    st = check_archive(&ld, notice, n);
    const unsigned char *pkl = NULL;
    size_t len = 0;
    char name[300], what[1200];
    if (st == EM_OK) {
        snprintf(name, sizeof name, "%s/data.pkl", ld.root);
        if (!em_zip_find(ld.z, name, &pkl, &len))
            st = em_fail(EM_ERR_IO, "torch.load: %s: the archive has no %s record", path, name);
    }
    if (st == EM_OK) {
        snprintf(what, sizeof what, "torch.load: %s: data.pkl", path);
        em_unpickle_opts o = {load_storage, &ld, what};
        st = em_pickle_read(pkl, len, &o, root);
    }
    for (size_t i = 0; i < ld.ncache; i++) em_tensor_release(ld.cache[i].base);
    free(ld.cache);
    em_zip_close(ld.z);
    if (st != EM_OK) return st;
    char conv[160] = "";
    for (int t = 0; t < EM_PT_NUM_STYPES; t++)
        if (ld.converted[t])
            snprintf(conv + strlen(conv), sizeof conv - strlen(conv), "%s%s -> %s", conv[0] ? ", " : "",
                     torch_dtype_name(t), em_dtype_name(ember_dtype(t)));
    if (conv[0]) note(notice, n, "converted %s (ember has no such dtypes)", conv, "");
    if (want_cuda) note(notice, n, "map_location '%s': tensors were loaded to the CPU%s", map_location,
                        " (ember has no CUDA support yet)");
    else if (ld.other_loc[0] && !map_location)
        note(notice, n, "tensors saved on %s were loaded to the CPU%s", ld.other_loc,
             strncmp(ld.other_loc, "cuda", 4) == 0 ? " (ember has no CUDA support yet)" : "");
    if (notice && notice[0]) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "torch.load: %s: %s", path, notice);
        snprintf(notice, n, "%s", tmp);
    }
    return EM_OK;
}
