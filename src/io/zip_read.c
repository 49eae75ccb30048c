/* zip_read.c — the checks of zip_read.h, in the order of pytorch-pt.md §2.10:
** magic, end record (scanned backwards), ZIP64 end record through its
** locator, central directory entries (with ZIP64 extras), local headers, CRC.
** Every offset and length is checked against the buffer before it is used;
** sizes are 64-bit and compared, never added blindly. */
#include "zip_read.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u
#define EOCD_LEN 22
#define CENTRAL_LEN 46
#define LOCAL_LEN 30

typedef struct zentry {
    char *name;
    uint64_t data;       /* offset of the first data byte */
    uint64_t size;
} zentry;

struct em_zip_reader {
    unsigned char *owned;        /* the file's bytes when we read them */
    const unsigned char *buf;
    uint64_t len;
    zentry *entries;
    size_t count;
    zentry **sorted;             /* the entries sorted by name (lookup) */
    const char *what;
    char label[300];             /* "torch.load: path" for messages */
};

static uint32_t get16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const unsigned char *p) { return get16(p) | get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

/* True when [off, off+n) lies inside the buffer. */
static bool in_buf(const em_zip_reader *z, uint64_t off, uint64_t n) { return off <= z->len && n <= z->len - off; }

static em_status bad(const em_zip_reader *z, const char *why)
{
    return em_fail(EM_ERR_IO, "%s: %s", z->label, why);
}

static uint32_t crc_of(const unsigned char *p, uint64_t n)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (n > 0) {
        uInt chunk = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc;
}

/* Names: non-empty, no NUL or control bytes, no '\\', no leading '/', no
** "." / ".." / empty path components. */
static bool name_ok(const unsigned char *s, size_t n)
{
    if (n == 0 || s[0] == '/') return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && (s[i] < 0x20 || s[i] == 0x7F || s[i] == '\\')) return false;
        if (i == n || s[i] == '/') {
            size_t len = i - start;
            if (len == 0 && i < n) return false;
            if ((len == 1 && s[start] == '.') || (len == 2 && s[start] == '.' && s[start + 1] == '.')) return false;
            start = i + 1;
        }
    }
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(zentry *const *)a)->name, (*(zentry *const *)b)->name);
}

/* Finds the end of central directory record: cd offset, size and count,
** following the ZIP64 locator when there is one. */
static em_status find_directory(em_zip_reader *z, uint64_t *cd_off, uint64_t *cd_size, uint64_t *count,
                                uint64_t *cd_end)
{
    if (z->len < EOCD_LEN) return bad(z, "file too short to be a zip archive");
    uint64_t lo = z->len - EOCD_LEN > 65535 ? z->len - EOCD_LEN - 65535 : 0;
    uint64_t pos = z->len - EOCD_LEN;
    for (;; pos--) {
        if (get32(z->buf + pos) == SIG_EOCD && pos + EOCD_LEN + get16(z->buf + pos + 20) == z->len) break;
        if (pos == lo) return bad(z, "no end of central directory record: the zip is truncated or damaged");
    }
    const unsigned char *e = z->buf + pos;
    if (get16(e + 4) != 0 || get16(e + 6) != 0) return bad(z, "multi-disk zip archives are not supported");
    *count = get16(e + 10);
    *cd_size = get32(e + 12);
    *cd_off = get32(e + 16);
    *cd_end = pos;
    bool has_loc = pos >= 20 && get32(z->buf + pos - 20) == SIG_Z64_LOC;
    if (has_loc) {
        const unsigned char *l = z->buf + pos - 20;
        uint64_t z64 = get64(l + 8);
        if (!in_buf(z, z64, 56) || z64 + 56 > pos - 20 || get32(z->buf + z64) != SIG_Z64_EOCD)
            return bad(z, "the ZIP64 end of central directory locator points to no ZIP64 record");
        const unsigned char *r = z->buf + z64;
        if (get32(r + 16) != 0 || get32(r + 20) != 0) return bad(z, "multi-disk zip archives are not supported");
        *count = get64(r + 32);
        *cd_size = get64(r + 40);
        *cd_off = get64(r + 48);
        *cd_end = z64;
    } else if (*count == 0xFFFF || *cd_size == 0xFFFFFFFFu || *cd_off == 0xFFFFFFFFu) {
        return bad(z, "the end record asks for ZIP64 values but there is no ZIP64 locator");
    }
    if (*cd_off > *cd_end || *cd_size > *cd_end - *cd_off)
        return bad(z, "the central directory lies outside the file");
    if (*count > *cd_size / CENTRAL_LEN) return bad(z, "the central directory is too small for its entry count");
    return EM_OK;
}

