/* pickle_read.c — the restricted unpickler of pickle_read.h. The machine
** works on shared nodes (the memo may hand out one object many times, even
** into a cycle) kept in an arena until the end; at STOP the result is copied
** into an em_pyval tree: cycles refused, depth and size bounded, duplicate
** dict keys merged as Python does (first position, last value). Globals are
** markers looked up in a fixed table; REDUCE and NEWOBJ only dispatch on
** those markers, so no name from the file is ever resolved, imported or
** called. */
#include "pickle_read.h"

#include "text.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_GLOBAL 100    /* node kinds beyond em_pykind */
#define N_STORAGE 101
#define MAX_LINE 256    /* GLOBAL module / name lines */

enum { G_ODICT, G_COUNTER, G_REBUILD_V2, G_REBUILD_TENSOR, G_REBUILD_PARAM, G_REBUILD_PARAM_STATE, G_STORAGE,
       G_DEVICE, G_ENCODE, G_TORCH_VERSION };

static const struct { const char *name; size_t size; } stypes[EM_PT_NUM_STYPES] = {
    [EM_PT_FLOAT] = {"FloatStorage", 4},     [EM_PT_DOUBLE] = {"DoubleStorage", 8},
    [EM_PT_HALF] = {"HalfStorage", 2},       [EM_PT_BFLOAT16] = {"BFloat16Storage", 2},
    [EM_PT_LONG] = {"LongStorage", 8},       [EM_PT_INT] = {"IntStorage", 4},
    [EM_PT_SHORT] = {"ShortStorage", 2},     [EM_PT_CHAR] = {"CharStorage", 1},
    [EM_PT_BYTE] = {"ByteStorage", 1},       [EM_PT_BOOL] = {"BoolStorage", 1},
};

const char *em_pt_stype_name(em_pt_stype st) { return st < EM_PT_NUM_STYPES ? stypes[st].name : "?"; }
size_t em_pt_stype_size(em_pt_stype st) { return st < EM_PT_NUM_STYPES ? stypes[st].size : 0; }

static const struct { const char *module, *name; int g; } allowed[] = {
    {"collections", "OrderedDict", G_ODICT},
    {"collections", "Counter", G_COUNTER},   /* MultiStepLR's milestones: Counter({epoch: count}) */
    {"torch._utils", "_rebuild_tensor_v2", G_REBUILD_V2},
    {"torch._utils", "_rebuild_tensor", G_REBUILD_TENSOR},
    {"torch._utils", "_rebuild_parameter", G_REBUILD_PARAM},
    {"torch._utils", "_rebuild_parameter_with_state", G_REBUILD_PARAM_STATE},
    {"torch", "device", G_DEVICE},
    {"_codecs", "encode", G_ENCODE},
    {"torch.torch_version", "TorchVersion", G_TORCH_VERSION},
};

typedef struct node node;
struct node {
    int kind;              /* em_pykind, N_GLOBAL or N_STORAGE */
    bool visiting;         /* being converted (cycle check) */
    node *next;            /* every node of a run, for freeing at the end */
    union {
        bool b;
        int64_t i;
        double f;
        struct { char *data; size_t len; } s;                    /* STR, BYTES */
        struct { node **items; size_t len, cap; node *meta; } c; /* LIST, TUPLE; DICT/ODICT as k,v,k,v */
        struct {
            em_tensor *t;  /* TENSOR: the view; STORAGE: the 1-D storage tensor */
            bool param, rg;
            int g;         /* GLOBAL: which */
            em_pt_stype st;
            char loc[32];
        } x;
    } u;
};

typedef struct rd {
    const unsigned char *p;
    size_t len, pos, op_pos;
    unsigned char op;
    const em_unpickle_opts *o;
    node **stack;
    size_t sp, scap;
    size_t *marks;
    size_t nmarks, mcap;
    node **memo;
    size_t memo_len;
    size_t memo_count;    /* entries set: MEMOIZE stores at this index, as Python's len(memo) */
    size_t objects;
    size_t output;        /* nodes made while converting */
    node *all;            /* every node made (an arena: the memo can make cycles) */
} rd;

/* --- messages --- */
static const char *op_name(unsigned char op)
{
    static const struct { unsigned char op; const char *name; } names[] = {
        {0x80, "PROTO"}, {'.', "STOP"}, {'c', "GLOBAL"}, {'R', "REDUCE"}, {'b', "BUILD"}, {'(', "MARK"},
        {'t', "TUPLE"}, {')', "EMPTY_TUPLE"}, {0x85, "TUPLE1"}, {0x86, "TUPLE2"}, {0x87, "TUPLE3"},
        {'}', "EMPTY_DICT"}, {'s', "SETITEM"}, {'u', "SETITEMS"}, {']', "EMPTY_LIST"}, {'a', "APPEND"},
        {'e', "APPENDS"}, {'N', "NONE"}, {0x88, "NEWTRUE"}, {0x89, "NEWFALSE"}, {'K', "BININT1"},
        {'M', "BININT2"}, {'J', "BININT"}, {0x8a, "LONG1"}, {'G', "BINFLOAT"}, {'X', "BINUNICODE"},
        {'Q', "BINPERSID"}, {'q', "BINPUT"}, {'r', "LONG_BINPUT"}, {'h', "BINGET"}, {'j', "LONG_BINGET"},
        {'U', "SHORT_BINSTRING"}, {0x81, "NEWOBJ"}, {'I', "INT"}, {'L', "LONG"}, {'F', "FLOAT"},
        {'S', "STRING"}, {'V', "UNICODE"}, {'g', "GET"}, {'p', "PUT"}, {'d', "DICT"}, {'l', "LIST"},
        {'i', "INST"}, {'o', "OBJ"}, {'0', "POP"}, {'1', "POP_MARK"}, {'2', "DUP"}, {'P', "PERSID"},
        {'B', "BINBYTES"}, {'C', "SHORT_BINBYTES"}, {'T', "BINSTRING"}, {0x8b, "LONG4"},
        {0x8c, "SHORT_BINUNICODE"}, {0x8d, "BINUNICODE8"}, {0x8e, "BINBYTES8"}, {0x8f, "EMPTY_SET"},
        {0x90, "ADDITEMS"}, {0x91, "FROZENSET"}, {0x92, "NEWOBJ_EX"}, {0x93, "STACK_GLOBAL"},
        {0x94, "MEMOIZE"}, {0x95, "FRAME"}, {0x96, "BYTEARRAY8"}, {0x97, "NEXT_BUFFER"},
        {0x98, "READONLY_BUFFER"}, {0x82, "EXT1"}, {0x83, "EXT2"}, {0x84, "EXT4"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].op == op) return names[i].name;
    return "unknown";
}

