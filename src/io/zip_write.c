/* zip_write.c — torch's zip layout, byte for byte (see zip_write.h and
** formats/pytorch-pt.md §2.3-2.6): local header with version 0, flags 0x0808,
** zero time/CRC/sizes, then an "FB" extra of 'Z' bytes padding the data to a
** multiple of 64, the data, a 16-byte data descriptor; at the end the central
** directory (same order), the ZIP64 EOCD, its locator and the EOCD. Every
** offset stays below 4 GiB or the archive is refused. */
#include "zip_write.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define ALIGN 64
#define LIMIT32 0xFFFFFFFFu
#define MAX_ENTRIES 0xFFFEu

typedef struct zip_entry {
    char *name;          /* full name "<root>/<record>" */
    uint32_t crc;
    uint32_t size;
    uint32_t offset;     /* of the local header */
} zip_entry;

struct em_zip_writer {
    char *root;
    em_zip_sink sink;
    void *ctx;
    uint64_t pos;        /* bytes written so far */
    zip_entry *entries;
    size_t len, cap;
};

/* --- little-endian packing --- */
static unsigned char *put16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p = put16(p, v & 0xFFFF);
    return put16(p, v >> 16);
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    p = put32(p, (uint32_t)v);
    return put32(p, (uint32_t)(v >> 32));
}

static em_status emit(em_zip_writer *z, const void *p, size_t n)
{
    if (n == 0) return EM_OK;
    em_status st = z->sink(z->ctx, p, n);
    if (st == EM_OK) z->pos += n;
    return st;
}

