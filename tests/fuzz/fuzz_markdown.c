/* fuzz_markdown.c — the lesson Markdown parser (src/app/markdown.c, cmark
** underneath) through its Lua entry point: any bytes give a block list or a
** Lua error, never a crash or a leak. One Lua state for the whole run. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stddef.h>
#include <stdint.h>

int luaopen_ember_markdown(lua_State *L);

static lua_State *state(void)
{
    static lua_State *L;
    if (!L) {
        L = luaL_newstate();
        luaL_openlibs(L);
        luaL_requiref(L, "ember.markdown", luaopen_ember_markdown, 0);
        lua_getfield(L, -1, "parse");
        lua_setglobal(L, "md_parse");
        lua_pop(L, 1);
    }
    return L;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_State *L = state();
    lua_getglobal(L, "md_parse");
    lua_pushlstring(L, (const char *)data, size);
    lua_pcall(L, 1, 1, 0);      /* a result or an error message: both fine */
    lua_settop(L, 0);
    static unsigned calls;
    if (++calls % 4096 == 0)    /* a full collection per input cost 4/5 of the */
        lua_gc(L, LUA_GCCOLLECT);   /* run; the incremental GC does the rest */
    return 0;
}
