/* lua_save.c — torch.save(value, path[, options]): converts a Lua value into
** the em_pyval tree that src/io/pt_save.c writes as a PyTorch checkpoint
** (the zip format, or the legacy one with _use_new_zipfile_serialization =
** false; pickle_protocol 2 to 5).
**   torch.OrderedDict -> OrderedDict (its _metadata field too; keys kept with
**     no value -> None); torch.tuple and torch.Size -> tuple; torch.list and
**     arrays 1..n (n >= 1) -> list; other plain tables (also {}) -> dict,
**     keys sorted (booleans, numbers, strings, None, tuples); torch.None and
**     nil -> None; integer/float by math.type; booleans; strings (valid
**     UTF-8); tensors as they are (views keep their storage); nn.Parameter
**     -> Parameter.
**   Dict keys: strings, integers, floats, booleans, torch.None and
**     torch.tuples of those.
** Functions, other userdata, tables with other metatables, cycles and bad
** keys raise an error naming the key path. Also torch.list (the list
** marker) and torch.core._fault_inject (test hook of src/io/atomic_file.c).
** Not here: the file format. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../io/atomic_file.h"
#include "../io/pt_save.h"
#include "lua_bind.h"
#include "lua_util.h"

#define MAX_DEPTH 500
#define PYVAL_MT "ember.pyval_box"
#define LIST_MT "torch.list"    /* the metatable torch.list gives a table */

static const em_lua_opts SAVE_OPTS = {"torch.save", "_use_new_zipfile_serialization pickle_protocol",
                                      "pickle_module"};

typedef struct conv {
    lua_State *L;
    int seen;                  /* stack index: tables on the current path (cycles) */
    int od_is, param_is, is_tuple;   /* stack indices of Lua predicates (nil when not loaded) */
    char path[512];            /* "value.model[\"fc.weight\"]" for messages */
    size_t plen;
} conv;

/* Where a converted value goes: into *slot (replacing what is there), or
** appended to parent. Dict entries are set to None first and then filled
** through their slot, so that nothing is ever outside the anchored tree. */
typedef struct target {
    em_pyval **slot;
    em_pyval *parent;
} target;

/* --- the anchor: a userdata owning the tree, so a Lua error frees it --- */
static int pyval_box_gc(lua_State *L)
{
    em_pyval **box = lua_touserdata(L, 1);
    em_pyval_free(*box);
    *box = NULL;
    return 0;
}