static em_status fail(rd *r, em_status code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static em_status fail(rd *r, em_status code, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return em_fail(code, "%s: byte %zu (%s): %s", r->o->what, r->op_pos, op_name(r->op), msg);
}

static const char *kind_name(const node *n)
{
    static const char *names[] = {"None", "bool", "int", "float", "str", "bytes", "list", "tuple", "dict",
                                  "OrderedDict", "tensor"};
    if (n->kind == N_GLOBAL) return "global";
    if (n->kind == N_STORAGE) return "storage";
    return names[n->kind];
}

/* --- nodes --- */
static node *node_new(rd *r, int kind)
{
    if (r->objects >= EM_PICKLE_MAX_OBJECTS) {
        fail(r, EM_ERR_MEMORY, "more than %d objects; refusing to go on", EM_PICKLE_MAX_OBJECTS);
        return NULL;
    }
    node *n = calloc(1, sizeof *n);
    if (!n) {
        fail(r, EM_ERR_MEMORY, "out of memory");
        return NULL;
    }
    r->objects++;
    n->kind = kind;
    n->next = r->all;
    r->all = n;
    return n;
}

static bool is_container(const node *n)
{
    return n->kind == EM_PY_LIST || n->kind == EM_PY_TUPLE || n->kind == EM_PY_DICT || n->kind == EM_PY_ODICT;
}

/* Frees every node of the run (containers only borrow their items). */
static void free_all(rd *r)
{
    while (r->all) {
        node *d = r->all;
        r->all = d->next;
        if (is_container(d)) free(d->u.c.items);
        else if (d->kind == EM_PY_STR || d->kind == EM_PY_BYTES) free(d->u.s.data);
        else if (d->kind == EM_PY_TENSOR || d->kind == N_STORAGE) em_tensor_release(d->u.x.t);
        free(d);
    }
}

static em_status add_item(rd *r, node *c, node *item)
{
    if (c->u.c.len == c->u.c.cap) {
        size_t cap = c->u.c.cap ? c->u.c.cap * 2 : 4;
        node **p = realloc(c->u.c.items, cap * sizeof *p);
        if (!p) return fail(r, EM_ERR_MEMORY, "out of memory growing a container");
        c->u.c.items = p;
        c->u.c.cap = cap;
    }
    c->u.c.items[c->u.c.len++] = item;
    return EM_OK;
}

/* --- the stack, marks, memo --- */
static em_status push(rd *r, node *n)   /* NULL means "creation failed" */
{
    if (!n) return em_last_status();
    if (r->sp == r->scap) {
        if (r->sp >= EM_PICKLE_MAX_STACK)
            return fail(r, EM_ERR_MEMORY, "more than %d items on the stack", EM_PICKLE_MAX_STACK);
        size_t cap = r->scap ? r->scap * 2 : 64;
        node **p = realloc(r->stack, cap * sizeof *p);
        if (!p) return fail(r, EM_ERR_MEMORY, "out of memory growing the stack");
        r->stack = p;
        r->scap = cap;
    }
    r->stack[r->sp++] = n;
    return EM_OK;
}

static size_t floor_of_stack(const rd *r) { return r->nmarks ? r->marks[r->nmarks - 1] : 0; }

/* Pops the top item (owned by the caller), or NULL after an underflow error.
** Items below the last mark cannot be popped except by pop-to-mark. */
static node *pop(rd *r)
{
    if (r->sp <= floor_of_stack(r)) {
        fail(r, EM_ERR_VALUE, "stack underflow");
        return NULL;
    }
    return r->stack[--r->sp];
}

static node *top(rd *r)
{
    if (r->sp <= floor_of_stack(r)) {
        fail(r, EM_ERR_VALUE, "stack underflow");
        return NULL;
    }
    return r->stack[r->sp - 1];
}

/* The index where the last mark's items start; pops the mark. */
static em_status pop_mark(rd *r, size_t *start)
{
    if (r->nmarks == 0) return fail(r, EM_ERR_VALUE, "no MARK to pop to (mark stack underflow)");
    *start = r->marks[--r->nmarks];
    return EM_OK;
}

/* --- reading the stream --- */
static void ran_out(rd *r)
{
    if (r->o->ran_out) *r->o->ran_out = true;
}

static bool need(rd *r, size_t n)
{
    if (r->len - r->pos >= n) return true;
    ran_out(r);
    fail(r, EM_ERR_VALUE, "the pickle is truncated (needs %zu more bytes, %zu left)", n, r->len - r->pos);
    return false;
}

static uint32_t rd_u32(rd *r)
{
    const unsigned char *p = r->p + r->pos;
    r->pos += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || len > n - i) return false;
        uint32_t cp = len == 1 ? b : len == 2 ? b & 0x1Fu : len == 3 ? b & 0x0Fu : b & 0x07u;
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (s[i + j] & 0x3Fu);
        }
        static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

static node *new_str(rd *r, const void *p, size_t n, int kind)
{
    node *s = node_new(r, kind);
    if (!s) return NULL;
    s->u.s.data = malloc(n + 1);
    if (!s->u.s.data) {
        s->kind = EM_PY_NONE;
        fail(r, EM_ERR_MEMORY, "out of memory for a %zu-byte string", n);
        return NULL;
    }
    if (n) memcpy(s->u.s.data, p, n);
    s->u.s.data[n] = '\0';
    s->u.s.len = n;
    return s;
}

static em_status op_string(rd *r, size_t n)
{
    if (!need(r, n)) return em_last_status();
    const unsigned char *s = r->p + r->pos;
    if (!valid_utf8(s, n)) return fail(r, EM_ERR_VALUE, "a string is not valid UTF-8");
    r->pos += n;
    return push(r, new_str(r, s, n, EM_PY_STR));
}

static node *new_int(rd *r, int64_t v)
{
    node *n = node_new(r, EM_PY_INT);
    if (n) n->u.i = v;
    return n;
}

