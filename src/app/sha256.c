/* sha256.c — the `ember.sha256` Lua module: SHA-256 digests as lowercase hex,
** of a file (read in 64 KiB chunks, so a large weights file never sits in
** memory at once) or of a Lua string. The hashing itself is Debian's
** libnettle (sha256_init/update/digest); this file only feeds it bytes and
** formats the result. Not here: what the digests are used for (versioned
** model folders, lua/ember/versions.lua). */
#include <lauxlib.h>
#include <lua.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#define CHUNK (64 * 1024)

static void push_hex(lua_State *L, struct sha256_ctx *ctx)
{
    static const char digits[] = "0123456789abcdef";
    uint8_t digest[SHA256_DIGEST_SIZE];
    char hex[2 * SHA256_DIGEST_SIZE];
    sha256_digest(ctx, SHA256_DIGEST_SIZE, digest);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    lua_pushlstring(L, hex, sizeof hex);
}

/* sha256.string(s) -> 64 hex digits */
static int l_string(lua_State *L)
{
    size_t n;
    const char *s = luaL_checklstring(L, 1, &n);
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, n, (const uint8_t *)s);
    push_hex(L, &ctx);
    return 1;
}

static int fail(lua_State *L, const char *path, const char *what, int err)
{
    lua_pushnil(L);
    lua_pushfstring(L, "sha256.file: %s: %s%s", path, what, strerror(err));
    return 2;
}

/* sha256.file(path) -> 64 hex digits, or nil, message (naming the path) */
static int l_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    /* the buffer lives in Lua's memory (counted by the budget); made before
    ** fopen so that a memory error cannot leave the file open */
    unsigned char *buf = lua_newuserdatauv(L, CHUNK, 0);
    FILE *f = fopen(path, "rb");
    if (!f) return fail(L, path, "", errno);
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    size_t n;
    while ((n = fread(buf, 1, CHUNK, f)) > 0) sha256_update(&ctx, n, buf);
    if (ferror(f)) {
        int err = errno ? errno : EIO;
        fclose(f);
        return fail(L, path, "read failed: ", err);
    }
    fclose(f);
    push_hex(L, &ctx);
    return 1;
}

int luaopen_ember_sha256(lua_State *L)
{
    static const luaL_Reg funcs[] = {{"file", l_file}, {"string", l_string}, {NULL, NULL}};
    luaL_newlib(L, funcs);
    return 1;
}
