/* zip_write.h — the zip container of PyTorch checkpoints, written as torch
** writes it (formats/pytorch-pt.md §2.3-2.5): stored entries named
** "<root>/<record>", data 64-byte aligned through an "FB" padding extra field,
** data descriptors with CRC-32, a central directory and all three end records
** (ZIP64 EOCD, ZIP64 locator, EOCD). Bytes go to a sink as they are made.
** Not here: what the records hold (pt_save.c), reading zips, compression, or
** archives of 4 GiB and more (refused). */
#ifndef EMBER_ZIP_WRITE_H
#define EMBER_ZIP_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/status.h"

/* Where the bytes go: returns EM_OK or a status with a message set. */
typedef em_status (*em_zip_sink)(void *ctx, const void *p, size_t n);

typedef struct em_zip_writer em_zip_writer;

/* root: the archive folder (non-empty ASCII, no '/' or '\\'). NULL with a
** status on failure. */
em_zip_writer *em_zip_writer_new(const char *root, em_zip_sink sink, void *ctx);
/* Adds the record "<root>/<name>" holding n bytes. Duplicate names are refused. */
em_status em_zip_add(em_zip_writer *z, const char *name, const void *data, size_t n);
/* Writes the central directory and the end records. */
em_status em_zip_finish(em_zip_writer *z);
void em_zip_writer_free(em_zip_writer *z);

/* The root folder torch uses for a file path: its base name without the last
** extension ("dir/linear_state.pt" -> "linear_state"), or "archive" when that
** is empty or not plain printable ASCII. Writes at most n bytes into buf. */
void em_zip_root_for_path(const char *path, char *buf, size_t n);

#endif
