/* lua_create.c — torch.tensor (from nested Lua tables), zeros, ones, empty,
** full, arange, linspace, eye, the *_like forms, and the random creators
** (rand, randn, randint, randperm) with manual_seed. A float tensor made
** without a dtype gets the default one (em_default_float: float32, or
** float64 after torch.set_default_dtype). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../autograd/autograd.h"
#include "../core/half.h"
#include "../core/rng.h"
#include "../core/runtime.h"
#include "../ops/ops.h"
#include "../ops/random.h"
#include "lua_bind.h"
#include "lua_util.h"

/* Options of the creation functions: one list each (lua_options.c). */
#define CREATE_KNOWN "dtype device requires_grad"
static const em_lua_opts TENSOR_OPTS = {"torch.tensor", CREATE_KNOWN, "pin_memory"};
static const em_lua_opts ZEROS_OPTS = {"torch.zeros", CREATE_KNOWN, "out layout pin_memory"};
static const em_lua_opts ONES_OPTS = {"torch.ones", CREATE_KNOWN, "out layout pin_memory"};
static const em_lua_opts EMPTY_OPTS = {"torch.empty", CREATE_KNOWN, "out layout pin_memory memory_format"};
static const em_lua_opts FULL_OPTS = {"torch.full", CREATE_KNOWN, "out layout pin_memory"};
static const em_lua_opts LIKE_OPTS[] = {
    {"torch.zeros_like", CREATE_KNOWN, "layout pin_memory memory_format"},
    {"torch.ones_like", CREATE_KNOWN, "layout pin_memory memory_format"},
    {"torch.empty_like", CREATE_KNOWN, "layout pin_memory memory_format"},
    {"torch.full_like", CREATE_KNOWN, "layout pin_memory memory_format"},
    {"torch.rand_like", CREATE_KNOWN, "layout pin_memory memory_format"},
    {"torch.randn_like", CREATE_KNOWN, "layout pin_memory memory_format"},
};
static const em_lua_opts ARANGE_OPTS = {"torch.arange", CREATE_KNOWN, "out layout pin_memory"};
static const em_lua_opts LINSPACE_OPTS = {"torch.linspace", CREATE_KNOWN, "out layout pin_memory"};
static const em_lua_opts LOGSPACE_OPTS = {"torch.logspace", CREATE_KNOWN " base", "out layout pin_memory"};
static const em_lua_opts NORMAL_OPTS = {"torch.normal", CREATE_KNOWN " generator size", "out layout pin_memory"};
static const em_lua_opts RANDINT_LIKE_OPTS = {"torch.randint_like", CREATE_KNOWN " generator",
                                             "layout pin_memory memory_format"};
static const em_lua_opts EYE_OPTS = {"torch.eye", CREATE_KNOWN, "out layout pin_memory"};
static const em_lua_opts RAND_OPTS = {"torch.rand", CREATE_KNOWN " generator", "out layout pin_memory"};
static const em_lua_opts RANDN_OPTS = {"torch.randn", CREATE_KNOWN " generator", "out layout pin_memory"};
static const em_lua_opts RANDINT_OPTS = {"torch.randint", CREATE_KNOWN " generator", "out layout pin_memory"};
static const em_lua_opts RANDPERM_OPTS = {"torch.randperm", CREATE_KNOWN " generator", "out layout pin_memory"};

/* --- torch.tensor(data) --- */

typedef struct {
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    bool saw_bool, saw_int, saw_float;
} nested_info;

/* One element as Lua gave it: Lua integers are kept as int64, so that
** values beyond 2^53 reach int64 storage exactly (a double would round). */
typedef struct {
    bool is_int;
    union {
        double d;
        int64_t i;
    };
} scalar_value;

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

