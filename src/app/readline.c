/* readline.c — the `ember.readline` Lua module: line editing, in-memory
** history and tab completion through libedit (BSD licensed; its readline
** compatibility API).
**
**   line = rl.readline(prompt)  -- the line; nil at end of input (Ctrl-D);
**                               -- false when Ctrl-C cancelled the line
**   rl.add_history(line)
**   rl.set_completer(fn)        -- fn(text_before_cursor, word) -> list of
**                               -- candidates that replace `word`
**   line = rl.edit_line(prompt, text)  -- text shown pre-filled for editing
**                               -- (the lesson runner's line editor); nil at
**                               -- end of input; a terminal only
**
** When stdin is not a terminal it reads plain lines without a prompt, so
** piped input works (tests, `ember < script`). Persistent history files and
** what to complete are Lua's business (lua/ember/repl.lua). */
#include <editline/readline.h>
#include <histedit.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/interrupt.h"

#define MAX_CANDIDATES 2000
#define PLAIN_LINE_MAX 65536

static lua_State *completer_state;
static int completer_ref = LUA_NOREF;
static char *candidates[MAX_CANDIDATES];
static int ncandidates;

static void clear_candidates(void)
{
    for (int i = 0; i < ncandidates; i++) free(candidates[i]);
    ncandidates = 0;
}

/* Calls the Lua completer (never raises into libedit) and keeps the
** candidates it returns. */
static void collect(const char *text)
{
    clear_candidates();
    lua_State *L = completer_state;
    if (!L || completer_ref == LUA_NOREF) return;
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, completer_ref);
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    int point = rl_point;
    if (point < 0 || (size_t)point > strlen(line)) point = (int)strlen(line);
    lua_pushlstring(L, line, (size_t)point);
    lua_pushstring(L, text);
    if (lua_pcall(L, 2, 1, 0) == LUA_OK && lua_istable(L, -1)) {
        lua_Integer n = luaL_len(L, -1);
        for (lua_Integer i = 1; i <= n && ncandidates < MAX_CANDIDATES; i++) {
            lua_rawgeti(L, -1, i);
            const char *s = lua_tostring(L, -1);
            if (s) {
                char *copy = strdup(s);
                if (copy) candidates[ncandidates++] = copy;
            }
            lua_pop(L, 1);
        }
    }
    lua_settop(L, top);
}

static char *generator(const char *text, int state)
{
    static int next;
    if (state == 0) {
        collect(text);
        next = 0;
    }
    if (next >= ncandidates) return NULL;
    return strdup(candidates[next++]);
}

static char **attempted_completion(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;          /* never fall back to file names */
    rl_completion_append_character = '\0';
    return rl_completion_matches(text, generator);
}

static int initialised;

static void init_editline(void)
{
    if (initialised) return;
    rl_readline_name = "ember";
    rl_initialize();
    using_history();
    stifle_history(2000);
    /* word breaks: '.' and ':' are part of a word (torch.ra, model:sta), '/'
    ** too (paths inside strings) */
    rl_completer_word_break_characters = (char *)" \t\n\"'`@$><=;|&{(}),[]+-*%^~#";
    rl_basic_word_break_characters = rl_completer_word_break_characters;
    rl_attempted_completion_function = attempted_completion;
    initialised = 1;
}

static int plain_readline(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t total = 0;
    int c, any = 0;
    while ((c = getchar()) != EOF) {
        any = 1;
        if (c == '\n') break;
        if (total < PLAIN_LINE_MAX) luaL_addchar(&b, (char)c);
        total++;
    }
    if (!any) {
        if (ferror(stdin) && errno == EINTR && em_interrupt_requested) {
            clearerr(stdin);
            lua_pushboolean(L, 0);
            return 1;
        }
        lua_pushnil(L);
        return 1;
    }
    luaL_pushresult(&b);
    return 1;
}

static int l_readline(lua_State *L)
{
    const char *prompt = luaL_optstring(L, 1, "> ");
    if (!isatty(0)) return plain_readline(L);
    init_editline();
    em_interrupt_requested = 0;
    char *line = readline(prompt);
    if (!line) {
        if (em_interrupt_requested) {   /* Ctrl-C: cancel this line */
            em_interrupt_requested = 0;
            lua_pushboolean(L, 0);
        } else {
            lua_pushnil(L);
        }
        return 1;
    }
    lua_pushstring(L, line);
    free(line);
    return 1;
}

static int l_add_history(lua_State *L)
{
    const char *line = luaL_checkstring(L, 1);
    init_editline();
    if (*line) add_history(line);
    return 0;
}

static int l_set_completer(lua_State *L)
{
    if (!lua_isnil(L, 1)) luaL_checktype(L, 1, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, completer_ref);
    lua_settop(L, 1);
    completer_ref = lua_isnil(L, 1) ? LUA_NOREF : luaL_ref(L, LUA_REGISTRYINDEX);
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
    completer_state = lua_tothread(L, -1);
    lua_pop(L, 1);
    return 0;
}

/* The editor behind rl.edit_line: libedit's own API, because its readline
** emulation clears the line before reading, so it cannot pre-fill one;
** el_push queues the text as if typed. */
static EditLine *edit_el;
static char edit_prompt[256];

static char *edit_prompt_fn(EditLine *el)
{
    (void)el;
    return edit_prompt;
}

static int l_edit_line(lua_State *L)
{
    const char *prompt = luaL_optstring(L, 1, "> ");
    size_t len;
    const char *text = luaL_optlstring(L, 2, "", &len);
    if (!isatty(0)) return luaL_error(L, "edit_line: stdin is not a terminal");
    if (!edit_el) {
        edit_el = el_init("ember", stdin, stdout, stderr);
        if (!edit_el) return luaL_error(L, "edit_line: cannot start libedit");
        el_set(edit_el, EL_PROMPT, edit_prompt_fn);
        el_set(edit_el, EL_EDITOR, "emacs");
    }
    snprintf(edit_prompt, sizeof edit_prompt, "%s", prompt);
    /* newlines would end the line and tabs are not inserted: a line of spaces */
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\t') luaL_addstring(&b, "  ");
        else if (text[i] != '\n' && text[i] != '\r') luaL_addchar(&b, text[i]);
    }
    luaL_pushresult(&b);
    const char *fill = lua_tostring(L, -1);
    if (*fill) el_push(edit_el, fill);
    int count = 0;
    const char *line = el_gets(edit_el, &count);
    if (!line || count <= 0) {
        lua_pushnil(L);
        return 1;
    }
    size_t n = (size_t)count;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    lua_pushlstring(L, line, n);
    return 1;
}

int luaopen_ember_readline(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"readline", l_readline},
                                     {"edit_line", l_edit_line},
                                     {"add_history", l_add_history},
                                     {"set_completer", l_set_completer},
                                     {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}
