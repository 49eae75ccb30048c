/* lua_setup.h — what a Lua state needs before `require "torch"` works, done
** the same way by the ember program (src/app/host.c) and by torch.so, the
** module for stock lua5.4 (lua_module.c). Not the program's own extras (REPL,
** Ctrl-C, memory budget, globals): host.c adds those. */
#ifndef EMBER_LUA_SETUP_H
#define EMBER_LUA_SETUP_H

#include <lua.h>

/* Puts lua_dir (the folder holding torch/init.lua and ember/) first on
** package.path, once, and the engine's C half in package.preload["torch.core"].
** lua_dir may be NULL (package.path left as it is). Needs the package library;
** raises a Lua error otherwise. */
void em_lua_setup_torch(lua_State *L, const char *lua_dir);

#endif