static void fill_nested(lua_State *L, int idx, nested_info *info, int depth, scalar_value *out, int64_t *pos)
{
    if (depth == info->ndim) {
        int t = lua_type(L, idx);
        scalar_value *v = &out[(*pos)++];
        if (t == LUA_TNUMBER) {
            v->is_int = lua_isinteger(L, idx);
            if (v->is_int) {
                info->saw_int = true;
                v->i = lua_tointeger(L, idx);
            } else {
                info->saw_float = true;
                v->d = lua_tonumber(L, idx);
            }
        } else if (t == LUA_TBOOLEAN) {
            info->saw_bool = true;
            v->is_int = true;
            v->i = lua_toboolean(L, idx);
        } else if (t == LUA_TTABLE && !em_lua_test_tensor(L, idx)) {
            luaL_error(L, "tensor: ragged nested tables: expected a number at depth %d, found a table", depth + 1);
        } else {
            luaL_error(L, "tensor: could not convert a %s to a number (element %d)", luaL_typename(L, idx),
                       (int)*pos);
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

/* A float to an integer type: truncates toward zero; NaN and infinities
** give 0 (as before; PyTorch's result is undefined there). */
static int64_t float_to_int(double d)
{
    return isfinite(d) && d > -9223372036854775808.0 && d < 9223372036854775808.0 ? (int64_t)d : 0;
}

/* Converts the elements to dtype dt into buf. Integers convert to floats
** with one rounding (int64 -> float32 directly, as PyTorch does) and to
** integer types exactly (narrowing wraps, as a C cast). */
static void convert_values(const scalar_value *v, int64_t n, em_dtype dt, void *buf)
{
    for (int64_t i = 0; i < n; i++) {
        int64_t iv = v[i].is_int ? v[i].i : float_to_int(v[i].d);
        switch (dt) {
        case EM_FLOAT32: ((float *)buf)[i] = v[i].is_int ? (float)v[i].i : (float)v[i].d; break;
        case EM_FLOAT64: ((double *)buf)[i] = v[i].is_int ? (double)v[i].i : v[i].d; break;
        case EM_INT64: ((int64_t *)buf)[i] = iv; break;
        case EM_INT32: ((int32_t *)buf)[i] = (int32_t)iv; break;
        case EM_UINT8: ((uint8_t *)buf)[i] = (uint8_t)iv; break;
        case EM_BOOL: ((uint8_t *)buf)[i] = v[i].is_int ? v[i].i != 0 : v[i].d != 0; break;
        case EM_FLOAT16: /* through float32, as c10::Half */
            ((uint16_t *)buf)[i] = em_f32_to_f16(v[i].is_int ? (float)v[i].i : (float)v[i].d);
            break;
        case EM_BFLOAT16:
            ((uint16_t *)buf)[i] = em_f32_to_bf16(v[i].is_int ? (float)v[i].i : (float)v[i].d);
            break;
        default: break;
        }
    }
}

static int l_tensor(lua_State *L)
{
    int opts = lua_gettop(L) >= 2 ? 2 : 0;
    if (opts) luaL_checktype(L, 2, LUA_TTABLE);
    em_lua_check_options(L, opts, &TENSOR_OPTS);
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
        scalar_value *vals = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof(scalar_value), 0);
        int64_t pos = 0;
        fill_nested(L, 1, &info, 0, vals, &pos);
        /* any float -> the default (float32); integers -> int64; only booleans -> bool; empty -> the default */
        em_dtype inferred = info.saw_float ? em_default_float() : info.saw_int ? EM_INT64
                          : info.saw_bool ? EM_BOOL : em_default_float();
        em_dtype dt = em_lua_opt_field_dtype(L, opts, inferred);
        void *buf = lua_newuserdatauv(L, (size_t)(n ? n : 1) * em_dtype_size(dt), 0);
        convert_values(vals, n, dt, buf);
        EM_LUA_TRY(L, *box, em_op_from_host(buf, info.ndim, info.shape, dt, em_lua_opt_field_backend(L, opts, "tensor")));
        lua_pop(L, 2);
    }
    if (rg) EM_LUA_CHECK(L, em_set_requires_grad(*box, true));
    return 1;
}

/* --- filled tensors --- */

/* requires_grad from the options (checked), applied to the new tensor in *box */
static void apply_requires_grad(lua_State *L, int opts, em_tensor *t)
{
    if (em_lua_opt_field_bool(L, opts, "requires_grad", false) && em_set_requires_grad(t, true) != EM_OK)
        em_lua_raise(L);
}

static int make_filled(lua_State *L, const em_lua_opts *spec, double value, bool has_value_arg)
{
    int64_t shape[EM_MAX_DIMS];
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, spec);
    const char *op = spec->fn + 6;   /* without "torch." */
    int n = em_lua_check_sizes(L, 1, shape, op);
    em_dtype def = em_default_float();
    int vi = 0;
    if (has_value_arg) {
        vi = lua_type(L, 1) == LUA_TTABLE ? 2 : n + 1;
        if (lua_type(L, vi) == LUA_TBOOLEAN) def = EM_BOOL;
        else if (lua_type(L, vi) == LUA_TNUMBER) def = lua_isinteger(L, vi) ? EM_INT64 : em_default_float();
        else return luaL_error(L, "%s: expected a fill value (a number or boolean) after the size, got %s", op,
                               luaL_typename(L, vi));
    }
    em_dtype dt = em_lua_opt_field_dtype(L, opts, def);
    const em_backend *be = em_lua_opt_field_backend(L, opts, op);
    em_tensor **box = em_lua_newbox(L);
    if (vi) {
        EM_LUA_TRY(L, *box, em_tensor_empty(n, shape, dt, be));
        em_lua_fill(L, *box, vi, op);      /* integers beyond 2^53 exactly */
        (*box)->storage->version = 0;
    } else {
        EM_LUA_TRY(L, *box, em_op_full(n, shape, value, dt, be));
    }
    apply_requires_grad(L, opts, *box);
    return 1;
}

