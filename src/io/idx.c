/* idx.c — reads and writes IDX files (see idx.h and formats/idx.md). The
** reader trusts nothing in the file: the header's sizes are checked against
** the file (plain) or the gzip trailer and the deflate ratio (gzip) before
** the tensor is allocated, and the data is then read straight into it. The
** writer replaces the file through atomic_file.c, as torch.save does. Not
** here: dataset lookup (lua/torch/datasets.lua). */
#include "idx.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../ops/ops.h"
#include "atomic_file.h"

/* Deflate expands at most ~1032:1; an uncompressed size beyond this bound is
** a lie of the header, refused before allocating. */
#define DEFLATE_MAX_RATIO 1032
#define GZ_CHUNK (1u << 30)

typedef struct source {
    const char *path;
    int fd;              /* plain files are read with read(2) */
    gzFile gz;           /* gzip files through zlib; NULL for plain */
    int64_t file_size;
    uint32_t gz_isize;   /* gzip trailer: uncompressed size mod 2^32 */
} source;

/* --- element types --- */
typedef struct idx_type {
    int code;
    int elsize;          /* bytes per element in the file */
    em_dtype dtype;      /* what the tensor holds */
    const char *name;
} idx_type;

static const idx_type TYPES[] = {
    {EM_IDX_UINT8, 1, EM_UINT8, "uint8"},      {EM_IDX_INT8, 1, EM_INT32, "int8"},
    {EM_IDX_INT16, 2, EM_INT32, "int16"},      {EM_IDX_INT32, 4, EM_INT32, "int32"},
    {EM_IDX_FLOAT32, 4, EM_FLOAT32, "float32"}, {EM_IDX_FLOAT64, 8, EM_FLOAT64, "float64"},
};

static const idx_type *find_type(int code)
{
    for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
        if (TYPES[i].code == code) return &TYPES[i];
    return NULL;
}

/* --- byte order --- */
static bool host_is_big_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

/* Big-endian <-> host for n elements of size bytes, in place. */
static void swap_elements(void *data, int64_t n, int size)
{
    if (size == 1 || host_is_big_endian()) return;
    if (size == 2) {
        uint16_t *p = data;
        for (int64_t i = 0; i < n; i++) p[i] = __builtin_bswap16(p[i]);
    } else if (size == 4) {
        uint32_t *p = data;
        for (int64_t i = 0; i < n; i++) p[i] = __builtin_bswap32(p[i]);
    } else {
        uint64_t *p = data;
        for (int64_t i = 0; i < n; i++) p[i] = __builtin_bswap64(p[i]);
    }
}

static uint32_t be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* int8/int16 elements packed at the start of data (big-endian) -> int32,
** in place: going downwards, element i is read before its slot is written. */
static void widen_to_int32(void *data, int64_t n, int size)
{
    int32_t *out = data;
    const unsigned char *in = data;
    for (int64_t i = n - 1; i >= 0; i--) {
        if (size == 1) out[i] = (int8_t)in[i];
        else out[i] = (int16_t)(uint16_t)(in[2 * i] << 8 | in[2 * i + 1]);
    }
}

