/* lua_types.c — dtype objects (torch.float32 ...) and torch.None:
** singletons kept in the registry, so == compares them; device objects
** (torch.device("cuda:1"): an em_device value, compared with __eq).
**
** torch.None is Python's None where a Lua nil cannot stand: an element of a
** list (nil would leave a hole and lose the length), a dict value, or an
** option whose PyTorch value is None (BatchNorm's momentum). It prints as
** None and is saved as None. */
#include <string.h>

#include "../core/tensor.h"
#include "lua_bind.h"
#include "lua_util.h"

static int dtype_tostring(lua_State *L)
{
    int *p = luaL_checkudata(L, 1, EM_DTYPE_MT);
    lua_pushfstring(L, "torch.%s", em_dtype_name((em_dtype)*p));
    return 1;
}

static int dtype_index(lua_State *L)
{
    int *p = luaL_checkudata(L, 1, EM_DTYPE_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "is_floating_point") == 0) lua_pushboolean(L, em_dtype_is_float((em_dtype)*p));
    else if (strcmp(k, "itemsize") == 0) lua_pushinteger(L, (lua_Integer)em_dtype_size((em_dtype)*p));
    else if (strcmp(k, "name") == 0) lua_pushstring(L, em_dtype_name((em_dtype)*p));
    else lua_pushnil(L);
    return 1;
}

/* --- devices: a userdata holding an em_device (type + index); devices
** compare by value (==), so torch.device("cuda:1") == torch.device("cuda", 1) */
static em_device *check_device_ud(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, EM_DEVICE_MT);
}

void em_lua_push_device(lua_State *L, em_device d)
{
    em_device *p = lua_newuserdatauv(L, sizeof *p, 0);
    *p = d;
    luaL_setmetatable(L, EM_DEVICE_MT);
}

em_device em_lua_to_device(lua_State *L, const char *op, int idx)
{
    em_device *p = luaL_testudata(L, idx, EM_DEVICE_MT);
    if (p) return *p;
    if (lua_type(L, idx) != LUA_TSTRING)
        luaL_error(L, "%s: expected a device (torch.device or a string such as \"cpu\" or \"cuda:0\"), got %s", op,
                   luaL_typename(L, idx));
    em_device d;
    if (em_device_parse(lua_tostring(L, idx), &d) != EM_OK) luaL_error(L, "%s: %s", op, em_last_error());
    return d;
}

static int device_tostring(lua_State *L)
{
    char buf[EM_DEVICE_BUF];
    lua_pushstring(L, em_device_str(*check_device_ud(L, 1), buf, sizeof buf));
    return 1;
}

/* PyTorch's repr: device(type='cuda', index=1) */
static int device_repr(lua_State *L)
{
    char buf[EM_DEVICE_BUF];
    lua_pushstring(L, em_device_repr(*check_device_ud(L, 1), buf, sizeof buf));
    return 1;
}

static int device_eq(lua_State *L)
{
    em_device *a = luaL_testudata(L, 1, EM_DEVICE_MT), *b = luaL_testudata(L, 2, EM_DEVICE_MT);
    lua_pushboolean(L, a && b && em_device_equal(*a, *b));
    return 1;
}

static int device_index(lua_State *L)
{
    em_device d = *check_device_ud(L, 1);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "type") == 0) lua_pushstring(L, em_device_type_name(d.type));
    else if (strcmp(k, "index") == 0 && d.index >= 0) lua_pushinteger(L, d.index);
    else lua_pushnil(L);        /* no index: nil (PyTorch's None), so `if d.index then` reads right */
    return 1;
}

