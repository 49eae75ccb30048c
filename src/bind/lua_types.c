/* lua_types.c — dtype objects (torch.float32 ...), device objects
** (torch.device("cpu")) and torch.None: singletons kept in the registry, so
** == compares them.
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

static int device_tostring(lua_State *L)
{
    luaL_checkudata(L, 1, EM_DEVICE_MT);
    lua_getiuservalue(L, 1, 1);
    return 1;
}

static int device_index(lua_State *L)
{
    luaL_checkudata(L, 1, EM_DEVICE_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "type") == 0) lua_getiuservalue(L, 1, 1);
    else if (strcmp(k, "index") == 0) lua_pushnil(L);
    else lua_pushnil(L);
    return 1;
}

/* torch.device("cpu") / torch.device("cuda") / torch.device("cuda:0") */
static int l_device(lua_State *L)
{
    if (luaL_testudata(L, 1, EM_DEVICE_MT)) {
        lua_settop(L, 1);
        return 1;
    }
    const char *spec = luaL_checkstring(L, 1);
    if (strcmp(spec, "cpu") == 0) {
        em_lua_push_device(L, em_cpu_backend());
        return 1;
    }
    if (strncmp(spec, "cuda", 4) == 0 && (spec[4] == '\0' || spec[4] == ':')) {
        if (!em_backend_get(EM_CUDA))
            return luaL_error(L, "torch.device('%s'): CUDA is not available: this ember was built without CUDA "
                              "support (torch.cuda.is_available() is false); use torch.device('cpu')", spec);
        return luaL_error(L, "torch.device('%s'): no CUDA device found", spec);
    }
    return luaL_error(L, "torch.device: expected one of cpu, cuda, cuda:N as the device type, got '%s'", spec);
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
    static const struct { const char *name; em_dtype dt; } names[] = {
        {"float32", EM_FLOAT32}, {"float", EM_FLOAT32}, {"float64", EM_FLOAT64}, {"double", EM_FLOAT64},
        {"int64", EM_INT64},     {"long", EM_INT64},    {"int32", EM_INT32},     {"int", EM_INT32},
        {"uint8", EM_UINT8},     {"bool", EM_BOOL},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        em_lua_push_dtype(L, names[i].dt);
        lua_setfield(L, -2, names[i].name);
    }
    /* devices */
    luaL_newmetatable(L, EM_DEVICE_MT);
    lua_pushcfunction(L, device_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, device_index);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
    lua_newtable(L);
    lua_newuserdatauv(L, 1, 1);
    lua_pushstring(L, "cpu");
    lua_setiuservalue(L, -2, 1);
    luaL_setmetatable(L, EM_DEVICE_MT);
    lua_setfield(L, -2, "cpu");
    lua_setfield(L, LUA_REGISTRYINDEX, "torch.devices");
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
