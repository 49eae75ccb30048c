/* lua_info.c — what a tensor is and how to get its values out: size, dim,
** numel, stride, item, tolist; conversions (float, long, to, ...); and the
** autograd methods (requires_grad_, backward, detach, retain_grad) with
** grad_fn node objects for graph introspection. */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/engine.h"
#include "../autograd/node.h"
#include "../core/half.h"
#include "../core/runtime.h"
#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

/* torch.Size: a plain array table with a metatable that prints it */
static int size_tostring(lua_State *L)
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "torch.Size([");
    lua_Integer n = luaL_len(L, 1);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        lua_pushfstring(L, i > 1 ? ", %I" : "%I", (lua_Integer)lua_tointeger(L, -1));
        lua_remove(L, -2);
        luaL_addvalue(&b);
    }
    luaL_addstring(&b, "])");
    luaL_pushresult(&b);
    return 1;
}

static int size_eq(lua_State *L)
{
    lua_Integer n = luaL_len(L, 1);
    if (luaL_len(L, 2) != n) {
        lua_pushboolean(L, 0);
        return 1;
    }
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        lua_geti(L, 2, i);
        if (!lua_rawequal(L, -1, -2)) {
            lua_pushboolean(L, 0);
            return 1;
        }
        lua_pop(L, 2);
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int size_numel(lua_State *L)
{
    lua_Integer n = luaL_len(L, 1), p = 1;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        p *= lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    lua_pushinteger(L, p);
    return 1;
}

/* size[k] for a k the list does not hold: size[0] is a Python habit (an
** error saying dims are 1-based), size[-1] counts from the end (as dims do in
** ember), numel is a method (upvalue 1: the methods); anything else is nil,
** as in any Lua list. */
static int size_index(lua_State *L)
{
    if (lua_isinteger(L, 2)) {
        lua_Integer k = lua_tointeger(L, 2), n = (lua_Integer)lua_rawlen(L, 1);
        if (k == 0)
            return luaL_error(L, "shapes are 1-based in ember: x.shape[1] is PyTorch's x.shape[0] "
                                 "(and x.shape[-1] the last)");
        if (k < 0 && k >= -n) {
            lua_rawgeti(L, 1, n + 1 + k);
            return 1;
        }
        lua_pushnil(L);
        return 1;
    }
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));    /* a method (numel), or nil */
    return 1;
}

void em_lua_push_size(lua_State *L, const em_tensor *x)
{
    lua_createtable(L, x->ndim, 0);
    for (int i = 0; i < x->ndim; i++) {
        lua_pushinteger(L, x->shape[i]);
        lua_rawseti(L, -2, i + 1);
    }
    if (luaL_newmetatable(L, "torch.Size")) {
        lua_pushcfunction(L, size_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushcfunction(L, size_eq);
        lua_setfield(L, -2, "__eq");
        lua_newtable(L);
        lua_pushcfunction(L, size_numel);
        lua_setfield(L, -2, "numel");
        lua_pushcclosure(L, size_index, 1);
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
}

static int l_size(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        em_lua_push_size(L, x);
        return 1;
    }
    int d = em_lua_check_dim(L, 2);
    if (em_wrap_dim("size", d, x->ndim, &d) != EM_OK || x->ndim == 0) {
        if (x->ndim == 0) em_fail(EM_ERR_INDEX, "size: a 0-dim tensor has no dims");
        return em_lua_raise(L);
    }
    lua_pushinteger(L, x->shape[d]);
    return 1;
}

static int l_stride(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        lua_createtable(L, x->ndim, 0);
        for (int i = 0; i < x->ndim; i++) {
            lua_pushinteger(L, x->stride[i]);
            lua_rawseti(L, -2, i + 1);
        }
        return 1;
    }
    int d = em_lua_check_dim(L, 2);
    if (em_wrap_dim("stride", d, x->ndim, &d) != EM_OK || x->ndim == 0) {
        if (x->ndim == 0) em_fail(EM_ERR_INDEX, "stride: a 0-dim tensor has no dims");
        return em_lua_raise(L);
    }
    lua_pushinteger(L, x->stride[d]);
    return 1;
}

