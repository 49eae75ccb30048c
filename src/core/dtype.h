/* dtype.h — the element types a tensor can hold, their sizes and names.
** A leaf header: anyone (core, ops, backends) may include it. It knows
** nothing of tensors; type promotion lives in core/promote.c, the bit-level
** float16 / bfloat16 conversions in core/half.h. */
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
    EM_FLOAT16,       /* IEEE half (torch.float16 / torch.half): storage dtypes, */
    EM_BFLOAT16,      /* computed in float32 and rounded back (backend/widen.c) */
    EM_NUM_DTYPES
} em_dtype;

size_t em_dtype_size(em_dtype dt);
const char *em_dtype_name(em_dtype dt);      /* "float32", "int64", ... */
bool em_dtype_is_float(em_dtype dt);         /* float16, bfloat16, float32, float64 */
bool em_dtype_is_valid(int dt);
/* float16 and bfloat16: dtypes a tensor stores but kernels do not compute
** in; em_dtype_compute_type gives the one they compute in (float32), and
** every other dtype itself. */
bool em_dtype_is_reduced_float(em_dtype dt);
em_dtype em_dtype_compute_type(em_dtype dt);
/* Parses the names and aliases of em_dtype_alias ("float32", "float", "half",
** "bfloat16", ...); returns -1 for anything else. */
int em_dtype_from_name(const char *name);
/* The i-th (from 0) name torch gives a dtype, with its dtype; NULL past the
** last. The one list of dtype names and aliases (torch.float16, torch.half). */
const char *em_dtype_alias(int i, em_dtype *dt);

#endif
