/* idx.h — IDX files (MNIST, Fashion-MNIST): a validating reader and a writer,
** plain or gzip-wrapped (detected by content, not by name). The format and
** the validation rules are in shared/docs/formats/idx.md. This is only the
** file format: which files make a dataset is lua/torch/datasets.lua. */
#ifndef EMBER_IDX_H
#define EMBER_IDX_H

#include <stdbool.h>

#include "../core/tensor.h"

/* IDX element type codes (byte 2 of the file). */
enum {
    EM_IDX_UINT8 = 0x08,
    EM_IDX_INT8 = 0x09,
    EM_IDX_INT16 = 0x0B,
    EM_IDX_INT32 = 0x0C,
    EM_IDX_FLOAT32 = 0x0D,
    EM_IDX_FLOAT64 = 0x0E,
};

/* Reads a whole IDX file into a new contiguous CPU tensor (returns a new
** reference, NULL on failure with EM_ERR_IO and a message naming the file and
** what is wrong). Element types: uint8 -> uint8, int8/int16/int32 -> int32,
** float -> float32, double -> float64. Every size is checked against the
** file before anything is allocated; truncated files, trailing bytes, bad
** magic, unknown types and gzip errors (CRC, early end) are refused. */
em_tensor *em_idx_read(const char *path);

/* Writes t (any layout, CPU or not) as an IDX file, gzip-compressed when gzip
** is true. uint8/bool -> 0x08, int32 -> 0x0C, int64 -> 0x0C when every value
** fits in int32, float32 -> 0x0D, float64 -> 0x0E. t needs 1..EM_MAX_DIMS
** dims. The file is replaced atomically (temporary file, fsync, rename). */
em_status em_idx_write(const char *path, const em_tensor *t, bool gzip);

#endif