static int l_zeros(lua_State *L) { return make_filled(L, &ZEROS_OPTS, 0.0, false); }
static int l_ones(lua_State *L) { return make_filled(L, &ONES_OPTS, 1.0, false); }
static int l_empty(lua_State *L) { return make_filled(L, &EMPTY_OPTS, 0.0, false); }
static int l_full(lua_State *L) { return make_filled(L, &FULL_OPTS, 0.0, true); }

/* zeros_like(t[, opts]) etc.: t's shape and dtype unless opts say otherwise.
** kind: 0 zeros/ones/empty (value), 1 full (value argument), 2 rand, 3 randn */
static int make_like(lua_State *L, double value, int kind, const em_lua_opts *spec)
{
    em_tensor *t = em_lua_check_tensor(L, 1);
    int vi = kind == 1 ? 3 : 2;
    if (kind == 1 && lua_type(L, 2) != LUA_TNUMBER && lua_type(L, 2) != LUA_TBOOLEAN)
        return luaL_error(L, "full_like: expected a fill value (a number or boolean), got %s", luaL_typename(L, 2));
    int opts = lua_gettop(L) >= vi && em_lua_is_options(L, vi) ? vi : 0;
    em_lua_check_options(L, opts, spec);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, t->dtype);
    bool has_device = opts && lua_getfield(L, opts, "device") != LUA_TNIL;
    if (opts) lua_pop(L, 1);
    const em_backend *be = has_device ? em_lua_opt_field_backend(L, opts, spec->fn + 6) : em_tensor_backend(t);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(t->ndim, t->shape, dt, be));
    em_status st = EM_OK;
    if (kind == 2) st = em_op_uniform_(*box, 0.0, 1.0, em_rng_default());
    else if (kind == 3) st = em_op_normal_(*box, 0.0, 1.0, em_rng_default());
    else if (kind == 1) em_lua_fill(L, *box, 2, "full_like");
    else st = em_op_fill_(*box, value);
    EM_LUA_CHECK(L, st);
    (*box)->storage->version = 0;
    apply_requires_grad(L, opts, *box);
    return 1;
}