/* torch.device("cpu") / torch.device("cuda:1") / torch.device("cuda", 1) /
** torch.device(1) (cuda:1) / torch.device(d). Any device can be named; using
** one that is not available (torch.zeros(2, {device = "cuda"})) is the error. */
static int l_device(lua_State *L)
{
    if (luaL_testudata(L, 1, EM_DEVICE_MT) && lua_isnoneornil(L, 2)) {
        lua_settop(L, 1);
        return 1;
    }
    em_device d;
    if (lua_isinteger(L, 1) && lua_isnoneornil(L, 2)) {
        lua_Integer i = lua_tointeger(L, 1);
        if (i < 0) return luaL_error(L, "torch.device: Device index must not be negative");
        if (i > 1000000) return luaL_error(L, "torch.device: device index %d is out of range", (int)(i % 1000000000));
        d = (em_device){EM_CUDA, (int)i};
    } else if (lua_type(L, 1) != LUA_TSTRING) {
        return luaL_argerror(L, 1, lua_pushfstring(L, "device type (string such as \"cuda:1\") expected, got %s",
                                                    luaL_typename(L, 1)));
    } else if (lua_isnoneornil(L, 2)) {
        d = em_lua_to_device(L, "torch.device", 1);
    } else {
        if (!lua_isinteger(L, 2))
            return luaL_argerror(L, 2, lua_pushfstring(L, "index must be an integer, got %s", luaL_typename(L, 2)));
        lua_Integer i = lua_tointeger(L, 2);
        if (i > 1000000) return luaL_error(L, "torch.device: device index %d is out of range", (int)(i % 1000000000));
        if (em_device_make(lua_tostring(L, 1), i < 0 ? -2 : (int)i, &d) != EM_OK)
            return luaL_error(L, "torch.device: %s", em_last_error());
    }
    em_lua_push_device(L, d);
    return 1;
}

static int none_tostring(lua_State *L)
{
    lua_pushliteral(L, "None");
    return 1;
}

static int none_newindex(lua_State *L)
{
    return luaL_error(L, "torch.None cannot be changed");
}

/* Pushes torch.None (the one value of type NoneType). */
void em_lua_push_none(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "torch.None");
}

bool em_lua_is_none(lua_State *L, int idx)
{
    return luaL_testudata(L, idx, EM_NONE_MT) != NULL;
}

static int l_cuda_is_available(lua_State *L)
{
    lua_pushboolean(L, em_backend_get(EM_CUDA) != NULL);
    return 1;
}

void em_lua_open_types(lua_State *L)
{
    /* dtypes: registry["torch.dtypes"][id+1] and module fields with aliases */
    luaL_newmetatable(L, EM_DTYPE_MT);
    lua_pushcfunction(L, dtype_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, dtype_index);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_newtable(L);
    for (int dt = 0; dt < EM_NUM_DTYPES; dt++) {
        int *p = lua_newuserdatauv(L, sizeof(int), 0);
        *p = dt;
        luaL_setmetatable(L, EM_DTYPE_MT);
        lua_rawseti(L, -2, dt + 1);
    }
    lua_setfield(L, LUA_REGISTRYINDEX, "torch.dtypes");
    em_dtype dt;
    const char *name;
    for (int i = 0; (name = em_dtype_alias(i, &dt)) != NULL; i++) {
        em_lua_push_dtype(L, dt);
        lua_setfield(L, -2, name);
    }
    /* devices */
    luaL_newmetatable(L, EM_DEVICE_MT);
    lua_pushcfunction(L, device_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, device_repr);
    lua_setfield(L, -2, "__repr");
    lua_pushcfunction(L, device_eq);
    lua_setfield(L, -2, "__eq");
    lua_pushcfunction(L, device_index);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_pushcfunction(L, l_device);
    lua_setfield(L, -2, "device");
    /* None: one userdata with its own metatable, also registry[EM_NONE_MT] */
    luaL_newmetatable(L, EM_NONE_MT);
    lua_pushcfunction(L, none_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, none_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "NoneType");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
    lua_newuserdatauv(L, 0, 0);
    luaL_setmetatable(L, EM_NONE_MT);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "torch.None");
    lua_setfield(L, -2, "None");
    lua_newtable(L);
    lua_pushcfunction(L, l_cuda_is_available);
    lua_setfield(L, -2, "is_available");
    lua_setfield(L, -2, "cuda");
}
