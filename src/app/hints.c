/* hints.c — a line of advice added to an error that Python habits cause,
** for every place ember reports errors (scripts: host.c; the REPL and
** lessons: interrupt.c; lessons run without Ctrl-C: through
** interrupt.error_hint). A learner coming from PyTorch types Python:
**   m.parameters()      -> "call methods with ':' ..." (a Lua method called
**                          with '.' gets no self and fails inside)
**   len(x), range(3)    -> what Lua writes instead
** The errors raised where the habit is first visible (x.size(), torch.zeroes,
** x.shape[0], seq[0]) say so themselves (bind/lua_util.c, lua/torch/
** options.lua, bind/lua_info.c, nn.Sequential); this file only adds to
** messages that Lua itself produced.
** Not here: the message handlers (host.c, interrupt.c). */
#include <lauxlib.h>
#include <lua.h>
#include <string.h>

#include "host.h"

/* Python builtins a learner may call, and what to write in Lua instead. */
static const struct {
    const char *name, *advice;
} builtins[] = {
    {"len", "Lua has no len(): use #t for a table, x:size(1) or #x for a tensor's first dim"},
    {"range", "Lua has no range(): write a numeric for loop, for i = 1, n do ... end (1-based, inclusive)"},
    {"enumerate", "Lua has no enumerate(): for i, v in ipairs(list) do ... end gives index and value"},
    {"isinstance", "Lua has no isinstance(): use torch.is_tensor(v), nn.Module.is_module(v) or type(v)"},
    {"str", "Lua has no str(): use tostring(v)"},
    {"int", "Lua has no int(): use math.floor(v) or math.tointeger(v)"},
    {"float", "Lua has no float(): numbers are already numbers (tonumber(s) parses a string)"},
};

int em_push_error_hint(lua_State *L, const char *msg, int level)
{
    if (!msg) return 0;
    if (strstr(msg, "(local 'self')")) {
        lua_Debug ar;
        if (lua_getstack(L, level, &ar) && lua_getinfo(L, "nS", &ar) && strcmp(ar.what, "Lua") == 0 &&
            (!ar.namewhat || strcmp(ar.namewhat, "method") != 0)) {
            if (ar.name)
                lua_pushfstring(L, "hint: call methods with ':', as in obj:%s(...): obj.%s(...) passes no "
                                "object, so the method got no self", ar.name, ar.name);
            else
                lua_pushliteral(L, "hint: a method was called with '.'; call methods with ':' (obj:name(...)) "
                                   "so that they get the object as self");
            return 1;
        }
        return 0;
    }
    const char *g = strstr(msg, "attempt to call a nil value (global '");
    if (g) {
        g += strlen("attempt to call a nil value (global '");
        for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
            size_t n = strlen(builtins[i].name);
            if (strncmp(g, builtins[i].name, n) == 0 && g[n] == '\'') {
                lua_pushfstring(L, "hint: %s", builtins[i].advice);
                return 1;
            }
        }
    }
    return 0;
}
