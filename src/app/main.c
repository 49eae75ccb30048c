/* main.c — the ember command line: run a script, print version or help,
** open the REPL, or hand `lesson`/`exercise` to their Lua modules. Only this layer prints errors and picks exit codes:
** 0 success, 1 a script error (message and traceback on stderr), 2 a usage
** error. */
#include <lauxlib.h>
#include <lua.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blas_tune.h"
#include "host.h"
#include "inspect.h"
#include "repl.h"

#ifndef EMBER_VERSION
#define EMBER_VERSION "0.0.0"
#endif

static const char *usage =
    "usage: ember [COMMAND] [ARGS]\n"
    "\n"
    "  ember                      open the REPL (torch is preloaded)\n"
    "  ember run FILE.lua [ARGS]  run a Lua script; ARGS are in the global table arg\n"
    "  ember inspect FILE         what is inside a .pt/.pth/.tar or .safetensors file\n"
    "  ember lesson [ID|N|next]   walk through a lesson (resumes where you stopped)\n"
    "  ember lesson list          every lesson with its status\n"
    "  ember lesson reset ID|--all [--yes]   start a lesson (or all) again\n"
    "  ember lesson test [ID...]  run lessons and exercises non-interactively (CI)\n"
    "  ember exercise list|check ID|hint ID|reset ID|watch [ID]   practice exercises\n"
    "  ember --version            print the version\n"
    "  ember --help               print this help\n"
    "\n"
    "Scripts see `torch` as a global. Dims and positions are 1-based; index tensors\n"
    "(argmax results, class labels) are 0-based, as in PyTorch.\n";

static int run_script(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "ember run: missing FILE.lua\n\n%s", usage);
        return 2;
    }
    lua_State *L = em_host_new();
    if (!L) return 1;
    /* arg[0] = script, arg[1..] = its arguments, as lua.c does */
    lua_createtable(L, argc - 3, 1);
    for (int i = 2; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 2);
    }
    lua_setglobal(L, "arg");
    int st = luaL_loadfilex(L, argv[2], "t");
    if (st == LUA_OK) {
        for (int i = 3; i < argc; i++) lua_pushstring(L, argv[i]);
        st = em_host_pcall(L, argc - 3, 0);
    }
    if (st != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "ember: %s\n", msg ? msg : "(error without a message)");
    }
    lua_close(L);
    return st == LUA_OK ? 0 : 1;
}

/* `ember lesson ...` / `ember exercise ...`: require(module).main(args) with
** args = {ARGS..., exe = path of this binary}; main returns the exit code. */
static int run_lua_command(const char *module, int argc, char **argv)
{
    lua_State *L = em_host_new();
    if (!L) return 1;
    lua_getglobal(L, "require");
    lua_pushstring(L, module);
    int st = em_host_pcall(L, 1, 1);
    int code = 1;
    if (st == LUA_OK) {
        lua_getfield(L, -1, "main");
        lua_createtable(L, argc - 2, 1);
        for (int i = 2; i < argc; i++) {
            lua_pushstring(L, argv[i]);
            lua_rawseti(L, -2, i - 1);
        }
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[n > 0 ? n : 0] = '\0';
        lua_pushstring(L, n > 0 ? exe : argv[0]);
        lua_setfield(L, -2, "exe");
        st = em_host_pcall(L, 1, 1);
        if (st == LUA_OK) code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
    }
    if (st != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "ember %s: %s\n", argv[1], msg ? msg : "(error without a message)");
    }
    lua_close(L);
    return code;
}

int main(int argc, char **argv)
{
    em_blas_tune(argv);
    signal(SIGPIPE, SIG_IGN);   /* a child (gnuplot) that dies makes writes fail, not ember */
    if (argc < 2) return em_repl_main();
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
        printf("ember %s (%s)\n", EMBER_VERSION, LUA_RELEASE);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "run") == 0) return run_script(argc, argv);
    if (strcmp(cmd, "inspect") == 0) return em_inspect_main(argc, argv);
    if (strcmp(cmd, "lesson") == 0 || strcmp(cmd, "lessons") == 0)
        return run_lua_command("ember.lesson", argc, argv);
    if (strcmp(cmd, "exercise") == 0 || strcmp(cmd, "exercises") == 0)
        return run_lua_command("ember.lesson.exercise", argc, argv);
    if (strcmp(cmd, "worker") == 0)      /* the child side of ember.worker.run */
        return run_lua_command("ember.worker", argc, argv);
    fprintf(stderr, "ember: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