/* --- reading --- */
static em_status open_source(source *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO: refused below, not waited on */
    if (s->fd < 0) return em_fail(EM_ERR_IO, "read_idx: %s: %s", path, strerror(errno));
    struct stat st;
    unsigned char head[2] = {0, 0};
    if (fstat(s->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(s->fd);
        return em_fail(EM_ERR_IO, "read_idx: %s: not a regular file", path);
    }
    s->file_size = (int64_t)st.st_size;
    if (pread(s->fd, head, 2, 0) == 2 && head[0] == 0x1f && head[1] == 0x8b) {
        unsigned char t[4];
        if (s->file_size < 18 || pread(s->fd, t, 4, s->file_size - 4) != 4) {
            close(s->fd);
            return em_fail(EM_ERR_IO, "read_idx: %s: gzip file too short (%lld bytes): truncated download?",
                           path, (long long)s->file_size);
        }
        s->gz_isize = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
        s->gz = gzdopen(s->fd, "rb");
        if (!s->gz) {
            close(s->fd);
            return em_fail(EM_ERR_MEMORY, "read_idx: %s: out of memory opening the gzip stream", path);
        }
        gzbuffer(s->gz, 1u << 18);
    }
    return EM_OK;
}

static void close_source(source *s)
{
    if (s->gz) gzclose(s->gz);      /* closes fd too */
    else if (s->fd >= 0) close(s->fd);
}

/* Reads up to n bytes; returns the count (short only at the end of the data)
** or -1 after setting an error (I/O error, corrupt gzip data). */
static int64_t read_some(source *s, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        size_t want = n - got < GZ_CHUNK ? n - got : GZ_CHUNK;
        if (s->gz) {
            int r = gzread(s->gz, (char *)buf + got, (unsigned)want);
            int zerr = Z_OK;
            const char *zmsg = gzerror(s->gz, &zerr);
            if (r < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR)) {
                em_fail(EM_ERR_IO, "read_idx: %s: corrupt gzip data (zlib: %s)", s->path, zmsg);
                return -1;
            }
            if (zerr == Z_BUF_ERROR) {   /* the stream stopped before its end */
                em_fail(EM_ERR_IO, "read_idx: %s: gzip data ends early (no gzip trailer): "
                        "truncated download?", s->path);
                return -1;
            }
            if (r == 0) break;
            got += (size_t)r;
        } else {
            ssize_t r = read(s->fd, (char *)buf + got, want);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                em_fail(EM_ERR_IO, "read_idx: %s: %s", s->path, strerror(errno));
                return -1;
            }
            if (r == 0) break;
            got += (size_t)r;
        }
    }
    return (int64_t)got;
}

static em_status read_exact(source *s, void *buf, size_t n, const char *what)
{
    int64_t got = read_some(s, buf, n);
    if (got < 0) return EM_ERR_IO;
    if ((size_t)got < n)
        return em_fail(EM_ERR_IO, "read_idx: %s: the file ends inside the %s (%lld of %zu bytes): "
                       "truncated download?", s->path, what, (long long)got, n);
    return EM_OK;
}

typedef struct header {
    const idx_type *type;
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    int64_t count;       /* elements */
    int64_t nbytes;      /* data bytes in the file */
    int64_t hbytes;      /* header bytes */
} header;

static em_status read_header(source *s, header *h)
{
    unsigned char b[4 * EM_MAX_DIMS];
    if (read_exact(s, b, 4, "4-byte IDX magic number") != EM_OK) return EM_ERR_IO;
    if (b[0] != 0 || b[1] != 0)
        return em_fail(EM_ERR_IO, "read_idx: %s: not an IDX file (it starts with %02x %02x; IDX files "
                       "start with 00 00)", s->path, b[0], b[1]);
    h->type = find_type(b[2]);
    if (!h->type)
        return em_fail(EM_ERR_IO, "read_idx: %s: unknown IDX type code 0x%02X (known: 0x08 uint8, "
                       "0x09 int8, 0x0B int16, 0x0C int32, 0x0D float, 0x0E double)", s->path, b[2]);
    h->ndim = b[3];
    if (h->ndim < 1 || h->ndim > EM_MAX_DIMS)
        return em_fail(EM_ERR_IO, "read_idx: %s: the header says %d dimensions; ember reads 1 to %d",
                       s->path, h->ndim, EM_MAX_DIMS);
    h->hbytes = 4 + 4 * (int64_t)h->ndim;
    if (read_exact(s, b, (size_t)h->ndim * 4, "dimension sizes") != EM_OK) return EM_ERR_IO;
    h->count = 1;
    bool overflow = false;
    for (int d = 0; d < h->ndim; d++) {
        h->shape[d] = be32(b + 4 * d);
        if (h->shape[d] && h->count > INT64_MAX / 8 / h->shape[d]) overflow = true;
        else h->count *= h->shape[d];
    }
    char sb[EM_SHAPE_BUF];
    em_shape_str(h->ndim, h->shape, sb, sizeof sb);
    if (overflow)
        return em_fail(EM_ERR_IO, "read_idx: %s: the header's sizes %s are impossibly large "
                       "(corrupt file?)", s->path, sb);
    h->nbytes = h->count * h->type->elsize;
    return EM_OK;
}

