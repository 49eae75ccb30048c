/* lua_create.c — torch.tensor (from nested Lua tables), zeros, ones, empty,
** full, arange, linspace, eye, the *_like forms, and the random creators
** (rand, randn, randint, randperm) with manual_seed. */
#include <math.h>
#include <string.h>

#include "../autograd/autograd.h"
#include "../core/rng.h"
#include "../ops/ops.h"
#include "../ops/random.h"
#include "lua_bind.h"
#include "lua_util.h"

/* --- torch.tensor(data) --- */

typedef struct {
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    bool saw_bool, saw_int, saw_float;
} nested_info;

/* Walks the first elements to find the shape, then checks every element. */
static void probe_shape(lua_State *L, int idx, nested_info *info)
{
    lua_pushvalue(L, idx);
    while (lua_type(L, -1) == LUA_TTABLE && !em_lua_test_tensor(L, -1)) {
        if (info->ndim >= EM_MAX_DIMS) luaL_error(L, "tensor: nested more than %d levels deep", EM_MAX_DIMS);
        lua_Integer len = luaL_len(L, -1);
        info->shape[info->ndim++] = len;
        if (len == 0) break;
        lua_geti(L, -1, 1);
        lua_remove(L, -2);
    }
    lua_pop(L, 1);
}

static void fill_nested(lua_State *L, int idx, nested_info *info, int depth, double *out, int64_t *pos)
{
    if (depth == info->ndim) {
        int t = lua_type(L, idx);
        if (t == LUA_TNUMBER) {
            if (lua_isinteger(L, idx)) info->saw_int = true;
            else info->saw_float = true;
            out[(*pos)++] = lua_tonumber(L, idx);
        } else if (t == LUA_TBOOLEAN) {
            info->saw_bool = true;
            out[(*pos)++] = lua_toboolean(L, idx);
        } else if (t == LUA_TTABLE && !em_lua_test_tensor(L, idx)) {
            luaL_error(L, "tensor: ragged nested tables: expected a number at depth %d, found a table", depth + 1);
        } else {
            luaL_error(L, "tensor: could not convert a %s to a number (element %d)", luaL_typename(L, idx),
                       (int)*pos + 1);
        }
        return;
    }
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "tensor: ragged nested tables: expected a table of length %d at depth %d, found a %s",
                   (int)info->shape[depth], depth + 1, luaL_typename(L, idx));
    lua_Integer len = luaL_len(L, idx);
    if (len != info->shape[depth])
        luaL_error(L, "tensor: ragged nested tables: expected length %d at depth %d, found %d",
                   (int)info->shape[depth], depth + 1, (int)len);
    luaL_checkstack(L, 4, "tensor");
    for (lua_Integer i = 1; i <= len; i++) {
        lua_geti(L, idx, i);
        fill_nested(L, lua_gettop(L), info, depth + 1, out, pos);
        lua_pop(L, 1);
    }
}

/* Converts host doubles to dtype dt into buf (both userdata, GC-owned). */
static void convert_values(const double *v, int64_t n, em_dtype dt, void *buf)
{
    for (int64_t i = 0; i < n; i++) {
        switch (dt) {
        case EM_FLOAT32: ((float *)buf)[i] = (float)v[i]; break;
        case EM_FLOAT64: ((double *)buf)[i] = v[i]; break;
        case EM_INT64: ((int64_t *)buf)[i] = isfinite(v[i]) ? (int64_t)v[i] : 0; break;
        case EM_INT32: ((int32_t *)buf)[i] = isfinite(v[i]) ? (int32_t)(int64_t)v[i] : 0; break;
        case EM_UINT8: ((uint8_t *)buf)[i] = isfinite(v[i]) ? (uint8_t)(int64_t)v[i] : 0; break;
        case EM_BOOL: ((uint8_t *)buf)[i] = v[i] != 0; break;
        default: break;
        }
    }
}

