/* interrupt.c — the `ember.interrupt` Lua module: Ctrl-C that stops a running
** statement and returns to the prompt, instead of killing the process.
**
**   ok, ... = interrupt.call(fn, ...)   run fn with Ctrl-C armed; on an error
**       returns false, message (with a short traceback of the user's frames),
**       interrupted (true when it was Ctrl-C)
**   interrupt.track_coroutines()        replace coroutine.resume/wrap with
**       versions that record the running coroutine, so Ctrl-C reaches a loop
**       inside a coroutine
**   interrupt.pending() / interrupt.clear()
**
** How a signal stops Lua code: the handler sets em_interrupt_requested (long
** C kernels poll it and fail with "interrupted") and installs a count hook on
** the main thread and on every coroutine being resumed (lua_sethook is
** documented as safe to call from a signal handler). The hook fires at the
** next Lua instruction of that thread, removes itself and raises the error,
** as lua.c does. A third Ctrl-C that nothing has answered yet (a C library
** call that never polls) restores the default action, so a learner can
** always get out; a press answered by the hook or by a kernel that stopped
** (em_interrupted) starts the count again, so handled interrupts never add
** up to an exit.
**
** Threads: SIGINT from the terminal or `kill` goes to the process, and the
** kernel hands it to any thread that does not block it. OpenBLAS starts its
** worker threads (with signals unblocked) before main, so while the main
** thread blocks signals around a oneDNN call the signal would run the handler
** on an OpenBLAS thread, at once and once per press, instead of waiting for
** the call. The handler therefore acts only on the main thread: anywhere else
** it forwards the signal there (pthread_kill), where a blocked one stays
** pending, several presses merge into one, and lua_sethook is called from the
** thread that runs Lua, as lua.c does.
**
** Not here: line editing (readline.c) and the REPL itself (lua/ember/repl.lua). */
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/interrupt.h"
#include "host.h"

#define MAX_TRACKED 64          /* nested resumes deeper than this are not hooked */
#define KILL_AFTER 3            /* unanswered Ctrl-C presses before giving up */

static lua_State *main_thread;
static lua_State *volatile tracked[MAX_TRACKED];
static volatile sig_atomic_t ntracked;
static volatile sig_atomic_t presses;
static volatile sig_atomic_t armed;
static pthread_t signal_thread; /* the thread that runs Lua: the handler acts there only */
static int call_depth;          /* stack levels below interrupt.call's function */

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    if (!em_interrupt_requested) return;
    em_interrupt_answered = 1;
    lua_pushliteral(L, "interrupted");
    lua_error(L);
}

static void on_sigint(int sig)
{
    if (!pthread_equal(pthread_self(), signal_thread)) {
        int saved = errno;
        pthread_kill(signal_thread, sig);
        errno = saved;
        return;
    }
    em_interrupt_requested = 1;
    if (!armed) return;         /* at the prompt: readline sees EINTR */
    if (em_interrupt_answered) {    /* the last press was acted on: this one starts a new count */
        em_interrupt_answered = 0;
        presses = 0;
    }
    if (++presses >= KILL_AFTER) {
        static const char msg[] = "\nember: still running after Ctrl-C three times; exiting\n";
        ssize_t r = write(2, msg, sizeof msg - 1);
        (void)r;
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    int flags = LUA_MASKCOUNT;
    if (main_thread) lua_sethook(main_thread, stop_hook, flags, 1);
    for (int i = 0; i < ntracked && i < MAX_TRACKED; i++)
        if (tracked[i]) lua_sethook(tracked[i], stop_hook, flags, 1);
}

/* Installed once: no SA_RESTART, so a blocking read at the prompt returns. */
static void install_handler(void)
{
    static int done;
    if (done) return;
    signal_thread = pthread_self();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    done = 1;
}

static void reset_state(void)
{
    armed = 0;
    presses = 0;
    em_interrupt_requested = 0;
    em_interrupt_answered = 0;
    if (main_thread) lua_sethook(main_thread, NULL, 0, 0);
    ntracked = 0;
}

static int stack_depth(lua_State *L)
{
    lua_Debug ar;
    int level = 0;
    while (lua_getstack(L, level, &ar)) level++;
    return level;
}

/* Message handler: the error plus a traceback of the user's frames only
** (those above interrupt.call), at most 12 lines. */
static int short_traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
        else msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    if (em_push_error_hint(L, msg, 1)) msg = lua_pushfstring(L, "%s\n%s", msg, lua_tostring(L, -1));
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, msg);
    int user_levels = stack_depth(L) - call_depth;
    lua_Debug ar;
    int shown = 0;
    /* a traceback that would only say "stdin:1: in main chunk" is noise */
    if (user_levels <= 2 || (user_levels == 3 && lua_getstack(L, 1, &ar) && lua_getinfo(L, "S", &ar) &&
                             strcmp(ar.what, "C") == 0)) {
        luaL_pushresult(&b);
        return 1;
    }
    for (int level = 1; level < user_levels && lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Slnt", &ar);
        if (ar.currentline <= 0 && strcmp(ar.what, "C") == 0 && !ar.name) continue;
        if (shown == 0) luaL_addstring(&b, "\ntraceback:");
        if (++shown > 12) {
            luaL_addstring(&b, "\n\t...");
            break;
        }
        lua_pushfstring(L, "\n\t%s:", ar.short_src);
        luaL_addvalue(&b);
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%d:", ar.currentline);
            luaL_addvalue(&b);
        }
        if (ar.name) lua_pushfstring(L, " in %s '%s'", *ar.namewhat ? ar.namewhat : "function", ar.name);
        else if (*ar.what == 'm') lua_pushliteral(L, " in main chunk");
        else lua_pushfstring(L, " in function <%s:%d>", ar.short_src, ar.linedefined);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    return 1;
}

