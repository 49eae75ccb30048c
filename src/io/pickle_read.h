/* pickle_read.h — a restricted unpickler for the pickles of PyTorch
** checkpoints (formats/pytorch-pt.md §3 and §5.4): the opcodes torch.save
** emits with pickle protocols 2 to 5 (framing, memoize, short strings,
** STACK_GLOBAL, bytes), GLOBALs from a short allowlist (OrderedDict, Counter (read as a dict), the
** tensor and parameter rebuilders, the storage classes, torch.device,
** TorchVersion, _codecs.encode for bytes), nothing ever called or imported.
** Builds an em_pyval tree; storages come from the caller through a
** callback. Python ints outside int64 are refused, never rounded. Not here:
** the zip, reading records, dtype conversion (pt_load.c, pt_legacy.c). */
#ifndef EMBER_PICKLE_READ_H
#define EMBER_PICKLE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pyval.h"

/* The legacy storage classes (GLOBAL torch <Name>Storage), §3.6. */
typedef enum em_pt_stype {
    EM_PT_FLOAT, EM_PT_DOUBLE, EM_PT_HALF, EM_PT_BFLOAT16, EM_PT_LONG,
    EM_PT_INT, EM_PT_SHORT, EM_PT_CHAR, EM_PT_BYTE, EM_PT_BOOL, EM_PT_NUM_STYPES
} em_pt_stype;

const char *em_pt_stype_name(em_pt_stype st);   /* "FloatStorage" */
size_t em_pt_stype_size(em_pt_stype st);        /* bytes per element in the file */

/* Limits: at most this many objects, stack items, marks, nesting levels in
** the result; the result may hold at most 2 x objects + EM_PICKLE_MAX_OUTPUT
** values (a DAG of shared memo entries could otherwise expand exponentially). */
#define EM_PICKLE_MAX_OBJECTS 20000000
#define EM_PICKLE_MAX_STACK 1000000
#define EM_PICKLE_MAX_MARKS 100000
#define EM_PICKLE_MAX_DEPTH 1000
#define EM_PICKLE_MAX_OUTPUT 100000

/* Returns a new reference to the storage of a persistent id as a 1-D tensor
** of numel elements (the same tensor for the same key: views then share it),
** or NULL with a status set. key is decimal digits; location printable ASCII.
** The zip format's ids are 5-tuples; the legacy format's are 6-tuples whose
** view_metadata must be None. */
typedef em_tensor *(*em_pickle_storage_fn)(void *ctx, em_pt_stype type, const char *key,
                                           const char *location, int64_t numel);

typedef struct em_unpickle_opts {
    em_pickle_storage_fn load_storage;   /* NULL: persistent ids are refused */
    void *ctx;
    const char *what;                    /* message prefix, e.g. "torch.load: f.pt: data.pkl" */
    bool *ran_out;                       /* if not NULL: set when a failure is the data ending early */
} em_unpickle_opts;

/* Runs the pickle in data[0..len) and stores the result tree in *out (owned
** by the caller). Every refusal names the opcode or global and the byte
** offset; nothing is allocated from a length before it is checked against
** the bytes that remain. */
em_status em_pickle_read(const unsigned char *data, size_t len, const em_unpickle_opts *opts, em_pyval **out);
/* The same for a pickle followed by more bytes (the legacy format holds
** several in a row): *used receives the bytes up to and including STOP. */
em_status em_pickle_read_prefix(const unsigned char *data, size_t len, const em_unpickle_opts *opts, em_pyval **out,
                                size_t *used);

#endif
