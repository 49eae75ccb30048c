/* test_interrupt.c — Ctrl-C's three-presses rule (src/app/interrupt.c),
** deterministically: the presses are raise(SIGINT) calls made from C inside
** interrupt.call, so no Lua instruction runs between them and no timing is
** involved.
**   - presses that a kernel answered (em_interrupted) never add up to an exit;
**   - three presses that nothing answered end the process (checked in a child);
**   - a press delivered on another thread (OpenBLAS's workers leave SIGINT
**     unblocked) is forwarded to the Lua thread, where a blocked one waits.
** Not here: interrupting real kernels (tests/lua/test_signals.lua). */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/interrupt.h"
#include "harness.h"

int luaopen_ember_interrupt(lua_State *L);

/* Lua-callable: `presses` times, a press answered the way a polling kernel
** answers it; then returns (the caller's next instruction raises). */
static int answered_presses(lua_State *L)
{
    int n = (int)luaL_checkinteger(L, 1);
    for (int i = 0; i < n; i++) {
        raise(SIGINT);
        CHECK(em_interrupt_requested);
        em_status st = em_interrupted();   /* a kernel polled and stopped */
        CHECK(st == EM_ERR_INTERRUPT);
    }
    return 0;
}

/* Lua-callable: `n` presses that nothing answers (a C call that never polls). */
static int unanswered_presses(lua_State *L)
{
    int n = (int)luaL_checkinteger(L, 1);
    for (int i = 0; i < n; i++) raise(SIGINT);
    return 0;
}

static void *press_from_thread(void *arg)
{
    (void)arg;
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    raise(SIGINT);   /* runs the handler on this thread */
    return NULL;
}

/* Lua-callable: with SIGINT blocked on the Lua thread (as around a oneDNN
** call), three presses each handled on another thread; then unblock. */
static int presses_on_other_thread(lua_State *L)
{
    (void)L;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, press_from_thread, NULL) == 0) pthread_join(t, NULL);
    }
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGINT));   /* forwarded here, waiting */
    pthread_sigmask(SIG_SETMASK, &old, NULL);   /* the three merge into one press */
    return 0;
}

static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "interrupt", luaopen_ember_interrupt, 1);
    lua_pop(L, 1);
    lua_register(L, "answered_presses", answered_presses);
    lua_register(L, "unanswered_presses", unanswered_presses);
    lua_register(L, "presses_on_other_thread", presses_on_other_thread);
    return L;
}

/* Runs `code`; returns the number it returns (or -1 on a Lua error). */
static int run(lua_State *L, const char *code)
{
    if (luaL_dostring(L, code) != LUA_OK) {
        fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
        lua_pop(L, 1);
        return -1;
    }
    int r = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return r;
}

static void test_answered_presses_never_exit(void)
{
    lua_State *L = new_state();
    /* ten answered presses in one call; it stops, interrupted, and the
    ** process is still here */
    int r = run(L, "local ok, msg, by_signal = interrupt.call(function() answered_presses(10); local x = 1 end)\n"
                   "return (not ok and by_signal) and 1 or 0");
    CHECK(r == 1);
    /* and again: nothing carried over from the last call */
    r = run(L, "local ok, msg, by_signal = interrupt.call(function() answered_presses(2); local x = 1 end)\n"
               "return (not ok and by_signal) and 1 or 0");
    CHECK(r == 1);
    lua_close(L);
}

static void test_presses_on_another_thread_wait_and_merge(void)
{
    lua_State *L = new_state();
    int r = run(L, "local ok, msg, by_signal = interrupt.call(function() presses_on_other_thread(); local x = 1 end)\n"
                   "return (not ok and by_signal) and 1 or 0");
    CHECK(r == 1);
    lua_close(L);
}

/* In a child: `presses` unanswered presses inside one call; returns how the
** child ended (exit status, or 128 + signal). */
static int child_with_unanswered(int presses)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        lua_State *L = new_state();
        char code[200];
        snprintf(code, sizeof code,
                 "local ok, msg, by_signal = interrupt.call(function() unanswered_presses(%d); local x = 1 end)\n"
                 "return (not ok and by_signal) and 1 or 0", presses);
        int r = run(L, code);
        _exit(r == 1 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void test_three_unanswered_presses_exit(void)
{
    CHECK(child_with_unanswered(2) == 0);              /* two: stopped, still running */
    CHECK(child_with_unanswered(3) == 128 + SIGINT);   /* three: the learner gets out */
}

TEST_MAIN(RUN(test_answered_presses_never_exit); RUN(test_presses_on_another_thread_wait_and_merge);
          RUN(test_three_unanswered_presses_exit);)
