/* lua_load.c — torch.load(path[, {map_location=, weights_only=}]): reads a
** PyTorch checkpoint (src/io/pt_load.c: the zip format or the legacy one)
** and converts its value tree to Lua:
**   OrderedDict and dict -> torch.OrderedDict (order kept; _metadata as the
**     field _metadata; a plain dict marked _pytype = "dict"); list -> array
**     (an empty one marked torch.list, so that it saves back as a list);
**     tuple -> torch.tuple; None -> torch.None wherever it is (list items,
**     dict values and keys, the whole value), so lists keep their length;
**     int -> integer (64-bit, exact); float; bool; str and bytes -> string;
**     tensor -> tensor (Parameter -> nn.Parameter; requires_grad kept).
**   Dict keys keep their kind: integer, float, boolean, string, torch.None,
**     or a torch.tuple (a new table: found by pairs, not by d[{...}]).
** A notice from the loader (dtypes converted, CUDA tensors loaded to the CPU)
** is printed to stderr once per distinct text. Not here: the file format. */
#include <stdio.h>
#include <string.h>

#include "../autograd/autograd.h"
#include "../io/pt_load.h"
#include "lua_bind.h"
#include "lua_util.h"

#define LOAD_BOX_MT "ember.pyval_load_box"
#define NOTICES_KEY "ember.load_notices"

typedef struct conv {
    lua_State *L;
    int od_new;     /* stack index: torch.OrderedDict constructor */
    int od_set;     /* stack index: its set method */
    int tuple;      /* stack index: torch.tuple */
    int list;       /* stack index: torch.list */
    int param;      /* stack index: nn.Parameter.new, or nil until first needed */
} conv;

static const em_lua_opts LOAD_OPTS = {"torch.load", "map_location weights_only", "pickle_module mmap encoding"};

static int box_gc(lua_State *L)
{
    em_pyval **box = lua_touserdata(L, 1);
    em_pyval_free(*box);
    *box = NULL;
    return 0;
}

static em_pyval **new_box(lua_State *L)
{
    em_pyval **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    if (luaL_newmetatable(L, LOAD_BOX_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return box;
}

/* Pushes require(name). */
static void push_require(lua_State *L, const char *name)
{
    lua_getglobal(L, "require");
    lua_pushstring(L, name);
    lua_call(L, 1, 1);
}

static void push_value(conv *c, const em_pyval *v);

static void push_tensor(conv *c, const em_pyval *v)
{
    lua_State *L = c->L;
    em_tensor *t = v->u.tensor.t;
    em_tensor_retain(t);
    em_lua_push_tensor(L, t);
    if (v->u.tensor.is_parameter) {
        if (lua_isnil(L, c->param)) {
            push_require(L, "torch.nn.module");
            lua_getfield(L, -1, "Parameter");
            lua_getfield(L, -1, "new");
            lua_replace(L, c->param);
            lua_pop(L, 2);
        }
        lua_pushvalue(L, c->param);
        lua_insert(L, -2);
        lua_pushboolean(L, v->u.tensor.requires_grad);
        lua_call(L, 2, 1);
    } else if (v->u.tensor.requires_grad) {
        if (em_set_requires_grad(t, true) != EM_OK) em_lua_raise(L);
    }
}

static void push_map(conv *c, const em_pyval *v)
{
    lua_State *L = c->L;
    lua_pushvalue(L, c->od_new);
    lua_call(L, 0, 1);
    int od = lua_gettop(L);
    for (size_t i = 0; i < v->u.map.len; i++) {
        const em_pyval *k = v->u.map.keys[i];
        if (k->kind == EM_PY_FLOAT && k->u.f != k->u.f)
            luaL_error(L, "torch.load: a dict key is NaN, which cannot be a Lua table key");
        lua_pushvalue(L, c->od_set);
        lua_pushvalue(L, od);
        push_value(c, k);
        push_value(c, v->u.map.values[i]);
        lua_call(L, 3, 0);
    }
    if (v->u.map.metadata) {
        push_value(c, v->u.map.metadata);
        lua_setfield(L, od, "_metadata");
    }
    if (v->kind == EM_PY_DICT) {   /* a plain dict: saved back as one (torch.dict) */
        lua_pushliteral(L, "dict");
        lua_setfield(L, od, "_pytype");
    }
}

static void push_value(conv *c, const em_pyval *v)
{
    lua_State *L = c->L;
    luaL_checkstack(L, 8, "torch.load: values nested too deeply");
    switch (v->kind) {
    case EM_PY_NONE: em_lua_push_none(L); return;
    case EM_PY_BOOL: lua_pushboolean(L, v->u.b); return;
    case EM_PY_INT: lua_pushinteger(L, (lua_Integer)v->u.i); return;
    case EM_PY_FLOAT: lua_pushnumber(L, v->u.f); return;
    case EM_PY_STR:
    case EM_PY_BYTES: lua_pushlstring(L, v->u.s.data, v->u.s.len); return;
    case EM_PY_LIST:
    case EM_PY_TUPLE:
        if (v->kind == EM_PY_TUPLE) lua_pushvalue(L, c->tuple);
        lua_createtable(L, v->u.seq.len > 1000000 ? 1000000 : (int)v->u.seq.len, 0);
        for (size_t i = 0; i < v->u.seq.len; i++) {
            push_value(c, v->u.seq.items[i]);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        if (v->kind == EM_PY_TUPLE) lua_call(L, 1, 1);
        else if (v->u.seq.len == 0) {           /* [] would read back as {}, a dict */
            lua_pushvalue(L, c->list);
            lua_insert(L, -2);
            lua_call(L, 1, 1);
        }
        return;
    case EM_PY_DICT:
    case EM_PY_ODICT: push_map(c, v); return;
    case EM_PY_TENSOR: push_tensor(c, v); return;
    }
    luaL_error(L, "torch.load: internal error: unknown value kind %d", (int)v->kind);
}

/* Prints text to stderr unless this Lua state has printed it before. */
static void notice_once(lua_State *L, const char *text)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, NOTICES_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, NOTICES_KEY);
    }
    if (lua_getfield(L, -1, text) == LUA_TNIL) {
        fprintf(stderr, "%s\n", text);
        lua_pushboolean(L, 1);
        lua_setfield(L, -3, text);
    }
    lua_pop(L, 2);
}

