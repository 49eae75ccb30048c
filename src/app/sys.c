/* sys.c — the `ember.sys` Lua module: the few operating-system facts Lua's
** standard library lacks and the Lua side of ember needs: whether a stream is
** a terminal (progress bars, colours) and a monotonic wall clock (epoch
** timings; os.clock measures CPU time). */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* sys.isatty("stdout" | "stderr" | "stdin") */
static int l_isatty(lua_State *L)
{
    static const char *const names[] = {"stdin", "stdout", "stderr", NULL};
    int fd = luaL_checkoption(L, 1, "stdout", names);
    lua_pushboolean(L, isatty(fd));
    return 1;
}

/* sys.time(): seconds from an arbitrary start, monotonic, sub-microsecond */
static int l_time(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    lua_pushnumber(L, (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
    return 1;
}

int luaopen_ember_sys(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"isatty", l_isatty}, {"time", l_time}, {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}
