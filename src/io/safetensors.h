/* safetensors.h — .safetensors files (Hugging Face's format): a validating
** reader with the reference library's rules (safetensors 0.8.0, spec in
** shared/docs/formats/safetensors.md §4) and a writer that reproduces the
** library's bytes (§3, §5), replacing the file atomically. Only the file
** format: Lua tables and OrderedDicts are bind/lua_safetensors.c's business. */
#ifndef EMBER_SAFETENSORS_H
#define EMBER_SAFETENSORS_H

#include <stdint.h>

#include "../core/tensor.h"

/* The reference library's header size limit (MAX_HEADER_SIZE). */
#define EM_ST_MAX_HEADER 100000000u

/* One tensor as the header describes it. data_offsets are relative to the
** start of the data buffer, which begins at byte 8 + header_len. */
typedef struct em_st_entry {
    char *name;                 /* UTF-8, NUL-terminated */
    char dtype[16];             /* the file's dtype string: "F32", "F16", ... */
    int bits;                   /* bits per element */
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    uint64_t begin, end;        /* data_offsets */
    uint32_t crc32;             /* of the bytes; set only by em_st_checksum */
} em_st_entry;

/* A validated header: entries sorted by data offset (the file's data order,
** the order the library's load_file returns), metadata in file order. */
typedef struct em_st_header {
    uint64_t header_len;        /* N: JSON bytes, padding included */
    uint64_t file_size;
    int n;
    em_st_entry *entries;
    int n_meta;
    char **meta_keys, **meta_values;
} em_st_header;

/* Reads and validates the header of path (and the file's size against it).
** On failure h is empty and the message is "<what>: <path>: <reason>", the
** reason worded as the reference library words it where it has one. */
em_status em_st_read_header(const char *path, const char *what, em_st_header *h);
void em_st_header_free(em_st_header *h);

/* The ember dtype an entry loads as: F32 F64 I64 I32 U8 BOOL as themselves;
** F16, BF16 as float16 / bfloat16 (bits unchanged); I8, I16, U16 -> int32, U32 -> int64 (exact).
** Returns -1 for the rest (U64, C64, F8/F6/F4), which loading refuses. */
int em_st_entry_dtype(const em_st_entry *e);

/* Reads the whole file: the header into h and one new contiguous CPU tensor
** per entry into (*tensors)[i] (an array the caller frees after releasing
** each tensor). On failure nothing is left allocated. */
em_status em_st_load(const char *path, const char *what, em_st_header *h, em_tensor ***tensors);

/* Fills entries[i].crc32 (zlib's CRC-32 of each tensor's bytes) for a header
** read from path by em_st_read_header. */
em_status em_st_checksum(const char *path, const char *what, em_st_header *h);

/* Writes n named tensors (float32, float64, int64, int32, uint8, bool; any
** device; each contiguous, none sharing bytes with another: the library's
** rules) and n_meta metadata pairs (the "__metadata__" map, keys written in
** byte order; n_meta < 0 leaves the map out, 0 writes it empty, as the
** library does for metadata=None and metadata={}). Tensors are ordered as the library orders them (dtype size,
** then name). Names and metadata must be valid UTF-8 without NUL bytes. */
em_status em_st_save(const char *path, int n, const char *const *names, em_tensor *const *tensors,
                     int n_meta, const char *const *meta_keys, const char *const *meta_values);

#endif