/* Applies the ZIP64 extra field (id 1) of a central entry to the fields that
** are 0xFFFFFFFF, in the order usize, csize, offset. */
static em_status apply_zip64(em_zip_reader *z, const unsigned char *x, uint32_t xlen, uint64_t *usize,
                             uint64_t *csize, uint64_t *off)
{
    bool need_u = *usize == 0xFFFFFFFFu, need_c = *csize == 0xFFFFFFFFu, need_o = *off == 0xFFFFFFFFu;
    uint32_t i = 0;
    while (i + 4 <= xlen) {
        uint32_t id = get16(x + i), n = get16(x + i + 2);
        if (n > xlen - i - 4) return bad(z, "a central directory extra field overruns its entry");
        if (id == 1) {
            const unsigned char *p = x + i + 4;
            uint32_t used = 0;
            uint64_t *want[3] = {need_u ? usize : NULL, need_c ? csize : NULL, need_o ? off : NULL};
            for (int k = 0; k < 3; k++) {
                if (!want[k]) continue;
                if (used + 8 > n) return bad(z, "a ZIP64 extra field is too short");
                *want[k] = get64(p + used);
                used += 8;
            }
            return EM_OK;
        }
        i += 4 + n;
    }
    if (need_u || need_c || need_o) return bad(z, "an entry needs a ZIP64 extra field but has none");
    return EM_OK;
}

static em_status read_entry(em_zip_reader *z, uint64_t *p, uint64_t cd_off, uint64_t cd_end, zentry *out)
{
    if (!in_buf(z, *p, CENTRAL_LEN) || *p + CENTRAL_LEN > cd_end || get32(z->buf + *p) != SIG_CENTRAL)
        return bad(z, "a central directory entry is damaged");
    const unsigned char *c = z->buf + *p;
    uint32_t flags = get16(c + 8), method = get16(c + 10), crc = get32(c + 16);
    uint64_t csize = get32(c + 20), usize = get32(c + 24), off = get32(c + 42);
    uint32_t nlen = get16(c + 28), xlen = get16(c + 30), clen = get16(c + 32);
    uint64_t total = (uint64_t)CENTRAL_LEN + nlen + xlen + clen;
    if (*p + total > cd_end) return bad(z, "a central directory entry overruns the directory");
    const unsigned char *name = c + CENTRAL_LEN;
    if (!name_ok(name, nlen)) return bad(z, "an entry has an unsafe or invalid name");
    out->name = malloc((size_t)nlen + 1);
    if (!out->name) return em_fail(EM_ERR_MEMORY, "%s: out of memory reading entry names", z->label);
    memcpy(out->name, name, nlen);
    out->name[nlen] = '\0';
    em_status st = apply_zip64(z, name + nlen, xlen, &usize, &csize, &off);
    if (st != EM_OK) return st;
    if (flags & 1) return em_fail(EM_ERR_IO, "%s: entry %s is encrypted; encrypted zips are not supported",
                                  z->label, out->name);
    if (method != 0)
        return em_fail(EM_ERR_IO, "%s: entry %s is compressed (method %u); only stored (uncompressed) entries "
                       "are supported, as torch.save writes them", z->label, out->name, (unsigned)method);
    if (csize != usize) return em_fail(EM_ERR_IO, "%s: entry %s: stored sizes differ", z->label, out->name);
    /* the local header: signature, same name, then the data */
    if (!in_buf(z, off, LOCAL_LEN) || off + LOCAL_LEN > cd_off || get32(z->buf + off) != SIG_LOCAL)
        return em_fail(EM_ERR_IO, "%s: entry %s: no local header at offset %llu", z->label, out->name,
                       (unsigned long long)off);
    const unsigned char *l = z->buf + off;
    uint32_t lnlen = get16(l + 26), lxlen = get16(l + 28), lmethod = get16(l + 8);
    uint64_t data = off + LOCAL_LEN + lnlen + lxlen;
    if (lmethod != method || (get16(l + 6) & 1) || lnlen != nlen || data > cd_off ||
        memcmp(l + LOCAL_LEN, name, nlen) != 0)
        return em_fail(EM_ERR_IO, "%s: entry %s: its local header disagrees with the central directory",
                       z->label, out->name);
    if (usize > cd_off - data)
        return em_fail(EM_ERR_IO, "%s: entry %s: its %llu bytes run past the central directory", z->label,
                       out->name, (unsigned long long)usize);
    if (crc_of(z->buf + data, usize) != crc)
        return em_fail(EM_ERR_IO, "%s: entry %s: CRC-32 mismatch (the file is corrupted)", z->label, out->name);
    out->data = data;
    out->size = usize;
    *p += total;
    return EM_OK;
}