static int l_dim(lua_State *L)
{
    lua_pushinteger(L, em_lua_check_tensor(L, 1)->ndim);
    return 1;
}

static int l_numel(lua_State *L)
{
    lua_pushinteger(L, em_tensor_numel(em_lua_check_tensor(L, 1)));
    return 1;
}

static int l_storage_offset(lua_State *L)
{
    lua_pushinteger(L, em_lua_check_tensor(L, 1)->offset);
    return 1;
}

static int l_is_contiguous(lua_State *L)
{
    lua_pushboolean(L, em_tensor_is_contiguous(em_lua_check_tensor(L, 1)));
    return 1;
}

static int l_is_floating_point(lua_State *L)
{
    lua_pushboolean(L, em_dtype_is_float(em_lua_check_tensor(L, 1)->dtype));
    return 1;
}

static int l_element_size(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)em_dtype_size(em_lua_check_tensor(L, 1)->dtype));
    return 1;
}

/* Pushes element i of a contiguous host buffer of dtype dt. */
static void push_value(lua_State *L, const void *buf, int64_t i, em_dtype dt)
{
    switch (dt) {
    case EM_FLOAT32: lua_pushnumber(L, ((const float *)buf)[i]); break;
    case EM_FLOAT64: lua_pushnumber(L, ((const double *)buf)[i]); break;
    case EM_INT64: lua_pushinteger(L, ((const int64_t *)buf)[i]); break;
    case EM_INT32: lua_pushinteger(L, ((const int32_t *)buf)[i]); break;
    case EM_UINT8: lua_pushinteger(L, ((const uint8_t *)buf)[i]); break;
    case EM_BOOL: lua_pushboolean(L, ((const uint8_t *)buf)[i] != 0); break;
    case EM_FLOAT16: lua_pushnumber(L, em_f16_to_f32(((const uint16_t *)buf)[i])); break;
    case EM_BFLOAT16: lua_pushnumber(L, em_bf16_to_f32(((const uint16_t *)buf)[i])); break;
    default: lua_pushnil(L);
    }
}

static int l_item(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (em_tensor_numel(x) != 1) {
        char b[EM_SHAPE_BUF];
        return luaL_error(L, "item: a Tensor with %d elements cannot be converted to a number (shape %s); "
                          "only one-element tensors can", (int)em_tensor_numel(x),
                          em_shape_str(x->ndim, x->shape, b, sizeof b));
    }
    unsigned char buf[8];
    EM_LUA_CHECK(L, em_op_to_host(x, buf, em_dtype_size(x->dtype)));
    push_value(L, buf, 0, x->dtype);
    return 1;
}

static void build_list(lua_State *L, const em_tensor *x, const void *buf, int dim, int64_t *pos)
{
    if (dim == x->ndim) {
        push_value(L, buf, (*pos)++, x->dtype);
        return;
    }
    luaL_checkstack(L, 3, "tolist");
    lua_createtable(L, (int)(x->shape[dim] < 1 << 20 ? x->shape[dim] : 1 << 20), 0);
    for (int64_t i = 0; i < x->shape[dim]; i++) {
        build_list(L, x, buf, dim + 1, pos);
        lua_rawseti(L, -2, i + 1);
    }
}

static int l_tolist(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    size_t nbytes = (size_t)em_tensor_numel(x) * em_dtype_size(x->dtype);
    void *buf = lua_newuserdatauv(L, nbytes ? nbytes : 1, 0);
    EM_LUA_CHECK(L, em_op_to_host(x, buf, nbytes));
    int64_t pos = 0;
    build_list(L, x, buf, 0, &pos);
    return 1;
}

static int convert(lua_State *L, em_dtype dt)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_to_dtype(x, dt));
    return 1;
}

