/* pt_load_legacy.h — reading PyTorch's legacy checkpoint format (torch.save
** with _use_new_zipfile_serialization=False, and every file before PyTorch
** 1.6), with the same restricted unpickler as the zip format: five pickles
** in a row (the magic number 0x1950a86a20f9469cfc6c, the protocol version
** 1001, a sys_info dict, the value with ('storage', <Type>Storage, key,
** location, numel, None) persistent ids, the sorted list of storage keys),
** then each listed storage as an int64 little-endian element count and its
** little-endian elements. Not here: the zip format (pt_load.c), writing
** (pt_save.c). The older tar-based format (before PyTorch 0.4) is refused. */
#ifndef EMBER_PT_LOAD_LEGACY_H
#define EMBER_PT_LOAD_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

#include "file_read.h"
#include "pt_elements.h"
#include "pyval.h"

/* Whether p (len >= 32 bytes, or the whole file) starts with the pickled
** magic number (protocols 2 to 5). */
bool em_pt_is_legacy(const unsigned char *p, size_t len);

/* Reads the file into *root; notes collects converted dtypes and foreign
** locations. The pickles are read into a buffer that grows until they fit
** (counted against the memory budget), storages straight into their
** tensors. Every refusal names path and the reason; each storage is checked
** against the bytes the file holds before it is allocated. */
em_status em_pt_load_legacy(const char *path, const em_src *src, em_pt_notes *notes, em_pyval **root);

#endif
