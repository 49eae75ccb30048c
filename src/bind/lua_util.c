/* lua_util.c — shared binding helpers (see lua_util.h). */
#include <limits.h>
#include "lua_util.h"

#include <math.h>
#include <string.h>

#include "../core/runtime.h"
#include "../autograd/autograd.h"
#include "../ops/ops.h"

lua_State *em_lua_current;

em_tensor *em_lua_test_tensor(lua_State *L, int idx)
{
    em_lua_current = L;
    em_tensor **p = luaL_testudata(L, idx, EM_TENSOR_MT);
    return p ? *p : NULL;
}

/* x.size() instead of x:size(), a Python habit: the running C function
** was not called as a method, and either got no arguments at all or is a
** Tensor method that torch does not also have as a function (torch.sum(5)
** is just a bad argument). Sets method_name. */
static const char *method_name;
static bool method_called_with_dot(lua_State *L)
{
    lua_Debug ar;
    if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "n", &ar) || !ar.name || !ar.namewhat) return false;
    if (strcmp(ar.namewhat, "method") == 0 || strcmp(ar.namewhat, "global") == 0) return false;
    method_name = ar.name;
    if (lua_isnone(L, 1)) return true;
    bool in_torch = false;
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "torch") == LUA_TTABLE) {
        lua_pushstring(L, ar.name);
        in_torch = lua_rawget(L, -2) != LUA_TNIL;
        lua_pop(L, 1);
    }
    lua_pop(L, 2);
    return !in_torch;
}

em_tensor *em_lua_check_tensor(lua_State *L, int idx)
{
    em_lua_current = L;
    em_tensor **p = luaL_testudata(L, idx, EM_TENSOR_MT);
    if (!p) {
        const char *got = luaL_typename(L, idx);
        if (idx == 1 && method_called_with_dot(L))
            luaL_error(L, "%s: expected a tensor first, got %s; call tensor methods with ':', as in x:%s(...) "
                       "(x.%s(...) passes no tensor)", method_name, lua_isnone(L, 1) ? "nothing" : got,
                       method_name, method_name);
        luaL_argerror(L, idx, lua_pushfstring(L, "Tensor expected, got %s", got));
    }
    if (!*p) luaL_argerror(L, idx, "tensor was closed (released with <close>)");
    return *p;
}

em_tensor **em_lua_newbox(lua_State *L)
{
    em_lua_current = L;
    if (em_mem_pressure()) {
        lua_gc(L, LUA_GCCOLLECT);
        em_mem_collected();
    } else {
        size_t kb = em_mem_step_due();
        if (kb) lua_gc(L, LUA_GCSTEP, kb > INT_MAX ? INT_MAX : (int)kb);
    }
    em_tensor **box = lua_newuserdatauv(L, sizeof(em_tensor *), 0);
    *box = NULL;
    luaL_setmetatable(L, EM_TENSOR_MT);
    return box;
}

void em_lua_push_tensor(lua_State *L, em_tensor *t)
{
    em_tensor **box = lua_newuserdatauv(L, sizeof(em_tensor *), 0);
    *box = t;
    luaL_setmetatable(L, EM_TENSOR_MT);
}

/* The name the user called the current C function by ("zeros", "mm",
** "add_"; "__add" -> "add"), or NULL. */
static const char *called_name(lua_State *L)
{
    lua_Debug ar;
    if (!lua_getstack(L, 0, &ar) || !lua_getinfo(L, "n", &ar) || !ar.name) return NULL;
    const char *n = ar.name;
    if (n[0] == '_' && n[1] == '_') n += 2;
    return n;
}

/* Engine messages start with the engine op's name ("matmul: ...", "tensor:
** ..."); the learner called something else ("mm", "zeros"), so the message
** is re-labelled with the name they used. */
int em_lua_raise(lua_State *L)
{
    const char *msg = em_last_error();
    const char *name = called_name(L);
    const char *colon = strstr(msg, ": ");
    if (name && colon && colon - msg <= 24) {
        size_t plen = (size_t)(colon - msg), nlen = strlen(name);
        if (plen == nlen && strncmp(msg, name, nlen) == 0) return luaL_error(L, "%s", msg);
        return luaL_error(L, "%s: %s", name, colon + 2);
    }
    if (name && strncmp(msg, name, strlen(name)) != 0) return luaL_error(L, "%s: %s", name, msg);
    return luaL_error(L, "%s", msg);
}

