/* fuzz_onnx.c — ONNX model files as `ember inspect` and torch.onnx.describe
** read them: the nesting check and size limit (src/io/onnx_file.c), then
** protobuf-c's ModelProto decoder, then the description built as Lua values
** (src/bind/lua_onnx.c). Any bytes give a table or a Lua error, never a
** crash, a leak or a stack overflow. One Lua state for the whole run. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stddef.h>
#include <stdint.h>

int luaopen_torch_core(lua_State *L);

static lua_State *state(void)
{
    static lua_State *L;
    if (!L) {
        L = luaL_newstate();
        luaL_openlibs(L);
        luaL_requiref(L, "torch.core", luaopen_torch_core, 0);
        lua_getfield(L, -1, "_onnx");
        lua_getfield(L, -1, "parse");
        lua_setglobal(L, "onnx_parse");
        lua_settop(L, 0);
    }
    return L;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lua_State *L = state();
    lua_getglobal(L, "onnx_parse");
    lua_pushlstring(L, (const char *)data, size);
    lua_pcall(L, 1, 1, 0);      /* a description or an error message: both fine */
    lua_settop(L, 0);
    static unsigned calls;
    if (++calls % 1024 == 0) lua_gc(L, LUA_GCCOLLECT);
    return 0;
}