/* The target of a map_location table ({["cuda:0"] = "cpu", ...}): with only
** a CPU backend every tensor lands on the CPU, so the table is checked and
** its first CUDA target (if any) is passed on so that the loader explains
** the fallback; otherwise "cpu". */
static const char *table_target(lua_State *L, int idx)
{
    const char *target = "cpu";
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING)
            luaL_error(L, "torch.load: map_location table keys must be location strings like \"cuda:0\"");
        const char *to = NULL;
        if (lua_type(L, -1) == LUA_TSTRING) to = lua_tostring(L, -1);
        else if (luaL_testudata(L, -1, EM_DEVICE_MT)) to = luaL_tolstring(L, -1, NULL), lua_pop(L, 1);
        else luaL_error(L, "torch.load: map_location['%s'] must be a location string or a torch.device",
                        lua_tostring(L, -2));
        if (strncmp(to, "cuda", 4) == 0) target = to;
        else if (strcmp(to, "cpu") != 0)
            luaL_error(L, "torch.load: map_location['%s'] = '%s': expected cpu or cuda[:N]", lua_tostring(L, -2), to);
        lua_pop(L, 1);
    }
    return target;
}

/* Raises the loader's message, which names torch.load and the path. */
static int raise_load(lua_State *L)
{
    const char *m = em_last_error();
    if (strncmp(m, "torch.load", 10) == 0) return luaL_error(L, "%s", m);
    return luaL_error(L, "torch.load: %s", m);
}

/* torch.load(path[, {map_location = "cpu" | "cuda[:N]" | torch.device | {from = to}, weights_only = true}]) */
static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    const char *ml = NULL;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        em_lua_check_options(L, 2, &LOAD_OPTS);
        int wo = lua_getfield(L, 2, "weights_only");
        if (wo != LUA_TNIL && wo != LUA_TBOOLEAN)
            return luaL_error(L, "torch.load: weights_only must be true or false, got %s", luaL_typename(L, -1));
        if (wo == LUA_TBOOLEAN && !lua_toboolean(L, -1))
            return luaL_error(L, "torch.load: weights_only = false is not supported: ember never runs code from a "
                              "file, so it always loads as PyTorch's weights_only = true does (tensors, numbers, "
                              "strings, lists, tuples, dicts); leave the option out");
        lua_pop(L, 1);
        int t = lua_getfield(L, 2, "map_location");
        if (t == LUA_TSTRING) ml = lua_tostring(L, -1);
        else if (t == LUA_TUSERDATA && luaL_testudata(L, -1, EM_DEVICE_MT)) ml = luaL_tolstring(L, -1, NULL);
        else if (t == LUA_TTABLE) ml = table_target(L, lua_gettop(L));
        else if (t != LUA_TNIL)
            return luaL_error(L, "torch.load: map_location must be a string, a torch.device or a table");
    }
    conv c = {.L = L};
    push_require(L, "torch.ordered_dict");
    c.od_new = lua_gettop(L);
    lua_pushvalue(L, c.od_new);
    lua_call(L, 0, 1);
    lua_getfield(L, -1, "set");
    lua_remove(L, -2);
    c.od_set = lua_gettop(L);
    push_require(L, "torch");
    lua_getfield(L, -1, "tuple");
    lua_getfield(L, -2, "list");
    lua_remove(L, -3);
    c.tuple = lua_gettop(L) - 1;
    c.list = lua_gettop(L);
    lua_pushnil(L);
    c.param = lua_gettop(L);
    em_pyval **box = new_box(L);
    char notice[1024];
    if (em_pt_load(path, ml, box, notice, sizeof notice) != EM_OK) return raise_load(L);
    if (notice[0]) notice_once(L, notice);
    push_value(&c, *box);
    em_pyval_free(*box);
    *box = NULL;
    return 1;
}

void em_lua_register_load(lua_State *L)
{
    lua_pushcfunction(L, l_load);
    lua_setfield(L, -2, "load");
}