void em_lua_collect(lua_State *L)
{
    lua_gc(L, LUA_GCCOLLECT);
    em_mem_collected();
}

bool em_lua_test_number(lua_State *L, int idx, em_scalar *s)
{
    switch (lua_type(L, idx)) {
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            int64_t v = lua_tointeger(L, idx);
            *s = (em_scalar){EM_INT64, v, (double)v};
        } else {
            *s = (em_scalar){EM_FLOAT64, 0, lua_tonumber(L, idx)};
        }
        return true;
    case LUA_TBOOLEAN:
        *s = (em_scalar){EM_BOOL, lua_toboolean(L, idx), lua_toboolean(L, idx)};
        return true;
    default:
        return false;
    }
}

em_tensor *em_lua_check_operand(lua_State *L, int idx, const em_tensor *like)
{
    em_tensor *t = em_lua_test_tensor(L, idx);
    if (t) return t;
    if (luaL_testudata(L, idx, EM_TENSOR_MT)) luaL_argerror(L, idx, "tensor was closed (released with <close>)");
    const em_backend *be = like ? em_tensor_backend(like) : NULL;   /* NULL: the default device's */
    em_scalar s;
    if (!em_lua_test_number(L, idx, &s)) {
        const char *got = luaL_typename(L, idx);
        luaL_argerror(L, idx, lua_pushfstring(L, "Tensor or number expected, got %s", got));
        return NULL;
    }
    em_tensor **box = em_lua_newbox(L);
    if (s.dtype == EM_INT64) {   /* exact: a double would round beyond 2^53 */
        *box = em_op_from_host(&s.i, 0, NULL, EM_INT64, be);
        if (*box) (*box)->is_wrapped = true;
    } else {
        *box = em_op_scalar(s.dtype == EM_BOOL ? (double)s.i : s.f, s.dtype, be, true);
    }
    if (!*box) em_lua_raise(L);
    return *box;
}

bool em_lua_int_fits_double(lua_Integer v)
{
    double d = (double)v;
    return d >= -9223372036854775808.0 && d < 9223372036854775808.0 && (lua_Integer)d == v;
}

double em_lua_check_scalar(lua_State *L, int idx, const char *op)
{
    if (lua_isinteger(L, idx)) {
        lua_Integer v = lua_tointeger(L, idx);
        if (!em_lua_int_fits_double(v))
            luaL_error(L, "%s: the integer %I is beyond 2^53 and would be rounded here (this argument is used "
                       "as a double); use a float, or a tensor: torch.tensor(%I)", op, v, v);
        return (double)v;
    }
    if (lua_type(L, idx) != LUA_TNUMBER)
        luaL_error(L, "%s: expected a number, got %s", op, luaL_typename(L, idx));
    return lua_tonumber(L, idx);
}

void em_lua_fill(lua_State *L, em_tensor *x, int idx, const char *op)
{
    em_status st;
    if (lua_type(L, idx) == LUA_TBOOLEAN) {
        st = em_fill_(x, lua_toboolean(L, idx));
    } else if (lua_isinteger(L, idx) && !em_lua_int_fits_double(lua_tointeger(L, idx))) {
        em_tensor *v = em_lua_check_operand(L, idx, x);   /* exact int64, anchored on the stack */
        st = em_copy_(x, v);
        lua_pop(L, 1);
    } else {
        st = em_fill_(x, em_lua_check_scalar(L, idx, op));
    }
    if (st != EM_OK) em_lua_raise(L);
}

int64_t em_lua_check_int(lua_State *L, int idx)
{
    if (lua_isinteger(L, idx)) return lua_tointeger(L, idx);
    if (lua_type(L, idx) == LUA_TNUMBER) {
        double v = lua_tonumber(L, idx);
        if (v == floor(v) && fabs(v) < 9.2e18) return (int64_t)v;
        luaL_argerror(L, idx, lua_pushfstring(L, "integer expected, got %f", v));
    }
    luaL_argerror(L, idx, lua_pushfstring(L, "integer expected, got %s", luaL_typename(L, idx)));
    return 0;
}