/* A line of printable ASCII ending in '\n' (GLOBAL's module and name). */
static em_status read_line(rd *r, char *out)
{
    size_t i = 0;
    for (;;) {
        if (r->pos >= r->len) {
            ran_out(r);
            return fail(r, EM_ERR_VALUE, "the pickle is truncated inside a GLOBAL");
        }
        unsigned char c = r->p[r->pos++];
        if (c == '\n') break;
        if (c < 0x20 || c > 0x7E || i + 1 >= MAX_LINE)
            return fail(r, EM_ERR_VALUE, "a GLOBAL name is not a short printable ASCII line");
        out[i++] = (char)c;
    }
    out[i] = '\0';
    return EM_OK;
}

/* Pushes the marker of an allowed global, or refuses naming it (module and
** name are short printable ASCII, checked by the callers). */
static em_status push_global(rd *r, const char *module, const char *name)
{
    int g = -1;
    em_pt_stype stype = EM_PT_FLOAT;
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0] && g < 0; i++)
        if (strcmp(module, allowed[i].module) == 0 && strcmp(name, allowed[i].name) == 0) g = allowed[i].g;
    for (int s = 0; s < EM_PT_NUM_STYPES && g < 0; s++)
        if (strcmp(module, "torch") == 0 && strcmp(name, stypes[s].name) == 0) {
            g = G_STORAGE;
            stype = (em_pt_stype)s;
        }
    if (g < 0) {
        if (strncmp(module, "torch", 5) == 0 && (module[5] == '\0' || module[5] == '.'))
            return fail(r, EM_ERR_VALUE, "refusing to load: the file asks for %s.%s, which ember's loader does "
                        "not support (it loads tensors of the classic storage types, numbers, strings, "
                        "lists, tuples and dicts)", module, name);
        return fail(r, EM_ERR_VALUE, "refusing to load: the file asks for %s.%s, which could run code (only "
                    "tensors, numbers, strings, lists, tuples and dicts are loaded)", module, name);
    }
    node *n = node_new(r, N_GLOBAL);
    if (n) {
        n->u.x.g = g;
        n->u.x.st = stype;
        snprintf(n->u.x.loc, sizeof n->u.x.loc, "%.31s", name);   /* for messages */
    }
    return push(r, n);
}

static em_status op_global(rd *r)
{
    char module[MAX_LINE], name[MAX_LINE];
    em_status st = read_line(r, module);
    if (st == EM_OK) st = read_line(r, name);
    return st == EM_OK ? push_global(r, module, name) : st;
}

static bool short_printable(const node *n)
{
    if (!n || n->kind != EM_PY_STR || n->u.s.len == 0 || n->u.s.len >= MAX_LINE) return false;
    for (size_t i = 0; i < n->u.s.len; i++)
        if (n->u.s.data[i] < 0x20 || n->u.s.data[i] > 0x7E) return false;
    return true;
}

/* STACK_GLOBAL (protocol 4): module and name are strings on the stack. */
static em_status op_stack_global(rd *r)
{
    node *name = pop(r);
    node *module = name ? pop(r) : NULL;
    if (!module) return em_last_status();
    if (!short_printable(module) || !short_printable(name))
        return fail(r, EM_ERR_VALUE, "STACK_GLOBAL needs two short printable ASCII strings (module, name)");
    return push_global(r, module->u.s.data, name->u.s.data);
}

static em_status op_memo_put(rd *r, size_t idx)
{
    node *t = top(r);
    if (!t) return em_last_status();
    if (idx >= r->len) return fail(r, EM_ERR_VALUE, "memo index %zu is larger than the pickle", idx);
    if (idx >= r->memo_len) {
        size_t n = idx + 1 > r->memo_len * 2 ? idx + 1 : r->memo_len * 2;
        if (n > r->len) n = r->len;
        node **p = realloc(r->memo, n * sizeof *p);
        if (!p) return fail(r, EM_ERR_MEMORY, "out of memory growing the memo");
        memset(p + r->memo_len, 0, (n - r->memo_len) * sizeof *p);
        r->memo = p;
        r->memo_len = n;
    }
    if (!r->memo[idx]) r->memo_count++;
    r->memo[idx] = t;
    return EM_OK;
}

static em_status op_memo_get(rd *r, size_t idx)
{
    if (idx >= r->memo_len || !r->memo[idx])
        return fail(r, EM_ERR_VALUE, "memo index %zu was never stored (bad memo reference)", idx);
    return push(r, r->memo[idx]);
}

/* --- containers --- */
static bool hashable(const node *k, int depth)
{
    if (k->kind == EM_PY_TUPLE) {
        if (depth > EM_PICKLE_MAX_DEPTH) return false;
        for (size_t i = 0; i < k->u.c.len; i++)
            if (!hashable(k->u.c.items[i], depth + 1)) return false;
        return true;
    }
    return k->kind <= EM_PY_BYTES;
}

/* Adds items [from, sp) as key/value pairs to the dict at from-1 ... or to
** the dict d given. Consumes the items. */
static em_status set_items(rd *r, node *d, size_t from)
{
    em_status st = EM_OK;
    if ((r->sp - from) % 2) st = fail(r, EM_ERR_VALUE, "SETITEMS with an odd number of items");
    else if (d->kind != EM_PY_DICT && d->kind != EM_PY_ODICT)
        st = fail(r, EM_ERR_VALUE, "setting items on a %s (only dicts take items)", kind_name(d));
    for (size_t i = from; i < r->sp && st == EM_OK; i += 2)
        if (!hashable(r->stack[i], 0))
            st = fail(r, EM_ERR_VALUE, "a dict key is a %s, which is not hashable", kind_name(r->stack[i]));
    size_t i = from;
    for (; i < r->sp && st == EM_OK; i++) st = add_item(r, d, r->stack[i]);
    r->sp = from;
    return st;
}

static em_status append_items(rd *r, node *l, size_t from)
{
    em_status st = EM_OK;
    if (l->kind != EM_PY_LIST) st = fail(r, EM_ERR_VALUE, "appending to a %s (only lists take appends)", kind_name(l));
    size_t i = from;
    for (; i < r->sp && st == EM_OK; i++) st = add_item(r, l, r->stack[i]);
    r->sp = from;
    return st;
}

