/* zip_read.h — a strict reader for the zip container of PyTorch checkpoints
** (formats/pytorch-pt.md §2, reader algorithm §2.10): the central directory
** is walked with every field bounds-checked (ZIP64 end records and extras,
** data descriptors), each local header is checked, only STORED entries are
** accepted, names are validated (no "..", "/" first, "\\", NUL, control
** bytes, duplicates), and every record read has its CRC-32 verified. The
** file is read by offsets (file_read.h), never whole: opening reads the
** structure only, and a record's bytes are read when asked for, straight
** into the caller's memory. Not here: what the records mean (pt_load.c),
** writing. */
#ifndef EMBER_ZIP_READ_H
#define EMBER_ZIP_READ_H

#include <stddef.h>
#include <stdint.h>

#include "../core/status.h"
#include "file_read.h"

typedef struct em_zip_reader em_zip_reader;

/* Opens and checks the archive at path. what names the caller in messages
** ("torch.load"). NULL with a status set on failure. */
em_zip_reader *em_zip_open(const char *path, const char *what);
/* The same over a caller's buffer (borrowed; it must outlive the reader). */
em_zip_reader *em_zip_open_memory(const void *data, size_t len, const char *what);
/* The same over a caller's source (borrowed; its label prefixes messages). */
em_zip_reader *em_zip_open_src(const em_src *src);
void em_zip_close(em_zip_reader *z);

/* Number of entries; the i-th entry's name, record size and the central
** directory's CRC-32 (central-directory order). */
size_t em_zip_count(const em_zip_reader *z);
const char *em_zip_name(const em_zip_reader *z, size_t i);
uint64_t em_zip_size(const em_zip_reader *z, size_t i);
uint32_t em_zip_crc(const em_zip_reader *z, size_t i);
/* The index of the entry named name, or -1. */
long em_zip_index(const em_zip_reader *z, const char *name);

/* Reads record i (em_zip_size bytes) into dst and checks its CRC-32. */
em_status em_zip_read(const em_zip_reader *z, size_t i, void *dst);
/* Reads record i in chunks of at most 1 MiB (a multiple of 8 bytes, except
** the last), calling fn(ctx, bytes, n, offset) for each (fn may be NULL),
** and checks the CRC-32 at the end: a mismatch is an error after the last
** call, so the caller must drop what it made of the bytes. */
typedef em_status (*em_zip_chunk_fn)(void *ctx, const unsigned char *p, size_t n, uint64_t offset);
em_status em_zip_stream(const em_zip_reader *z, size_t i, em_zip_chunk_fn fn, void *ctx);
/* Reads the record named name into a new buffer (*data, NUL-terminated,
** free() it) counted against the memory budget first; an error when there
** is no such record. */
em_status em_zip_load(const em_zip_reader *z, const char *name, unsigned char **data, size_t *len);

#endif
