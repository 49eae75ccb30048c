/* repl.c — a minimal REPL in the style of lua.c: an expression is printed
** (`return <line>` is tried first), unfinished input continues on a `..`
** prompt, a trailing `;` suppresses the echo, errors print and the loop goes
** on. Line editing, history, completion and Ctrl-C belong to the full REPL
** (its own issue). */
#include "repl.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define LINE_MAX_LEN 4096

/* True when the chunk failed only because input ended early. */
static int incomplete(lua_State *L, int status)
{
    if (status != LUA_ERRSYNTAX) return 0;
    size_t len;
    const char *msg = lua_tolstring(L, -1, &len);
    return len >= 5 && strcmp(msg + len - 5, "<eof>") == 0;
}

static void print_results(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n <= 0) return;
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = luaL_tolstring(L, base + i, &len);
        fwrite(s, 1, len, stdout);
        fputs(i < n ? "\t" : "\n", stdout);
        lua_pop(L, 1);
    }
    fflush(stdout);
}

static int read_line(char *buf, const char *prompt, int tty)
{
    if (tty) {
        fputs(prompt, stdout);
        fflush(stdout);
    }
    if (!fgets(buf, LINE_MAX_LEN, stdin)) return 0;
    size_t n = strlen(buf);
    if (n && buf[n - 1] == '\n') buf[n - 1] = '\0';
    return 1;
}

int em_repl_main(void)
{
    lua_State *L = em_host_new();
    if (!L) return 1;
    int tty = isatty(0);
    if (tty) printf("ember REPL (torch is loaded). Ctrl-D exits.\n");
    char line[LINE_MAX_LEN];
    luaL_Buffer chunk;
    while (read_line(line, "ember> ", tty)) {
        int base = lua_gettop(L);
        size_t n = strlen(line);
        int quiet = n > 0 && line[n - 1] == ';';
        /* first try it as an expression */
        lua_pushfstring(L, "return %s", line);
        int st = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
        lua_remove(L, -2);
        if (st != LUA_OK) {
            lua_pop(L, 1);
            luaL_buffinit(L, &chunk);
            luaL_addstring(&chunk, line);
            luaL_pushresult(&chunk);
            for (;;) {
                st = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
                if (!incomplete(L, st)) break;
                lua_pop(L, 1);
                if (!read_line(line, ".. ", tty)) break;
                lua_pushfstring(L, "\n%s", line);
                lua_concat(L, 2);
            }
            lua_remove(L, -2);
        }
        if (st == LUA_OK) st = em_host_pcall(L, 0, LUA_MULTRET);
        if (st != LUA_OK) {
            fprintf(stderr, "%s\n", lua_tostring(L, -1));
            lua_settop(L, base);
            continue;
        }
        if (!quiet) print_results(L, base);
        lua_settop(L, base);
    }
    if (tty) putchar('\n');
    lua_close(L);
    return 0;
}