int em_lua_check_dim(lua_State *L, int idx)
{
    int64_t d = em_lua_check_int(L, idx);
    if (d == 0)
        luaL_argerror(L, idx, "dim 0 is not valid: dims are 1-based in ember (1 = first, -1 = last)");
    if (d > 64 || d < -64) luaL_argerror(L, idx, lua_pushfstring(L, "dim %I is out of range", (lua_Integer)d));
    return (int)(d > 0 ? d - 1 : d);
}

int em_lua_opt_dim(lua_State *L, int idx, int def)
{
    return lua_isnoneornil(L, idx) ? def : em_lua_check_dim(L, idx);
}

int64_t em_lua_check_pos(lua_State *L, int idx)
{
    int64_t i = em_lua_check_int(L, idx);
    if (i == 0)
        luaL_argerror(L, idx, "index 0 is not valid: positions are 1-based in ember (1 = first, -1 = last)");
    return i > 0 ? i - 1 : i;
}

int em_lua_check_sizes(lua_State *L, int idx, int64_t *shape, const char *op)
{
    int n = 0;
    if (lua_type(L, idx) == LUA_TTABLE && !em_lua_test_tensor(L, idx)) {
        lua_Integer len = luaL_len(L, idx);
        if (len > EM_MAX_DIMS)
            luaL_error(L, "%s: %d dims requested; at most %d are supported", op, (int)len, EM_MAX_DIMS);
        for (lua_Integer i = 1; i <= len; i++) {
            lua_geti(L, idx, i);
            shape[n++] = em_lua_check_int(L, -1);
            lua_pop(L, 1);
        }
        return n;
    }
    int top = lua_gettop(L);
    int i = idx;
    for (; i <= top && lua_type(L, i) == LUA_TNUMBER; i++) {
        if (n >= EM_MAX_DIMS) luaL_error(L, "%s: at most %d dims are supported", op, EM_MAX_DIMS);
        shape[n++] = em_lua_check_int(L, i);
    }
    if (i <= top && !lua_isnil(L, i) && !em_lua_is_options(L, i))
        luaL_argerror(L, i, lua_pushfstring(L, "size expected (integers or a table of integers), got %s",
                                            luaL_typename(L, i)));
    return n;
}

uint32_t em_lua_check_dims_mask(lua_State *L, int idx, const em_tensor *x, const char *op)
{
    int64_t dims[EM_MAX_DIMS];
    int n = 0;
    if (lua_type(L, idx) == LUA_TTABLE) {
        lua_Integer len = luaL_len(L, idx);
        if (len > EM_MAX_DIMS) luaL_error(L, "%s: too many dims", op);
        for (lua_Integer i = 1; i <= len; i++) {
            lua_geti(L, idx, i);
            dims[n++] = em_lua_check_dim(L, -1);
            lua_pop(L, 1);
        }
        if (n == 0) return 0;
    } else {
        dims[n++] = em_lua_check_dim(L, idx);
    }
    uint32_t mask;
    if (em_dims_to_mask(op, dims, n, x->ndim, &mask) != EM_OK) em_lua_raise(L);
    if (mask == 0 && x->ndim == 0) return 0;
    return mask;
}

/* --- dtypes --- */

void em_lua_push_dtype(lua_State *L, em_dtype dt)
{
    lua_getfield(L, LUA_REGISTRYINDEX, "torch.dtypes");
    lua_geti(L, -1, (lua_Integer)dt + 1);
    lua_remove(L, -2);
}

bool em_lua_is_dtype(lua_State *L, int idx) { return luaL_testudata(L, idx, EM_DTYPE_MT) != NULL; }

em_dtype em_lua_check_dtype(lua_State *L, int idx)
{
    int *p = luaL_testudata(L, idx, EM_DTYPE_MT);
    if (p) return (em_dtype)*p;
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lua_tostring(L, idx);
        if (strncmp(s, "torch.", 6) == 0) s += 6;
        int dt = em_dtype_from_name(s);
        if (dt >= 0) return (em_dtype)dt;
        luaL_argerror(L, idx, lua_pushfstring(L, "unknown dtype '%s' (try torch.float32, torch.int64, "
                                                 "torch.bool, ...)", lua_tostring(L, idx)));
    }
    luaL_argerror(L, idx, lua_pushfstring(L, "dtype expected (e.g. torch.float32), got %s", luaL_typename(L, idx)));
    return EM_FLOAT32;
}

