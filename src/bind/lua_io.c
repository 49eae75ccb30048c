/* lua_io.c — torch.io: read_idx(path) and write_idx(path, tensor[, {gzip=}]),
** thin bindings over src/io/idx.c, and escape(s[, quote]), the one escaping
** of text from files for the terminal (src/io/text.c), which ember.pretty
** and ember.inspect use. Which files make a dataset, and where they are
** looked for, is lua/torch/datasets.lua. */
#include <stdlib.h>
#include <string.h>

#include "../io/idx.h"
#include "../io/text.h"
#include "lua_bind.h"
#include "lua_util.h"

/* torch.io.read_idx(path) -> tensor (uint8, int32, float32 or float64) */
static int l_read_idx(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_idx_read(path));
    return 1;
}

static const em_lua_opts WRITE_IDX_OPTS = {"torch.io.write_idx", "gzip", ""};

/* torch.io.write_idx(path, tensor[, {gzip = bool}]); gzip defaults to
** whether path ends in ".gz". */
static int l_write_idx(lua_State *L)
{
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    em_tensor *t = em_lua_check_tensor(L, 2);
    int opts = 0;
    if (!lua_isnoneornil(L, 3)) {
        luaL_checktype(L, 3, LUA_TTABLE);
        opts = 3;
        em_lua_check_options(L, opts, &WRITE_IDX_OPTS);
    }
    bool gz_name = len >= 3 && strcmp(path + len - 3, ".gz") == 0;
    bool gzip = em_lua_opt_field_bool(L, opts, "gzip", gz_name);
    EM_LUA_CHECK(L, em_idx_write(path, t, gzip));
    return 0;
}

/* torch.io.escape(s[, quote]) -> s with control characters, stray bytes and
** text-reordering code points as Lua escapes; with quote ('"' or "'") also
** the quote and backslash, and the result quoted: a Lua string literal. */
static int l_escape(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *q = luaL_optstring(L, 2, "");
    if (q[0] && (q[1] || (q[0] != '"' && q[0] != '\'')))
        return luaL_error(L, "torch.io.escape: quote must be '\"' or \"'\", got '%s'", q);
    char small[256];
    size_t need = em_text_escape(s, n, q[0], small, sizeof small);
    char *buf = need < sizeof small ? small : malloc(need + 1);
    if (!buf) return luaL_error(L, "torch.io.escape: out of memory");
    if (buf != small) em_text_escape(s, n, q[0], buf, need + 1);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (q[0]) luaL_addchar(&b, q[0]);
    luaL_addlstring(&b, buf, need);
    if (q[0]) luaL_addchar(&b, q[0]);
    if (buf != small) free(buf);
    luaL_pushresult(&b);
    return 1;
}

void em_lua_register_io(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"read_idx", l_read_idx},
        {"write_idx", l_write_idx},
        {"escape", l_escape},
        {NULL, NULL},
    };
    luaL_newlib(L, funcs);
    lua_setfield(L, -2, "io");
}
