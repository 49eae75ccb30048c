/* pt_save.h — torch.save's file: a value tree written as a PyTorch checkpoint
** (zip of data.pkl + byteorder + data/<key> + version, formats/pytorch-pt.md
** §5.3 and §6) that torch 1.13 and 2.x load, or in the legacy format
** (_use_new_zipfile_serialization=False: pt_load_legacy.h describes it),
** replacing path atomically. Not here: converting Lua values
** (bind/lua_save.c), reading (the loaders). */
#ifndef EMBER_PT_SAVE_H
#define EMBER_PT_SAVE_H

#include <stdbool.h>

#include "pyval.h"

/* Writes tree to path. The archive folder is path's base name without its
** extension. On failure path is left as it was and no temporary file stays;
** the message names the path and the reason (errno text for I/O). */
em_status em_pt_save(const char *path, const em_pyval *tree);

/* torch.save's options: pickle_protocol (2 to 5; torch.save's default 2) and
** the format (zip unless legacy). */
typedef struct em_pt_save_opts {
    int protocol;
    bool legacy;
} em_pt_save_opts;
em_status em_pt_save_with(const char *path, const em_pyval *tree, const em_pt_save_opts *opts);

#endif
