/* budget.c — an optional memory budget for one ember process: Lua's memory
** (counted by the allocator below) plus tensor bytes (counted by the core)
** may not exceed it. Exhaustion becomes an error in the statement that
** asked for more — "memory budget exceeded" from a tensor op, "not enough
** memory" from Lua — and the REPL or the lesson goes on.
**
**   EMBER_MEMORY_BUDGET=512M ember lesson mnist-mlp     (K, M, G suffixes)
**   local budget = require "ember.budget"
**   budget.set(256 * 2^20)   budget.set(0) -- none     budget.get()
**   budget.lua_bytes()       -- what Lua holds now
**
** Not here: the tensor side of the check (core/runtime.c). */
#include "budget.h"

#include <ctype.h>
#include <lauxlib.h>
#include <stdlib.h>

#include "core/runtime.h"

static size_t lua_bytes;
static size_t limit;

static size_t lua_bytes_now(void) { return lua_bytes; }

void *em_budget_lua_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    size_t old = ptr ? osize : 0;   /* for a new block osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        lua_bytes -= old;
        return NULL;
    }
    if (limit && nsize > old && lua_bytes + (nsize - old) + em_mem_live() > limit) return NULL;
    void *p = realloc(ptr, nsize);
    if (p) lua_bytes = lua_bytes - old + nsize;
    return p;
}

static void set_limit(size_t bytes)
{
    limit = bytes;
    em_mem_set_budget(bytes, lua_bytes_now);
}

/* "512M", "2G", "1500000" -> bytes; 0 when absent or malformed. */
static size_t parse_size(const char *s)
{
    if (!s || !*s) return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || v <= 0) return 0;
    switch (toupper((unsigned char)*end)) {
    case 'K': v *= 1024.0; break;
    case 'M': v *= 1048576.0; break;
    case 'G': v *= 1073741824.0; break;
    default: break;
    }
    return (size_t)v;
}

void em_budget_init_from_env(void) { set_limit(parse_size(getenv("EMBER_MEMORY_BUDGET"))); }

static int l_set(lua_State *L)
{
    lua_Integer n = luaL_optinteger(L, 1, 0);
    luaL_argcheck(L, n >= 0, 1, "the budget must be >= 0 bytes (0: no budget)");
    size_t old = limit;
    set_limit((size_t)n);
    lua_pushinteger(L, (lua_Integer)old);
    return 1;
}

static int l_get(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)limit);
    return 1;
}

static int l_lua_bytes(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)lua_bytes);
    return 1;
}

int luaopen_ember_budget(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"set", l_set}, {"get", l_get}, {"lua_bytes", l_lua_bytes}, {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}
