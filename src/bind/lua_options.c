/* lua_options.c — the one place where options tables are checked, and the
** "did you mean" suggestion that goes with it.
**
** Every function, method and constructor that takes a trailing options
** table (C bindings here, Lua code through torch.options) declares the
** options it implements and the PyTorch options it does not, and checks the
** table before reading any field:
**     static const em_lua_opts ZEROS_OPTS = {"torch.zeros", "dtype device requires_grad",
**                                             "layout pin_memory out"};
**     em_lua_check_options(L, opts, &ZEROS_OPTS);
** An unknown key is an error naming the function and the key, with the
** closest valid option when one is close ("torch.zeros: unknown option
** 'dtyp' (did you mean 'dtype'?)") or the list of valid ones when none is;
** a PyTorch option that ember lacks is an error that says so. Nothing is
** ever silently ignored.
**
** Not here: reading the values (lua_util.c's em_lua_opt_field_*, and the
** functions themselves). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lua_bind.h"
#include "lua_util.h"

#define MAX_NAME 64

/* Optimal string alignment distance (Levenshtein plus adjacent swaps), for
** names of at most MAX_NAME bytes (longer ones: MAX_NAME + 1, never close). */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
    if (la > MAX_NAME || lb > MAX_NAME) return MAX_NAME + 1;
    int d[MAX_NAME + 1][MAX_NAME + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

/* Close enough to suggest: at most a third of the longer name differs (at
** least one edit allowed). A name that starts another also counts (see
** consider). */
static bool close_enough(int dist, size_t la, size_t lb)
{
    size_t longer = la > lb ? la : lb;
    size_t limit = longer / 3 > 1 ? longer / 3 : 1;
    return dist <= (int)limit && (size_t)dist < longer;
}

/* Walks the space-separated words of list; calls fn(word, len, ctx) for each
** until it returns true. Returns whether one did. */
static bool each_word(const char *list, bool (*fn)(const char *, size_t, void *), void *ctx)
{
    if (!list) return false;
    for (const char *p = list; *p;) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        if (p > w && fn(w, (size_t)(p - w), ctx)) return true;
    }
    return false;
}

typedef struct {
    const char *name;
    size_t len;
    const char *best;
    size_t best_len;
    int best_dist;
} closest_ctx;

static bool is_word(const char *w, size_t n, void *ctx)
{
    closest_ctx *c = ctx;
    return n == c->len && memcmp(w, c->name, n) == 0;
}

static bool consider(const char *w, size_t n, void *ctx)
{
    closest_ctx *c = ctx;
    int dist = edit_distance(c->name, c->len, w, n);
    bool close = close_enough(dist, c->len, n);
    if (!close && c->len >= 3 && n > c->len && memcmp(w, c->name, c->len) == 0) {
        close = true;   /* the start of the name: retain -> retain_graph */
        dist = MAX_NAME;
    }
    if (close && dist < c->best_dist) {
        c->best = w;
        c->best_len = n;
        c->best_dist = dist;
    }
    return false;
}

/* Pushes the closest word of `list` to name (a string) or nil. */
static void push_closest(lua_State *L, const char *name, size_t len, const char *list)
{
    closest_ctx c = {name, len, NULL, 0, MAX_NAME + 2};
    each_word(list, consider, &c);
    if (c.best) lua_pushlstring(L, c.best, c.best_len);
    else lua_pushnil(L);
}

/* Pushes the error message for the first bad key of the options table at
** idx, or nothing; returns whether it pushed one. */
static bool options_problem(lua_State *L, int idx, const em_lua_opts *spec)
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);                                  /* value */
        if (lua_type(L, -1) != LUA_TSTRING) {
            const char *k = luaL_tolstring(L, -1, NULL);
            lua_pushfstring(L, "%s: options are name = value pairs; found the key %s (a %s) in the options "
                            "table (a positional argument in the wrong place?)",
                            spec->fn, k, luaL_typename(L, -2));
            lua_replace(L, -3);
            lua_pop(L, 1);
            return true;
        }
        size_t len;
        const char *key = lua_tolstring(L, -1, &len);
        closest_ctx c = {key, len, NULL, 0, 0};
        if (each_word(spec->known, is_word, &c)) continue;
        if (each_word(spec->pytorch_only, is_word, &c)) {
            lua_pushfstring(L, "%s: option '%s' is PyTorch's but not implemented in ember", spec->fn, key);
        } else {
            push_closest(L, key, len, spec->known);
            if (lua_isstring(L, -1)) {
                lua_pushfstring(L, "%s: unknown option '%s' (did you mean '%s'?)", spec->fn, key,
                                lua_tostring(L, -1));
            } else if (spec->known && *spec->known) {
                luaL_Buffer b;
                luaL_buffinit(L, &b);
                for (const char *p = spec->known; *p; p++) {
                    if (*p == ' ') luaL_addlstring(&b, ", ", 2);
                    else luaL_addchar(&b, *p);
                }
                luaL_pushresult(&b);
                lua_pushfstring(L, "%s: unknown option '%s' (its options: %s)", spec->fn, key, lua_tostring(L, -1));
                lua_remove(L, -2);
            } else {
                lua_pushfstring(L, "%s: unknown option '%s' (it takes no options)", spec->fn, key);
            }
            lua_remove(L, -2);                          /* the suggestion */
        }
        lua_replace(L, -2);                             /* the key */
        return true;
    }
    return false;
}

void em_lua_check_options(lua_State *L, int idx, const em_lua_opts *spec)
{
    if (!idx || lua_type(L, idx) != LUA_TTABLE) return;
    if (options_problem(L, idx, spec)) lua_error(L);
}

/* torch.core._check_options(opts, fn, known[, pytorch_only]) -> nil | message
** The check for options tables of functions written in Lua (torch.options
** raises the message at its caller's caller). */
static int l_options_problem(lua_State *L)
{
    em_lua_opts spec = {luaL_checkstring(L, 2), luaL_checkstring(L, 3), luaL_optstring(L, 4, "")};
    if (lua_isnil(L, 1)) return 0;
    if (lua_type(L, 1) != LUA_TTABLE)
        return lua_pushfstring(L, "%s: options must be a table, got %s", spec.fn, luaL_typename(L, 1)), 1;
    return options_problem(L, 1, &spec) ? 1 : 0;
}

/* torch.core._closest(name, "word word ...") -> the closest word, or nil
** (the same rule as the options' suggestion: torch.zeroes -> zeros). */
static int l_closest(lua_State *L)
{
    size_t len;
    const char *name = luaL_checklstring(L, 1, &len);
    push_closest(L, name, len, luaL_checkstring(L, 2));
    return 1;
}

void em_lua_register_options(lua_State *L)
{
    lua_pushcfunction(L, l_options_problem);
    lua_setfield(L, -2, "_options_problem");
    lua_pushcfunction(L, l_closest);
    lua_setfield(L, -2, "_closest");
}
