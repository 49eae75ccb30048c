/* inspect.c — `ember inspect FILE`: a Lua state with torch loaded, then
** require("ember.inspect").main(FILE); that function prints the report and
** returns nil, or a reason the file was refused. Not here: the report. */
#include "inspect.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>

#include "host.h"

int em_inspect_main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: ember inspect FILE   (a .pt/.pth/.tar checkpoint, a .safetensors file or an .onnx model)\n");
        return 2;
    }
    lua_State *L = em_host_new();
    if (!L) return 1;
    int rc = 0;
    lua_getglobal(L, "require");
    lua_pushliteral(L, "ember.inspect");
    if (em_host_pcall(L, 1, 1) == LUA_OK) {
        lua_getfield(L, -1, "main");
        lua_pushstring(L, argv[2]);
        if (em_host_pcall(L, 1, 1) == LUA_OK) {
            if (!lua_isnil(L, -1)) {
                fprintf(stderr, "ember inspect: %s\n", luaL_tolstring(L, -1, NULL));
                rc = 1;
            }
        } else rc = -1;
    } else rc = -1;
    if (rc < 0) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "ember inspect: %s\n", msg ? msg : "(error without a message)");
        rc = 1;
    }
    fflush(stdout);
    lua_close(L);
    return rc;
}
