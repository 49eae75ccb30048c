/* pyval.h — the tree of plain values that PyTorch files hold: what the
** pickle reader builds and the pickle writer walks. It is the meeting point
** of the file formats (src/io) and the Lua bindings (src/bind/lua_load.c,
** lua_save.c), which convert it from and to Lua tables. Only data: no
** classes, no code. Tensors are real em_tensors (CPU) holding a reference;
** the tree owns everything below its root.
**
** Ownership: em_pyval_new_* return a new node owned by the caller;
** em_pyval_append / em_pyval_dict_set take ownership of the child;
** em_pyval_free frees a node and its children (NULL is fine). */
#ifndef EMBER_PYVAL_H
#define EMBER_PYVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/tensor.h"

typedef enum em_pykind {
    EM_PY_NONE,
    EM_PY_BOOL,
    EM_PY_INT,       /* fits in int64 */
    EM_PY_FLOAT,     /* double */
    EM_PY_STR,       /* UTF-8, length-counted (may hold NUL) */
    EM_PY_BYTES,
    EM_PY_LIST,
    EM_PY_TUPLE,
    EM_PY_DICT,      /* plain dict: keys in insertion order */
    EM_PY_ODICT,     /* collections.OrderedDict; may carry metadata (_metadata) */
    EM_PY_TENSOR,    /* a tensor (a Parameter when is_parameter) */
} em_pykind;

typedef struct em_pyval em_pyval;

struct em_pyval {
    em_pykind kind;
    union {
        bool b;
        int64_t i;
        double f;
        struct { char *data; size_t len; } s;               /* STR, BYTES */
        struct { em_pyval **items; size_t len, cap; } seq;   /* LIST, TUPLE */
        struct {
            em_pyval **keys, **values;                       /* DICT, ODICT */
            size_t len, cap;
            em_pyval *metadata;                              /* ODICT: the _metadata attribute, or NULL */
        } map;
        struct {
            em_tensor *t;                                    /* owned reference */
            bool is_parameter;
            bool requires_grad;
            char location[32];                               /* "cpu", "cuda:0": where it was saved */
        } tensor;
    } u;
};

em_pyval *em_pyval_new(em_pykind kind);                      /* NONE, empty LIST/TUPLE/DICT/ODICT */
em_pyval *em_pyval_new_bool(bool b);
em_pyval *em_pyval_new_int(int64_t i);
em_pyval *em_pyval_new_float(double f);
em_pyval *em_pyval_new_str(const char *s, size_t len);       /* copies */
em_pyval *em_pyval_new_bytes(const void *p, size_t len);     /* copies */
em_pyval *em_pyval_new_tensor(em_tensor *t);                 /* retains t; location "cpu" */
/* Appends item to a LIST or TUPLE (takes ownership; frees item on failure). */
em_status em_pyval_append(em_pyval *seq, em_pyval *item);
/* Sets key -> value in a DICT/ODICT, replacing an equal key's value (takes
** ownership of both; frees them on failure). */
em_status em_pyval_dict_set(em_pyval *map, em_pyval *key, em_pyval *value);
/* The value for a string key, or NULL. Borrowed. */
em_pyval *em_pyval_dict_get(const em_pyval *map, const char *key);
void em_pyval_free(em_pyval *v);

#endif