static int l_tensor(lua_State *L)
{
    int opts = lua_gettop(L) >= 2 ? 2 : 0;
    if (opts) luaL_checktype(L, 2, LUA_TTABLE);
    bool rg = em_lua_opt_field_bool(L, opts, "requires_grad", false);
    em_tensor *src = em_lua_test_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    if (src) {                                          /* torch.tensor(t) copies */
        em_dtype dt = em_lua_opt_field_dtype(L, opts, src->dtype);
        EM_LUA_TRY(L, *box, em_op_to_dtype(src, dt));
    } else {
        nested_info info = {0};
        int t = lua_type(L, 1);
        if (t != LUA_TTABLE && t != LUA_TNUMBER && t != LUA_TBOOLEAN)
            return luaL_argerror(L, 1, lua_pushfstring(L, "number, boolean or table expected, got %s",
                                                        luaL_typename(L, 1)));
        probe_shape(L, 1, &info);
        int64_t n = em_shape_numel("tensor", info.ndim, info.shape);
        if (n < 0) return em_lua_raise(L);
        double *vals = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof(double), 0);
        int64_t pos = 0;
        fill_nested(L, 1, &info, 0, vals, &pos);
        /* any float -> float32; integers -> int64; only booleans -> bool; empty -> float32 */
        em_dtype inferred = info.saw_float ? EM_FLOAT32 : info.saw_int ? EM_INT64
                          : info.saw_bool ? EM_BOOL : EM_FLOAT32;
        em_dtype dt = em_lua_opt_field_dtype(L, opts, inferred);
        void *buf = lua_newuserdatauv(L, (size_t)(n ? n : 1) * em_dtype_size(dt), 0);
        convert_values(vals, n, dt, buf);
        EM_LUA_TRY(L, *box, em_op_from_host(buf, info.ndim, info.shape, dt, em_cpu_backend()));
        lua_pop(L, 2);
    }
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

/* --- filled tensors --- */

static int make_filled(lua_State *L, const char *op, double value, bool has_value_arg)
{
    int64_t shape[EM_MAX_DIMS];
    int opts = em_lua_find_options(L);
    int n = em_lua_check_sizes(L, 1, shape, op);
    em_dtype def = EM_FLOAT32;
    if (has_value_arg) {
        int vi = lua_type(L, 1) == LUA_TTABLE ? 2 : n + 1;
        if (lua_type(L, vi) == LUA_TBOOLEAN) {
            value = lua_toboolean(L, vi);
            def = EM_BOOL;
        } else {
            value = luaL_checknumber(L, vi);
            def = lua_isinteger(L, vi) ? EM_INT64 : EM_FLOAT32;
        }
    }
    em_dtype dt = em_lua_opt_field_dtype(L, opts, def);
    bool rg = em_lua_opt_field_bool(L, opts, "requires_grad", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_full(n, shape, value, dt, em_cpu_backend()));
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

static int l_zeros(lua_State *L) { return make_filled(L, "zeros", 0.0, false); }
static int l_ones(lua_State *L) { return make_filled(L, "ones", 1.0, false); }
static int l_empty(lua_State *L) { return make_filled(L, "empty", 0.0, false); }
static int l_full(lua_State *L) { return make_filled(L, "full", 0.0, true); }

/* zeros_like(t[, opts]) etc.: t's shape and dtype unless opts say otherwise */
static int make_like(lua_State *L, double value, int kind)
{
    em_tensor *t = em_lua_check_tensor(L, 1);
    int vi = 2;
    if (kind == 1) {
        value = lua_type(L, 2) == LUA_TBOOLEAN ? lua_toboolean(L, 2) : luaL_checknumber(L, 2);
        vi = 3;
    }
    int opts = lua_gettop(L) >= vi && em_lua_is_options(L, vi) ? vi : 0;
    em_dtype dt = em_lua_opt_field_dtype(L, opts, t->dtype);
    bool rg = em_lua_opt_field_bool(L, opts, "requires_grad", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(t->ndim, t->shape, dt, em_tensor_backend(t)));
    em_status st = EM_OK;
    if (kind == 2) st = em_op_uniform_(*box, 0.0, 1.0, em_rng_default());
    else if (kind == 3) st = em_op_normal_(*box, 0.0, 1.0, em_rng_default());
    else st = em_op_fill_(*box, value);
    EM_LUA_CHECK(L, st);
    (*box)->storage->version = 0;
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

static int l_zeros_like(lua_State *L) { return make_like(L, 0.0, 0); }
static int l_ones_like(lua_State *L) { return make_like(L, 1.0, 0); }
static int l_empty_like(lua_State *L) { return make_like(L, 0.0, 0); }
static int l_full_like(lua_State *L) { return make_like(L, 0.0, 1); }
static int l_rand_like(lua_State *L) { return make_like(L, 0.0, 2); }
static int l_randn_like(lua_State *L) { return make_like(L, 0.0, 3); }

static int l_arange(lua_State *L)
{
    int opts = em_lua_find_options(L);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    double start = 0, end, step = 1;
    bool all_int = true;
    for (int i = 1; i <= nargs; i++) {
        luaL_checknumber(L, i);
        all_int = all_int && lua_isinteger(L, i);
    }
    if (nargs == 1) end = lua_tonumber(L, 1);
    else if (nargs == 2 || nargs == 3) {
        start = lua_tonumber(L, 1);
        end = lua_tonumber(L, 2);
        if (nargs == 3) step = lua_tonumber(L, 3);
    } else {
        return luaL_error(L, "arange: expected arange(end) or arange(start, end[, step]), got %d numbers", nargs);
    }
    em_dtype dt = em_lua_opt_field_dtype(L, opts, all_int ? EM_INT64 : EM_FLOAT32);
    bool rg = em_lua_opt_field_bool(L, opts, "requires_grad", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_arange(start, end, step, dt));
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

static int l_linspace(lua_State *L)
{
    double start = luaL_checknumber(L, 1), end = luaL_checknumber(L, 2);
    int64_t steps = em_lua_check_int(L, 3);
    int opts = lua_gettop(L) >= 4 && em_lua_is_options(L, 4) ? 4 : 0;
    em_dtype dt = em_lua_opt_field_dtype(L, opts, EM_FLOAT32);
    bool rg = em_lua_opt_field_bool(L, opts, "requires_grad", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_linspace(start, end, steps, dt));
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

static int l_eye(lua_State *L)
{
    int64_t n = em_lua_check_int(L, 1);
    int64_t m = lua_type(L, 2) == LUA_TNUMBER ? em_lua_check_int(L, 2) : n;
    int opts = em_lua_find_options(L);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, EM_FLOAT32);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_eye(n, m, dt));
    return 1;
}

/* --- random --- */

static int make_random(lua_State *L, const char *op, int kind)
{
    int64_t shape[EM_MAX_DIMS];
    int opts = em_lua_find_options(L);
    int n = em_lua_check_sizes(L, 1, shape, op);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, EM_FLOAT32);
    bool rg = em_lua_opt_field_bool(L, opts, "requires_grad", false);
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(n, shape, dt, em_cpu_backend()));
    EM_LUA_CHECK(L, kind ? em_op_normal_(*box, 0.0, 1.0, g) : em_op_uniform_(*box, 0.0, 1.0, g));
    (*box)->storage->version = 0;
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

static int l_rand(lua_State *L) { return make_random(L, "rand", 0); }
static int l_randn(lua_State *L) { return make_random(L, "randn", 1); }

/* randint(high, size) or randint(low, high, size) */
static int l_randint(lua_State *L)
{
    int64_t low = 0, high, shape[EM_MAX_DIMS];
    int opts = em_lua_find_options(L);
    int si;
    if (lua_type(L, 2) == LUA_TNUMBER) {
        low = em_lua_check_int(L, 1);
        high = em_lua_check_int(L, 2);
        si = 3;
    } else {
        high = em_lua_check_int(L, 1);
        si = 2;
    }
    luaL_checktype(L, si, LUA_TTABLE);
    int n = em_lua_check_sizes(L, si, shape, "randint");
    em_dtype dt = em_lua_opt_field_dtype(L, opts, EM_INT64);
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(n, shape, dt, em_cpu_backend()));
    EM_LUA_CHECK(L, em_op_randint_(*box, low, high, g));
    (*box)->storage->version = 0;
    return 1;
}