static em_status make_tuple(rd *r, size_t from)
{
    node *t = node_new(r, EM_PY_TUPLE);
    em_status st = t ? EM_OK : em_last_status();
    size_t i = from;
    for (; i < r->sp && st == EM_OK; i++) st = add_item(r, t, r->stack[i]);
    r->sp = from;
    return st == EM_OK ? push(r, t) : st;
}

/* --- tensors --- */
static bool is_kind(const node *n, int kind) { return n && n->kind == kind; }

static bool int_tuple(const node *t, int64_t *out, int *n)
{
    if (!is_kind(t, EM_PY_TUPLE)) return false;
    if (t->u.c.len > EM_MAX_DIMS) {
        *n = (int)(t->u.c.len > 1000 ? 1000 : t->u.c.len);
        return true;
    }
    for (size_t i = 0; i < t->u.c.len; i++) {
        if (!is_kind(t->u.c.items[i], EM_PY_INT)) return false;
        out[i] = t->u.c.items[i]->u.i;
    }
    *n = (int)t->u.c.len;
    return true;
}

/* A view (storage, offset, size, stride), every number checked against the
** storage before the view exists. */
static node *make_tensor(rd *r, node *storage, node *offset, node *size, node *stride, bool rg)
{
    int64_t shape[EM_MAX_DIMS], strides[EM_MAX_DIMS];
    int nd = 0, ns = 0;
    if (!is_kind(storage, N_STORAGE) || !is_kind(offset, EM_PY_INT) || !int_tuple(size, shape, &nd) ||
        !int_tuple(stride, strides, &ns)) {
        fail(r, EM_ERR_VALUE, "a tensor needs (storage, int offset, tuple of int sizes, tuple of int strides)");
        return NULL;
    }
    if (nd != ns) {
        fail(r, EM_ERR_VALUE, "a tensor has %d sizes but %d strides", nd, ns);
        return NULL;
    }
    if (nd > EM_MAX_DIMS) {
        fail(r, EM_ERR_SHAPE, "a tensor has %d dims; ember supports at most %d", nd, EM_MAX_DIMS);
        return NULL;
    }
    int64_t numel = 1, extent = offset->u.i, have = storage->u.x.t->shape[0];
    if (extent < 0) {
        fail(r, EM_ERR_VALUE, "a tensor has a negative storage offset %lld", (long long)extent);
        return NULL;
    }
    for (int d = 0; d < nd; d++) {
        if (shape[d] < 0 || strides[d] < 0) {
            fail(r, EM_ERR_VALUE, "a tensor has a negative size or stride at dim %d", d + 1);
            return NULL;
        }
        if (shape[d] != 0 && numel > INT64_MAX / shape[d]) {
            fail(r, EM_ERR_VALUE, "a tensor's element count overflows 64 bits (sizes too large)");
            return NULL;
        }
        numel *= shape[d];
    }
    for (int d = 0; d < nd && numel > 0; d++) {
        int64_t span = shape[d] - 1;
        if (strides[d] != 0 && span > (INT64_MAX - extent) / strides[d]) {
            fail(r, EM_ERR_VALUE, "a tensor's extent overflows 64 bits (strides too large)");
            return NULL;
        }
        extent += span * strides[d];
    }
    if (numel > 0 && extent >= have) {
        char buf[EM_SHAPE_BUF];
        fail(r, EM_ERR_VALUE, "a tensor of size %s, stride %s, offset %lld reaches element %lld of a "
             "%lld-element storage", em_shape_str(nd, shape, buf, sizeof buf),
             em_shape_str(nd, strides, (char[EM_SHAPE_BUF]){0}, EM_SHAPE_BUF), (long long)offset->u.i,
             (long long)extent, (long long)have);
        return NULL;
    }
    em_tensor *t = em_tensor_alias(storage->u.x.t, nd, shape, strides, offset->u.i);
    if (!t) return NULL;
    node *n = node_new(r, EM_PY_TENSOR);
    if (!n) {
        em_tensor_release(t);
        return NULL;
    }
    n->u.x.t = t;
    n->u.x.rg = rg;
    memcpy(n->u.x.loc, storage->u.x.loc, sizeof n->u.x.loc);
    return n;
}

static bool empty_dict_or_none(const node *n)
{
    return n && (n->kind == EM_PY_NONE || ((n->kind == EM_PY_DICT || n->kind == EM_PY_ODICT) && n->u.c.len == 0));
}

