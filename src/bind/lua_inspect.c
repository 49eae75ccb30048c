/* lua_inspect.c — raw access for `ember inspect` (lua/ember/inspect.lua):
** torch.io.zip_records(path) lists a checked zip's entries (name, size,
** CRC-32), and torch.io.pt_describe(path) loads a PyTorch checkpoint with
** torch.load's safe reader and describes it as a plain Lua tree (kinds,
** keys, tensor dtype/shape/stride/offset, storage identity, a CRC-32 of each
** tensor's values). Not here: the presentation (Lua), the formats (src/io). */
#include <string.h>
#include <zlib.h>

#include "../io/pt_load.h"
#include "../io/zip_read.h"
#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

#define ZIP_MT "ember.zip_reader_box"
#define PYVAL_DESC_MT "ember.pyval_desc_box"
#define MAX_DEPTH 200

static int zip_box_gc(lua_State *L)
{
    em_zip_reader **box = lua_touserdata(L, 1);
    em_zip_close(*box);
    *box = NULL;
    return 0;
}

/* torch.io.zip_records(path) -> {{name=, size=, crc32=}, ...} in
** central-directory order; raises the reader's reason for a bad archive. */
static int l_zip_records(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    em_zip_reader **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    if (luaL_newmetatable(L, ZIP_MT)) {
        lua_pushcfunction(L, zip_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    *box = em_zip_open(path, "ember inspect");
    if (!*box) return em_lua_raise(L);
    size_t n = em_zip_count(*box);
    lua_createtable(L, (int)n, 0);
    for (size_t i = 0; i < n; i++) {
        if (em_zip_stream(*box, i, NULL, NULL) != EM_OK) return em_lua_raise(L);   /* reads it: checks the CRC */
        lua_createtable(L, 0, 3);
        lua_pushstring(L, em_zip_name(*box, i));
        lua_setfield(L, -2, "name");
        lua_pushinteger(L, (lua_Integer)em_zip_size(*box, i));
        lua_setfield(L, -2, "size");
        lua_pushinteger(L, (lua_Integer)em_zip_crc(*box, i));
        lua_setfield(L, -2, "crc32");
        lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    em_zip_close(*box);
    *box = NULL;
    return 1;
}

static int pyval_box_gc(lua_State *L)
{
    em_pyval **box = lua_touserdata(L, 1);
    em_pyval_free(*box);
    *box = NULL;
    return 0;
}

static void push_ints(lua_State *L, int n, const int64_t *v)
{
    lua_createtable(L, n, 0);
    for (int i = 0; i < n; i++) {
        lua_pushinteger(L, v[i]);
        lua_rawseti(L, -2, i + 1);
    }
}

/* Fields of a tensor node. storages: stack index of a table storage -> id. */
static void describe_tensor(lua_State *L, const em_pyval *v, int storages)
{
    const em_tensor *t = v->u.tensor.t;
    lua_pushstring(L, em_dtype_name(t->dtype));
    lua_setfield(L, -2, "dtype");
    push_ints(L, t->ndim, t->shape);
    lua_setfield(L, -2, "shape");
    push_ints(L, t->ndim, t->stride);
    lua_setfield(L, -2, "stride");
    lua_pushinteger(L, t->offset);
    lua_setfield(L, -2, "offset");
    lua_pushinteger(L, em_tensor_numel(t));
    lua_setfield(L, -2, "numel");
    lua_pushinteger(L, (lua_Integer)(t->storage->nbytes / em_dtype_size(t->dtype)));
    lua_setfield(L, -2, "storage_numel");
    lua_pushinteger(L, (lua_Integer)t->storage->nbytes);
    lua_setfield(L, -2, "storage_bytes");
    lua_pushboolean(L, v->u.tensor.is_parameter);
    lua_setfield(L, -2, "parameter");
    lua_pushboolean(L, v->u.tensor.requires_grad);
    lua_setfield(L, -2, "requires_grad");
    lua_pushstring(L, v->u.tensor.location);
    lua_setfield(L, -2, "location");
    /* storage id: in order of first appearance */
    lua_pushlightuserdata(L, t->storage);
    if (lua_rawget(L, storages) == LUA_TNIL) {
        lua_pop(L, 1);
        lua_Integer id = (lua_Integer)lua_rawlen(L, storages);
        lua_pushinteger(L, id);
        lua_rawseti(L, storages, id + 1);       /* keeps the count in the array part */
        lua_pushlightuserdata(L, t->storage);
        lua_pushinteger(L, id);
        lua_rawset(L, storages);
        lua_pushinteger(L, id);
    }
    lua_setfield(L, -2, "storage");
    /* CRC-32 of the values in row-major order (the sidecars' crc32_of_values) */
    em_tensor *c = em_op_contiguous(t);
    if (c && !em_backend_host_memory(em_tensor_backend(c))) {   /* read in place: host memory only */
        em_tensor_release(c);
        c = NULL;
    }
    if (c) {
        const unsigned char *p = (const unsigned char *)c->storage->data + (size_t)c->offset * em_dtype_size(c->dtype);
        size_t nbytes = (size_t)em_tensor_numel(c) * em_dtype_size(c->dtype);
        uLong crc = crc32(0L, Z_NULL, 0);
        for (size_t off = 0; off < nbytes;) {
            size_t chunk = nbytes - off > (1u << 30) ? (1u << 30) : nbytes - off;
            crc = crc32(crc, p + off, (uInt)chunk);
            off += chunk;
        }
        lua_pushinteger(L, (lua_Integer)crc);
        lua_setfield(L, -2, "crc32");
        em_tensor_release(c);
    }
}

static const char *kind_name(em_pykind k)
{
    static const char *names[] = {"none", "bool", "int", "float", "str", "bytes", "list", "tuple", "dict",
                                  "OrderedDict", "tensor"};
    return names[k];
}

/* Pushes {kind=, value= | items= | keys=/values= | tensor fields}. */
static void describe(lua_State *L, const em_pyval *v, int storages, int depth)
{
    luaL_checkstack(L, 8, "ember inspect: nesting too deep");
    lua_createtable(L, 0, 4);
    lua_pushstring(L, kind_name(v->kind));
    lua_setfield(L, -2, "kind");
    if (depth > MAX_DEPTH) {
        lua_pushboolean(L, 1);
        lua_setfield(L, -2, "truncated");
        return;
    }
    switch (v->kind) {
    case EM_PY_NONE: break;
    case EM_PY_BOOL: lua_pushboolean(L, v->u.b); lua_setfield(L, -2, "value"); break;
    case EM_PY_INT: lua_pushinteger(L, v->u.i); lua_setfield(L, -2, "value"); break;
    case EM_PY_FLOAT: lua_pushnumber(L, v->u.f); lua_setfield(L, -2, "value"); break;
    case EM_PY_STR: case EM_PY_BYTES:
        lua_pushlstring(L, v->u.s.data, v->u.s.len);
        lua_setfield(L, -2, "value");
        break;
    case EM_PY_LIST: case EM_PY_TUPLE:
        lua_createtable(L, (int)v->u.seq.len, 0);
        for (size_t i = 0; i < v->u.seq.len; i++) {
            describe(L, v->u.seq.items[i], storages, depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "items");
        break;
    case EM_PY_DICT: case EM_PY_ODICT:
        lua_createtable(L, (int)v->u.map.len, 0);
        for (size_t i = 0; i < v->u.map.len; i++) {
            lua_createtable(L, 2, 0);
            describe(L, v->u.map.keys[i], storages, depth + 1);
            lua_rawseti(L, -2, 1);
            describe(L, v->u.map.values[i], storages, depth + 1);
            lua_rawseti(L, -2, 2);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        lua_setfield(L, -2, "items");
        if (v->kind == EM_PY_ODICT && v->u.map.metadata) {
            describe(L, v->u.map.metadata, storages, depth + 1);
            lua_setfield(L, -2, "metadata");
        }
        break;
    case EM_PY_TENSOR: describe_tensor(L, v, storages); break;
    }
}

/* torch.io.pt_describe(path) -> tree, notice (a string, "" when none):
** torch.load's reader (every safety check) without making Lua values. */
static int l_pt_describe(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    em_pyval **box = lua_newuserdatauv(L, sizeof *box, 0);
    *box = NULL;
    if (luaL_newmetatable(L, PYVAL_DESC_MT)) {
        lua_pushcfunction(L, pyval_box_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    char notice[512];
    em_status st = em_pt_load(path, NULL, box, notice, sizeof notice);
    if (st == EM_ERR_MEMORY) {
        em_lua_collect(L);
        st = em_pt_load(path, NULL, box, notice, sizeof notice);
    }
    if (st != EM_OK) return em_lua_raise(L);
    lua_newtable(L);
    int storages = lua_gettop(L);
    describe(L, *box, storages, 0);
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, storages));
    lua_setfield(L, -2, "n_storages");
    em_pyval_free(*box);
    *box = NULL;
    lua_pushstring(L, notice);
    return 2;
}

void em_lua_register_inspect(lua_State *L)
{
    if (lua_getfield(L, -1, "io") == LUA_TTABLE) {
        lua_pushcfunction(L, l_zip_records);
        lua_setfield(L, -2, "zip_records");
        lua_pushcfunction(L, l_pt_describe);
        lua_setfield(L, -2, "pt_describe");
    }
    lua_pop(L, 1);
}