static em_pyval **new_pyval_box(lua_State *L)
{
    em_pyval **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    if (luaL_newmetatable(L, PYVAL_MT)) {
        lua_pushcfunction(L, pyval_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return box;
}

/* --- errors and the key path --- */
static int conv_error(conv *c, const char *fmt, const char *detail)
{
    lua_State *L = c->L;
    c->path[c->plen] = '\0';
    lua_pushfstring(L, fmt, detail);
    return luaL_error(L, "torch.save: %s: %s", c->path, lua_tostring(L, -1));
}

static void path_add(conv *c, const char *s, size_t n)
{
    if (c->plen + n + 4 >= sizeof c->path) {
        if (c->plen + 4 < sizeof c->path) memcpy(c->path + c->plen, "...", 3), c->plen += 3;
        return;
    }
    memcpy(c->path + c->plen, s, n);
    c->plen += n;
    c->path[c->plen] = '\0';
}

static bool is_identifier(const char *s, size_t n)
{
    if (n == 0 || n > 64 || !(s[0] == '_' || ((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z'))) return false;
    for (size_t i = 1; i < n; i++)
        if (!(s[i] == '_' || (s[i] >= '0' && s[i] <= '9') || ((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z')))
            return false;
    return true;
}

/* Appends the key at stack index k to the path: .name, ["odd key"] or [12]. */
static void path_add_key(conv *c, int k)
{
    lua_State *L = c->L;
    char buf[96];
    if (lua_type(L, k) == LUA_TSTRING) {
        size_t n;
        const char *s = lua_tolstring(L, k, &n);
        if (is_identifier(s, n)) {
            path_add(c, ".", 1);
            path_add(c, s, n);
            return;
        }
        int w = snprintf(buf, sizeof buf, "[\"%.*s%s\"]", n > 60 ? 60 : (int)n, s, n > 60 ? "..." : "");
        path_add(c, buf, (size_t)w);
    } else if (lua_isinteger(L, k)) {
        int w = snprintf(buf, sizeof buf, "[%lld]", (long long)lua_tointeger(L, k));
        path_add(c, buf, (size_t)w);
    } else {
        int w = snprintf(buf, sizeof buf, "[%s]", luaL_typename(L, k));
        path_add(c, buf, (size_t)w);
    }
}

/* --- scalars --- */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char b = s[i];
        size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + len > n) return false;
        uint32_t cp = len == 1 ? b : len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 0x07;
        for (size_t j = 1; j < len; j++) {
            if ((s[i + j] & 0xC0) != 0x80) return false;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        static const uint32_t min_cp[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_cp[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

static em_status attach(lua_State *L, target *t, em_pyval *v)
{
    if (!v) return em_lua_raise(L);
    em_status st = EM_OK;
    if (t->slot) {
        em_pyval_free(*t->slot);
        *t->slot = v;
    } else {
        st = em_pyval_append(t->parent, v);
    }
    if (st != EM_OK) em_lua_raise(L);
    return st;
}

static bool is_list(lua_State *L, int idx);
static bool call_is(lua_State *L, int fn, int idx);

/* A key (for dicts) at stack index k: a scalar, torch.None, or a tuple of
** those; else an error. */
static em_pyval *convert_key(conv *c, int k)
{
    lua_State *L = c->L;
    em_pyval *v = NULL;
    k = lua_absindex(L, k);
    luaL_checkstack(L, 8, "torch.save: keys nested too deeply");
    switch (lua_type(L, k)) {
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, k, &n);
        if (!valid_utf8((const unsigned char *)s, n)) conv_error(c, "%s", "a key is not valid UTF-8 text");
        v = em_pyval_new_str(s, n);
        break;
    }
    case LUA_TNUMBER:
        v = lua_isinteger(L, k) ? em_pyval_new_int(lua_tointeger(L, k)) : em_pyval_new_float(lua_tonumber(L, k));
        break;
    case LUA_TBOOLEAN: v = em_pyval_new_bool(lua_toboolean(L, k)); break;
    case LUA_TUSERDATA:
        if (!em_lua_is_none(L, k))
            conv_error(c, "cannot save a %s as a dict key (keys are strings, numbers, booleans, torch.None or "
                       "torch.tuples of those)", luaL_typename(L, k));
        v = em_pyval_new(EM_PY_NONE);
        break;
    case LUA_TTABLE:
        if (call_is(L, c->is_tuple, k)) {       /* a tuple of keys, as Python allows */
            em_pyval **box = new_pyval_box(L);  /* frees the tuple if an element raises */
            if (!(*box = em_pyval_new(EM_PY_TUPLE))) em_lua_raise(L);
            lua_Integer n = (lua_Integer)lua_rawlen(L, k);
            for (lua_Integer i = 1; i <= n; i++) {
                lua_rawgeti(L, k, i);
                em_pyval *item = lua_isnil(L, -1) ? em_pyval_new(EM_PY_NONE) : convert_key(c, -1);
                lua_pop(L, 1);
                if (!item || em_pyval_append(*box, item) != EM_OK) em_lua_raise(L);
            }
            v = *box;
            *box = NULL;
            lua_pop(L, 1);
            break;
        }
        conv_error(c, "cannot save a %s as a dict key (keys are strings, numbers, booleans, torch.None or "
                   "torch.tuples of those)", call_is(L, c->is_tuple, k) ? "tuple" : "table");
        break;
    default:
        conv_error(c, "cannot save a %s as a dict key (keys are strings, numbers, booleans, torch.None or "
                   "torch.tuples of those)", luaL_typename(L, k));
    }
    if (!v) em_lua_raise(L);
    return v;
}

/* --- values --- */
static void convert(conv *c, int idx, target *t, int depth);

/* Calls the predicate at stack index fn (if any) on the value at idx. */
static bool call_is(lua_State *L, int fn, int idx)
{
    if (lua_isnil(L, fn)) return false;
    lua_pushvalue(L, fn);
    lua_pushvalue(L, idx);
    lua_call(L, 1, 1);
    bool r = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return r;
}

/* Converts parent[key] (key at -2, value at -1 on the stack) into a map. */
static void convert_entry(conv *c, em_pyval *map, int depth)
{
    lua_State *L = c->L;
    size_t saved = c->plen;
    int k = lua_gettop(L) - 1;
    path_add_key(c, k);
    em_pyval *key = convert_key(c, k);
    em_pyval *none = em_pyval_new(EM_PY_NONE);
    if (!none) {
        em_pyval_free(key);
        em_lua_raise(L);
    }
    if (em_pyval_dict_set(map, key, none) != EM_OK) em_lua_raise(L);
    size_t i = map->u.map.len;
    while (i > 0 && map->u.map.values[i - 1] != none) i--;
    target t = {&map->u.map.values[i - 1], NULL};
    convert(c, k + 1, &t, depth);
    c->plen = saved;
    c->path[saved] = '\0';
}

static void convert_ordered_dict(conv *c, int idx, em_pyval *node, int depth)
{
    lua_State *L = c->L;
    if (luaL_getmetafield(L, idx, "__pairs") == LUA_TNIL) conv_error(c, "%s", "an OrderedDict without __pairs");
    lua_pushvalue(L, idx);
    lua_call(L, 1, 3);                           /* iter, state, control */
    int iter = lua_gettop(L) - 2;
    for (;;) {
        lua_pushvalue(L, iter);
        lua_pushvalue(L, iter + 1);
        lua_pushvalue(L, iter + 2);
        lua_call(L, 2, 2);                       /* k, v (v nil: kept with no value = None) */
        if (lua_isnil(L, -2)) {
            lua_pop(L, 2);
            break;
        }
        lua_pushvalue(L, -2);
        lua_replace(L, iter + 2);
        convert_entry(c, node, depth);
        lua_pop(L, 2);
    }
    lua_pop(L, 3);
    if (lua_getfield(L, idx, "_metadata") != LUA_TNIL) {
        size_t saved = c->plen;
        path_add(c, "._metadata", 10);
        target t = {&node->u.map.metadata, NULL};
        convert(c, lua_gettop(L), &t, depth);
        c->plen = saved;
        c->path[saved] = '\0';
    }
    lua_pop(L, 1);
}

static void convert_sequence(conv *c, int idx, em_pyval *node, lua_Integer n, int depth)
{
    lua_State *L = c->L;
    for (lua_Integer i = 1; i <= n; i++) {
        size_t saved = c->plen;
        lua_pushinteger(L, i);
        path_add_key(c, lua_gettop(L));
        lua_pop(L, 1);
        lua_rawgeti(L, idx, i);
        target t = {NULL, node};
        convert(c, lua_gettop(L), &t, depth);
        lua_pop(L, 1);
        c->plen = saved;
        c->path[saved] = '\0';
    }
}

/* Order of plain-table keys: booleans, numbers, strings (bytewise), None,
** tables (tuples: element by element), so that a save is reproducible. */
static int key_rank(lua_State *L, int i)
{
    int t = lua_type(L, i);
    return t == LUA_TBOOLEAN ? 0 : t == LUA_TNUMBER ? 1 : t == LUA_TSTRING ? 2 : t == LUA_TUSERDATA ? 3
           : t == LUA_TTABLE ? 4 : 5;
}

static bool key_less(lua_State *L, int a, int b)
{
    a = lua_absindex(L, a);
    b = lua_absindex(L, b);
    int ra = key_rank(L, a), rb = key_rank(L, b);
    if (ra != rb) return ra < rb;
    if (ra == 0) return !lua_toboolean(L, a) && lua_toboolean(L, b);
    if (ra == 1) return lua_compare(L, a, b, LUA_OPLT);
    if (ra == 2) {
        size_t na, nb;
        const char *sa = lua_tolstring(L, a, &na), *sb = lua_tolstring(L, b, &nb);
        int r = memcmp(sa, sb, na < nb ? na : nb);
        return r < 0 || (r == 0 && na < nb);
    }
    if (ra == 4) {
        luaL_checkstack(L, 4, "torch.save: keys nested too deeply");
        lua_Integer na = (lua_Integer)lua_rawlen(L, a), nb = (lua_Integer)lua_rawlen(L, b);
        for (lua_Integer i = 1; i <= na && i <= nb; i++) {
            lua_rawgeti(L, a, i);
            lua_rawgeti(L, b, i);
            bool lt = key_less(L, -2, -1), gt = !lt && key_less(L, -1, -2);
            lua_pop(L, 2);
            if (lt || gt) return lt;
        }
        return na < nb;
    }
    return false;
}

/* Plain table: a list when its keys are exactly 1..n (n >= 1), else a dict
** with sorted keys. */
static void convert_plain(conv *c, int idx, target *t, int depth)
{
    lua_State *L = c->L;
    lua_Integer count = 0;
    bool array = true;
    lua_newtable(L);                             /* keys, to sort */
    int keys = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1) array = false;
        lua_pushvalue(L, -1);
        lua_rawseti(L, keys, ++count);
    }
    if (array && count > 0) {
        for (lua_Integer i = 1; i <= count && array; i++)
            if (lua_rawgeti(L, idx, i) == LUA_TNIL) array = false;
            else lua_pop(L, 1);
    }
    em_pyval *node = em_pyval_new(array && count > 0 ? EM_PY_LIST : EM_PY_DICT);
    if (attach(L, t, node) != EM_OK) return;
    if (node->kind == EM_PY_LIST) {
        lua_pop(L, 1);
        convert_sequence(c, idx, node, count, depth);
        return;
    }
    /* insertion sort of the keys (tables are small); a stable, total order */
    for (lua_Integer i = 2; i <= count; i++) {
        lua_rawgeti(L, keys, i);
        lua_Integer j = i - 1;
        for (; j >= 1; j--) {
            lua_rawgeti(L, keys, j);
            bool less = key_less(L, -2, -1);
            if (!less) {
                lua_pop(L, 1);
                break;
            }
            lua_rawseti(L, keys, j + 1);
        }
        lua_rawseti(L, keys, j + 1);
    }
    for (lua_Integer i = 1; i <= count; i++) {
        lua_rawgeti(L, keys, i);
        lua_pushvalue(L, -1);
        lua_rawget(L, idx);
        convert_entry(c, node, depth);
        lua_pop(L, 2);
    }
    lua_pop(L, 1);
}

static bool is_list(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) return false;
    luaL_getmetatable(L, LIST_MT);
    bool r = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return r;
}

/* A torch.list: elements 1..n (n = #t, torch.None for Python's None), and
** no other keys: a hole or a named field would be lost. */
static void convert_list(conv *c, int idx, target *t, int depth)
{
    lua_State *L = c->L;
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        count++;
        if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n) {
            path_add_key(c, lua_gettop(L));
            conv_error(c, "%s", "a torch.list holds only elements 1..#list (use torch.None for Python's None)");
        }
    }
    if (count != n) conv_error(c, "%s", "a torch.list has holes (nil elements); use torch.None for Python's None");
    em_pyval *node = em_pyval_new(EM_PY_LIST);
    if (attach(L, t, node) == EM_OK) convert_sequence(c, idx, node, n, depth);
}

static void convert_table(conv *c, int idx, target *t, int depth)
{
    lua_State *L = c->L;
    lua_pushvalue(L, idx);
    if (lua_rawget(L, c->seen) != LUA_TNIL)
        conv_error(c, "%s", "the table contains itself (a cycle); torch.save needs a tree");
    lua_pop(L, 1);
    lua_pushvalue(L, idx);
    lua_pushboolean(L, 1);
    lua_rawset(L, c->seen);

    if (call_is(L, c->od_is, idx)) {
        /* an ordered table marked _pytype = "dict" (torch.dict) is a plain dict */
        bool plain = lua_getfield(L, idx, "_pytype") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "dict") == 0;
        lua_pop(L, 1);
        em_pyval *node = em_pyval_new(plain ? EM_PY_DICT : EM_PY_ODICT);
        if (attach(L, t, node) == EM_OK) convert_ordered_dict(c, idx, node, depth);
    } else if (is_list(L, idx)) {
        convert_list(c, idx, t, depth);
    } else if (lua_getmetatable(L, idx)) {
        lua_pop(L, 1);
        int top = lua_gettop(L);
        bool named = luaL_getmetafield(L, idx, "__name") == LUA_TSTRING;
        const char *name = named ? lua_tostring(L, -1) : "table with a metatable";
        if (strcmp(name, "torch.Size") != 0 && !call_is(L, c->is_tuple, idx))
            conv_error(c, "cannot save a %s object (save plain tables, torch.OrderedDict, torch.tuple, "
                       "tensors and numbers; for a model or an optimizer save its state_dict())", name);
        lua_settop(L, top);
        em_pyval *node = em_pyval_new(EM_PY_TUPLE);
        if (attach(L, t, node) == EM_OK) convert_sequence(c, idx, node, (lua_Integer)lua_rawlen(L, idx), depth);
    } else {
        convert_plain(c, idx, t, depth);
    }

    lua_pushvalue(L, idx);
    lua_pushnil(L);
    lua_rawset(L, c->seen);
}

static void convert(conv *c, int idx, target *t, int depth)
{
    lua_State *L = c->L;
    if (depth >= MAX_DEPTH) conv_error(c, "values nested deeper than %s levels", "500");
    luaL_checkstack(L, 16, "torch.save: values nested too deeply");
    idx = lua_absindex(L, idx);
    switch (lua_type(L, idx)) {
    case LUA_TNIL: attach(L, t, em_pyval_new(EM_PY_NONE)); return;
    case LUA_TBOOLEAN: attach(L, t, em_pyval_new_bool(lua_toboolean(L, idx))); return;
    case LUA_TNUMBER:
        attach(L, t, lua_isinteger(L, idx) ? em_pyval_new_int(lua_tointeger(L, idx))
                                           : em_pyval_new_float(lua_tonumber(L, idx)));
        return;
    case LUA_TSTRING: {
        size_t n;
        const char *s = lua_tolstring(L, idx, &n);
        if (!valid_utf8((const unsigned char *)s, n))
            conv_error(c, "%s", "the string is not valid UTF-8 text (Python str); store bytes in a uint8 tensor");
        attach(L, t, em_pyval_new_str(s, n));
        return;
    }
    case LUA_TTABLE: convert_table(c, idx, t, depth + 1); return;
    case LUA_TUSERDATA: {
        if (em_lua_is_none(L, idx)) {
            attach(L, t, em_pyval_new(EM_PY_NONE));
            return;
        }
        em_tensor *x = em_lua_test_tensor(L, idx);
        if (x) {
            em_pyval *v = em_pyval_new_tensor(x);
            if (attach(L, t, v) != EM_OK) return;
            v->u.tensor.requires_grad = x->requires_grad;
            v->u.tensor.is_parameter = call_is(L, c->param_is, idx);
            if (x->storage->backend->type == EM_CUDA)
                snprintf(v->u.tensor.location, sizeof v->u.tensor.location, "cuda:0");
            return;
        }
        const char *name = luaL_getmetafield(L, idx, "__name") == LUA_TSTRING ? lua_tostring(L, -1) : "userdata";
        conv_error(c, "cannot save a %s", name);
        return;
    }
    default: conv_error(c, "cannot save a %s", luaL_typename(L, idx));
    }
}

/* Pushes package.loaded[mod][field] (or [field][field2]) when it is a
** function, else nil: exactly one value. */
static void push_loaded(lua_State *L, const char *mod, const char *field, const char *field2)
{
    int top = lua_gettop(L);
    lua_pushnil(L);
    if (lua_getglobal(L, "package") == LUA_TTABLE && lua_getfield(L, -1, "loaded") == LUA_TTABLE &&
        lua_getfield(L, -1, mod) == LUA_TTABLE && lua_getfield(L, -1, field) != LUA_TNIL) {
        if (field2 && lua_istable(L, -1)) lua_getfield(L, -1, field2);
        if (lua_isfunction(L, -1)) lua_replace(L, top + 1);
    }
    lua_settop(L, top + 1);
}

/* Reads torch.save's options table at idx (0: none). */
static em_pt_save_opts save_options(lua_State *L, int idx)
{
    em_pt_save_opts o = {2, false};
    if (!idx) return o;
    em_lua_check_options(L, idx, &SAVE_OPTS);
    int t = lua_getfield(L, idx, "_use_new_zipfile_serialization");
    if (t != LUA_TNIL && t != LUA_TBOOLEAN)
        luaL_error(L, "torch.save: _use_new_zipfile_serialization must be true or false, got %s", luaL_typename(L, -1));
    o.legacy = t == LUA_TBOOLEAN && !lua_toboolean(L, -1);
    lua_pop(L, 1);
    t = lua_getfield(L, idx, "pickle_protocol");
    if (t != LUA_TNIL) {
        if (!lua_isinteger(L, -1))
            luaL_error(L, "torch.save: pickle_protocol must be an integer from 2 to 5, got %s",
                       t == LUA_TNUMBER ? "a float" : luaL_typename(L, -1));
        lua_Integer p = lua_tointeger(L, -1);
        if (p < 2 || p > 5)
            luaL_error(L, "torch.save: pickle_protocol %I is not supported (2 to 5 are: protocols 0 and 1 cannot "
                       "hold torch.save's storage references)", p);
        o.protocol = (int)p;
    }
    lua_pop(L, 1);
    return o;
}

/* torch.save(value, path[, options]): writes value as a PyTorch checkpoint,
** replacing path atomically. */
static int l_save(lua_State *L)
{
    const char *path = luaL_checkstring(L, 2);
    int opts = 0;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        opts = 3;
    }
    em_pt_save_opts so = save_options(L, opts);
    lua_settop(L, 3);
    conv c = {.L = L, .plen = 5};
    memcpy(c.path, "value", 6);
    push_loaded(L, "torch.ordered_dict", "is", NULL);
    c.od_is = lua_gettop(L);
    push_loaded(L, "torch.nn.module", "Parameter", "is");
    c.param_is = lua_gettop(L);
    push_loaded(L, "torch", "is_tuple", NULL);
    c.is_tuple = lua_gettop(L);
    lua_newtable(L);
    c.seen = lua_gettop(L);
    em_pyval **box = new_pyval_box(L);
    target t = {box, NULL};
    convert(&c, 1, &t, 0);
    if (em_pt_save_with(path, *box, &so) != EM_OK) {
        const char *m = em_last_error();
        return strncmp(m, "torch.save", 10) == 0 ? luaL_error(L, "%s", m) : luaL_error(L, "torch.save: %s", m);
    }
    em_pyval_free(*box);
    *box = NULL;
    return 0;
}

/* torch.list([t]) -> t, marked as a Python list: torch.save writes it as a
** list even when it is empty ({} alone is a dict). */
static int l_list(lua_State *L)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_getmetatable(L, 1) && !is_list(L, 1))
        return luaL_error(L, "torch.list: the table already has a metatable (it is not a plain table)");
    lua_settop(L, 1);
    luaL_setmetatable(L, LIST_MT);
    return 1;
}

/* torch.core._fault_inject(spec or nil): test hook, e.g. "write:ENOSPC". */
static int l_fault_inject(lua_State *L)
{
    EM_LUA_CHECK(L, em_atomic_fault_inject(luaL_optstring(L, 1, NULL)));
    return 0;
}

void em_lua_register_save(lua_State *L)
{
    if (luaL_newmetatable(L, LIST_MT)) {
        lua_pushliteral(L, "list");
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
    lua_pushcfunction(L, l_save);
    lua_setfield(L, -2, "save");
    lua_pushcfunction(L, l_list);
    lua_setfield(L, -2, "list");
    lua_pushcfunction(L, l_fault_inject);
    lua_setfield(L, -2, "_fault_inject");
}
