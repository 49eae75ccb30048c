/* lua_shape.c — views (view, reshape, transpose, permute, squeeze, expand,
** narrow, select, flatten), copies (contiguous, clone), joining (cat,
** stack), index-tensor ops (index_select, gather, scatter_add) and the
** x[i] / x[{...}] indexing behind the Tensor metatable. Dims and positions
** arrive 1-based and are converted by lua_util. */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/node.h"
#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

static int shape_op(lua_State *L, int which)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int64_t shape[EM_MAX_DIMS];
    int n;
    em_tensor *other = em_lua_test_tensor(L, 2);
    if (other && (which == 0 || which == 1 || which == 2)) {   /* view_as / reshape_as / expand_as */
        n = other->ndim;
        memcpy(shape, other->shape, sizeof(int64_t) * (size_t)n);
    } else {
        n = em_lua_check_sizes(L, 2, shape, which == 0 ? "view" : which == 1 ? "reshape" : "expand");
    }
    em_tensor **box = em_lua_newbox(L);
    switch (which) {
    case 0: EM_LUA_TRY(L, *box, em_view(x, n, shape)); break;
    case 1: EM_LUA_TRY(L, *box, em_reshape(x, n, shape)); break;
    default: EM_LUA_TRY(L, *box, em_expand(x, n, shape)); break;
    }
    return 1;
}

static int l_view(lua_State *L) { return shape_op(L, 0); }
static int l_reshape(lua_State *L) { return shape_op(L, 1); }
static int l_expand(lua_State *L) { return shape_op(L, 2); }

static int l_transpose(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d0 = em_lua_check_dim(L, 2), d1 = em_lua_check_dim(L, 3);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_transpose(x, d0, d1));
    return 1;
}

/* t(): transpose of a <= 2-D tensor */
static int l_t(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_t(x));
    return 1;
}

static int l_permute(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int64_t dims[EM_MAX_DIMS];
    int n = 0;
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_Integer len = luaL_len(L, 2);
        if (len > EM_MAX_DIMS) return luaL_error(L, "permute: too many dims");
        for (lua_Integer i = 1; i <= len; i++) {
            lua_geti(L, 2, i);
            dims[n++] = em_lua_check_dim(L, -1);
            lua_pop(L, 1);
        }
    } else {
        int top = lua_gettop(L);
        if (top - 1 > EM_MAX_DIMS) return luaL_error(L, "permute: too many dims");
        for (int i = 2; i <= top; i++) dims[n++] = em_lua_check_dim(L, i);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_permute(x, dims, n));
    return 1;
}

static int l_unsqueeze(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d = em_lua_check_dim(L, 2);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_unsqueeze(x, d));
    return 1;
}

static int l_squeeze(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    bool all = lua_isnoneornil(L, 2);
    int d = all ? 0 : em_lua_check_dim(L, 2);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_squeeze(x, d, all));
    return 1;
}

static int l_narrow(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d = em_lua_check_dim(L, 2);
    int64_t start = em_lua_check_pos(L, 3), len = em_lua_check_int(L, 4);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_narrow(x, d, start, len));
    return 1;
}

static int l_select(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d = em_lua_check_dim(L, 2);
    int64_t i = em_lua_check_pos(L, 3);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_select(x, d, i));
    return 1;
}

static int l_flatten(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s = em_lua_opt_dim(L, 2, 0), e = em_lua_opt_dim(L, 3, -1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_flatten(x, s, e));
    return 1;
}

static int l_contiguous(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_contiguous(x));
    return 1;
}

static int l_clone(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_clone(x));
    return 1;
}

static int l_index_select(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d = em_lua_check_dim(L, 2);
    em_tensor *idx = em_lua_check_tensor(L, 3);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_index_select(x, d, idx));
    return 1;
}

static int l_gather(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d = em_lua_check_dim(L, 2);
    em_tensor *idx = em_lua_check_tensor(L, 3);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_gather(x, d, idx));
    return 1;
}

static int l_scatter_add(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int d = em_lua_check_dim(L, 2);
    em_tensor *idx = em_lua_check_tensor(L, 3);
    em_tensor *src = em_lua_check_tensor(L, 4);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_scatter_add(x, d, idx, src));
    return 1;
}

/* cat(tensors[, dim]) / stack(tensors[, dim]): the list is anchored in the
** argument table, so the C array only borrows. */
static int join(lua_State *L, bool stack)
{
    const char *op = stack ? "stack" : "cat";
    luaL_checktype(L, 1, LUA_TTABLE);
    int d = em_lua_opt_dim(L, 2, 0);
    lua_Integer n = luaL_len(L, 1);
    if (n <= 0) return luaL_error(L, "%s: expected a non-empty list of tensors", op);
    if (n > 1000000) return luaL_error(L, "%s: too many tensors (%d)", op, (int)n);
    em_tensor **ts = lua_newuserdatauv(L, (size_t)n * sizeof *ts, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, 1, i);
        ts[i - 1] = em_lua_test_tensor(L, -1);
        if (!ts[i - 1])
            return luaL_error(L, "%s: element %d of the list is a %s, expected a tensor", op, (int)i,
                              luaL_typename(L, -1));
        lua_pop(L, 1);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, stack ? em_stack((int)n, ts, d) : em_cat((int)n, ts, d));
    return 1;
}

