/* lua_safetensors.c — torch.save_safetensors(tensors, path[, metadata]),
** torch.load_safetensors(path) and torch.io.safetensors_info(path[, opts]),
** thin bindings over src/io/safetensors.h. Names follow the safetensors
** library's save_file/load_file; loading returns a torch.OrderedDict in the
** file's data order (load_file iterates offset_keys()). Not here: the format. */
#include <stdlib.h>
#include <string.h>

#include "../io/safetensors.h"
#include "lua_bind.h"
#include "lua_util.h"

#define HOLDER_MT "ember.safetensors_holder"

/* What a load owns until each tensor is in a box: a Lua error on the way
** frees the rest through __gc. */
typedef struct holder {
    em_st_header h;
    em_tensor **ts;
} holder;

static void holder_free(holder *ho)
{
    if (ho->ts)
        for (int i = 0; i < ho->h.n; i++) em_tensor_release(ho->ts[i]);
    free(ho->ts);
    ho->ts = NULL;
    em_st_header_free(&ho->h);
}

static int holder_gc(lua_State *L)
{
    holder_free(lua_touserdata(L, 1));
    return 0;
}

static holder *new_holder(lua_State *L)
{
    holder *ho = lua_newuserdatauv(L, sizeof *ho, 0);
    memset(ho, 0, sizeof *ho);
    if (luaL_newmetatable(L, HOLDER_MT)) {
        lua_pushcfunction(L, holder_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return ho;
}

/* Pushes the metadata as a plain table key -> value. */
static void push_metadata(lua_State *L, const em_st_header *h)
{
    lua_createtable(L, 0, h->n_meta);
    for (int i = 0; i < h->n_meta; i++) {
        lua_pushstring(L, h->meta_values[i]);
        lua_setfield(L, -2, h->meta_keys[i]);
    }
}

static void push_shape(lua_State *L, const em_st_entry *e)
{
    lua_createtable(L, e->ndim, 0);
    for (int d = 0; d < e->ndim; d++) {
        lua_pushinteger(L, e->shape[d]);
        lua_rawseti(L, -2, d + 1);
    }
}

static const em_lua_opts LOAD_OPTS = {"torch.load_safetensors", "device", ""};
static const em_lua_opts INFO_OPTS = {"torch.io.safetensors_info", "checksum", ""};

/* torch.load_safetensors(path[, {device = "cpu"}]) -> OrderedDict name ->
** tensor (data order), metadata table; the metadata is also the dict's field
** .metadata unless a tensor is named "metadata". */
static int l_load(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    if (!lua_isnoneornil(L, 2)) {                  /* {device = "cpu"}, as load_file(filename, device="cpu") */
        luaL_checktype(L, 2, LUA_TTABLE);
        em_lua_check_options(L, 2, &LOAD_OPTS);
        if (lua_getfield(L, 2, "device") != LUA_TNIL &&
            em_lua_check_device(L, "torch.load_safetensors", lua_gettop(L)) != em_backend_for(em_default_device()))
            return luaL_error(L, "torch.load_safetensors: tensors load to the CPU; move them with :to(device)");
        lua_settop(L, 1);
    }
    lua_getglobal(L, "require");
    lua_pushliteral(L, "torch.ordered_dict");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "new");
    int make = lua_gettop(L);
    holder *ho = new_holder(L);
    em_status st = em_st_load(path, "torch.load_safetensors", &ho->h, &ho->ts);
    if (st == EM_ERR_MEMORY) {
        em_lua_collect(L);
        st = em_st_load(path, "torch.load_safetensors", &ho->h, &ho->ts);
    }
    if (st != EM_OK) return em_lua_raise(L);
    /* OrderedDict.new{{name, tensor}, ...}: keeps every name in order, even
    ** names starting with "_" or naming a method */
    lua_pushvalue(L, make);
    lua_createtable(L, ho->h.n, 0);
    bool has_metadata_name = false;
    for (int i = 0; i < ho->h.n; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, ho->h.entries[i].name);
        lua_rawseti(L, -2, 1);
        em_tensor **box = em_lua_newbox(L);
        *box = ho->ts[i];
        ho->ts[i] = NULL;
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, i + 1);
        if (strcmp(ho->h.entries[i].name, "metadata") == 0) has_metadata_name = true;
    }
    lua_call(L, 1, 1);                       /* the dict */
    int dict = lua_gettop(L);
    push_metadata(L, &ho->h);
    if (!has_metadata_name) {
        lua_pushliteral(L, "metadata");
        lua_pushvalue(L, -2);
        lua_rawset(L, dict);
    }
    holder_free(ho);
    return 2;
}