static int l_zeros_like(lua_State *L) { return make_like(L, 0.0, 0, &LIKE_OPTS[0]); }
static int l_ones_like(lua_State *L) { return make_like(L, 1.0, 0, &LIKE_OPTS[1]); }
static int l_empty_like(lua_State *L) { return make_like(L, 0.0, 0, &LIKE_OPTS[2]); }
static int l_full_like(lua_State *L) { return make_like(L, 0.0, 1, &LIKE_OPTS[3]); }
static int l_rand_like(lua_State *L) { return make_like(L, 0.0, 2, &LIKE_OPTS[4]); }
static int l_randn_like(lua_State *L) { return make_like(L, 0.0, 3, &LIKE_OPTS[5]); }

static int l_arange(lua_State *L)
{
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &ARANGE_OPTS);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    double start = 0, end, step = 1;
    bool all_int = true;
    for (int i = 1; i <= nargs; i++) {
        em_lua_check_scalar(L, i, "arange");
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
    em_dtype dt = em_lua_opt_field_dtype(L, opts, all_int ? EM_INT64 : em_default_float());
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_arange(start, end, step, dt));
    apply_requires_grad(L, opts, *box);
    return 1;
}

static int l_linspace(lua_State *L)
{
    double start = em_lua_check_scalar(L, 1, "linspace"), end = em_lua_check_scalar(L, 2, "linspace");
    int64_t steps = em_lua_check_int(L, 3);
    int opts = lua_gettop(L) >= 4 && em_lua_is_options(L, 4) ? 4 : 0;
    em_lua_check_options(L, opts, &LINSPACE_OPTS);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, em_default_float());
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_linspace(start, end, steps, dt));
    apply_requires_grad(L, opts, *box);
    return 1;
}

/* logspace(start, end, steps[, base=10][, {base =, dtype =}]) */
static int l_logspace(lua_State *L)
{
    double start = em_lua_check_scalar(L, 1, "logspace"), end = em_lua_check_scalar(L, 2, "logspace");
    int64_t steps = em_lua_check_int(L, 3);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &LOGSPACE_OPTS);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    if (nargs > 4) return luaL_error(L, "logspace: expected logspace(start, end, steps[, base])");
    double base = 10.0;
    if (nargs == 4) base = em_lua_check_scalar(L, 4, "logspace");
    if (opts && lua_getfield(L, opts, "base") != LUA_TNIL) {
        if (nargs == 4) return luaL_error(L, "logspace: base given twice (as an argument and as an option)");
        base = em_lua_check_scalar(L, -1, "logspace");
    }
    em_dtype dt = em_lua_opt_field_dtype(L, opts, em_default_float());
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_logspace(start, end, steps, base, dt));
    apply_requires_grad(L, opts, *box);
    return 1;
}

static int l_eye(lua_State *L)
{
    int64_t n = em_lua_check_int(L, 1);
    int64_t m = lua_type(L, 2) == LUA_TNUMBER ? em_lua_check_int(L, 2) : n;
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &EYE_OPTS);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, em_default_float());
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_eye(n, m, dt));
    apply_requires_grad(L, opts, *box);
    return 1;
}

/* --- random --- */

static int make_random(lua_State *L, const em_lua_opts *spec, int kind)
{
    int64_t shape[EM_MAX_DIMS];
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, spec);
    int n = em_lua_check_sizes(L, 1, shape, spec->fn + 6);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, em_default_float());
    const em_backend *be = em_lua_opt_field_backend(L, opts, spec->fn + 6);
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(n, shape, dt, be));
    EM_LUA_CHECK(L, kind ? em_op_normal_(*box, 0.0, 1.0, g) : em_op_uniform_(*box, 0.0, 1.0, g));
    (*box)->storage->version = 0;
    apply_requires_grad(L, opts, *box);
    return 1;
}

