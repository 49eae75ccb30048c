/* lua_setup.c — em_lua_setup_torch: package.path and package.preload for
** `require "torch"`, shared by the ember program and torch.so (lua_setup.h).
** Loads nothing itself: lua/torch/init.lua, run by require, builds the module. */
#include "lua_setup.h"

#include <lauxlib.h>
#include <string.h>

int luaopen_torch_core(lua_State *L);

void em_lua_setup_torch(lua_State *L, const char *lua_dir)
{
    lua_getglobal(L, "package");
    if (!lua_istable(L, -1)) luaL_error(L, "torch: the package library is not loaded");
    if (lua_dir && *lua_dir) {
        lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", lua_dir, lua_dir);
        lua_getfield(L, -2, "path");
        const char *ours = lua_tostring(L, -2), *path = lua_tostring(L, -1);
        if (!path) {
            lua_pop(L, 1);
            lua_setfield(L, -2, "path");
        } else if (strstr(path, ours)) {    /* loaded before: already there */
            lua_pop(L, 2);
        } else {
            lua_pushfstring(L, "%s;%s", ours, path);
            lua_setfield(L, -4, "path");
            lua_pop(L, 2);
        }
    }
    lua_pop(L, 1);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_torch_core);
    lua_setfield(L, -2, "torch.core");
    lua_pop(L, 1);
}