static node *reduce_call(rd *r, node *fn, node *args)
{
    node **a = args->u.c.items;
    size_t n = args->u.c.len;
    switch (fn->u.x.g) {
    case G_ODICT:
        if (n != 0) break;
        return node_new(r, EM_PY_ODICT);
    case G_COUNTER:             /* Counter.__reduce__: (Counter, (dict,)) -> that dict */
        if (n == 0) return node_new(r, EM_PY_DICT);
        if (n != 1 || !is_kind(a[0], EM_PY_DICT)) break;
        return a[0];
    case G_REBUILD_V2:
        if (n != 6 && n != 7) break;
        if (!is_kind(a[4], EM_PY_BOOL) || !empty_dict_or_none(a[5]) || (n == 7 && !empty_dict_or_none(a[6]))) {
            fail(r, EM_ERR_VALUE, "_rebuild_tensor_v2 needs requires_grad (bool) and empty hooks / metadata");
            return NULL;
        }
        return make_tensor(r, a[0], a[1], a[2], a[3], a[4]->u.b);
    case G_REBUILD_TENSOR:
        if (n != 4) break;
        return make_tensor(r, a[0], a[1], a[2], a[3], false);
    case G_REBUILD_PARAM:
    case G_REBUILD_PARAM_STATE: {
        if (n != (fn->u.x.g == G_REBUILD_PARAM ? 3u : 4u)) break;
        if (!is_kind(a[0], EM_PY_TENSOR) || !is_kind(a[1], EM_PY_BOOL)) {
            fail(r, EM_ERR_VALUE, "_rebuild_parameter needs (tensor, bool, hooks)");
            return NULL;
        }
        node *p = node_new(r, EM_PY_TENSOR);
        if (!p) return NULL;
        em_tensor_retain(a[0]->u.x.t);
        p->u.x = a[0]->u.x;
        p->u.x.param = true;
        p->u.x.rg = a[1]->u.b;
        return p;
    }
    case G_DEVICE: {           /* torch.device("cpu") / ("cuda", 0): kept as the string "cuda:0" */
        char buf[64];
        if (n == 1 && is_kind(a[0], EM_PY_STR) && a[0]->u.s.len < 40) {
            snprintf(buf, sizeof buf, "%s", a[0]->u.s.data);
        } else if (n == 2 && is_kind(a[0], EM_PY_STR) && a[0]->u.s.len < 40 && is_kind(a[1], EM_PY_INT)) {
            snprintf(buf, sizeof buf, "%s:%lld", a[0]->u.s.data, (long long)a[1]->u.i);
        } else {
            break;
        }
        return new_str(r, buf, strlen(buf), EM_PY_STR);
    }
    case G_ENCODE: {           /* _codecs.encode(str, "latin1"): how Python 2 pickles bytes */
        if (n != 2 || !is_kind(a[0], EM_PY_STR) || !is_kind(a[1], EM_PY_STR) ||
            (strcmp(a[1]->u.s.data, "latin1") != 0 && strcmp(a[1]->u.s.data, "latin-1") != 0))
            break;
        const unsigned char *s = (const unsigned char *)a[0]->u.s.data;
        size_t len = 0, slen = a[0]->u.s.len;
        unsigned char *buf = malloc(slen ? slen : 1);
        if (!buf) {
            fail(r, EM_ERR_MEMORY, "out of memory");
            return NULL;
        }
        for (size_t i = 0; i < slen; i++) {      /* UTF-8 (validated) -> code points <= 255 */
            unsigned cp = s[i];
            if (cp >= 0x80) {
                if ((cp & 0xE0) != 0xC0 || i + 1 >= slen || (cp & 0x1Fu) > 3) {
                    free(buf);
                    fail(r, EM_ERR_VALUE, "_codecs.encode: a character does not fit latin1");
                    return NULL;
                }
                cp = (cp & 0x1Fu) << 6 | (s[++i] & 0x3Fu);
            }
            buf[len++] = (unsigned char)cp;
        }
        node *b = new_str(r, buf, len, EM_PY_BYTES);
        free(buf);
        return b;
    }
    default: {
        fail(r, EM_ERR_VALUE, "refusing to call %s: it is not a function", fn->u.x.loc);
        return NULL;
    }
    }
    fail(r, EM_ERR_VALUE, "%s called with %zu unexpected arguments", fn->u.x.loc, n);
    return NULL;
}

static em_status op_reduce(rd *r)
{
    node *args = pop(r);
    node *fn = args ? pop(r) : NULL;
    node *res = NULL;
    if (fn) {
        if (!is_kind(fn, N_GLOBAL)) fail(r, EM_ERR_VALUE, "REDUCE on a %s, which is not callable", kind_name(fn));
        else if (!is_kind(args, EM_PY_TUPLE)) fail(r, EM_ERR_VALUE, "REDUCE arguments are a %s, not a tuple", kind_name(args));
        else res = reduce_call(r, fn, args);
    }
    em_status st = res ? EM_OK : em_last_status();
    return res ? push(r, res) : st;
}

static em_status op_newobj(rd *r)
{
    node *args = pop(r);
    node *cls = args ? pop(r) : NULL;
    node *res = NULL;
    if (cls) {
        if (is_kind(cls, N_GLOBAL) && cls->u.x.g == G_TORCH_VERSION && is_kind(args, EM_PY_TUPLE) &&
            args->u.c.len == 1 && is_kind(args->u.c.items[0], EM_PY_STR))      /* torch.__version__: a str */
            res = new_str(r, args->u.c.items[0]->u.s.data, args->u.c.items[0]->u.s.len, EM_PY_STR);
        else
            fail(r, EM_ERR_VALUE, "NEWOBJ is only accepted for TorchVersion(str), not for a %s%s%s",
                 kind_name(cls), cls->kind == N_GLOBAL ? " " : "", cls->kind == N_GLOBAL ? cls->u.x.loc : "");
    }
    em_status st = res ? EM_OK : em_last_status();
    return res ? push(r, res) : st;
}

/* BUILD: only {"_metadata": ...} on an OrderedDict (other attributes are
** ignored), or None. */
static em_status op_build(rd *r)
{
    node *state = pop(r);
    if (!state) return em_last_status();
    node *obj = top(r);
    em_status st = EM_OK;
    if (!obj) st = em_last_status();
    else if (obj->kind != EM_PY_ODICT) st = fail(r, EM_ERR_VALUE, "BUILD on a %s (only OrderedDict attributes are accepted)", kind_name(obj));
    else if (state->kind != EM_PY_NONE && state->kind != EM_PY_DICT)
        st = fail(r, EM_ERR_VALUE, "BUILD with a %s state (a dict of attributes is expected)", kind_name(state));
    for (size_t i = 0; st == EM_OK && state->kind == EM_PY_DICT && i < state->u.c.len; i += 2) {
        node *k = state->u.c.items[i], *v = state->u.c.items[i + 1];
        if (k->kind != EM_PY_STR) st = fail(r, EM_ERR_VALUE, "BUILD state has a %s key", kind_name(k));
        else if (strcmp(k->u.s.data, "_metadata") == 0 && k->u.s.len == 9) {
            obj->u.c.meta = v;
        }
    }
    return st;
}