static int l_randperm(lua_State *L)
{
    int64_t n = em_lua_check_int(L, 1);
    int opts = lua_gettop(L) >= 2 && em_lua_is_options(L, 2) ? 2 : 0;
    em_dtype dt = em_lua_opt_field_dtype(L, opts, EM_INT64);
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_randperm(n, g));
    if (dt != EM_INT64) {
        em_tensor *c;
        EM_LUA_TRY(L, c, em_op_to_dtype(*box, dt));
        em_tensor_release(*box);
        *box = c;
    }
    return 1;
}

static const luaL_Reg create_funcs[] = {
    {"tensor", l_tensor},         {"zeros", l_zeros},           {"ones", l_ones},
    {"empty", l_empty},           {"full", l_full},             {"zeros_like", l_zeros_like},
    {"ones_like", l_ones_like},   {"empty_like", l_empty_like}, {"full_like", l_full_like},
    {"rand_like", l_rand_like},   {"randn_like", l_randn_like}, {"arange", l_arange},
    {"linspace", l_linspace},     {"eye", l_eye},               {"rand", l_rand},
    {"randn", l_randn},           {"randint", l_randint},       {"randperm", l_randperm},
    {NULL, NULL},
};

void em_lua_register_create(lua_State *L) { luaL_setfuncs(L, create_funcs, 0); }
