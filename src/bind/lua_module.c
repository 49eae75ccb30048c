/* lua_module.c — luaopen_torch: ember's engine as a Lua C module (torch.so)
** that stock lua5.4 loads with `require "torch"`, as Torch7 was loaded.
**
** Two ways in, both giving the same table as `require "torch"` inside ember:
**  - ember's lua/ folder is on LUA_PATH (an install into share/lua/5.4, or
**    LuaRocks): Lua finds torch/init.lua first, which requires "torch.core";
**    Lua's all-in-one C searcher finds it in torch.so as luaopen_torch_core
**    (lua_core.c, linked in here).
**  - only LUA_CPATH reaches torch.so: luaopen_torch below finds the lua/
**    folder, sets the state up as the program does (em_lua_setup_torch) and
**    runs torch/init.lua.
** What only the ember program has (REPL, Ctrl-C, memory budget, lessons,
** globals such as nn and help) is not here: docs/DECISIONS.md, "ember as a
** Lua module". Built only into torch.so, not into the program. */
#define _GNU_SOURCE   /* dladdr */
#include <dlfcn.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lua_setup.h"

int luaopen_torch(lua_State *L);

static int has_torch(const char *dir)
{
    char file[PATH_MAX];
    int n = snprintf(file, sizeof file, "%s/torch/init.lua", dir);
    return n > 0 && (size_t)n < sizeof file && access(file, R_OK) == 0;
}

#ifndef EMBER_LUA_MOD_FROM_CMOD   /* CMake: install's Lua folder seen from its C one */
#define EMBER_LUA_MOD_FROM_CMOD "../../../share/lua/5.4"
#endif

/* ember's lua/ folder: $EMBER_LUA_PATH, else share/lua/5.4 of the prefix
** torch.so is installed in (<prefix>/lib/lua/5.4/torch.so), else the source
** tree this torch.so was built from. Pushes the places looked at (for the
** error message); returns 1 with the folder in dir, or 0. */
static int find_lua_dir(lua_State *L, char *dir, size_t size)
{
    luaL_Buffer looked;
    luaL_buffinit(L, &looked);
    const char *env = getenv("EMBER_LUA_PATH");
    if (env && *env) {
        snprintf(dir, size, "%s", env);
        if (has_torch(dir)) return 1;
        luaL_addstring(&looked, " $EMBER_LUA_PATH");
    }
    Dl_info info;
    if (dladdr((void *)luaopen_torch, &info) && info.dli_fname) {
        char so[PATH_MAX];
        snprintf(so, sizeof so, "%s", info.dli_fname);
        char *slash = strrchr(so, '/');
        if (slash) *slash = '\0';
        char up[PATH_MAX];
        int n = snprintf(up, sizeof up, "%s/" EMBER_LUA_MOD_FROM_CMOD, slash ? so : ".");
        /* as a plain path (no lib/lua/5.4/../..) in messages and tracebacks */
        if (n > 0 && (size_t)n < sizeof up && size >= PATH_MAX && realpath(up, dir) && has_torch(dir))
            return 1;
        snprintf(dir, size, "%s", up);
        luaL_addchar(&looked, ' ');
        luaL_addstring(&looked, dir);
    }
#ifdef EMBER_SOURCE_LUA_DIR
    snprintf(dir, size, "%s", EMBER_SOURCE_LUA_DIR);
    if (has_torch(dir)) return 1;
    luaL_addstring(&looked, " " EMBER_SOURCE_LUA_DIR);
#endif
    luaL_pushresult(&looked);
    return 0;
}

/* require "torch" when torch.so is found before torch/init.lua: the module
** table that torch/init.lua returns. */
int luaopen_torch(lua_State *L)
{
    char dir[PATH_MAX];
    if (!find_lua_dir(L, dir, sizeof dir))
        return luaL_error(L,
                          "torch: cannot find ember's Lua files (torch/init.lua); looked in:%s. "
                          "Put ember's lua/ folder on LUA_PATH (\"DIR/?.lua;DIR/?/init.lua\") or set "
                          "EMBER_LUA_PATH=DIR",
                          lua_tostring(L, -1));
    em_lua_setup_torch(L, dir);
    const char *file = lua_pushfstring(L, "%s/torch/init.lua", dir);
    if (luaL_loadfile(L, file) != LUA_OK) return lua_error(L);
    lua_pushliteral(L, "torch");   /* a chunk run by require gets (name, file) */
    lua_pushstring(L, file);
    lua_call(L, 2, 1);
    return 1;
}