static em_status op_persid(rd *r)
{
    node *pid = pop(r);
    if (!pid) return em_last_status();
    node **a = is_kind(pid, EM_PY_TUPLE) ? pid->u.c.items : NULL;
    em_status st = EM_OK;
    /* the zip format's 5-tuple, or the legacy format's 6-tuple ending in view_metadata = None */
    bool ok = a && (pid->u.c.len == 5 || pid->u.c.len == 6) && is_kind(a[0], EM_PY_STR) &&
              strcmp(a[0]->u.s.data, "storage") == 0;
    char shown[64];
    if (!ok) {
        const char *what = a && pid->u.c.len > 0 && is_kind(a[0], EM_PY_STR) ? a[0]->u.s.data : kind_name(pid);
        st = fail(r, EM_ERR_VALUE, "refusing to load: persistent id '%s' is not a storage reference "
                  "('storage', <Type>Storage, key, location, numel)", em_text_safe(what, strlen(what), shown, 48));
    } else if (pid->u.c.len == 6 && !is_kind(a[5], EM_PY_NONE)) {
        st = fail(r, EM_ERR_VALUE, "refusing to load: a legacy storage reference is a view of another storage "
                  "(view_metadata), which torch.save has not written since PyTorch 0.4 and ember does not load");
    } else if (!is_kind(a[1], N_GLOBAL) || a[1]->u.x.g != G_STORAGE) {
        st = fail(r, EM_ERR_VALUE, "a storage reference names a %s, not a storage class", kind_name(a[1]));
    } else if (!is_kind(a[2], EM_PY_STR) || a[2]->u.s.len == 0 || a[2]->u.s.len > 20 ||
               strspn(a[2]->u.s.data, "0123456789") != a[2]->u.s.len) {
        st = fail(r, EM_ERR_VALUE, "refusing to load: a storage key is not decimal digits ('%s')",
                  is_kind(a[2], EM_PY_STR) ? em_text_safe(a[2]->u.s.data, a[2]->u.s.len, shown, 48)
                                           : kind_name(a[2]));
    } else if (!is_kind(a[3], EM_PY_STR) || a[3]->u.s.len == 0 || a[3]->u.s.len > 31) {
        st = fail(r, EM_ERR_VALUE, "a storage location is not a short string");
    } else if (!is_kind(a[4], EM_PY_INT) || a[4]->u.i < 0) {
        st = fail(r, EM_ERR_VALUE, "a storage element count is not an int >= 0");
    } else {
        for (size_t i = 0; i < a[3]->u.s.len && st == EM_OK; i++)
            if (a[3]->u.s.data[i] < 0x21 || a[3]->u.s.data[i] > 0x7E)
                st = fail(r, EM_ERR_VALUE, "a storage location is not printable ASCII");
    }
    if (st == EM_OK && !r->o->load_storage) st = fail(r, EM_ERR_VALUE, "storages are not accepted here");
    node *n = NULL;
    if (st == EM_OK) {
        em_tensor *base = r->o->load_storage(r->o->ctx, a[1]->u.x.st, a[2]->u.s.data, a[3]->u.s.data, a[4]->u.i);
        if (!base) st = em_last_status();
        else if (base->ndim != 1 || base->shape[0] != a[4]->u.i) {
            em_tensor_release(base);
            st = fail(r, EM_ERR_INTERNAL, "the storage loader returned a wrong-sized storage");
        } else if (!(n = node_new(r, N_STORAGE))) {
            em_tensor_release(base);
            st = em_last_status();
        } else {
            n->u.x.t = base;
            n->u.x.st = a[1]->u.x.st;
            memcpy(n->u.x.loc, a[3]->u.s.data, a[3]->u.s.len + 1);
        }
    }
    return st == EM_OK ? push(r, n) : st;
}

/* --- conversion to em_pyval --- */
typedef struct kref { const node *k; size_t i; } kref;

static int key_cmp(const node *a, const node *b)
{
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    switch (a->kind) {
    case EM_PY_BOOL: return (int)a->u.b - (int)b->u.b;
    case EM_PY_INT: return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    case EM_PY_FLOAT: return memcmp(&a->u.f, &b->u.f, sizeof a->u.f);
    case EM_PY_STR:
    case EM_PY_BYTES: {
        size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
        int c = n ? memcmp(a->u.s.data, b->u.s.data, n) : 0;
        return c ? c : a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
    }
    case EM_PY_NONE: return 0;
    default: return a < b ? -1 : a > b;   /* tuples: by identity */
    }
}

