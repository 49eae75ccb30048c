/* pyval.c — building and freeing the plain-value tree (see pyval.h).
** Freeing is iterative (an explicit stack), so a hostile file's deeply
** nested lists cannot overflow the C stack. */
#include "pyval.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

em_pyval *em_pyval_new(em_pykind kind)
{
    em_pyval *v = calloc(1, sizeof *v);
    if (!v) {
        em_fail(EM_ERR_MEMORY, "out of memory building a value");
        return NULL;
    }
    v->kind = kind;
    if (kind == EM_PY_TENSOR) snprintf(v->u.tensor.location, sizeof v->u.tensor.location, "cpu");
    return v;
}

em_pyval *em_pyval_new_bool(bool b)
{
    em_pyval *v = em_pyval_new(EM_PY_BOOL);
    if (v) v->u.b = b;
    return v;
}

em_pyval *em_pyval_new_int(int64_t i)
{
    em_pyval *v = em_pyval_new(EM_PY_INT);
    if (v) v->u.i = i;
    return v;
}

em_pyval *em_pyval_new_float(double f)
{
    em_pyval *v = em_pyval_new(EM_PY_FLOAT);
    if (v) v->u.f = f;
    return v;
}

static em_pyval *new_buffer(em_pykind kind, const void *p, size_t len)
{
    em_pyval *v = em_pyval_new(kind);
    if (!v) return NULL;
    v->u.s.data = malloc(len + 1);
    if (!v->u.s.data) {
        free(v);
        em_fail(EM_ERR_MEMORY, "out of memory for a %zu-byte string", len);
        return NULL;
    }
    if (len) memcpy(v->u.s.data, p, len);
    v->u.s.data[len] = '\0';
    v->u.s.len = len;
    return v;
}

em_pyval *em_pyval_new_str(const char *s, size_t len) { return new_buffer(EM_PY_STR, s, len); }
em_pyval *em_pyval_new_bytes(const void *p, size_t len) { return new_buffer(EM_PY_BYTES, p, len); }

em_pyval *em_pyval_new_tensor(em_tensor *t)
{
    em_pyval *v = em_pyval_new(EM_PY_TENSOR);
    if (!v) return NULL;
    em_tensor_retain(t);
    v->u.tensor.t = t;
    return v;
}

static bool grow(void ***items, size_t *cap, size_t need, size_t width)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap * 2 : 8;
    while (n < need) n *= 2;
    void **p = realloc(*items, n * width);
    if (!p) return false;
    *items = p;
    *cap = n;
    return true;
}

em_status em_pyval_append(em_pyval *seq, em_pyval *item)
{
    if (!grow((void ***)&seq->u.seq.items, &seq->u.seq.cap, seq->u.seq.len + 1, sizeof(em_pyval *))) {
        em_pyval_free(item);
        return em_fail(EM_ERR_MEMORY, "out of memory growing a list");
    }
    seq->u.seq.items[seq->u.seq.len++] = item;
    return EM_OK;
}

static bool keys_equal(const em_pyval *a, const em_pyval *b)
{
    if (a->kind != b->kind) return false;
    switch (a->kind) {
    case EM_PY_INT: return a->u.i == b->u.i;
    case EM_PY_BOOL: return a->u.b == b->u.b;
    case EM_PY_FLOAT: return a->u.f == b->u.f;
    case EM_PY_STR:
    case EM_PY_BYTES:
        return a->u.s.len == b->u.s.len && memcmp(a->u.s.data, b->u.s.data, a->u.s.len) == 0;
    case EM_PY_NONE: return true;
    default: return a == b;
    }
}

em_status em_pyval_dict_set(em_pyval *map, em_pyval *key, em_pyval *value)
{
    for (size_t i = 0; i < map->u.map.len; i++)
        if (keys_equal(map->u.map.keys[i], key)) {
            em_pyval_free(map->u.map.values[i]);
            map->u.map.values[i] = value;
            em_pyval_free(key);
            return EM_OK;
        }
    size_t need = map->u.map.len + 1, cap = map->u.map.cap;
    if (!grow((void ***)&map->u.map.keys, &cap, need, sizeof(em_pyval *)) ||
        !grow((void ***)&map->u.map.values, &map->u.map.cap, need, sizeof(em_pyval *))) {
        em_pyval_free(key);
        em_pyval_free(value);
        return em_fail(EM_ERR_MEMORY, "out of memory growing a dict");
    }
    map->u.map.keys[map->u.map.len] = key;
    map->u.map.values[map->u.map.len] = value;
    map->u.map.len++;
    return EM_OK;
}

