/* dtype.h — the element types a tensor can hold, their sizes and names.
** A leaf header: anyone (core, ops, backends) may include it. It knows
** nothing of tensors; type promotion lives in core/promote.c. */
#ifndef EMBER_DTYPE_H
#define EMBER_DTYPE_H

#include <stddef.h>
#include <stdbool.h>

typedef enum em_dtype {
    EM_FLOAT32 = 0,   /* the compute type: every layer and optimizer uses it */
    EM_FLOAT64,
    EM_INT64,         /* labels, indices, argmax results */
    EM_INT32,
    EM_UINT8,         /* raw image bytes */
    EM_BOOL,          /* results of comparisons */
    EM_NUM_DTYPES
} em_dtype;

size_t em_dtype_size(em_dtype dt);
const char *em_dtype_name(em_dtype dt);      /* "float32", "int64", ... */
bool em_dtype_is_float(em_dtype dt);
bool em_dtype_is_valid(int dt);
/* Parses "float32", "float", "float64", "double", "int64", "long", "int32",
** "int", "uint8", "bool"; returns -1 for anything else. */
int em_dtype_from_name(const char *name);

#endif
