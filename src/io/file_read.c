/* file_read.c — the offset reads of file_read.h: pread in a loop (EINTR and
** short reads), a bounds check before every read. */
#include "file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_label(em_src *s, const char *label)
{
    snprintf(s->label, sizeof s->label, "%s", label ? label : "read");
}

em_status em_src_open(em_src *s, const char *path, const char *label)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    set_label(s, label);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);   /* a FIFO must not block the open */
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        em_status st = em_fail(EM_ERR_IO, "%s: %s", s->label, strerror(errno));
        if (fd >= 0) close(fd);
        return st;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_size < 0 || (uint64_t)sb.st_size > EM_FILE_MAX_BYTES) {
        close(fd);
        return em_fail(EM_ERR_IO, "%s: %s", s->label, !S_ISREG(sb.st_mode) ? "not a regular file"
                       : "the file is larger than 64 GiB, the most this reader accepts");
    }
    s->fd = fd;
    s->len = (uint64_t)sb.st_size;
    return EM_OK;
}

void em_src_memory(em_src *s, const void *data, size_t len, const char *label)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->mem = len ? data : (const unsigned char *)"";
    s->len = len;
    set_label(s, label);
}

em_status em_src_read(const em_src *s, uint64_t off, void *dst, size_t n)
{
    if (off > s->len || n > s->len - off)
        return em_fail(EM_ERR_IO, "%s: reading %zu bytes at offset %llu, past the end of the %llu-byte file "
                       "(truncated?)", s->label, n, (unsigned long long)off, (unsigned long long)s->len);
    if (n == 0) return EM_OK;
    if (s->mem) {
        memcpy(dst, s->mem + off, n);
        return EM_OK;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(s->fd, (char *)dst + got, n - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return em_fail(EM_ERR_IO, "%s: %s", s->label, strerror(errno));
        if (r == 0)
            return em_fail(EM_ERR_IO, "%s: the file got shorter while being read (is another program writing "
                           "it?)", s->label);
        got += (size_t)r;
    }
    return EM_OK;
}

const unsigned char *em_src_peek(const em_src *s, uint64_t off, size_t n)
{
    if (!s->mem || off > s->len || n > s->len - off) return NULL;
    return s->mem + off;
}

void em_src_close(em_src *s)
{
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
}