static em_status parse(em_zip_reader *z)
{
    if (z->len < 4 || get32(z->buf) != SIG_LOCAL)
        return bad(z, "not a PyTorch zip checkpoint (it does not start with PK\\3\\4); the legacy pre-1.6 "
                   "format and other formats are not supported");
    uint64_t cd_off = 0, cd_size = 0, count = 0, cd_end = 0;   /* set by find_directory */
    em_status st = find_directory(z, &cd_off, &cd_size, &count, &cd_end);
    if (st != EM_OK) return st;
    z->entries = calloc(count ? (size_t)count : 1, sizeof *z->entries);
    z->sorted = malloc((count ? (size_t)count : 1) * sizeof *z->sorted);
    if (!z->entries || !z->sorted) return em_fail(EM_ERR_MEMORY, "%s: out of memory", z->label);
    uint64_t p = cd_off, end = cd_off + cd_size;
    for (uint64_t i = 0; i < count; i++) {
        st = read_entry(z, &p, cd_off, end, &z->entries[i]);
        z->count = (size_t)i + 1;
        if (st != EM_OK) return st;
        z->sorted[i] = &z->entries[i];
    }
    qsort(z->sorted, z->count, sizeof *z->sorted, by_name);
    for (size_t i = 1; i < z->count; i++)
        if (strcmp(z->sorted[i]->name, z->sorted[i - 1]->name) == 0)
            return em_fail(EM_ERR_IO, "%s: the archive holds two entries named %s", z->label, z->sorted[i]->name);
    return EM_OK;
}

static em_zip_reader *reader_new(const char *what, const char *path)
{
    em_zip_reader *z = calloc(1, sizeof *z);
    if (!z) {
        em_fail(EM_ERR_MEMORY, "%s: out of memory", what);
        return NULL;
    }
    z->what = what;
    if (path) snprintf(z->label, sizeof z->label, "%s: %s", what, path);
    else snprintf(z->label, sizeof z->label, "%s", what);
    return z;
}

static em_zip_reader *finish(em_zip_reader *z)
{
    if (parse(z) == EM_OK) return z;
    em_zip_close(z);
    return NULL;
}

em_zip_reader *em_zip_open_memory(const void *data, size_t len, const char *what)
{
    em_zip_reader *z = reader_new(what, NULL);
    if (!z) return NULL;
    z->buf = data;
    z->len = len;
    return finish(z);
}

em_zip_reader *em_zip_open(const char *path, const char *what)
{
    em_zip_reader *z = reader_new(what, path);
    if (!z) return NULL;
    FILE *f = fopen(path, "rb");
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0) {
        em_fail(EM_ERR_IO, "%s: %s", z->label, strerror(errno));
        if (f) fclose(f);
        em_zip_close(z);
        return NULL;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size < 0 || (uint64_t)sb.st_size > EM_ZIP_MAX_FILE_BYTES) {
        em_fail(EM_ERR_IO, "%s: %s", z->label, !S_ISREG(sb.st_mode) ? "not a regular file"
                : "the file is larger than 64 GiB, the most this reader accepts");
        fclose(f);
        em_zip_close(z);
        return NULL;
    }
    z->len = (uint64_t)sb.st_size;
    z->owned = malloc(z->len ? (size_t)z->len : 1);
    if (!z->owned) {
        em_fail(EM_ERR_MEMORY, "%s: out of memory reading %llu bytes", z->label, (unsigned long long)z->len);
        fclose(f);
        em_zip_close(z);
        return NULL;
    }
    size_t got = fread(z->owned, 1, (size_t)z->len, f);
    bool err = ferror(f);
    fclose(f);
    if (got != z->len) {
        em_fail(EM_ERR_IO, "%s: %s", z->label, err ? strerror(errno) : "the file changed size while being read");
        em_zip_close(z);
        return NULL;
    }
    z->buf = z->owned;
    return finish(z);
}

void em_zip_close(em_zip_reader *z)
{
    if (!z) return;
    for (size_t i = 0; i < z->count; i++) free(z->entries[i].name);
    free(z->entries);
    free(z->sorted);
    free(z->owned);
    free(z);
}

size_t em_zip_count(const em_zip_reader *z) { return z->count; }
const char *em_zip_name(const em_zip_reader *z, size_t i) { return i < z->count ? z->entries[i].name : NULL; }

int em_zip_find(const em_zip_reader *z, const char *name, const unsigned char **data, size_t *len)
{
    size_t lo = 0, hi = z->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const zentry *e = z->sorted[mid];
        int c = strcmp(e->name, name);
        if (c == 0) {
            *data = z->buf + e->data;
            *len = (size_t)e->size;
            return 1;
        }
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}
