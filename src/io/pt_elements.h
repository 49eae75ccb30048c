/* pt_elements.h — storage elements of PyTorch files (both the zip format and
** the legacy one): which ember dtype each storage class loads as (ember has
** no int16 or int8: those widen to int32, exactly; HalfStorage and
** BFloat16Storage load as float16 / bfloat16, bits unchanged), converting the file's bytes, and the notes a load collects
** (dtypes converted, tensors saved on another device). Not here: finding
** the bytes (pt_load.c, pt_load_legacy.c). */
#ifndef EMBER_PT_ELEMENTS_H
#define EMBER_PT_ELEMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pickle_read.h"

em_dtype em_pt_ember_dtype(em_pt_stype t);
const char *em_pt_torch_dtype_name(em_pt_stype t);   /* "float16" */

/* Whether the file's elements (little-endian unless big) are ember's bytes
** as they are, so they can be read straight into a tensor. */
bool em_pt_same_bytes(em_pt_stype t, bool big);

/* Converts numel elements of the file (little-endian, or big-endian when
** big) at src into dst, an array of em_pt_ember_dtype(t). */
void em_pt_convert_elements(em_pt_stype t, const unsigned char *src, int64_t numel, bool big, void *dst);

/* What a load met, for the notice torch.load prints once. */
typedef struct em_pt_notes {
    bool converted[EM_PT_NUM_STYPES];
    char other_loc[32];           /* the first location other than "cpu" */
} em_pt_notes;

void em_pt_note_storage(em_pt_notes *n, em_pt_stype t, const char *location);

#endif
