/* onnx_file.h — reading and writing ONNX model files (ModelProto). The
** message code is generated at build time by protoc-c from ONNX's own
** onnx.proto (Debian's libonnx-dev), so the wire format is protobuf-c's, not
** ours. Here: the limits a file must pass before protobuf-c sees it (size,
** message nesting), packing to a file atomically, element type names. Not
** here: what a graph means (lua/torch/onnx.lua traces and builds one;
** bind/lua_onnx.c converts between Lua tables and the messages). */
#ifndef EMBER_ONNX_FILE_H
#define EMBER_ONNX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/status.h"
#include "onnx.pb-c.h"

/* Files larger than this are refused (protobuf's own limit is 2 GiB; models
** bigger than this keep their weights in external data files). */
#define EM_ONNX_MAX_BYTES ((size_t)1 << 30)
/* Deepest message nesting accepted (graphs inside If/Loop attributes nest;
** real files stay under 20). protobuf-c recurses once per level. */
#define EM_ONNX_MAX_NESTING 64

/* Parses n bytes as a ModelProto after checking the wire format's nesting;
** NULL with a message naming `what` on failure. Free the result with
** onnx__model_proto__free_unpacked(m, NULL). */
Onnx__ModelProto *em_onnx_parse(const uint8_t *buf, size_t n, const char *what, em_status *st);

/* Reads and parses a whole file (at most EM_ONNX_MAX_BYTES). */
Onnx__ModelProto *em_onnx_read_file(const char *path, em_status *st);

/* Packs m and writes it to path through an atomic replace (atomic_file.h). */
em_status em_onnx_write_file(const Onnx__ModelProto *m, const char *path);

/* "FLOAT", "INT64", ... for a TensorProto.DataType value; "UNDEFINED(n)"
** style text is not produced: unknown values give NULL. */
const char *em_onnx_elem_type_name(int32_t t);

#endif