static int kref_cmp(const void *pa, const void *pb)
{
    const kref *a = pa, *b = pb;
    int c = key_cmp(a->k, b->k);
    return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

static em_pyval *convert(rd *r, node *n, int depth);

static em_pyval *convert_map(rd *r, node *n, int depth)
{
    size_t m = n->u.c.len / 2;
    em_pyval *v = em_pyval_new(n->kind);
    kref *refs = malloc((m ? m : 1) * sizeof *refs);
    size_t *winner = malloc((m ? m : 1) * sizeof *winner);   /* pair i: index of the value kept, or SIZE_MAX */
    if (v) {
        v->u.map.keys = malloc((m ? m : 1) * sizeof(em_pyval *));
        v->u.map.values = malloc((m ? m : 1) * sizeof(em_pyval *));
        v->u.map.cap = m ? m : 1;
    }
    if (!v || !refs || !winner || !v->u.map.keys || !v->u.map.values) {
        free(refs);
        free(winner);
        em_pyval_free(v);
        em_fail(EM_ERR_MEMORY, "%s: out of memory building a dict", r->o->what);
        return NULL;
    }
    for (size_t i = 0; i < m; i++) refs[i] = (kref){n->u.c.items[2 * i], i}, winner[i] = SIZE_MAX;
    qsort(refs, m, sizeof *refs, kref_cmp);
    for (size_t g = 0; g < m;) {          /* equal keys: first position, last value */
        size_t e = g + 1;
        while (e < m && key_cmp(refs[e].k, refs[g].k) == 0) e++;
        winner[refs[g].i] = refs[e - 1].i;
        g = e;
    }
    free(refs);
    bool ok = true;
    for (size_t i = 0; i < m && ok; i++) {
        if (winner[i] == SIZE_MAX) continue;
        em_pyval *k = convert(r, n->u.c.items[2 * i], depth + 1);
        em_pyval *val = k ? convert(r, n->u.c.items[2 * winner[i] + 1], depth + 1) : NULL;
        if (!val) {
            em_pyval_free(k);
            ok = false;
            break;
        }
        v->u.map.keys[v->u.map.len] = k;
        v->u.map.values[v->u.map.len++] = val;
    }
    free(winner);
    if (ok && n->u.c.meta && !(v->u.map.metadata = convert(r, n->u.c.meta, depth + 1))) ok = false;
    if (!ok) {
        em_pyval_free(v);
        return NULL;
    }
    return v;
}

static em_pyval *convert(rd *r, node *n, int depth)
{
    if (depth > EM_PICKLE_MAX_DEPTH) {
        em_fail(EM_ERR_VALUE, "%s: values nested deeper than %d levels", r->o->what, EM_PICKLE_MAX_DEPTH);
        return NULL;
    }
    if (++r->output > 2 * r->objects + EM_PICKLE_MAX_OUTPUT) {
        em_fail(EM_ERR_MEMORY, "%s: the result would have more than %zu values (shared objects repeated "
                "over and over)", r->o->what, 2 * r->objects + EM_PICKLE_MAX_OUTPUT);
        return NULL;
    }
    if (n->visiting) {
        em_fail(EM_ERR_VALUE, "%s: a %s contains itself; self-referencing values are not supported", r->o->what,
                kind_name(n));
        return NULL;
    }
    em_pyval *v = NULL;
    switch (n->kind) {
    case EM_PY_NONE: return em_pyval_new(EM_PY_NONE);
    case EM_PY_BOOL: return em_pyval_new_bool(n->u.b);
    case EM_PY_INT: return em_pyval_new_int(n->u.i);
    case EM_PY_FLOAT: return em_pyval_new_float(n->u.f);
    case EM_PY_STR: return em_pyval_new_str(n->u.s.data, n->u.s.len);
    case EM_PY_BYTES: return em_pyval_new_bytes(n->u.s.data, n->u.s.len);
    case EM_PY_TENSOR:
        v = em_pyval_new_tensor(n->u.x.t);
        if (v) {
            v->u.tensor.is_parameter = n->u.x.param;
            v->u.tensor.requires_grad = n->u.x.rg;
            memcpy(v->u.tensor.location, n->u.x.loc, sizeof v->u.tensor.location);
        }
        return v;
    case EM_PY_LIST:
    case EM_PY_TUPLE:
        n->visiting = true;
        v = em_pyval_new(n->kind);
        for (size_t i = 0; v && i < n->u.c.len; i++) {
            em_pyval *c = convert(r, n->u.c.items[i], depth + 1);
            if (!c || em_pyval_append(v, c) != EM_OK) {
                em_pyval_free(v);
                v = NULL;
            }
        }
        n->visiting = false;
        return v;
    case EM_PY_DICT:
    case EM_PY_ODICT:
        n->visiting = true;
        v = convert_map(r, n, depth);
        n->visiting = false;
        return v;
    default:
        em_fail(EM_ERR_VALUE, "%s: the result holds a bare %s %s, which is not a value", r->o->what,
                kind_name(n), n->u.x.loc);
        return NULL;
    }
}

/* LONG1 / LONG4: k bytes of little-endian two's complement. Python's ints
** are unbounded; Lua's are 64-bit, so a value outside int64 is refused
** rather than rounded (longer encodings of an int64 value are fine). */
static em_status op_long(rd *r, size_t k)
{
    if (!need(r, k)) return em_last_status();
    const unsigned char *b = r->p + r->pos;
    uint64_t u = 0;
    for (size_t i = 0; i < k && i < 8; i++) u |= (uint64_t)b[i] << (8 * i);
    bool negative = k > 0 && (b[k - 1] & 0x80);
    if (k > 0 && k < 8 && negative) u |= ~(uint64_t)0 << (8 * k);
    bool fits = true;
    for (size_t i = 8; i < k && fits; i++) fits = b[i] == (negative ? 0xFF : 0x00);
    if (k > 8 && fits) fits = ((u >> 63) != 0) == negative;
    if (!fits)
        return fail(r, EM_ERR_VALUE, "a Python int of %zu bytes is outside the 64-bit range of Lua integers "
                    "(-2^63 to 2^63-1); ember refuses it rather than change its value", k);
    r->pos += k;
    return push(r, new_int(r, (int64_t)u));
}

/* Bytes of a length read from the stream (size_t-safe). */
static em_status op_bytes_len(rd *r, uint64_t n, int kind)
{
    if (n > r->len - r->pos) {
        ran_out(r);
        return fail(r, EM_ERR_VALUE, "the pickle is truncated (needs %llu more bytes, %zu left)",
                    (unsigned long long)n, r->len - r->pos);
    }
    if (kind == EM_PY_STR) return op_string(r, (size_t)n);
    const unsigned char *s = r->p + r->pos;
    r->pos += (size_t)n;
    return push(r, new_str(r, s, (size_t)n, EM_PY_BYTES));
}

static uint64_t rd_u64(rd *r)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += 8;
    return v;
}