static int l_float(lua_State *L) { return convert(L, EM_FLOAT32); }
static int l_double(lua_State *L) { return convert(L, EM_FLOAT64); }
static int l_long(lua_State *L) { return convert(L, EM_INT64); }
static int l_int(lua_State *L) { return convert(L, EM_INT32); }
static int l_byte(lua_State *L) { return convert(L, EM_UINT8); }
static int l_bool(lua_State *L) { return convert(L, EM_BOOL); }
static int l_half(lua_State *L) { return convert(L, EM_FLOAT16); }
static int l_bfloat16(lua_State *L) { return convert(L, EM_BFLOAT16); }


/* to(dtype) / to(device) / to(tensor) / to{dtype=, device=} */
static int l_to(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_dtype dt = x->dtype;
    em_tensor *other = em_lua_test_tensor(L, 2);
    if (other) {
        dt = other->dtype;
    } else if (em_lua_is_dtype(L, 2)) {
        dt = em_lua_check_dtype(L, 2);
    } else if (lua_type(L, 2) == LUA_TTABLE) {
        static const em_lua_opts TO_OPTS = {"to", "dtype device", "non_blocking copy memory_format"};
        em_lua_check_options(L, 2, &TO_OPTS);
        dt = em_lua_opt_field_dtype(L, 2, x->dtype);
        lua_getfield(L, 2, "device");
        if (!lua_isnil(L, -1)) em_lua_check_device(L, "to", lua_gettop(L));
        lua_pop(L, 1);
    } else if (lua_type(L, 2) == LUA_TSTRING && em_dtype_from_name(lua_tostring(L, 2)) >= 0) {
        dt = em_lua_check_dtype(L, 2);
    } else {
        em_lua_check_device(L, "to", 2);
        if (!lua_isnoneornil(L, 3)) dt = em_lua_check_dtype(L, 3);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_to_dtype(x, dt));
    return 1;
}

static int l_cpu(lua_State *L)
{
    em_lua_check_tensor(L, 1);
    lua_settop(L, 1);
    return 1;
}

/* type(dtype) converts; type() returns PyTorch's type string */
static int l_type(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (lua_isnoneornil(L, 2)) {
        lua_pushstring(L, em_tensor_type_name(x));   /* the names autograd's messages use */
        return 1;
    }
    return convert(L, em_lua_check_dtype(L, 2));
}

static int l_detach(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_detach(x));
    return 1;
}

static int l_detach_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (x->grad_fn && x->grad_fn->is_view)
        return luaL_error(L, "detach_: can't detach views in-place; use detach() instead");
    em_node_release(x->grad_fn);
    x->grad_fn = NULL;
    x->requires_grad = false;
    lua_settop(L, 1);
    return 1;
}

static int l_requires_grad_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    bool on = lua_isnoneornil(L, 2) ? true : lua_toboolean(L, 2);
    EM_LUA_CHECK(L, em_set_requires_grad(x, on));
    lua_settop(L, 1);
    return 1;
}

static int l_retain_grad(lua_State *L)
{
    EM_LUA_CHECK(L, em_retain_grad(em_lua_check_tensor(L, 1)));
    return 0;
}

/* backward([gradient][, {retain_graph=}]) */
static int l_backward(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor *g = em_lua_test_tensor(L, 2);
    int opts = em_lua_find_options(L);
    if (!g && !lua_isnoneornil(L, 2) && opts != 2)
        return luaL_argerror(L, 2, "gradient tensor or options table expected");
    static const em_lua_opts BACKWARD_OPTS = {"backward", "retain_graph", "create_graph inputs"};
    em_lua_check_options(L, opts, &BACKWARD_OPTS);
    bool retain = em_lua_opt_field_bool(L, opts, "retain_graph", false);
    em_backward_opts o = {.retain_graph = retain};
    const em_tensor *gs[1] = {g};
    if (em_lua_run_backward(L, 1, &x, gs, &o) != EM_OK) return em_lua_backward_raise(L);
    return 0;
}

/* --- grad_fn objects --- */

