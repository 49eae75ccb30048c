/* zip_read.h — a strict reader for the zip container of PyTorch checkpoints
** (formats/pytorch-pt.md §2, reader algorithm §2.10): the whole file is read
** into memory (size capped), the central directory is walked with every
** field bounds-checked (ZIP64 end records and extras, data descriptors), each
** local header is checked, only STORED entries are accepted, every CRC-32 is
** verified and names are validated (no "..", "/" first, "\\", NUL, control
** bytes, duplicates). Not here: what the records mean (pt_load.c), writing. */
#ifndef EMBER_ZIP_READ_H
#define EMBER_ZIP_READ_H

#include <stddef.h>
#include <stdint.h>

#include "../core/status.h"

/* Files larger than this are refused before anything is read. */
#define EM_ZIP_MAX_FILE_BYTES ((uint64_t)1 << 36)

typedef struct em_zip_reader em_zip_reader;

/* Reads and checks the archive at path. what names the caller in messages
** ("torch.load"). NULL with a status set on failure. */
em_zip_reader *em_zip_open(const char *path, const char *what);
/* The same over a caller's buffer (borrowed; it must outlive the reader). */
em_zip_reader *em_zip_open_memory(const void *data, size_t len, const char *what);
void em_zip_close(em_zip_reader *z);

/* Number of entries and the i-th entry's name (central-directory order). */
size_t em_zip_count(const em_zip_reader *z);
const char *em_zip_name(const em_zip_reader *z, size_t i);
/* Finds the entry named name: its bytes (borrowed, valid until close) and
** length. Returns 0 when there is no such entry. */
int em_zip_find(const em_zip_reader *z, const char *name, const unsigned char **data, size_t *len);

#endif
