/* pt_elements.c — the element conversions and notes of pt_elements.h. */
#include "pt_elements.h"

#include <stdio.h>
#include <string.h>

em_dtype em_pt_ember_dtype(em_pt_stype t)
{
    switch (t) {
    case EM_PT_FLOAT: return EM_FLOAT32;
    case EM_PT_HALF: return EM_FLOAT16;
    case EM_PT_BFLOAT16: return EM_BFLOAT16;
    case EM_PT_DOUBLE: return EM_FLOAT64;
    case EM_PT_LONG: return EM_INT64;
    case EM_PT_INT: case EM_PT_SHORT: case EM_PT_CHAR: return EM_INT32;
    case EM_PT_BYTE: return EM_UINT8;
    default: return EM_BOOL;
    }
}

const char *em_pt_torch_dtype_name(em_pt_stype t)
{
    static const char *names[EM_PT_NUM_STYPES] = {"float32", "float64", "float16", "bfloat16", "int64",
                                                 "int32", "int16", "int8", "uint8", "bool"};
    return names[t];
}

static bool host_is_big_endian(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 0;
}

/* Element i of the record as an unsigned little-endian (or swapped) value. */
static uint64_t raw(const unsigned char *p, size_t elsize, size_t i, bool big)
{
    uint64_t v = 0;
    const unsigned char *e = p + i * elsize;
    for (size_t b = 0; b < elsize; b++) v |= (uint64_t)e[big ? elsize - 1 - b : b] << (8 * b);
    return v;
}

bool em_pt_same_bytes(em_pt_stype t, bool big)
{
    bool same = t == EM_PT_FLOAT || t == EM_PT_DOUBLE || t == EM_PT_LONG || t == EM_PT_INT || t == EM_PT_BYTE ||
                t == EM_PT_HALF || t == EM_PT_BFLOAT16;
    return same && (t == EM_PT_BYTE || big == host_is_big_endian());
}

void em_pt_convert_elements(em_pt_stype t, const unsigned char *src, int64_t numel, bool big, void *dst)
{
    size_t es = em_pt_stype_size(t);
    if (em_pt_same_bytes(t, big)) {     /* the file's bytes are ember's */
        if (numel > 0) memcpy(dst, src, (size_t)numel * es);
        return;
    }
    for (int64_t i = 0; i < numel; i++) {
        uint64_t v = raw(src, es, (size_t)i, big);
        switch (t) {
        case EM_PT_FLOAT: { uint32_t u = (uint32_t)v; memcpy((float *)dst + i, &u, 4); break; }
        case EM_PT_DOUBLE: memcpy((double *)dst + i, &v, 8); break;
        case EM_PT_HALF: case EM_PT_BFLOAT16: ((uint16_t *)dst)[i] = (uint16_t)v; break;   /* the bits as they are */
        case EM_PT_LONG: ((int64_t *)dst)[i] = (int64_t)v; break;
        case EM_PT_INT: ((int32_t *)dst)[i] = (int32_t)(uint32_t)v; break;
        case EM_PT_SHORT: ((int32_t *)dst)[i] = (int16_t)(uint16_t)v; break;
        case EM_PT_CHAR: ((int32_t *)dst)[i] = (int8_t)(uint8_t)v; break;
        case EM_PT_BYTE: ((uint8_t *)dst)[i] = (uint8_t)v; break;
        default: ((bool *)dst)[i] = v != 0; break;
        }
    }
}

void em_pt_note_storage(em_pt_notes *n, em_pt_stype t, const char *location)
{
    if (t == EM_PT_SHORT || t == EM_PT_CHAR) n->converted[t] = true;
    if (strcmp(location, "cpu") != 0 && !n->other_loc[0]) snprintf(n->other_loc, sizeof n->other_loc, "%s", location);
}