/* Calls fn(key, value) for each pair of the table at idx, honouring __pairs
** (torch.OrderedDict). The pair is at the top of the stack during fn. */
typedef void (*pair_fn)(lua_State *L, void *ctx);

static void each_pair(lua_State *L, int idx, pair_fn fn, void *ctx)
{
    idx = lua_absindex(L, idx);
    if (luaL_getmetafield(L, idx, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, idx);
        lua_call(L, 1, 3);                   /* iter, state, control */
        for (;;) {
            lua_pushvalue(L, -3);
            lua_pushvalue(L, -3);
            lua_pushvalue(L, -3);
            lua_call(L, 2, 2);               /* key, value */
            if (lua_isnil(L, -2)) {
                lua_pop(L, 5);
                return;
            }
            fn(L, ctx);
            lua_pushvalue(L, -2);
            lua_replace(L, -4);              /* control = key */
            lua_pop(L, 2);
        }
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        fn(L, ctx);
        lua_pop(L, 1);
    }
}

/* Gathering: names and tensors into arrays anchored in a Lua table. */
typedef struct gather {
    int anchor;                 /* stack index: a table keeping keys and values alive */
    int n, cap;
    const char **names;
    em_tensor **tensors;
    const char **values;        /* metadata values */
    bool metadata;
} gather;

static void gather_pair(lua_State *L, void *ctx)
{
    gather *g = ctx;
    const char *what = g->metadata ? "metadata" : "tensors";
    if (lua_type(L, -2) != LUA_TSTRING)
        luaL_error(L, "torch.save_safetensors: %s keys must be strings, got a %s key", what, luaL_typename(L, -2));
    const char *key = lua_tostring(L, -2);
    size_t klen = lua_rawlen(L, -2);
    if (strlen(key) != klen) luaL_error(L, "torch.save_safetensors: a %s key contains a NUL byte", what);
    if (g->n == g->cap) {
        int cap = g->cap ? g->cap * 2 : 16;
        void *ud = lua_newuserdatauv(L, (size_t)cap * 2 * sizeof(void *), 0);
        const char **names = ud;
        const void **second = (const void **)ud + cap;
        for (int i = 0; i < g->n; i++) {
            names[i] = g->names[i];
            second[i] = g->metadata ? (const void *)g->values[i] : (const void *)g->tensors[i];
        }
        lua_rawseti(L, g->anchor, -1);       /* the arrays: anchor[-1], the old ones collected */
        g->names = names;
        if (g->metadata) g->values = (const char **)second;
        else g->tensors = (em_tensor **)second;
        g->cap = cap;
    }
    if (g->metadata) {
        if (lua_type(L, -1) != LUA_TSTRING)
            luaL_error(L, "torch.save_safetensors: metadata values must be strings; `%s` is a %s (use tostring)",
                       key, luaL_typename(L, -1));
        const char *v = lua_tostring(L, -1);
        if (strlen(v) != lua_rawlen(L, -1))
            luaL_error(L, "torch.save_safetensors: metadata value `%s` contains a NUL byte", key);
        g->values[g->n] = v;
    } else {
        em_tensor *t = em_lua_test_tensor(L, -1);
        if (!t)
            luaL_error(L, "torch.save_safetensors: `%s` is a %s; a safetensors file holds only tensors (save other "
                       "values with torch.save, or put them in metadata as strings)", key, luaL_typename(L, -1));
        g->tensors[g->n] = t;
    }
    g->names[g->n] = key;
    /* anchor key and value: anchor[2n+1] = key, anchor[2n+2] = value */
    lua_pushvalue(L, -2);
    lua_rawseti(L, g->anchor, 2 * g->n + 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, g->anchor, 2 * g->n + 2);
    g->n++;
}