static int l_cat(lua_State *L) { return join(L, false); }
static int l_stack(lua_State *L) { return join(L, true); }

/* --- x[i], x[{...}] --- */

/* Applies one index spec per dim: integer selects, {a, b} keeps a..b
** (inclusive, 1-based, negatives from the end), {} or ":" keeps all.
** Returns a new reference, or raises. */
static em_tensor *apply_index(lua_State *L, em_tensor *x, int key)
{
    em_tensor_retain(x);
    em_tensor **box = em_lua_newbox(L);   /* holds the current view: errors can't leak it */
    *box = x;
    if (lua_type(L, key) == LUA_TNUMBER) {
        em_tensor *r = em_select(x, 0, em_lua_check_pos(L, key));
        em_tensor_release(*box);
        *box = r;
        if (!r) em_lua_raise(L);
        em_tensor_retain(r);
        lua_pop(L, 1);
        return r;
    }
    lua_Integer n = luaL_len(L, key);
    int dim = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_geti(L, key, i);
        int spec = lua_gettop(L);
        em_tensor *cur = *box, *r = NULL;
        if (lua_type(L, spec) == LUA_TNUMBER) {
            r = em_select(cur, dim, em_lua_check_pos(L, spec));
        } else if (lua_type(L, spec) == LUA_TSTRING && strcmp(lua_tostring(L, spec), ":") == 0) {
            dim++;
            lua_pop(L, 1);
            continue;
        } else if (lua_type(L, spec) == LUA_TTABLE) {
            lua_Integer m = luaL_len(L, spec);
            if (m == 0) {
                dim++;
                lua_pop(L, 1);
                continue;
            }
            if (dim >= cur->ndim) luaL_error(L, "index: too many indices for a %d-D tensor", x->ndim);
            if (m > 2)
                luaL_error(L, "index: a range is {first, last} (1-based, inclusive), but this one has %d entries; "
                           "steps are not supported (x:index_select(dim, indices) picks any rows)", (int)m);
            int64_t size = cur->shape[dim];
            lua_geti(L, spec, 1);
            int64_t a = em_lua_check_int(L, -1);
            lua_pop(L, 1);
            int64_t b = size;
            if (m >= 2) {
                lua_geti(L, spec, 2);
                b = em_lua_check_int(L, -1);
                lua_pop(L, 1);
            }
            if (a < 0) a += size + 1;
            if (b < 0) b += size + 1;
            if (a < 1 || b > size || b < a - 1)
                luaL_error(L, "index: range {%d, %d} is out of bounds for dim %d of size %d", (int)a, (int)b,
                           dim + 1, (int)size);
            r = em_narrow(cur, dim, a - 1, b - a + 1);
            dim++;
        } else {
            luaL_error(L, "index: expected an integer, {first, last}, {} or \":\" for dim %d, got %s", dim + 1,
                       luaL_typename(L, spec));
        }
        if (!r) em_lua_raise(L);
        em_tensor_release(*box);
        *box = r;
        lua_pop(L, 1);
    }
    em_tensor *out = *box;
    em_tensor_retain(out);
    lua_pop(L, 1);
    return out;
}

int em_lua_index(lua_State *L, em_tensor *x, int key)
{
    em_tensor *r = apply_index(L, x, key);
    em_lua_push_tensor(L, r);
    return 1;
}

int em_lua_newindex(lua_State *L, em_tensor *x, int key, int value)
{
    em_tensor *view = apply_index(L, x, key);
    em_lua_push_tensor(L, view);   /* anchored */
    em_tensor *src = em_lua_test_tensor(L, value);
    if (src) {
        EM_LUA_CHECK(L, em_copy_(view, src));
    } else {
        em_lua_fill(L, view, value, "index assignment");
    }
    lua_pop(L, 1);
    return 0;
}

static const luaL_Reg shape_methods[] = {
    {"view", l_view},           {"reshape", l_reshape},     {"expand", l_expand},
    {"view_as", l_view},        {"reshape_as", l_reshape},  {"expand_as", l_expand},
    {"transpose", l_transpose}, {"t", l_t},                 {"permute", l_permute},
    {"unsqueeze", l_unsqueeze}, {"squeeze", l_squeeze},     {"narrow", l_narrow},
    {"select", l_select},       {"flatten", l_flatten},     {"contiguous", l_contiguous},
    {"clone", l_clone},         {"index_select", l_index_select}, {"gather", l_gather},
    {"scatter_add", l_scatter_add}, {NULL, NULL},
};

void em_lua_register_shape(lua_State *L) { luaL_setfuncs(L, shape_methods, 0); }

void em_lua_register_shape_module(lua_State *L)
{
    luaL_setfuncs(L, shape_methods, 0);
    lua_pushcfunction(L, l_cat);
    lua_setfield(L, -2, "cat");
    lua_pushcfunction(L, l_cat);
    lua_setfield(L, -2, "concat");
    lua_pushcfunction(L, l_stack);
    lua_setfield(L, -2, "stack");
}
