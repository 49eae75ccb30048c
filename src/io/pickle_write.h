/* pickle_write.h — turns an em_pyval tree into the pickle that torch.save
** writes as data.pkl (formats/pytorch-pt.md §3 and §6) or as the value of a
** legacy file, using only the opcodes and GLOBALs that torch 1.13's and
** 2.x's weights-only loaders accept. Tensors become _rebuild_tensor_v2 calls
** on persistent storage ids; the storages they name are listed for the
** caller to write (data/<key>, or after the pickles in a legacy file). No
** memo (BINPUT/BINGET) is emitted. Protocols 3 to 5 get their PROTO header
** and the same protocol-2 opcodes (all valid there, and the only ones torch
** 1.13's weights-only loader reads: it has no FRAME or MEMOIZE). Not here:
** the zip, the file. */
#ifndef EMBER_PICKLE_WRITE_H
#define EMBER_PICKLE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pyval.h"

/* One storage named in the pickle; its key is its index ("0", "1", ...). */
typedef struct em_pickle_storage {
    em_storage *storage;    /* borrowed from a tensor of the tree */
    em_dtype dtype;         /* every tensor viewing it has this dtype */
    int64_t numel;          /* elements of the whole storage */
} em_pickle_storage;

typedef struct em_pickle {
    unsigned char *data;    /* the pickle bytes */
    size_t len, cap;
    em_pickle_storage *storages;   /* in key order */
    size_t nstorages, storages_cap;
    bool legacy;            /* set from the options while writing */
} em_pickle;

/* How to write: the PROTO number (2 to 5), and the legacy format's
** persistent ids (a sixth element, view_metadata = None). */
typedef struct em_pickle_opts {
    int protocol;
    bool legacy;
} em_pickle_opts;

/* Pickles root into *out (zeroed first; free with em_pickle_free, also after
** a failure). Fails with a message naming the offending value for: bytes,
** unhashable keys, a storage viewed with two dtypes, tensors whose view
** leaves their storage, nesting deeper than 512. opts NULL: protocol 2, zip
** format ids. */
em_status em_pickle_write(const em_pyval *root, em_pickle *out);
em_status em_pickle_write_with(const em_pyval *root, const em_pickle_opts *opts, em_pickle *out);
void em_pickle_free(em_pickle *p);

#endif