/* The header's sizes against what the file can hold, before allocating. */
static em_status check_sizes(const source *s, const header *h)
{
    char sb[EM_SHAPE_BUF];
    em_shape_str(h->ndim, h->shape, sb, sizeof sb);
    int64_t total = h->hbytes + h->nbytes;
    if (!s->gz) {
        if (s->file_size < total)
            return em_fail(EM_ERR_IO, "read_idx: %s: truncated: %s %s needs %lld data bytes but the file "
                           "holds %lld (%lld missing)", s->path, sb, h->type->name, (long long)h->nbytes,
                           (long long)(s->file_size - h->hbytes), (long long)(total - s->file_size));
        if (s->file_size > total)
            return em_fail(EM_ERR_IO, "read_idx: %s: %lld unexpected bytes after the data (%s %s = %lld "
                           "bytes)", s->path, (long long)(s->file_size - total), sb, h->type->name,
                           (long long)h->nbytes);
        return EM_OK;
    }
    if (total / DEFLATE_MAX_RATIO > s->file_size)
        return em_fail(EM_ERR_IO, "read_idx: %s: the header's sizes %s %s (%lld bytes) cannot fit in a "
                       "%lld-byte gzip file (corrupt file?)", s->path, sb, h->type->name,
                       (long long)h->nbytes, (long long)s->file_size);
    if ((uint32_t)total != s->gz_isize)
        return em_fail(EM_ERR_IO, "read_idx: %s: the gzip trailer records %lu uncompressed bytes (mod "
                       "2^32) but the header %s %s needs %lld: truncated download or corrupt file?",
                       s->path, (unsigned long)s->gz_isize, sb, h->type->name, (long long)total);
    return EM_OK;
}

static em_tensor *read_data(source *s, const header *h)
{
    /* the file is read straight into the tensor: host memory only */
    const em_backend *be = em_host_backend_for("read_idx", em_default_device());
    em_tensor *t = be ? em_tensor_empty(h->ndim, h->shape, h->type->dtype, be) : NULL;
    if (!t) return NULL;
    void *data = t->storage->data;   /* host memory */
    if (h->nbytes && read_exact(s, data, (size_t)h->nbytes, "data") != EM_OK) goto fail;
    if (s->gz) {   /* reach the end of the stream: zlib checks the CRC there */
        unsigned char extra;
        int64_t more = read_some(s, &extra, 1);
        if (more < 0) goto fail;
        if (more > 0) {
            em_fail(EM_ERR_IO, "read_idx: %s: unexpected bytes after the data (%lld bytes)", s->path,
                    (long long)h->nbytes);
            goto fail;
        }
    }
    if (h->type->code == EM_IDX_INT8 || h->type->code == EM_IDX_INT16)
        widen_to_int32(data, h->count, h->type->elsize);
    else
        swap_elements(data, h->count, h->type->elsize);
    return t;
fail:
    em_tensor_release(t);
    return NULL;
}

em_tensor *em_idx_read(const char *path)
{
    if (!path || !*path) {
        em_fail(EM_ERR_IO, "read_idx: empty file name");
        return NULL;
    }
    source s;
    if (open_source(&s, path) != EM_OK) return NULL;
    header h;
    em_tensor *t = NULL;
    if (read_header(&s, &h) == EM_OK && check_sizes(&s, &h) == EM_OK) t = read_data(&s, &h);
    close_source(&s);
    return t;
}

/* --- writing --- */
/* The host bytes of t in IDX form (big-endian, int64 narrowed to int32).
** Returns a malloc'd buffer; sets *code, *nbytes. */
static void *host_payload(const char *path, const em_tensor *t, int *code, size_t *nbytes)
{
    int64_t n = em_tensor_numel(t);
    size_t host = (size_t)n * em_dtype_size(t->dtype);
    switch (t->dtype) {
    case EM_UINT8: case EM_BOOL: *code = EM_IDX_UINT8; break;
    case EM_INT32: case EM_INT64: *code = EM_IDX_INT32; break;
    case EM_FLOAT32: *code = EM_IDX_FLOAT32; break;
    case EM_FLOAT64: *code = EM_IDX_FLOAT64; break;
    default:
        em_fail(EM_ERR_TYPE, "write_idx: %s: IDX cannot hold %s", path, em_dtype_name(t->dtype));
        return NULL;
    }
    void *buf = malloc(host ? host : 1);
    if (!buf) {
        em_fail(EM_ERR_MEMORY, "write_idx: %s: out of memory (%zu bytes)", path, host);
        return NULL;
    }
    if (em_op_to_host(t, buf, host) != EM_OK) {
        free(buf);
        return NULL;
    }
    if (t->dtype == EM_INT64) {
        char *p = buf;   /* narrowed in place: slot i (bytes 4i..) only overlaps element i/2 <= i */
        for (int64_t i = 0; i < n; i++) {
            int64_t v;
            memcpy(&v, p + 8 * i, 8);
            if (v < INT32_MIN || v > INT32_MAX) {
                em_fail(EM_ERR_VALUE, "write_idx: %s: int64 value %lld (element %lld) does not fit in "
                        "IDX's int32", path, (long long)v, (long long)i);
                free(buf);
                return NULL;
            }
            int32_t o = (int32_t)v;
            memcpy(p + 4 * i, &o, 4);
        }
        host = (size_t)n * 4;
    }
    int elsize = find_type(*code)->elsize;
    swap_elements(buf, n, elsize);
    *nbytes = host;
    return buf;
}