bool em_lua_is_options(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TTABLE || lua_getmetatable(L, idx)) {
        if (lua_type(L, idx) == LUA_TTABLE) lua_pop(L, 1);   /* a table with a metatable (torch.Size) */
        return false;
    }
    lua_geti(L, idx, 1);
    bool has_array = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return !has_array;
}

int em_lua_find_options(lua_State *L)
{
    int top = lua_gettop(L);
    return top > 0 && em_lua_is_options(L, top) ? top : 0;
}

const em_backend *em_lua_check_device(lua_State *L, const char *op, int idx)
{
    const em_backend *be = em_backend_for(em_lua_to_device(L, op, idx));
    if (!be) luaL_error(L, "%s: %s", op, em_last_error());
    return be;
}

const em_backend *em_lua_opt_field_backend(lua_State *L, int idx, const char *op)
{
    const em_backend *be = NULL;
    if (idx && lua_getfield(L, idx, "device") != LUA_TNIL) be = em_lua_check_device(L, op, lua_gettop(L));
    if (idx) lua_pop(L, 1);
    if (!be) be = em_backend_for(em_default_device());
    if (!be) luaL_error(L, "%s: %s", op, em_last_error());
    return be;
}

em_dtype em_lua_opt_field_dtype(lua_State *L, int idx, em_dtype def)
{
    if (!idx) return def;
    /* creation options also name a device: it must be one that exists */
    lua_getfield(L, idx, "device");
    if (!lua_isnil(L, -1)) {
        const char *op = "tensor creation";
        lua_Debug ar;
        if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.name) op = ar.name;
        em_lua_check_device(L, op, lua_gettop(L));
    }
    lua_pop(L, 1);
    lua_getfield(L, idx, "dtype");
    em_dtype dt = lua_isnil(L, -1) ? def : em_lua_check_dtype(L, -1);
    lua_pop(L, 1);
    return dt;
}

bool em_lua_opt_field_bool(lua_State *L, int idx, const char *name, bool def)
{
    if (!idx) return def;
    lua_getfield(L, idx, name);
    bool v = lua_isnil(L, -1) ? def : lua_toboolean(L, -1);
    lua_pop(L, 1);
    return v;
}

/* PyTorch's positional forms of var, std, var_mean and std_mean:
** (x[, unbiased]) or (x, dim[, unbiased[, keepdim]]), then options. They
** are folded into one options table (a copy: the caller's is left alone),
** which replaces the arguments after x, so the dim/keepdim parsing sees
** only options. keepdim is PyTorch's third position, not its second. */
void em_lua_var_positional(lua_State *L, const char *fn)
{
    int opts = em_lua_find_options(L);
    int n = (opts ? opts - 1 : lua_gettop(L)) - 1;       /* positional arguments after x */
    if (n > 3) luaL_error(L, "%s: too many arguments (expected dim, unbiased and keepdim, then options)", fn);
    lua_newtable(L);
    int merged = lua_gettop(L);
    if (opts) {
        lua_pushnil(L);
        while (lua_next(L, opts)) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_settable(L, merged);
        }
    }
    static const char *const by_position[] = {"dim", "unbiased", "keepdim"};
    bool unbiased_only = n == 1 && lua_isboolean(L, 2);   /* var(x, false) */
    for (int i = 0; i < n; i++) {
        const char *name = unbiased_only ? "unbiased" : by_position[i];
        int at = 2 + i;
        if (lua_isnil(L, at)) continue;
        if (i > 0 && !lua_isboolean(L, at))
            luaL_error(L, "%s: %s (argument %d) must be a boolean, got %s", fn, name, at, luaL_typename(L, at));
        if (lua_getfield(L, merged, name) != LUA_TNIL)
            luaL_error(L, "%s: %s given twice (as an argument and as an option)", fn, name);
        lua_pop(L, 1);
        lua_pushvalue(L, at);
        lua_setfield(L, merged, name);
    }
    lua_replace(L, 2);
    lua_settop(L, 2);
}
