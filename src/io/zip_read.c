/* zip_read.c — the checks of zip_read.h, in the order of pytorch-pt.md §2.10:
** magic, end record (scanned backwards), ZIP64 end record through its
** locator, central directory entries (with ZIP64 extras), local headers; the
** CRC of a record when it is read. Every offset and length is checked
** against the file before it is used; sizes are 64-bit and compared, never
** added blindly. The file is read by offsets (file_read.c): the end of the
** file, the central directory and each local header, then records on demand,
** so opening a large checkpoint reads a few kilobytes and a record's bytes
** go straight where the caller wants them. */
#include "zip_read.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../core/runtime.h"
#include "text.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_Z64_EOCD 0x06064b50u
#define SIG_Z64_LOC 0x07064b50u
#define EOCD_LEN 22
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define CHUNK ((size_t)1 << 20)   /* bytes per read when streaming a record */

typedef struct zentry {
    char *name;
    uint64_t data;       /* offset of the first data byte */
    uint64_t size;
    uint32_t crc;        /* the central directory's CRC-32 */
} zentry;

struct em_zip_reader {
    em_src src_own;              /* the file (em_zip_open / open_memory) */
    const em_src *src;           /* the source read: src_own or a caller's */
    uint64_t len;
    unsigned char *cd;           /* the central directory's bytes while parsing */
    zentry *entries;
    size_t count;
    zentry **sorted;             /* the entries sorted by name (lookup) */
    const char *label;
};

