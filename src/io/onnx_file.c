/* onnx_file.c — ONNX files in and out through protobuf-c (see onnx_file.h).
** protobuf-c parses well-formed and malformed input safely but recurses once
** per nested message with no limit, so a small crafted file could nest graphs
** deep enough to overflow the stack. check_nesting walks the wire format
** first and refuses anything nested more than EM_ONNX_MAX_NESTING deep. */
#include "onnx_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"

/* Reads a base-128 varint; false if it runs past the end or is over 10 bytes. */
static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end) return false;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *out = v; return true; }
    }
    return false;
}

enum scan_result { SCAN_MESSAGE, SCAN_NOT_MESSAGE, SCAN_TOO_DEEP };

/* Does [p, end) parse as a message whose length-delimited fields, where
** they parse as messages too, nest at most `room` levels further (room -1:
** is it a flat message, without looking inside its fields)? A field
** that does not parse as a message is taken as bytes (a string, raw data).
** Each byte is visited once per level, so the cost is at most
** EM_ONNX_MAX_NESTING passes over the file. */
static enum scan_result scan(const uint8_t *p, const uint8_t *end, int room)
{
    while (p < end) {
        uint64_t key, v;
        if (!read_varint(&p, end, &key) || (key >> 3) == 0) return SCAN_NOT_MESSAGE;
        switch (key & 7) {
        case 0:
            if (!read_varint(&p, end, &v)) return SCAN_NOT_MESSAGE;
            break;
        case 1:
            if (end - p < 8) return SCAN_NOT_MESSAGE;
            p += 8;
            break;
        case 5:
            if (end - p < 4) return SCAN_NOT_MESSAGE;
            p += 4;
            break;
        case 2: {
            if (!read_varint(&p, end, &v) || v > (uint64_t)(end - p)) return SCAN_NOT_MESSAGE;
            const uint8_t *sub_end = p + v;
            if (v > 0 && room >= 0) {     /* room < 0: only a flat parse is asked for */
                enum scan_result r = scan(p, sub_end, room - 1);
                if (r == SCAN_TOO_DEEP) return SCAN_TOO_DEEP;
                if (r == SCAN_MESSAGE && room == 0) return SCAN_TOO_DEEP;
            }
            p = sub_end;
            break;
        }
        default:                      /* groups (3, 4) are not used by onnx.proto */
            return SCAN_NOT_MESSAGE;
        }
    }
    return SCAN_MESSAGE;
}

Onnx__ModelProto *em_onnx_parse(const uint8_t *buf, size_t n, const char *what, em_status *st)
{
    *st = EM_OK;
    if (n > EM_ONNX_MAX_BYTES) {
        *st = em_fail(EM_ERR_IO, "%s: %zu bytes is more than the %zu an ONNX file may have here",
                      what, n, EM_ONNX_MAX_BYTES);
        return NULL;
    }
    enum scan_result r = scan(buf, buf + n, EM_ONNX_MAX_NESTING);
    if (r == SCAN_TOO_DEEP) {
        *st = em_fail(EM_ERR_IO, "%s: messages nested more than %d deep: not a model ember will read",
                      what, EM_ONNX_MAX_NESTING);
        return NULL;
    }
    if (r == SCAN_NOT_MESSAGE) {
        *st = em_fail(EM_ERR_IO, "%s: not an ONNX model (the bytes are not a protobuf message)", what);
        return NULL;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, n, buf);
    if (!m) {
        *st = em_fail(EM_ERR_IO, "%s: not an ONNX model (protobuf-c could not decode a ModelProto)", what);
        return NULL;
    }
    return m;
}

Onnx__ModelProto *em_onnx_read_file(const char *path, em_status *st)
{
    *st = EM_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO: refused below, not waited on */
    if (fd < 0) {
        *st = em_fail(EM_ERR_IO, "onnx: %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        *st = em_fail(EM_ERR_IO, "onnx: %s: not a regular file", path);
        return NULL;
    }
    if ((uint64_t)sb.st_size > EM_ONNX_MAX_BYTES) {
        close(fd);
        *st = em_fail(EM_ERR_IO, "onnx: %s: %lld bytes is more than the %zu an ONNX file may have here",
                      path, (long long)sb.st_size, EM_ONNX_MAX_BYTES);
        return NULL;
    }
    size_t n = (size_t)sb.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) {
        close(fd);
        *st = em_fail(EM_ERR_MEMORY, "onnx: %s: out of memory reading %zu bytes", path, n);
        return NULL;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        *st = em_fail(EM_ERR_IO, "onnx: %s: could not read the whole file", path);
        return NULL;
    }
    char what[64 + 256];
    snprintf(what, sizeof what, "onnx: %.256s", path);
    Onnx__ModelProto *m = em_onnx_parse(buf, n, what, st);
    free(buf);
    return m;
}

em_status em_onnx_write_file(const Onnx__ModelProto *m, const char *path)
{
    size_t n = onnx__model_proto__get_packed_size(m);
    if (n > ((size_t)1 << 31) - 1)
        return em_fail(EM_ERR_VALUE, "torch.onnx.export: the model is %zu bytes, over protobuf's 2 GiB limit", n);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return em_fail(EM_ERR_MEMORY, "torch.onnx.export: out of memory packing %zu bytes", n);
    size_t packed = onnx__model_proto__pack(m, buf);
    em_status st = EM_OK;
    em_atomic_file *f = em_atomic_open(path, "torch.onnx.export");
    if (!f) st = em_last_status();
    if (st == EM_OK && packed != n)
        st = em_fail(EM_ERR_INTERNAL, "torch.onnx.export: packed %zu bytes, expected %zu", packed, n);
    if (st == EM_OK) st = em_atomic_write(f, buf, n);
    if (st == EM_OK) st = em_atomic_commit(f);
    else em_atomic_abort(f);
    free(buf);
    return st;
}

const char *em_onnx_elem_type_name(int32_t t)
{
    static const char *names[] = {
        [1] = "FLOAT", [2] = "UINT8", [3] = "INT8", [4] = "UINT16", [5] = "INT16", [6] = "INT32",
        [7] = "INT64", [8] = "STRING", [9] = "BOOL", [10] = "FLOAT16", [11] = "DOUBLE", [12] = "UINT32",
        [13] = "UINT64", [14] = "COMPLEX64", [15] = "COMPLEX128", [16] = "BFLOAT16",
    };
    if (t <= 0 || t >= (int32_t)(sizeof names / sizeof names[0])) return NULL;
    return names[t];
}
