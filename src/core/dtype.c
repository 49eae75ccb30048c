/* dtype.c — sizes and names of the element types. */
#include "dtype.h"

#include <string.h>

static const struct { const char *name; size_t size; } info[EM_NUM_DTYPES] = {
    [EM_FLOAT32] = {"float32", 4}, [EM_FLOAT64] = {"float64", 8},
    [EM_INT64] = {"int64", 8},     [EM_INT32] = {"int32", 4},
    [EM_UINT8] = {"uint8", 1},     [EM_BOOL] = {"bool", 1},
    [EM_FLOAT16] = {"float16", 2}, [EM_BFLOAT16] = {"bfloat16", 2},
};

bool em_dtype_is_valid(int dt) { return dt >= 0 && dt < EM_NUM_DTYPES; }
size_t em_dtype_size(em_dtype dt) { return em_dtype_is_valid((int)dt) ? info[dt].size : 0; }
const char *em_dtype_name(em_dtype dt) { return em_dtype_is_valid((int)dt) ? info[dt].name : "?"; }
bool em_dtype_is_reduced_float(em_dtype dt) { return dt == EM_FLOAT16 || dt == EM_BFLOAT16; }
em_dtype em_dtype_compute_type(em_dtype dt) { return em_dtype_is_reduced_float(dt) ? EM_FLOAT32 : dt; }

bool em_dtype_is_float(em_dtype dt)
{
    return dt == EM_FLOAT32 || dt == EM_FLOAT64 || em_dtype_is_reduced_float(dt);
}

static const struct { const char *alias; em_dtype dt; } aliases[] = {
    {"float32", EM_FLOAT32}, {"float", EM_FLOAT32},  {"float64", EM_FLOAT64},
    {"double", EM_FLOAT64},  {"int64", EM_INT64},    {"long", EM_INT64},
    {"int32", EM_INT32},     {"int", EM_INT32},      {"uint8", EM_UINT8},
    {"bool", EM_BOOL},       {"float16", EM_FLOAT16}, {"half", EM_FLOAT16},
    {"bfloat16", EM_BFLOAT16},
};

const char *em_dtype_alias(int i, em_dtype *dt)
{
    if (i < 0 || (size_t)i >= sizeof aliases / sizeof aliases[0]) return NULL;
    if (dt) *dt = aliases[i].dt;
    return aliases[i].alias;
}

int em_dtype_from_name(const char *name)
{
    em_dtype dt;
    const char *a;
    for (int i = 0; (a = em_dtype_alias(i, &dt)) != NULL; i++)
        if (strcmp(name, a) == 0) return (int)dt;
    return -1;
}
