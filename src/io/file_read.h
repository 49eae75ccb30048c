/* file_read.h — reading a file by offsets (pread), never mapping it or
** copying it whole: the readers of src/io take what they need (a zip's
** directory, a pickle, one storage straight into its tensor), so the memory
** a load uses is what it makes, which the memory budget counts. A file that
** another program shortens while it is read gives an error, never a crash
** (a mapping would fault). The same calls read a caller's buffer (fuzzing,
** tests). Not here: what the bytes mean. */
#ifndef EMBER_FILE_READ_H
#define EMBER_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "../core/status.h"

/* Files larger than this are refused before anything is read. */
#define EM_FILE_MAX_BYTES ((uint64_t)1 << 36)

typedef struct em_src {
    const unsigned char *mem;    /* a caller's buffer, or NULL */
    int fd;                      /* an open file, or -1 */
    uint64_t len;
    char label[320];             /* message prefix: "torch.load: path" */
} em_src;

/* Opens path (a regular file of at most EM_FILE_MAX_BYTES) for reading; the
** label prefixes messages. On failure nothing stays open. */
em_status em_src_open(em_src *s, const char *path, const char *label);
/* A source over a caller's buffer (borrowed). */
void em_src_memory(em_src *s, const void *data, size_t len, const char *label);
/* Reads n bytes at off into dst: an error (naming the label) when they are
** not all in the file. */
em_status em_src_read(const em_src *s, uint64_t off, void *dst, size_t n);
/* The bytes at off when the source is a buffer (no copy), else NULL. */
const unsigned char *em_src_peek(const em_src *s, uint64_t off, size_t n);
void em_src_close(em_src *s);   /* also for a failed open */

#endif