/* torch.save_safetensors(tensors, path[, metadata]): tensors is a table or an
** OrderedDict (a state_dict) of name -> tensor; metadata a table of string ->
** string. Like safetensors.torch.save_file. */
static int l_save(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *path = luaL_checkstring(L, 2);
    bool has_meta = !lua_isnoneornil(L, 3);
    if (has_meta) luaL_checktype(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    lua_newtable(L);
    gather t = {.anchor = lua_gettop(L)};
    each_pair(L, 1, gather_pair, &t);
    lua_newtable(L);
    gather m = {.anchor = lua_gettop(L), .metadata = true};
    if (has_meta) each_pair(L, 3, gather_pair, &m);
    EM_LUA_CHECK(L, em_st_save(path, t.n, t.names, t.tensors, has_meta ? m.n : -1, m.names, m.values));
    return 0;
}

/* torch.io.safetensors_info(path[, {checksum = true}]) -> {header_len,
** file_size, data_start, tensors = {{name, dtype, shape, offsets = {b, e},
** nbytes, crc32, loads_as, widened}, ...} (data order; widened: loads_as is
** wider than the file's dtype), metadata = {k = v},
** metadata_keys = {...} (file order)}: the validated header, for ember inspect. */
static int l_info(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    bool checksum = true;
    if (!lua_isnoneornil(L, 2)) {
        luaL_checktype(L, 2, LUA_TTABLE);
        em_lua_check_options(L, 2, &INFO_OPTS);
        checksum = em_lua_opt_field_bool(L, 2, "checksum", true);
    }
    holder *ho = new_holder(L);
    EM_LUA_CHECK(L, em_st_read_header(path, "torch.io.safetensors_info", &ho->h));
    if (checksum) EM_LUA_CHECK(L, em_st_checksum(path, "torch.io.safetensors_info", &ho->h));
    const em_st_header *h = &ho->h;
    lua_createtable(L, 0, 6);
    int out = lua_gettop(L);
    lua_pushinteger(L, (lua_Integer)h->header_len);
    lua_setfield(L, -2, "header_len");
    lua_pushinteger(L, (lua_Integer)h->file_size);
    lua_setfield(L, -2, "file_size");
    lua_pushinteger(L, (lua_Integer)(8 + h->header_len));
    lua_setfield(L, -2, "data_start");
    lua_createtable(L, h->n, 0);
    for (int i = 0; i < h->n; i++) {
        const em_st_entry *e = &h->entries[i];
        lua_createtable(L, 0, 7);
        lua_pushstring(L, e->name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, e->dtype);
        lua_setfield(L, -2, "dtype");
        push_shape(L, e);
        lua_setfield(L, -2, "shape");
        lua_createtable(L, 2, 0);
        lua_pushinteger(L, (lua_Integer)e->begin);
        lua_rawseti(L, -2, 1);
        lua_pushinteger(L, (lua_Integer)e->end);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, "offsets");
        lua_pushinteger(L, (lua_Integer)(e->end - e->begin));
        lua_setfield(L, -2, "nbytes");
        if (checksum) {
            lua_pushinteger(L, (lua_Integer)e->crc32);
            lua_setfield(L, -2, "crc32");
        }
        int dt = em_st_entry_dtype(e);
        if (dt >= 0) {
            lua_pushstring(L, em_dtype_name((em_dtype)dt));
            lua_setfield(L, -2, "loads_as");
            lua_pushboolean(L, (size_t)e->bits != 8 * em_dtype_size((em_dtype)dt));   /* widened (I16 -> int32) */
            lua_setfield(L, -2, "widened");
        }
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "tensors");
    push_metadata(L, h);
    lua_setfield(L, -2, "metadata");
    lua_createtable(L, h->n_meta, 0);
    for (int i = 0; i < h->n_meta; i++) {
        lua_pushstring(L, h->meta_keys[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setfield(L, -2, "metadata_keys");
    lua_settop(L, out);
    holder_free(ho);
    return 1;
}

void em_lua_register_safetensors(lua_State *L)
{
    lua_pushcfunction(L, l_save);
    lua_setfield(L, -2, "save_safetensors");
    lua_pushcfunction(L, l_load);
    lua_setfield(L, -2, "load_safetensors");
    if (lua_getfield(L, -1, "io") == LUA_TTABLE) {
        lua_pushcfunction(L, l_info);
        lua_setfield(L, -2, "safetensors_info");
    }
    lua_pop(L, 1);
}
