/* repl.c — bare `ember`: a Lua state with torch loaded, handed to the REPL
** written in Lua (lua/ember/repl.lua), which uses the C pieces in
** readline.c (line editing) and interrupt.c (Ctrl-C). */
#include "repl.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>

#include "host.h"

int em_repl_main(void)
{
    lua_State *L = em_host_new();
    if (!L) return 1;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "ember.repl");
    int st = em_host_pcall(L, 1, 1);
    if (st == LUA_OK) {
        lua_getfield(L, -1, "run");
        lua_createtable(L, 0, 1);
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "banner");
        st = em_host_pcall(L, 1, 0);
    }
    if (st != LUA_OK) fprintf(stderr, "ember: the REPL failed: %s\n", lua_tostring(L, -1));
    lua_close(L);
    return st == LUA_OK ? 0 : 1;
}