em_pyval *em_pyval_dict_get(const em_pyval *map, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < map->u.map.len; i++) {
        const em_pyval *k = map->u.map.keys[i];
        if (k->kind == EM_PY_STR && k->u.s.len == n && memcmp(k->u.s.data, key, n) == 0) return map->u.map.values[i];
    }
    return NULL;
}

/* The children of v: list/tuple items, dict keys and values, a state
** dict's metadata. Returns how many were written to out (at most max),
** starting at child number `from`; *total receives the count. */
static size_t children_of(const em_pyval *v, size_t from, em_pyval **out, size_t max, size_t *total)
{
    size_t nseq = 0, nmap = 0;
    int meta = 0;
    if (v->kind == EM_PY_LIST || v->kind == EM_PY_TUPLE) nseq = v->u.seq.len;
    if (v->kind == EM_PY_DICT || v->kind == EM_PY_ODICT) {
        nmap = v->u.map.len;
        meta = v->u.map.metadata != NULL;
    }
    *total = nseq + 2 * nmap + (size_t)meta;
    size_t w = 0;
    for (size_t i = from; i < *total && w < max; i++) {
        if (i < nseq) out[w++] = v->u.seq.items[i];
        else if (i < nseq + nmap) out[w++] = v->u.map.keys[i - nseq];
        else if (i < nseq + 2 * nmap) out[w++] = v->u.map.values[i - nseq - nmap];
        else out[w++] = v->u.map.metadata;
    }
    return w;
}

/* Frees v's own memory (not its children). */
static void free_own(em_pyval *v)
{
    switch (v->kind) {
    case EM_PY_STR:
    case EM_PY_BYTES: free(v->u.s.data); break;
    case EM_PY_LIST:
    case EM_PY_TUPLE: free(v->u.seq.items); break;
    case EM_PY_DICT:
    case EM_PY_ODICT:
        free(v->u.map.keys);
        free(v->u.map.values);
        break;
    case EM_PY_TENSOR: em_tensor_release(v->u.tensor.t); break;
    default: break;
    }
    free(v);
}

/* Recursive free, used only when the explicit stack cannot grow (out of
** memory): trees are at most EM_PICKLE_MAX_DEPTH-ish levels deep. */
static void free_deep(em_pyval *v)
{
    if (!v) return;
    em_pyval *batch[16];
    size_t total, from = 0, got;
    while ((got = children_of(v, from, batch, 16, &total)) > 0) {
        for (size_t i = 0; i < got; i++) free_deep(batch[i]);
        from += got;
    }
    free_own(v);
}

/* Iterative free with an explicit stack; allocates nothing it cannot do
** without (when the stack cannot grow, the rest goes through free_deep). */
void em_pyval_free(em_pyval *root)
{
    if (!root) return;
    size_t n = 0, cap = 64;
    em_pyval **stack = malloc(cap * sizeof *stack);
    if (!stack) {
        free_deep(root);
        return;
    }
    stack[n++] = root;
    while (n) {
        em_pyval *v = stack[--n];
        size_t total;
        children_of(v, 0, NULL, 0, &total);
        if (n + total > cap) {
            size_t want = cap;
            while (want < n + total) want *= 2;
            em_pyval **p = realloc(stack, want * sizeof *stack);
            if (p) {
                stack = p;
                cap = want;
            }
        }
        if (n + total <= cap) {
            n += children_of(v, 0, stack + n, total, &total);
        } else {
            em_pyval *batch[16];
            size_t from = 0, got;
            while ((got = children_of(v, from, batch, 16, &total)) > 0) {
                for (size_t i = 0; i < got; i++) free_deep(batch[i]);
                from += got;
            }
        }
        free_own(v);
    }
    free(stack);
}