static uint32_t crc_of(const void *data, size_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const Bytef *p = data;
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

static bool root_ok(const char *root)
{
    if (!*root) return false;
    for (const char *c = root; *c; c++)
        if (*c < 0x20 || *c > 0x7E || *c == '/' || *c == '\\') return false;
    return true;
}

em_zip_writer *em_zip_writer_new(const char *root, em_zip_sink sink, void *ctx)
{
    if (!root || !root_ok(root) || strlen(root) > 1024) {
        em_fail(EM_ERR_VALUE, "zip: archive folder name '%s' must be 1 to 1024 printable ASCII characters "
                "without '/' or '\\'", root ? root : "(null)");
        return NULL;
    }
    em_zip_writer *z = calloc(1, sizeof *z);
    if (z) z->root = strdup(root);
    if (!z || !z->root) {
        free(z);
        em_fail(EM_ERR_MEMORY, "zip: out of memory");
        return NULL;
    }
    z->sink = sink;
    z->ctx = ctx;
    return z;
}

void em_zip_writer_free(em_zip_writer *z)
{
    if (!z) return;
    for (size_t i = 0; i < z->len; i++) free(z->entries[i].name);
    free(z->entries);
    free(z->root);
    free(z);
}

em_status em_zip_add(em_zip_writer *z, const char *name, const void *data, size_t n)
{
    size_t rlen = strlen(z->root), nlen = rlen + 1 + strlen(name);
    if (!*name || nlen > 0xFFFF) return em_fail(EM_ERR_VALUE, "zip: bad record name '%s'", name);
    if (z->len >= MAX_ENTRIES) return em_fail(EM_ERR_VALUE, "zip: more than %u records", MAX_ENTRIES);
    char *full = malloc(nlen + 1);
    if (!full) return em_fail(EM_ERR_MEMORY, "zip: out of memory");
    memcpy(full, z->root, rlen);
    full[rlen] = '/';
    strcpy(full + rlen + 1, name);
    for (size_t i = 0; i < z->len; i++)
        if (strcmp(z->entries[i].name, full) == 0) {
            free(full);
            return em_fail(EM_ERR_INTERNAL, "zip: record '%s' written twice", name);
        }
    /* data starts after the 30-byte header, the name and the FB field's 4-byte head */
    uint64_t start = z->pos + 30 + nlen + 4;
    uint32_t pad = (uint32_t)((ALIGN - start % ALIGN) % ALIGN);
    if (n >= LIMIT32 || start + pad + n + 16 >= LIMIT32) {
        free(full);
        return em_fail(EM_ERR_VALUE, "zip: record '%s' (%zu bytes) would take the file past 4 GiB; "
                       "checkpoints that large are not supported", name, n);
    }
    if (z->len == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 16;
        zip_entry *e = realloc(z->entries, cap * sizeof *e);
        if (!e) {
            free(full);
            return em_fail(EM_ERR_MEMORY, "zip: out of memory");
        }
        z->entries = e;
        z->cap = cap;
    }
    zip_entry *e = &z->entries[z->len++];
    e->name = full;
    e->crc = crc_of(data, n);
    e->size = (uint32_t)n;
    e->offset = (uint32_t)z->pos;

    unsigned char hdr[30 + 4 + ALIGN], *p = hdr;
    p = put32(p, 0x04034B50);
    p = put16(p, 0);             /* version needed: 0, as torch writes */
    p = put16(p, 0x0808);        /* sizes in the data descriptor; UTF-8 name */
    p = put16(p, 0);             /* stored */
    p = put16(p, 0), p = put16(p, 0);   /* time, date */
    p = put32(p, 0), p = put32(p, 0), p = put32(p, 0);   /* crc, sizes: in the descriptor */
    p = put16(p, (uint32_t)nlen);
    p = put16(p, 4 + pad);
    em_status st = emit(z, hdr, (size_t)(p - hdr));
    if (st == EM_OK) st = emit(z, full, nlen);
    p = hdr;
    p = put16(p, 0x4246);        /* "FB" */
    p = put16(p, pad);
    memset(p, 'Z', pad);
    p += pad;
    if (st == EM_OK) st = emit(z, hdr, (size_t)(p - hdr));
    if (st == EM_OK) st = emit(z, data, n);
    p = hdr;
    p = put32(p, 0x08074B50);
    p = put32(p, e->crc);
    p = put32(p, e->size);
    p = put32(p, e->size);
    if (st == EM_OK) st = emit(z, hdr, (size_t)(p - hdr));
    return st;
}

em_status em_zip_finish(em_zip_writer *z)
{
    uint64_t cd_offset = z->pos;
    unsigned char buf[64], *p;
    em_status st = EM_OK;
    for (size_t i = 0; i < z->len && st == EM_OK; i++) {
        const zip_entry *e = &z->entries[i];
        size_t nlen = strlen(e->name);
        p = buf;
        p = put32(p, 0x02014B50);
        p = put16(p, 0), p = put16(p, 0);   /* version made by, needed */
        p = put16(p, 0x0808);
        p = put16(p, 0);
        p = put16(p, 0), p = put16(p, 0);
        p = put32(p, e->crc);
        p = put32(p, e->size), p = put32(p, e->size);
        p = put16(p, (uint32_t)nlen);
        p = put16(p, 0), p = put16(p, 0), p = put16(p, 0), p = put16(p, 0);  /* extra, comment, disk, int attr */
        p = put32(p, 0);                     /* external attributes */
        p = put32(p, e->offset);
        st = emit(z, buf, (size_t)(p - buf));
        if (st == EM_OK) st = emit(z, e->name, nlen);
    }
    if (st != EM_OK) return st;
    uint64_t cd_size = z->pos - cd_offset, zip64_eocd = z->pos;
    if (zip64_eocd + 56 + 20 + 22 >= LIMIT32)
        return em_fail(EM_ERR_VALUE, "zip: the archive would reach 4 GiB; checkpoints that large are not supported");
    p = buf;                                 /* ZIP64 end of central directory */
    p = put32(p, 0x06064B50);
    p = put64(p, 44);
    p = put16(p, 0x031E), p = put16(p, 0x002D);
    p = put32(p, 0), p = put32(p, 0);
    p = put64(p, z->len), p = put64(p, z->len);
    p = put64(p, cd_size), p = put64(p, cd_offset);
    st = emit(z, buf, (size_t)(p - buf));
    p = buf;                                 /* ZIP64 locator */
    p = put32(p, 0x07064B50);
    p = put32(p, 0);
    p = put64(p, zip64_eocd);
    p = put32(p, 1);
    if (st == EM_OK) st = emit(z, buf, (size_t)(p - buf));
    p = buf;                                 /* end of central directory */
    p = put32(p, 0x06054B50);
    p = put16(p, 0), p = put16(p, 0);
    p = put16(p, (uint32_t)z->len), p = put16(p, (uint32_t)z->len);
    p = put32(p, (uint32_t)cd_size), p = put32(p, (uint32_t)cd_offset);
    p = put16(p, 0);
    if (st == EM_OK) st = emit(z, buf, (size_t)(p - buf));
    return st;
}

void em_zip_root_for_path(const char *path, char *buf, size_t n)
{
    const char *start = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' || *c == '\\') start = c + 1;
    const char *end = strrchr(start, '.');
    if (!end) end = start + strlen(start);
    size_t len = (size_t)(end - start);
    bool ok = len > 0 && len < n && len <= 1024;
    for (size_t i = 0; ok && i < len; i++)
        if (start[i] < 0x20 || start[i] > 0x7E) ok = false;
    if (ok) {
        memcpy(buf, start, len);
        buf[len] = '\0';
    } else {
        snprintf(buf, n, "archive");
    }
}
