/* pt_load.h — torch.load's file side: a PyTorch checkpoint (zip of data.pkl,
** data/<key>, version; formats/pytorch-pt.md §2.10, §3.6, §4; or the legacy
** format, pt_load_legacy.h) read into an em_pyval tree. The file is read by
** offsets, storages straight into their tensors: the memory a load takes is
** the tensors it makes (counted by the memory budget) plus the pickle. Each
** storage record is read once and shared by every tensor viewing it. ember has no float16, bfloat16, int16 or int8: such storages
** are converted on load (float16/bfloat16 -> float32, int16/int8 -> int32),
** and the notice says so. Not here: converting to Lua (bind/lua_load.c). */
#ifndef EMBER_PT_LOAD_H
#define EMBER_PT_LOAD_H

#include <stddef.h>

#include "file_read.h"
#include "pyval.h"

/* Reads path into *root (owned by the caller). map_location: NULL or "cpu"
** (everything in host memory), or "cuda" / "cuda:N" (accepted; loaded to
** host memory with a notice while ember has no CUDA). notice (n bytes, may be
** NULL) receives "" or text the caller should show once: tensors saved on
** another device loaded to the CPU, dtypes converted, an unusual version.
** Every refusal says why, naming the path. */
em_status em_pt_load(const char *path, const char *map_location, em_pyval **root, char *notice, size_t n);
/* The same from an open source (a file, or a buffer: fuzzing); path is for
** messages. */
em_status em_pt_load_from(const em_src *src, const char *path, const char *map_location, em_pyval **root,
                          char *notice, size_t n);

#endif