/* interrupt.call(fn, ...) -> true, results... | false, message, interrupted */
static int l_call(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    if (armed) {    /* nested (a lesson cell calling the REPL calling a cell): plain pcall */
        lua_pushcfunction(L, short_traceback);
        lua_insert(L, 1);
        int st = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 1);
        lua_pushboolean(L, st == LUA_OK);
        lua_replace(L, 1);
        if (st == LUA_OK) return lua_gettop(L);
        lua_pushboolean(L, em_interrupt_requested);
        return 3;
    }
    install_handler();
    main_thread = L;
    int saved_depth = call_depth;
    call_depth = stack_depth(L);
    reset_state();
    lua_pushcfunction(L, short_traceback);
    lua_insert(L, 1);
    armed = 1;
    int st = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 1);
    int interrupted = st != LUA_OK && em_interrupt_requested;
    reset_state();
    call_depth = saved_depth;
    lua_pushboolean(L, st == LUA_OK);
    lua_replace(L, 1);
    if (st == LUA_OK) return lua_gettop(L);
    if (interrupted) {
        lua_pushliteral(L, "interrupted (Ctrl-C)");
        lua_replace(L, 2);
    }
    lua_pushboolean(L, interrupted);
    return 3;
}

/* Resume co with the n values on top of L; returns the number of results
** moved back to L, or -1 with the error on top. */
static int resume_tracked(lua_State *L, lua_State *co, int n)
{
    if (!lua_checkstack(co, n)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, n);
    int slot = ntracked;
    if (slot < MAX_TRACKED) {
        tracked[slot] = co;
        ntracked = slot + 1;
        if (armed && em_interrupt_requested) lua_sethook(co, stop_hook, LUA_MASKCOUNT, 1);
    }
    int nres;
    int st = lua_resume(co, L, n, &nres);
    if (slot < MAX_TRACKED) ntracked = slot;
    if (st == LUA_OK || st == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static lua_State *check_co(lua_State *L, int idx)
{
    lua_State *co = lua_tothread(L, idx);
    luaL_argexpected(L, co, idx, "coroutine");
    return co;
}

static int status_ok_to_resume(lua_State *L, lua_State *co)
{
    if (L == co) return 0;
    int st = lua_status(co);
    if (st == LUA_YIELD) return 1;
    if (st != LUA_OK) return 0;
    lua_Debug ar;
    if (lua_getstack(co, 0, &ar)) return 0;     /* running or normal */
    return lua_gettop(co) > 0;                  /* not started: has its function */
}

/* coroutine.resume(co, ...) with tracking; same results as the original. */
static int l_resume(lua_State *L)
{
    lua_State *co = check_co(L, 1);
    if (!status_ok_to_resume(L, co)) {
        lua_pushboolean(L, 0);
        lua_pushliteral(L, "cannot resume non-suspended coroutine");
        return 2;
    }
    int r = resume_tracked(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int wrap_call(lua_State *L)
{
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    if (!status_ok_to_resume(L, co)) return luaL_error(L, "cannot resume dead coroutine");
    int r = resume_tracked(L, co, lua_gettop(L));
    if (r >= 0) return r;
    int st = lua_status(co);
    if (st != LUA_OK && st != LUA_YIELD) {      /* error: close its to-be-closed variables */
#if LUA_VERSION_RELEASE_NUM >= 50406
        lua_closethread(co, L);
#else
        lua_resetthread(co);
#endif
        lua_xmove(co, L, 1);
        lua_pop(L, 1);
    }
    if (lua_type(L, -1) == LUA_TSTRING) {       /* add where the error surfaced, as Lua does */
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int l_wrap(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    lua_pushcclosure(L, wrap_call, 1);
    return 1;
}

/* interrupt.track_coroutines(): install the tracked resume/wrap in the
** global `coroutine` table. */
static int l_track_coroutines(lua_State *L)
{
    lua_getglobal(L, "coroutine");
    if (!lua_istable(L, -1)) return 0;
    lua_pushcfunction(L, l_resume);
    lua_setfield(L, -2, "resume");
    lua_pushcfunction(L, l_wrap);
    lua_setfield(L, -2, "wrap");
    return 0;
}

/* interrupt.error_hint(msg) -> a line of advice for an error a Python
** habit caused, or nil; for message handlers written in Lua (it looks at the
** erroring function two levels up: the handler's caller's frame). */
static int l_error_hint(lua_State *L)
{
    if (!em_push_error_hint(L, luaL_checkstring(L, 1), 2)) lua_pushnil(L);
    return 1;
}

static int l_pending(lua_State *L)
{
    lua_pushboolean(L, em_interrupt_requested);
    return 1;
}

static int l_clear(lua_State *L)
{
    (void)L;
    install_handler();          /* from now on Ctrl-C at the prompt cancels the line */
    reset_state();
    return 0;
}

int luaopen_ember_interrupt(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"call", l_call},       {"track_coroutines", l_track_coroutines},
                                     {"pending", l_pending}, {"clear", l_clear},
                                     {"error_hint", l_error_hint},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}