typedef struct {
    em_node *node;       /* owned */
    em_tensor *leaf;     /* owned; set for AccumulateGrad */
} node_box;

void em_lua_push_node(lua_State *L, em_node *node, em_tensor *leaf)
{
    node_box *b = lua_newuserdatauv(L, sizeof *b, 0);
    b->node = node;
    b->leaf = leaf;
    if (node) em_ref_retain(&node->ref);
    em_tensor_retain(leaf);
    luaL_setmetatable(L, EM_NODE_MT);
}

em_node *em_lua_node_of(lua_State *L, int idx)
{
    node_box *b = luaL_checkudata(L, idx, EM_NODE_MT);
    return b->node;
}

static int node_gc(lua_State *L)
{
    node_box *b = luaL_checkudata(L, 1, EM_NODE_MT);
    em_node_release(b->node);
    em_tensor_release(b->leaf);
    b->node = NULL;
    b->leaf = NULL;
    return 0;
}

static const char *node_name(const node_box *b) { return b->node ? b->node->name : "AccumulateGrad"; }

static int node_tostring(lua_State *L)
{
    node_box *b = luaL_checkudata(L, 1, EM_NODE_MT);
    lua_pushfstring(L, "<%s>", node_name(b));
    return 1;
}

static int node_name_method(lua_State *L)
{
    node_box *b = luaL_checkudata(L, 1, EM_NODE_MT);
    lua_pushstring(L, node_name(b));
    return 1;
}

/* fn._saved: the tensors the node keeps for its backward, as a list of
** {name, tensor}: "result" when it is the node's own output, else "saved k"
** (k counts the node's other saved tensors from 1; PyTorch's argument names,
** self/other/mat1, are not recorded by ember's nodes). Freed ones are gone. */
static void push_saved(lua_State *L, const node_box *b)
{
    lua_newtable(L);
    int n = 0, k = 0;
    for (int i = 0; b->node && i < EM_NODE_MAX_SAVED; i++) {
        const em_saved *s = &b->node->saved[i];
        if (!s->t) continue;
        lua_createtable(L, 2, 0);
        if (s->output_of) lua_pushliteral(L, "result");
        else lua_pushfstring(L, "saved %d", ++k);
        lua_rawseti(L, -2, 1);
        em_tensor_retain(s->t);
        em_lua_push_tensor(L, s->t);
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, -2, ++n);
    }
}

/* The private fields graph drawings read (lua/torchviz.lua): _id (the same
** light userdata for the same node, or for the same leaf's AccumulateGrad),
** _shape (the shape of the node's output, a list), _saved (push_saved). */
static int node_private(lua_State *L, const node_box *b, const char *k)
{
    if (strcmp(k, "_id") == 0) {
        lua_pushlightuserdata(L, b->node ? (void *)b->node : (void *)b->leaf);
    } else if (strcmp(k, "_shape") == 0) {
        const int nd = b->node ? b->node->out_ndim : b->leaf->ndim;
        const int64_t *shape = b->node ? b->node->out_shape : b->leaf->shape;
        lua_createtable(L, nd, 0);
        for (int i = 0; i < nd; i++) {
            lua_pushinteger(L, shape[i]);
            lua_rawseti(L, -2, i + 1);
        }
    } else if (strcmp(k, "_saved") == 0) {
        push_saved(L, b);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

static int node_index(lua_State *L)
{
    node_box *b = luaL_checkudata(L, 1, EM_NODE_MT);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "name") == 0) {
        lua_pushcfunction(L, node_name_method);
    } else if (strcmp(k, "next_functions") == 0) {
        int n = b->node ? b->node->n_next : 0;
        lua_createtable(L, n, 0);
        for (int i = 0; i < n; i++) {
            em_edge *e = &b->node->next[i];
            lua_createtable(L, 2, 0);
            if (e->node || e->leaf) em_lua_push_node(L, e->node, e->leaf);
            else lua_pushboolean(L, 0);   /* PyTorch's None: an input that needs no gradient */
            lua_rawseti(L, -2, 1);
            lua_pushinteger(L, 0);
            lua_rawseti(L, -2, 2);
            lua_rawseti(L, -2, i + 1);
        }
    } else if (strcmp(k, "variable") == 0 && b->leaf) {
        em_tensor_retain(b->leaf);
        em_lua_push_tensor(L, b->leaf);
    } else if (k[0] == '_') {
        return node_private(L, b, k);
    } else {
        lua_pushnil(L);
    }
    return 1;
}