static int l_rand(lua_State *L) { return make_random(L, &RAND_OPTS, 0); }
static int l_randn(lua_State *L) { return make_random(L, &RANDN_OPTS, 1); }

/* randint(high, size) or randint(low, high, size) */
static int l_randint(lua_State *L)
{
    int64_t low = 0, high, shape[EM_MAX_DIMS];
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &RANDINT_OPTS);
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
    const em_backend *be = em_lua_opt_field_backend(L, opts, "randint");
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(n, shape, dt, be));
    EM_LUA_CHECK(L, em_op_randint_(*box, low, high, g));
    (*box)->storage->version = 0;
    apply_requires_grad(L, opts, *box);
    return 1;
}

static int l_randperm(lua_State *L)
{
    int64_t n = em_lua_check_int(L, 1);
    int opts = lua_gettop(L) >= 2 && em_lua_is_options(L, 2) ? 2 : 0;
    em_lua_check_options(L, opts, &RANDPERM_OPTS);
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
    apply_requires_grad(L, opts, *box);
    return 1;
}

/* randint_like(t, [low,] high[, opts]): t's shape and dtype */
static int l_randint_like(lua_State *L)
{
    em_tensor *t = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &RANDINT_LIKE_OPTS);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    int64_t low = 0, high;
    if (nargs == 3) {
        low = em_lua_check_int(L, 2);
        high = em_lua_check_int(L, 3);
    } else if (nargs == 2) {
        high = em_lua_check_int(L, 2);
    } else {
        return luaL_error(L, "randint_like: expected randint_like(input, high) or randint_like(input, low, high)");
    }
    em_dtype dt = em_lua_opt_field_dtype(L, opts, t->dtype);
    bool has_device = opts && lua_getfield(L, opts, "device") != LUA_TNIL;
    if (opts) lua_pop(L, 1);
    const em_backend *be = has_device ? em_lua_opt_field_backend(L, opts, "randint_like") : em_tensor_backend(t);
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(t->ndim, t->shape, dt, be));
    EM_LUA_CHECK(L, em_op_randint_(*box, low, high, g));
    (*box)->storage->version = 0;
    apply_requires_grad(L, opts, *box);
    return 1;
}

