/* host.c — the Lua state: libraries, module paths, the torch module. */
#include "host.h"

#include "bind/lua_setup.h"
#include "budget.h"

#include <lauxlib.h>
#include <lualib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int luaopen_ember_sys(lua_State *L);
int luaopen_ember_sha256(lua_State *L);
int luaopen_ember_markdown(lua_State *L);
int luaopen_ember_readline(lua_State *L);
int luaopen_ember_interrupt(lua_State *L);
/* Only the allocation-failure test binary defines it (tests/alloc). */
__attribute__((weak)) int luaopen_ember_allocfail(lua_State *L);

static char lua_dir[PATH_MAX];

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* EMBER_LUA_PATH, else the source tree this binary was built from, else
** <prefix>/share/ember/lua next to an installed binary. */
const char *em_host_lua_dir(void)
{
    if (lua_dir[0]) return lua_dir;
    const char *env = getenv("EMBER_LUA_PATH");
    if (env && is_dir(env)) {
        snprintf(lua_dir, sizeof lua_dir, "%s", env);
        return lua_dir;
    }
#ifdef EMBER_SOURCE_LUA_DIR
    if (is_dir(EMBER_SOURCE_LUA_DIR)) {
        snprintf(lua_dir, sizeof lua_dir, "%s", EMBER_SOURCE_LUA_DIR);
        return lua_dir;
    }
#endif
    char exe[PATH_MAX - 32];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        snprintf(lua_dir, sizeof lua_dir, "%s/../share/ember/lua", exe);
    }
    return lua_dir;
}

static int panic(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "ember: unprotected Lua error: %s\n", msg ? msg : "(no message)");
    return 0;   /* Lua then aborts: only reachable through a bug in ember */
}

static int traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (em_push_error_hint(L, msg, 1)) msg = lua_pushfstring(L, "%s\n%s", msg, lua_tostring(L, -1));
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int em_host_pcall(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, traceback);
    lua_insert(L, base);
    int st = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return st;
}

static int setup(lua_State *L)
{
    luaL_openlibs(L);
    /* what torch.so does too: ember's lua/ first on package.path, torch.core
    ** preloaded; then the modules only the program has */
    em_lua_setup_torch(L, em_host_lua_dir());
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_ember_sys);
    lua_setfield(L, -2, "ember.sys");
    lua_pushcfunction(L, luaopen_ember_sha256), lua_setfield(L, -2, "ember.sha256");
    lua_pushcfunction(L, luaopen_ember_markdown), lua_setfield(L, -2, "ember.markdown");
    lua_pushcfunction(L, luaopen_ember_readline);
    lua_setfield(L, -2, "ember.readline");
    lua_pushcfunction(L, luaopen_ember_interrupt);
    lua_setfield(L, -2, "ember.interrupt");
    lua_pushcfunction(L, luaopen_ember_budget);
    lua_setfield(L, -2, "ember.budget");
    if (luaopen_ember_allocfail) {
        lua_pushcfunction(L, luaopen_ember_allocfail);
        lua_setfield(L, -2, "ember.allocfail");
    }
    lua_pop(L, 2);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "ember.prelude");
    lua_call(L, 1, 0);
    return 0;
}

lua_State *em_host_new(void)
{
    em_budget_init_from_env();
    lua_State *L = lua_newstate(em_budget_lua_alloc, NULL);
    if (L) {
        lua_atpanic(L, panic);
        /* A training step's tensors die young: the generational collector
        ** frees them at the next minor collection, so their buffers are
        ** reused while still in cache (docs/DECISIONS.md, "Memory"). */
        lua_gc(L, LUA_GCGEN, 0, 0);
    }
    if (!L) {
        fprintf(stderr, "ember: cannot create the Lua state (out of memory)\n");
        return NULL;
    }
    lua_pushcfunction(L, setup);
    if (em_host_pcall(L, 0, 0) != LUA_OK) {
        fprintf(stderr, "ember: failed to load the torch module from %s:\n%s\n", em_host_lua_dir(),
                lua_tostring(L, -1));
        lua_close(L);
        return NULL;
    }
    return L;
}