/* gzip (deflate, level 6) of the chunks given, written to an atomic file. */
typedef struct gz_writer {
    z_stream z;
    em_atomic_file *f;
    unsigned char out[1 << 16];
} gz_writer;

static em_status gz_feed(gz_writer *g, const void *p, size_t n, int flush)
{
    const unsigned char *in = p;
    do {
        uInt take = n > (1u << 30) ? (1u << 30) : (uInt)n;
        g->z.next_in = (Bytef *)in;
        g->z.avail_in = take;
        in += take;
        n -= take;
        int mode = n == 0 ? flush : Z_NO_FLUSH, rc;
        do {
            g->z.next_out = g->out;
            g->z.avail_out = sizeof g->out;
            rc = deflate(&g->z, mode);
            if (rc == Z_STREAM_ERROR) return em_fail(EM_ERR_INTERNAL, "write_idx: zlib deflate failed");
            em_status st = em_atomic_write(g->f, g->out, sizeof g->out - g->z.avail_out);
            if (st != EM_OK) return st;
        } while (g->z.avail_out == 0);
    } while (n > 0);
    return EM_OK;
}

/* Writes header and data to path atomically (atomic_file.c: temporary file,
** fsync, rename; symlinks followed, devices written directly). */
static em_status write_file(const char *path, const unsigned char *hdr, size_t hlen, const void *data,
                            size_t dlen, bool gzip)
{
    em_atomic_file *f = em_atomic_open(path, "write_idx");
    if (!f) return em_last_status();
    em_status st;
    if (gzip) {
        gz_writer *g = calloc(1, sizeof *g);
        if (!g || deflateInit2(&g->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(g);
            em_atomic_abort(f);
            return em_fail(EM_ERR_MEMORY, "write_idx: %s: out of memory for zlib", path);
        }
        g->f = f;
        st = gz_feed(g, hdr, hlen, Z_NO_FLUSH);
        if (st == EM_OK) st = gz_feed(g, data, dlen, Z_FINISH);
        deflateEnd(&g->z);
        free(g);
    } else {
        st = em_atomic_write(f, hdr, hlen);
        if (st == EM_OK) st = em_atomic_write(f, data, dlen);
    }
    if (st != EM_OK) {
        em_atomic_abort(f);
        return st;
    }
    return em_atomic_commit(f);
}

em_status em_idx_write(const char *path, const em_tensor *t, bool gzip)
{
    if (!path || !*path) return em_fail(EM_ERR_IO, "write_idx: empty file name");
    if (t->ndim < 1)
        return em_fail(EM_ERR_SHAPE, "write_idx: %s: a 0-dim tensor cannot be written as IDX (needs 1 to "
                       "%d dims)", path, EM_MAX_DIMS);
    unsigned char hdr[4 + 4 * EM_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] > (int64_t)UINT32_MAX)
            return em_fail(EM_ERR_SHAPE, "write_idx: %s: dim %d has %lld elements; IDX sizes are 32-bit",
                           path, d + 1, (long long)t->shape[d]);
        uint32_t v = (uint32_t)t->shape[d];
        unsigned char *p = hdr + 4 + 4 * d;
        p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
        p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
    }
    int code = 0;
    size_t nbytes = 0;
    void *payload = host_payload(path, t, &code, &nbytes);
    if (!payload) return em_last_status();
    hdr[0] = 0, hdr[1] = 0, hdr[2] = (unsigned char)code, hdr[3] = (unsigned char)t->ndim;
    errno = 0;
    em_status st = write_file(path, hdr, 4 + 4 * (size_t)t->ndim, payload, nbytes, gzip);
    free(payload);
    return st;
}
