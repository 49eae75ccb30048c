/* lua_meta.c — the Tensor metatable: methods and properties through __index
** (x.shape, x.dtype, x.grad, x.requires_grad, x.grad_fn, x.is_leaf, x.T,
** x.data), x[i] indexing and assignment, operators + - * / ^ and unary -,
** #x, tostring (through the Lua pretty printer), and release by __gc and
** __close (one idempotent function). */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/node.h"
#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

int em_lua_index(lua_State *L, em_tensor *x, int key);
int em_lua_newindex(lua_State *L, em_tensor *x, int key, int value);
void em_lua_push_size(lua_State *L, const em_tensor *x);
void em_lua_push_node(lua_State *L, em_node *node, em_tensor *leaf);

static int tensor_release(lua_State *L)
{
    em_tensor **box = luaL_checkudata(L, 1, EM_TENSOR_MT);
    em_tensor_release(*box);
    *box = NULL;
    return 0;
}

static int push_property(lua_State *L, em_tensor *x, const char *k)
{
    switch (k[0]) {
    case 'T':
        if (strcmp(k, "T") == 0) {
            int64_t rev[EM_MAX_DIMS];
            for (int i = 0; i < x->ndim; i++) rev[i] = x->ndim - 1 - i;
            em_tensor **box = em_lua_newbox(L);
            EM_LUA_TRY(L, *box, em_permute(x, rev, x->ndim));
            return 1;
        }
        break;
    case 'd':
        if (strcmp(k, "dtype") == 0) {
            em_lua_push_dtype(L, x->dtype);
            return 1;
        }
        if (strcmp(k, "device") == 0) {
            em_lua_push_device(L, em_tensor_device(x));
            return 1;
        }
        if (strcmp(k, "data") == 0) {
            em_tensor **box = em_lua_newbox(L);
            EM_LUA_TRY(L, *box, em_detach(x));
            return 1;
        }
        break;
    case 'g':
        if (strcmp(k, "grad") == 0) {
            if (x->grad) {
                em_tensor_retain(x->grad);
                em_lua_push_tensor(L, x->grad);
            } else {
                lua_pushnil(L);
            }
            return 1;
        }
        if (strcmp(k, "grad_fn") == 0) {
            if (x->grad_fn) em_lua_push_node(L, x->grad_fn, NULL);
            else lua_pushnil(L);
            return 1;
        }
        break;
    case 'i':
        if (strcmp(k, "is_leaf") == 0) {
            lua_pushboolean(L, x->grad_fn == NULL);
            return 1;
        }
        if (strcmp(k, "is_cuda") == 0) {
            lua_pushboolean(L, em_tensor_backend(x)->type == EM_CUDA);
            return 1;
        }
        break;
    case 'n':
        if (strcmp(k, "ndim") == 0) {
            lua_pushinteger(L, x->ndim);
            return 1;
        }
        break;
    case 'r':
        if (strcmp(k, "requires_grad") == 0) {
            lua_pushboolean(L, x->requires_grad);
            return 1;
        }
        break;
    case 's':
        if (strcmp(k, "shape") == 0) {
            em_lua_push_size(L, x);
            return 1;
        }
        break;
    default:
        break;
    }
    return 0;
}

/* The properties push_property knows (for the "did you mean" of a name a
** tensor does not have). */
static const char PROPERTIES[] = "T dtype device data grad grad_fn is_leaf is_cuda ndim requires_grad shape";

/* x.name for a name that is neither a method nor a property: an error, as
** PyTorch's AttributeError, with the closest name (x.sahpe -> shape). Names
** starting with "__" (metamethod probes by tools) are nil. */
static int no_such_field(lua_State *L, int methods)
{
    const char *k = lua_tostring(L, 2);
    if (strncmp(k, "__", 2) == 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_newtable(L);                     /* the method names */
    int list = lua_gettop(L), n = 0;
    lua_pushnil(L);
    while (lua_next(L, methods)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            lua_pushvalue(L, -1);
            lua_rawseti(L, list, ++n);
        }
    }
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, PROPERTIES);
    for (int i = 1; i <= n; i++) {
        luaL_addchar(&b, ' ');
        lua_rawgeti(L, list, i);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    lua_getfield(L, -1, "torch.core");
    lua_getfield(L, -1, "_closest");
    const char *best = NULL;
    if (lua_isfunction(L, -1)) {
        lua_pushvalue(L, 2);
        lua_pushvalue(L, -5);
        lua_call(L, 2, 1);
        best = lua_tostring(L, -1);
    }
    if (best) return luaL_error(L, "Tensor has no attribute '%s' (did you mean x.%s?)", k, best);
    return luaL_error(L, "Tensor has no attribute '%s'", k);
}

