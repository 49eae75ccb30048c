/* sys.c — the `ember.sys` Lua module: the few operating-system facts Lua's
** standard library lacks and the Lua side of ember needs: whether a stream is
** a terminal (progress bars, colours), a monotonic wall clock (epoch
** timings; os.clock measures CPU time), listing/creating folders
** (checkpoint rotation), and writing a small file atomically and durably
** (progress.json, versions' metadata.json) with the same code as torch.save,
** and sys.spawn, a child process tree that always ends (proc.c). */
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "proc.h"

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

/* sys.listdir(path) -> sorted list of entry names (without . and ..), or nil, message */
static int l_listdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (!d) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, strerror(errno));
        return 2;
    }
    lua_newtable(L);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    return 1;
}

/* sys.mkdir(path) -> true, or nil, message (an existing folder is fine) */
static int l_mkdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (mkdir(path, 0777) == 0 || errno == EEXIST) {
        lua_pushboolean(L, 1);
        return 1;
    }
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", path, strerror(errno));
    return 2;
}

/* sys.mtime(path) -> modification time in seconds (fractional), or nil, message */
static int l_mtime(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: %s", path, strerror(errno));
        return 2;
    }
    lua_pushnumber(L, (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec * 1e-9);
    return 1;
}

/* sys.getpid() */
static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

/* sys.write_atomic(path, s) -> true | nil, message: a temporary file beside
** path, fsync, rename over path, fsync of the folder (io/atomic_file.c): a
** crash leaves the old file or the new one, never half of one. */
static int l_write_atomic(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    size_t n;
    const char *s = luaL_checklstring(L, 2, &n);
    em_atomic_file *f = em_atomic_open(path, "write_atomic");
    em_status st = f ? em_atomic_write(f, s, n) : em_last_status();
    if (f && st == EM_OK) st = em_atomic_commit(f);
    else if (f) em_atomic_abort(f);
    if (st != EM_OK) {
        lua_pushnil(L);
        lua_pushstring(L, em_last_error());
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

int luaopen_ember_sys(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"isatty", l_isatty}, {"time", l_time}, {"listdir", l_listdir},
                                     {"mkdir", l_mkdir},   {"getpid", l_getpid}, {"mtime", l_mtime},
                                     {"write_atomic", l_write_atomic}, {NULL, NULL}};
    luaL_newlib(L, funcs);
    em_proc_register(L);
    return 1;
}