/* torch.core._tensor_id(x): a light userdata naming the tensor itself (two
** Lua values holding the same tensor give the same id); _view_base(x): the
** tensor a view was made from, or nil. For graph drawings (lua/torchviz.lua). */
static int l_tensor_id(lua_State *L)
{
    lua_pushlightuserdata(L, em_lua_check_tensor(L, 1));
    return 1;
}

static int l_view_base(lua_State *L)
{
    em_tensor *base = em_lua_check_tensor(L, 1)->view_base;
    if (!base) return 0;
    em_tensor_retain(base);
    em_lua_push_tensor(L, base);
    return 1;
}

static int l_is_tensor(lua_State *L)
{
    lua_pushboolean(L, em_lua_test_tensor(L, 1) != NULL || luaL_testudata(L, 1, EM_TENSOR_MT) != NULL);
    return 1;
}

static int l_set_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, em_set_grad_enabled(lua_toboolean(L, 1)));
    return 1;
}

/* core._set_default_dtype(dtype): float32 or float64, else an error naming
** it (torch.set_default_dtype, lua/torch/init.lua, carries the doc). */
static int l_set_default_dtype(lua_State *L)
{
    EM_LUA_CHECK(L, em_set_default_float(em_lua_check_dtype(L, 1)));
    return 0;
}

static int l_get_default_dtype(lua_State *L)
{
    em_lua_push_dtype(L, em_default_float());
    return 1;
}

static int l_is_grad_enabled(lua_State *L)
{
    lua_pushboolean(L, em_grad_enabled());
    return 1;
}

static int l_memory_allocated(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)em_mem_live());
    return 1;
}

static int l_max_memory_allocated(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)em_mem_peak());
    return 1;
}

static const luaL_Reg info_methods[] = {
    {"size", l_size},           {"stride", l_stride},
    {"dim", l_dim},             {"ndimension", l_dim},
    {"numel", l_numel},         {"nelement", l_numel},
    {"storage_offset", l_storage_offset}, {"is_contiguous", l_is_contiguous},
    {"is_floating_point", l_is_floating_point}, {"element_size", l_element_size},
    {"item", l_item},           {"tolist", l_tolist},
    {"float", l_float},         {"double", l_double},
    {"long", l_long},           {"int", l_int},
    {"byte", l_byte},           {"bool", l_bool},
    {"half", l_half},           {"bfloat16", l_bfloat16},
    {"to", l_to},               {"cpu", l_cpu},
    {"type", l_type},           {"detach", l_detach},
    {"detach_", l_detach_},     {"requires_grad_", l_requires_grad_},
    {"retain_grad", l_retain_grad}, {"backward", l_backward},
    {NULL, NULL},
};

void em_lua_register_info(lua_State *L) { luaL_setfuncs(L, info_methods, 0); }

void em_lua_register_autograd_module(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"is_tensor", l_is_tensor},               {"set_grad_enabled", l_set_grad_enabled},
        {"is_grad_enabled", l_is_grad_enabled},   {"memory_allocated", l_memory_allocated},
        {"max_memory_allocated", l_max_memory_allocated}, {"numel", l_numel},
        {"_tensor_id", l_tensor_id},              {"_view_base", l_view_base},
        {"_set_default_dtype", l_set_default_dtype}, {"_get_default_dtype", l_get_default_dtype},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
    luaL_newmetatable(L, EM_NODE_MT);
    lua_pushcfunction(L, node_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, node_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, node_index);
    lua_setfield(L, -2, "__index");
    lua_pop(L, 1);
}