/* --- the machine --- */
static em_status step(rd *r, bool *stop, em_pyval **out)
{
    r->op_pos = r->pos;
    r->op = r->p[r->pos++];
    size_t start = 0;
    em_status st;
    node *n;
    switch (r->op) {
    case 0x80:   /* PROTO */
        if (!need(r, 1)) return em_last_status();
        if (r->p[r->pos] > 5) return fail(r, EM_ERR_VALUE, "pickle protocol %u is not supported (2 to 5 are)",
                                          (unsigned)r->p[r->pos]);
        r->pos++;
        return EM_OK;
    case '.':    /* STOP */
        if (r->sp == 0) return fail(r, EM_ERR_VALUE, "STOP with an empty stack");
        *out = convert(r, r->stack[r->sp - 1], 0);
        *stop = true;
        return *out ? EM_OK : em_last_status();
    case 'c': return op_global(r);
    case 'R': return op_reduce(r);
    case 0x81: return op_newobj(r);
    case 'b': return op_build(r);
    case 'Q': return op_persid(r);
    case '(':
        if (r->nmarks == r->mcap) {
            if (r->nmarks >= EM_PICKLE_MAX_MARKS) return fail(r, EM_ERR_VALUE, "more than %d nested MARKs", EM_PICKLE_MAX_MARKS);
            size_t cap = r->mcap ? r->mcap * 2 : 16;
            size_t *p = realloc(r->marks, cap * sizeof *p);
            if (!p) return fail(r, EM_ERR_MEMORY, "out of memory growing the mark stack");
            r->marks = p;
            r->mcap = cap;
        }
        r->marks[r->nmarks++] = r->sp;
        return EM_OK;
    case 't':
        if ((st = pop_mark(r, &start)) != EM_OK) return st;
        return make_tuple(r, start);
    case ')': return push(r, node_new(r, EM_PY_TUPLE));
    case 0x85:
    case 0x86:
    case 0x87: {
        size_t k = (size_t)(r->op - 0x84);
        if (r->sp < floor_of_stack(r) + k) return fail(r, EM_ERR_VALUE, "stack underflow");
        return make_tuple(r, r->sp - k);
    }
    case '}': return push(r, node_new(r, EM_PY_DICT));
    case ']': return push(r, node_new(r, EM_PY_LIST));
    case 's':
        if (r->sp < floor_of_stack(r) + 3) return fail(r, EM_ERR_VALUE, "stack underflow");
        return set_items(r, r->stack[r->sp - 3], r->sp - 2);
    case 'u':
        if ((st = pop_mark(r, &start)) != EM_OK) return st;
        if (start <= floor_of_stack(r)) return fail(r, EM_ERR_VALUE, "stack underflow (no dict below the MARK)");
        return set_items(r, r->stack[start - 1], start);
    case 'a':
        if (r->sp < floor_of_stack(r) + 2) return fail(r, EM_ERR_VALUE, "stack underflow");
        return append_items(r, r->stack[r->sp - 2], r->sp - 1);
    case 'e':
        if ((st = pop_mark(r, &start)) != EM_OK) return st;
        if (start <= floor_of_stack(r)) return fail(r, EM_ERR_VALUE, "stack underflow (no list below the MARK)");
        return append_items(r, r->stack[start - 1], start);
    case 'N': return push(r, node_new(r, EM_PY_NONE));
    case 0x88:
    case 0x89:
        n = node_new(r, EM_PY_BOOL);
        if (n) n->u.b = r->op == 0x88;
        return push(r, n);
    case 'K':
        if (!need(r, 1)) return em_last_status();
        return push(r, new_int(r, r->p[r->pos++]));
    case 'M':
        if (!need(r, 2)) return em_last_status();
        r->pos += 2;
        return push(r, new_int(r, r->p[r->pos - 2] | r->p[r->pos - 1] << 8));
    case 'J':
        if (!need(r, 4)) return em_last_status();
        return push(r, new_int(r, (int32_t)rd_u32(r)));
    case 0x8a:    /* LONG1: n-byte little-endian two's complement */
        if (!need(r, 1)) return em_last_status();
        return op_long(r, r->p[r->pos++]);
    case 0x8b:    /* LONG4 */
        if (!need(r, 4)) return em_last_status();
        return op_long(r, rd_u32(r));
    case 'G': {
        if (!need(r, 8)) return em_last_status();
        uint64_t u = 0;
        for (int i = 0; i < 8; i++) u = u << 8 | r->p[r->pos++];
        n = node_new(r, EM_PY_FLOAT);
        if (n) memcpy(&n->u.f, &u, sizeof u);
        return push(r, n);
    }
    case 'X':
        if (!need(r, 4)) return em_last_status();
        return op_string(r, rd_u32(r));
    case 'U':
        if (!need(r, 1)) return em_last_status();
        return op_string(r, r->p[r->pos++]);
    case 0x8c:   /* SHORT_BINUNICODE */
        if (!need(r, 1)) return em_last_status();
        return op_string(r, r->p[r->pos++]);
    case 0x8d:   /* BINUNICODE8 */
        if (!need(r, 8)) return em_last_status();
        return op_bytes_len(r, rd_u64(r), EM_PY_STR);
    case 'C':    /* SHORT_BINBYTES */
        if (!need(r, 1)) return em_last_status();
        return op_bytes_len(r, r->p[r->pos++], EM_PY_BYTES);
    case 'B':    /* BINBYTES */
        if (!need(r, 4)) return em_last_status();
        return op_bytes_len(r, rd_u32(r), EM_PY_BYTES);
    case 0x8e:   /* BINBYTES8 */
        if (!need(r, 8)) return em_last_status();
        return op_bytes_len(r, rd_u64(r), EM_PY_BYTES);
    case 0x95: { /* FRAME: a length prefix for buffering; the opcodes inside are read as they come */
        if (!need(r, 8)) return em_last_status();
        uint64_t n = rd_u64(r);
        if (n > r->len - r->pos) {
            ran_out(r);
            return fail(r, EM_ERR_VALUE, "a FRAME of %llu bytes runs past the end of the pickle",
                        (unsigned long long)n);
        }
        return EM_OK;
    }
    case 0x94:   /* MEMOIZE */
        return op_memo_put(r, r->memo_count);
    case 0x93: return op_stack_global(r);
    case 0x8f:   /* EMPTY_SET */
    case 0x90:   /* ADDITEMS */
    case 0x91:   /* FROZENSET */
        return fail(r, EM_ERR_VALUE, "refusing to load: the file holds a Python set, which ember does not load "
                    "(Lua has no sets; save a list instead)");
    case 'q':
        if (!need(r, 1)) return em_last_status();
        return op_memo_put(r, r->p[r->pos++]);
    case 'r':
        if (!need(r, 4)) return em_last_status();
        return op_memo_put(r, rd_u32(r));
    case 'h':
        if (!need(r, 1)) return em_last_status();
        return op_memo_get(r, r->p[r->pos++]);
    case 'j':
        if (!need(r, 4)) return em_last_status();
        return op_memo_get(r, rd_u32(r));
    default:
        return fail(r, EM_ERR_VALUE, "refusing to load: opcode %s (0x%02x) is not accepted (only the "
                    "opcodes torch.save writes with pickle protocols 2 to 5 are)", op_name(r->op), r->op);
    }
}

em_status em_pickle_read(const unsigned char *data, size_t len, const em_unpickle_opts *opts, em_pyval **out)
{
    return em_pickle_read_prefix(data, len, opts, out, NULL);
}

em_status em_pickle_read_prefix(const unsigned char *data, size_t len, const em_unpickle_opts *opts, em_pyval **out,
                                size_t *used)
{
    *out = NULL;
    rd r = {.p = data, .len = len, .o = opts};
    bool stop = false;
    em_status st = EM_OK;
    while (st == EM_OK && !stop) {
        if (r.pos >= r.len) {
            r.op_pos = r.pos;
            r.op = '.';
            ran_out(&r);
            st = fail(&r, EM_ERR_VALUE, "the pickle ends without STOP (truncated)");
            break;
        }
        st = step(&r, &stop, out);
    }
    if (used) *used = r.pos;
    free_all(&r);
    free(r.stack);
    free(r.marks);
    free(r.memo);
    if (st != EM_OK) {
        em_pyval_free(*out);
        *out = NULL;
    }
    return st;
}