static uint32_t get16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get32(const unsigned char *p) { return get16(p) | get16(p + 2) << 16; }
static uint64_t get64(const unsigned char *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

/* True when [off, off+n) lies inside the file. */
static bool in_file(const em_zip_reader *z, uint64_t off, uint64_t n) { return off <= z->len && n <= z->len - off; }

static em_status bad(const em_zip_reader *z, const char *why)
{
    return em_fail(EM_ERR_IO, "%s: %s", z->label, why);
}

/* The memory budget's refusal (already the last error) for n bytes of what. */
static em_status refuse_size(const em_zip_reader *z, const char *what, uint64_t n)
{
    char why[400], nm[200];
    snprintf(why, sizeof why, "%s", n > SIZE_MAX ? "too large" : em_last_error());
    return em_fail(EM_ERR_MEMORY, "%s: refusing to read the %llu-byte %s: %s", z->label, (unsigned long long)n,
                   em_text_safe(what, strlen(what), nm, sizeof nm), why);
}

/* A file's entry name for a message (names may hold any bytes >= 0x20). */
static const char *shown(const char *name, char *buf, size_t cap) { return em_text_safe(name, strlen(name), buf, cap); }

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
    /* the last 22 + 65535 (longest comment) bytes hold the end record */
    uint64_t lo = z->len - EOCD_LEN > 65535 ? z->len - EOCD_LEN - 65535 : 0;
    size_t tail_len = (size_t)(z->len - lo);
    unsigned char *tail = malloc(tail_len);
    if (!tail) return em_fail(EM_ERR_MEMORY, "%s: out of memory", z->label);
    em_status st = em_src_read(z->src, lo, tail, tail_len);
    uint64_t pos = z->len - EOCD_LEN;
    for (; st == EM_OK; pos--) {
        const unsigned char *e = tail + (pos - lo);
        if (get32(e) == SIG_EOCD && pos + EOCD_LEN + get16(e + 20) == z->len) break;
        if (pos == lo) st = bad(z, "no end of central directory record: the zip is truncated or damaged");
    }
    unsigned char e[EOCD_LEN] = {0};
    if (st == EM_OK) memcpy(e, tail + (pos - lo), EOCD_LEN);
    free(tail);
    if (st != EM_OK) return st;
    if (get16(e + 4) != 0 || get16(e + 6) != 0) return bad(z, "multi-disk zip archives are not supported");
    *count = get16(e + 10);
    *cd_size = get32(e + 12);
    *cd_off = get32(e + 16);
    *cd_end = pos;
    unsigned char l[20];
    bool has_loc = pos >= 20 && em_src_read(z->src, pos - 20, l, 20) == EM_OK && get32(l) == SIG_Z64_LOC;
    if (has_loc) {
        uint64_t z64 = get64(l + 8);
        unsigned char r[56];
        if (!in_file(z, z64, 56) || z64 + 56 > pos - 20 || em_src_read(z->src, z64, r, 56) != EM_OK ||
            get32(r) != SIG_Z64_EOCD)
            return bad(z, "the ZIP64 end of central directory locator points to no ZIP64 record");
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

/* One central directory entry at *p (an offset into z->cd, which holds
** cd_size bytes), and its local header in the file. */
static em_status read_entry(em_zip_reader *z, uint64_t *p, uint64_t cd_size, uint64_t cd_off, zentry *out)
{
    if (*p + CENTRAL_LEN > cd_size || get32(z->cd + *p) != SIG_CENTRAL)
        return bad(z, "a central directory entry is damaged");
    const unsigned char *c = z->cd + *p;
    uint32_t flags = get16(c + 8), method = get16(c + 10), crc = get32(c + 16);
    uint64_t csize = get32(c + 20), usize = get32(c + 24), off = get32(c + 42);
    uint32_t nlen = get16(c + 28), xlen = get16(c + 30), clen = get16(c + 32);
    uint64_t total = (uint64_t)CENTRAL_LEN + nlen + xlen + clen;
    if (*p + total > cd_size) return bad(z, "a central directory entry overruns the directory");
    const unsigned char *name = c + CENTRAL_LEN;
    if (!name_ok(name, nlen)) return bad(z, "an entry has an unsafe or invalid name");
    out->name = malloc((size_t)nlen + 1);
    if (!out->name) return em_fail(EM_ERR_MEMORY, "%s: out of memory reading entry names", z->label);
    memcpy(out->name, name, nlen);
    out->name[nlen] = '\0';
    char nm[200];
    em_status st = apply_zip64(z, name + nlen, xlen, &usize, &csize, &off);
    if (st != EM_OK) return st;
    if (flags & 1) return em_fail(EM_ERR_IO, "%s: entry %s is encrypted; encrypted zips are not supported",
                                  z->label, shown(out->name, nm, sizeof nm));
    if (method != 0)
        return em_fail(EM_ERR_IO, "%s: entry %s is compressed (method %u); only stored (uncompressed) entries "
                       "are supported, as torch.save writes them", z->label, shown(out->name, nm, sizeof nm),
                       (unsigned)method);
    if (csize != usize)
        return em_fail(EM_ERR_IO, "%s: entry %s: stored sizes differ", z->label, shown(out->name, nm, sizeof nm));
    /* the local header: signature, same name, then the data */
    unsigned char l[LOCAL_LEN];
    if (!in_file(z, off, LOCAL_LEN) || off + LOCAL_LEN > cd_off || em_src_read(z->src, off, l, LOCAL_LEN) != EM_OK ||
        get32(l) != SIG_LOCAL)
        return em_fail(EM_ERR_IO, "%s: entry %s: no local header at offset %llu", z->label,
                       shown(out->name, nm, sizeof nm), (unsigned long long)off);
    uint32_t lnlen = get16(l + 26), lxlen = get16(l + 28), lmethod = get16(l + 8);
    uint64_t data = off + LOCAL_LEN + lnlen + lxlen;
    bool same = lmethod == method && !(get16(l + 6) & 1) && lnlen == nlen && data <= cd_off;
    if (same && nlen) {
        unsigned char lname[65536];
        same = em_src_read(z->src, off + LOCAL_LEN, lname, nlen) == EM_OK && memcmp(lname, name, nlen) == 0;
    }
    if (!same)
        return em_fail(EM_ERR_IO, "%s: entry %s: its local header disagrees with the central directory",
                       z->label, shown(out->name, nm, sizeof nm));
    if (usize > cd_off - data)
        return em_fail(EM_ERR_IO, "%s: entry %s: its %llu bytes run past the central directory", z->label,
                       shown(out->name, nm, sizeof nm), (unsigned long long)usize);
    out->data = data;
    out->size = usize;
    out->crc = crc;
    *p += total;
    return EM_OK;
}

static em_status parse(em_zip_reader *z)
{
    unsigned char magic[4];
    if (z->len < 4 || em_src_read(z->src, 0, magic, 4) != EM_OK || get32(magic) != SIG_LOCAL)
        return bad(z, "not a PyTorch zip checkpoint (it does not start with PK\\3\\4)");
    uint64_t cd_off = 0, cd_size = 0, count = 0, cd_end = 0;   /* set by find_directory */
    em_status st = find_directory(z, &cd_off, &cd_size, &count, &cd_end);
    if (st != EM_OK) return st;
    /* the directory's bytes (at most the file's), counted against the memory budget while parsed */
    if (cd_size > SIZE_MAX || em_mem_budget_check((size_t)cd_size) != EM_OK)
        return refuse_size(z, "central directory", cd_size);
    z->cd = malloc(cd_size ? (size_t)cd_size : 1);
    z->entries = calloc(count ? (size_t)count : 1, sizeof *z->entries);
    z->sorted = malloc((count ? (size_t)count : 1) * sizeof *z->sorted);
    if (!z->cd || !z->entries || !z->sorted) return em_fail(EM_ERR_MEMORY, "%s: out of memory", z->label);
    st = em_src_read(z->src, cd_off, z->cd, (size_t)cd_size);
    uint64_t p = 0;
    for (uint64_t i = 0; i < count && st == EM_OK; i++) {
        st = read_entry(z, &p, cd_size, cd_off, &z->entries[i]);
        z->count = (size_t)i + 1;
        z->sorted[i] = &z->entries[i];
    }
    free(z->cd);
    z->cd = NULL;
    if (st != EM_OK) return st;
    qsort(z->sorted, z->count, sizeof *z->sorted, by_name);
    for (size_t i = 1; i < z->count; i++)
        if (strcmp(z->sorted[i]->name, z->sorted[i - 1]->name) == 0) {
            char nm[200];
            return em_fail(EM_ERR_IO, "%s: the archive holds two entries named %s", z->label,
                           shown(z->sorted[i]->name, nm, sizeof nm));
        }
    return EM_OK;
}

static em_zip_reader *open_src(em_zip_reader *z)
{
    z->len = z->src->len;
    z->label = z->src->label;
    if (parse(z) == EM_OK) return z;
    em_zip_close(z);
    return NULL;
}

static em_zip_reader *reader_new(const char *what)
{
    em_zip_reader *z = calloc(1, sizeof *z);
    if (!z) em_fail(EM_ERR_MEMORY, "%s: out of memory", what);
    else z->src_own.fd = -1;
    return z;
}

em_zip_reader *em_zip_open_memory(const void *data, size_t len, const char *what)
{
    em_zip_reader *z = reader_new(what);
    if (!z) return NULL;
    em_src_memory(&z->src_own, data, len, what);
    z->src = &z->src_own;
    return open_src(z);
}

em_zip_reader *em_zip_open(const char *path, const char *what)
{
    em_zip_reader *z = reader_new(what);
    if (!z) return NULL;
    char label[320];
    snprintf(label, sizeof label, "%s: %s", what, path);
    if (em_src_open(&z->src_own, path, label) != EM_OK) {
        em_zip_close(z);
        return NULL;
    }
    z->src = &z->src_own;
    return open_src(z);
}

em_zip_reader *em_zip_open_src(const em_src *src)
{
    em_zip_reader *z = reader_new(src->label);
    if (!z) return NULL;
    z->src = src;
    return open_src(z);
}

void em_zip_close(em_zip_reader *z)
{
    if (!z) return;
    for (size_t i = 0; i < z->count; i++) free(z->entries[i].name);
    free(z->entries);
    free(z->sorted);
    free(z->cd);
    em_src_close(&z->src_own);
    free(z);
}

size_t em_zip_count(const em_zip_reader *z) { return z->count; }
const char *em_zip_name(const em_zip_reader *z, size_t i) { return i < z->count ? z->entries[i].name : NULL; }
uint64_t em_zip_size(const em_zip_reader *z, size_t i) { return i < z->count ? z->entries[i].size : 0; }
uint32_t em_zip_crc(const em_zip_reader *z, size_t i) { return i < z->count ? z->entries[i].crc : 0; }

long em_zip_index(const em_zip_reader *z, const char *name)
{
    size_t lo = 0, hi = z->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(z->sorted[mid]->name, name);
        if (c == 0) return (long)(z->sorted[mid] - z->entries);
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static em_status crc_mismatch(const em_zip_reader *z, const zentry *e)
{
    char nm[200];
    return em_fail(EM_ERR_IO, "%s: entry %s: CRC-32 mismatch (the file is corrupted)", z->label,
                   shown(e->name, nm, sizeof nm));
}

em_status em_zip_stream(const em_zip_reader *z, size_t i, em_zip_chunk_fn fn, void *ctx)
{
    const zentry *e = &z->entries[i];
    uLong crc = crc32(0L, Z_NULL, 0);
    unsigned char *buf = NULL;
    em_status st = EM_OK;
    for (uint64_t done = 0; done < e->size && st == EM_OK;) {
        size_t n = e->size - done > CHUNK ? CHUNK : (size_t)(e->size - done);
        const unsigned char *p = em_src_peek(z->src, e->data + done, n);
        if (!p) {
            if (!buf && !(buf = malloc(CHUNK))) return em_fail(EM_ERR_MEMORY, "%s: out of memory", z->label);
            st = em_src_read(z->src, e->data + done, buf, n);
            p = buf;
        }
        if (st == EM_OK) {
            crc = crc32(crc, p, (uInt)n);
            if (fn) st = fn(ctx, p, n, done);
        }
        done += n;
    }
    free(buf);
    if (st == EM_OK && (uint32_t)crc != e->crc) st = crc_mismatch(z, e);
    return st;
}

em_status em_zip_read(const em_zip_reader *z, size_t i, void *dst)
{
    const zentry *e = &z->entries[i];
    em_status st = em_src_read(z->src, e->data, dst, (size_t)e->size);
    if (st != EM_OK) return st;
    uLong crc = crc32(0L, Z_NULL, 0);
    const unsigned char *p = dst;
    for (uint64_t n = e->size; n > 0;) {
        uInt chunk = n > CHUNK ? (uInt)CHUNK : (uInt)n;
        crc = crc32(crc, p, chunk);
        p += chunk;
        n -= chunk;
    }
    return (uint32_t)crc == e->crc ? EM_OK : crc_mismatch(z, e);
}

em_status em_zip_load(const em_zip_reader *z, const char *name, unsigned char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    long i = em_zip_index(z, name);
    if (i < 0) {
        char nm[200];
        return em_fail(EM_ERR_IO, "%s: the archive has no %s record", z->label, shown(name, nm, sizeof nm));
    }
    uint64_t size = z->entries[i].size;
    if (size > SIZE_MAX - 1 || em_mem_budget_check((size_t)size + 1) != EM_OK) return refuse_size(z, name, size);
    unsigned char *p = malloc((size_t)size + 1);
    if (!p) return em_fail(EM_ERR_MEMORY, "%s: out of memory reading %s", z->label, name);
    em_status st = em_zip_read(z, (size_t)i, p);
    if (st != EM_OK) {
        free(p);
        return st;
    }
    p[size] = '\0';
    *data = p;
    *len = (size_t)size;
    return EM_OK;
}