/* normal(mean, std[, size]): each of mean and std a tensor or a number
** (two numbers need the size). The stream is PyTorch's: a tensor std draws
** standard normals and computes z * std + mean; a tensor mean with a number
** std draws normal(0, std) and adds mean; two numbers draw normal(mean, std).
** The gradients for mean and std are zeros (PyTorch's NormalBackward1-3). */
static int l_normal(lua_State *L)
{
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &NORMAL_OPTS);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    em_tensor *mt = em_lua_test_tensor(L, 1), *st = em_lua_test_tensor(L, 2);
    double m = mt ? 0.0 : em_lua_check_scalar(L, 1, "normal");
    double sd = st ? 1.0 : (nargs >= 2 && !lua_isnil(L, 2) ? em_lua_check_scalar(L, 2, "normal") : 1.0);
    em_rng *g = em_lua_opt_generator(L, opts);
    if (!st && !(sd >= 0.0)) {
        char num[32];
        snprintf(num, sizeof num, "%g", sd);
        return luaL_error(L, "normal: normal expects std >= 0.0, but found std %s", num);
    }
    if (st) {
        em_tensor **mn = em_lua_newbox(L);
        EM_LUA_TRY(L, *mn, em_op_reduce(EM_R_MIN, st, 0, false));
        em_tensor **ok = em_lua_newbox(L);
        EM_LUA_TRY(L, *ok, em_op_binary_scalar(EM_B_GE, *mn, 0.0));
        bool good;
        EM_LUA_CHECK(L, em_op_to_host(*ok, &good, sizeof good));
        if (em_tensor_numel(st) > 0 && !good) return luaL_error(L, "normal: normal expects all elements of std >= 0.0");
    }
    em_tensor **box = em_lua_newbox(L);
    int out = lua_gettop(L);
    if (!mt && !st) {   /* normal(mean, std, size) */
        int64_t shape[EM_MAX_DIMS];
        int si = nargs >= 3 ? 3 : 0;
        if (opts && lua_getfield(L, opts, "size") != LUA_TNIL) {
            if (si) return luaL_error(L, "normal: size given twice (as an argument and as an option)");
            si = lua_gettop(L);
        }
        if (!si) return luaL_error(L, "normal: with a number mean and std, give the size: normal(mean, std, size)");
        if (lua_type(L, si) != LUA_TTABLE) return luaL_error(L, "normal: size must be a table of sizes");
        int n = em_lua_check_sizes(L, si, shape, "normal");
        em_dtype dt = em_lua_opt_field_dtype(L, opts, em_default_float());
        const em_backend *be = em_lua_opt_field_backend(L, opts, "normal");
        EM_LUA_TRY(L, *box, em_tensor_empty(n, shape, dt, be));
        EM_LUA_CHECK(L, em_op_normal_(*box, m, sd, g));
    } else {
        if (nargs > 2) return luaL_error(L, "normal: size is only for a number mean and std");
        if (opts) {
            static const char *const only_numbers[] = {"size", "dtype", "device", "requires_grad"};
            for (int k = 0; k < 4; k++)
                if (lua_getfield(L, opts, only_numbers[k]) != LUA_TNIL)
                    return luaL_error(L, "normal: %s is only for a number mean and std", only_numbers[k]);
        }
        const em_tensor *like = mt ? mt : st;
        int nd = like->ndim;
        int64_t shape[EM_MAX_DIMS];
        memcpy(shape, like->shape, sizeof(int64_t) * (size_t)nd);
        if (mt && st && em_broadcast_shapes("normal", mt->ndim, mt->shape, st->ndim, st->shape, &nd, shape) != EM_OK)
            return em_lua_raise(L);
        if (!em_dtype_is_float(like->dtype)) return luaL_error(L, "normal: expected a floating point tensor");
        EM_LUA_TRY(L, *box, em_tensor_empty(nd, shape, like->dtype, em_tensor_backend(like)));
        if (mt && !st) {   /* normal(0, std) + mean */
            EM_LUA_CHECK(L, em_op_normal_(*box, 0.0, sd, g));
            EM_LUA_CHECK(L, em_op_binary_(EM_B_ADD, *box, mt));
        } else {           /* z * std + mean */
            EM_LUA_CHECK(L, em_op_normal_(*box, 0.0, 1.0, g));
            EM_LUA_CHECK(L, em_op_binary_(EM_B_MUL, *box, st));
            if (mt) EM_LUA_CHECK(L, em_op_binary_(EM_B_ADD, *box, mt));
            else EM_LUA_CHECK(L, em_op_binary_value_(EM_B_ADD, *box, (em_scalar){EM_FLOAT64, 0, m}));
        }
    }
    (*box)->storage->version = 0;
    lua_settop(L, out);
    if (!mt && !st) {
        apply_requires_grad(L, opts, *box);
    } else {   /* PyTorch's node with zero gradients for mean and std */
        em_tensor *ins[2] = {mt ? mt : st, st};
        EM_LUA_CHECK(L, em_record_zero_grad(mt && st ? "NormalBackward3" : mt ? "NormalBackward1" : "NormalBackward2",
                                            *box, mt && st ? 2 : 1, ins));
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
    {"logspace", l_logspace},     {"randint_like", l_randint_like}, {"normal", l_normal},
    {NULL, NULL},
};

void em_lua_register_create(lua_State *L) { luaL_setfuncs(L, create_funcs, 0); }