static int tensor_index(lua_State *L)
{
    em_tensor **box = luaL_checkudata(L, 1, EM_TENSOR_MT);
    int kt = lua_type(L, 2);
    if (kt == LUA_TSTRING) {
        lua_pushvalue(L, 2);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;   /* a method */
        lua_pop(L, 1);
        if (!*box) return luaL_error(L, "tensor was closed (released with <close>)");
        if (push_property(L, *box, lua_tostring(L, 2))) return 1;
        return no_such_field(L, lua_upvalueindex(1));
    }
    if (!*box) return luaL_error(L, "tensor was closed (released with <close>)");
    if (kt == LUA_TNUMBER || kt == LUA_TTABLE) return em_lua_index(L, *box, 2);
    return luaL_error(L, "index: a tensor can be indexed by a number or a table, not a %s", luaL_typename(L, 2));
}

static int set_grad(lua_State *L, em_tensor *x)
{
    if (lua_isnil(L, 3)) {
        em_tensor_release(x->grad);
        x->grad = NULL;
        return 0;
    }
    em_tensor *g = em_lua_test_tensor(L, 3);
    if (!g) return luaL_error(L, "grad: expected a tensor or nil, got %s", luaL_typename(L, 3));
    if (!em_same_shape(g, x) || g->dtype != x->dtype) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        return luaL_error(L, "grad: assigned grad has data of a different type or size (%s %s vs %s %s)",
                          em_dtype_name(g->dtype), em_shape_str(g->ndim, g->shape, b1, sizeof b1),
                          em_dtype_name(x->dtype), em_shape_str(x->ndim, x->shape, b2, sizeof b2));
    }
    em_tensor *d = em_detach(g);
    if (!d) return em_lua_raise(L);
    em_tensor_release(x->grad);
    x->grad = d;
    return 0;
}

/* x.data = y: x now views y's storage (same object, new contents) */
static int set_data(lua_State *L, em_tensor *x)
{
    em_tensor *y = em_lua_check_tensor(L, 3);
    em_tensor_set_storage(x, y->storage);
    x->dtype = y->dtype;
    x->ndim = y->ndim;
    memcpy(x->shape, y->shape, sizeof x->shape);
    memcpy(x->stride, y->stride, sizeof x->stride);
    x->offset = y->offset;
    return 0;
}

static int tensor_newindex(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int kt = lua_type(L, 2);
    if (kt == LUA_TNUMBER || kt == LUA_TTABLE) return em_lua_newindex(L, x, 2, 3);
    const char *k = luaL_checkstring(L, 2);
    if (strcmp(k, "grad") == 0) return set_grad(L, x);
    if (strcmp(k, "requires_grad") == 0) {
        if (!lua_isboolean(L, 3))
            return luaL_error(L, "requires_grad must be a boolean (true or false), got %s", luaL_typename(L, 3));
        EM_LUA_CHECK(L, em_set_requires_grad(x, lua_toboolean(L, 3)));
        return 0;
    }
    if (strcmp(k, "data") == 0) return set_data(L, x);
    return luaL_error(L, "cannot set field '%s' of a Tensor (tensors have no custom fields)", k);
}

static int tensor_len(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (x->ndim == 0) return luaL_error(L, "len() of a 0-d tensor");
    lua_pushinteger(L, x->shape[0]);
    return 1;
}

static int tensor_tostring(lua_State *L)
{
    em_tensor **box = luaL_checkudata(L, 1, EM_TENSOR_MT);
    if (!*box) {
        lua_pushliteral(L, "tensor(<closed>)");
        return 1;
    }
    if (lua_getfield(L, LUA_REGISTRYINDEX, "torch.tostring") == LUA_TFUNCTION) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 1);
        return 1;
    }
    char b[EM_SHAPE_BUF];
    lua_pushfstring(L, "tensor(shape=%s, dtype=torch.%s)", em_shape_str((*box)->ndim, (*box)->shape, b, sizeof b),
                    em_dtype_name((*box)->dtype));
    return 1;
}

/* Copies a method from the methods table (upvalue) as a metamethod. */
static void alias_method(lua_State *L, int methods, const char *meta, const char *method)
{
    lua_getfield(L, methods, method);
    lua_setfield(L, -2, meta);
}

void em_lua_open_meta(lua_State *L)
{
    int methods = lua_gettop(L);
    luaL_newmetatable(L, EM_TENSOR_MT);
    lua_pushvalue(L, methods);
    lua_pushcclosure(L, tensor_index, 1);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, tensor_newindex);
    lua_setfield(L, -2, "__newindex");
    lua_pushcfunction(L, tensor_release);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, tensor_release);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, tensor_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, tensor_len);
    lua_setfield(L, -2, "__len");
    /* operators: the metamethods named in the op table's rows */
    for (int op = 0; op < EM_B_NUM_OPS; op++) {
        const em_binary_info *r = em_binary_info_of((em_binary_op)op);
        if (r->meta) alias_method(L, methods, r->meta, r->name);
    }
    for (int op = 0; op < EM_U_NUM_OPS; op++)
        if (em_unary_info_of((em_unary_op)op)->lua & EM_L_UNM) alias_method(L, methods, "__unm", em_unary_op_name(op));
    lua_pushliteral(L, "torch.Tensor");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
}
