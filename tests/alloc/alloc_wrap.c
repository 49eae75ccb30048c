/* alloc_wrap.c — allocation-failure injection for the ember_allocfail test
** binary: linked with -Wl,--wrap=malloc,... so that every allocation made
** by ember's own code (engine, bindings, app — not libc's, Lua's or
** OpenBLAS's internals) goes through here, and the k-th one from
** `fail_after(k)` returns NULL with errno ENOMEM. Exposed to Lua as the
** preloaded module `ember.allocfail`:
**   allocfail.fail_after(k)   arm (0 disarms)
**   allocfail.fired()         true once the armed allocation has failed
**   allocfail.count()         allocations since the last fail_after
** EMBER_ALLOCFAIL_TRACE=1 prints the stack of each injected failure.
** Not part of the ember binary. */
#include <errno.h>
#include <execinfo.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
char *__real_strdup(const char *s);

static long countdown;      /* 0: off */
static long counted;
static int fired;

static int should_fail(void)
{
    counted++;
    if (countdown <= 0) return 0;
    if (--countdown == 0) {
        fired = 1;
        if (getenv("EMBER_ALLOCFAIL_TRACE")) {     /* where was the failure injected? */
            void *frames[16];
            backtrace_symbols_fd(frames, backtrace(frames, 16), 2);
        }
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

void *__wrap_malloc(size_t n) { return should_fail() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t m, size_t n) { return should_fail() ? NULL : __real_calloc(m, n); }
void *__wrap_realloc(void *p, size_t n) { return should_fail() ? NULL : __real_realloc(p, n); }
void *__wrap_aligned_alloc(size_t a, size_t n) { return should_fail() ? NULL : __real_aligned_alloc(a, n); }
char *__wrap_strdup(const char *s) { return should_fail() ? NULL : __real_strdup(s); }

static int l_fail_after(lua_State *L)
{
    countdown = (long)luaL_checkinteger(L, 1);
    counted = 0;
    fired = 0;
    return 0;
}

static int l_fired(lua_State *L)
{
    lua_pushboolean(L, fired);
    return 1;
}

static int l_count(lua_State *L)
{
    lua_pushinteger(L, counted);
    return 1;
}

int luaopen_ember_allocfail(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"fail_after", l_fail_after}, {"fired", l_fired}, {"count", l_count},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}
