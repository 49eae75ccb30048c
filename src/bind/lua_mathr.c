/* lua_mathr.c — Lua bindings of the math beyond the op table's generic
** bindings: cumsum, cumprod, logsumexp, amax, amin, count_nonzero, norm and
** torch.linalg.vector_norm, std_mean, var_mean, isnan, isinf, isposinf,
** isneginf, isfinite, isclose, nan_to_num, lerp and clamp with tensor
** bounds. Each checks its arguments (positional like PyTorch, or a trailing
** options table) and calls one function of autograd/ or ops/.
** Not here: linalg.matrix_norm and allclose (Lua: torch/linalg.lua, init.lua). */
#include <float.h>
#include <math.h>
#include <string.h>

#include "../autograd/autograd.h"
#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

#define MAX_ARGS 6

/* The arguments after the tensor(s) by name: positional from index first
** on, or in a trailing options table (checked against spec, whose known
** list names them in order). idx[i] is the stack index of names[i], 0 when
** not given (nil counts as not given). */
static int named_args(lua_State *L, const em_lua_opts *spec, int first, const char *const *names, int n, int *idx)
{
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, spec);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    if (nargs - first + 1 > n)
        luaL_error(L, "%s: too many arguments (expected at most %d after the tensor, then options)", spec->fn, n);
    for (int i = 0; i < n; i++) {
        int k = first + i;
        idx[i] = k <= nargs && !lua_isnil(L, k) ? k : 0;
        if (!opts) continue;
        lua_getfield(L, opts, names[i]);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        if (idx[i]) luaL_error(L, "%s: %s given twice (as an argument and as an option)", spec->fn, names[i]);
        idx[i] = lua_gettop(L);
    }
    return opts;
}

static bool opt_bool(lua_State *L, int idx, const char *fn, const char *name, bool def)
{
    if (!idx) return def;
    if (!lua_isboolean(L, idx)) luaL_error(L, "%s: %s must be a boolean, got %s", fn, name, luaL_typename(L, idx));
    return lua_toboolean(L, idx);
}

static double opt_number(lua_State *L, int idx, const char *fn, double def)
{
    return idx ? em_lua_check_scalar(L, idx, fn) : def;
}

/* x converted to the dtype at idx (0: x itself), anchored on the stack. */
static em_tensor *with_dtype(lua_State *L, em_tensor *x, int idx)
{
    if (!idx) return x;
    em_dtype dt = em_lua_check_dtype(L, idx);
    if (dt == x->dtype) return x;
    em_tensor **box = em_lua_newbox(L);
    *box = em_to_dtype(x, dt);
    if (!*box) em_lua_raise(L);
    return *box;
}

/* --- cumsum, cumprod: (x, dim[, {dtype =}]) --- */

static const em_lua_opts CUMSUM_OPTS = {"cumsum", "dim dtype", "out"};
static const em_lua_opts CUMPROD_OPTS = {"cumprod", "dim dtype", "out"};

static int cumulative(lua_State *L, bool prod)
{
    const em_lua_opts *spec = prod ? &CUMPROD_OPTS : &CUMSUM_OPTS;
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"dim", "dtype"};
    int idx[2];
    named_args(L, spec, 2, names, 2, idx);
    if (!idx[0]) return luaL_error(L, "%s: missing the dim argument (%s(x, dim))", spec->fn, spec->fn);
    int dim = em_lua_check_dim(L, idx[0]);
    x = with_dtype(L, x, idx[1]);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, prod ? em_cumprod(x, dim) : em_cumsum(x, dim));
    return 1;
}

static int l_cumsum(lua_State *L) { return cumulative(L, false); }
static int l_cumprod(lua_State *L) { return cumulative(L, true); }

/* --- reductions over a dim or a list of dims --- */

static const em_lua_opts LOGSUMEXP_OPTS = {"logsumexp", "dim keepdim", "out"};
static const em_lua_opts AMAX_OPTS = {"amax", "dim keepdim", "out"};
static const em_lua_opts AMIN_OPTS = {"amin", "dim keepdim", "out"};
static const em_lua_opts COUNT_NONZERO_OPTS = {"count_nonzero", "dim", ""};

static int l_logsumexp(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"dim", "keepdim"};
    int idx[2];
    named_args(L, &LOGSUMEXP_OPTS, 2, names, 2, idx);
    if (!idx[0]) return luaL_error(L, "logsumexp: missing the dim argument (logsumexp(x, dim[, keepdim]))");
    uint32_t mask = em_lua_check_dims_mask(L, idx[0], x, "logsumexp");
    bool keep = opt_bool(L, idx[1], "logsumexp", "keepdim", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_logsumexp(x, mask, keep));
    return 1;
}

static int amaxmin(lua_State *L, em_reduce_op op)
{
    const em_lua_opts *spec = op == EM_R_MAX ? &AMAX_OPTS : &AMIN_OPTS;
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"dim", "keepdim"};
    int idx[2];
    named_args(L, spec, 2, names, 2, idx);
    uint32_t mask = idx[0] ? em_lua_check_dims_mask(L, idx[0], x, spec->fn) : 0;
    bool keep = opt_bool(L, idx[1], spec->fn, "keepdim", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_amaxmin(op, x, mask, keep));
    return 1;
}

static int l_amax(lua_State *L) { return amaxmin(L, EM_R_MAX); }
static int l_amin(lua_State *L) { return amaxmin(L, EM_R_MIN); }

static int l_count_nonzero(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"dim"};
    int idx[1];
    named_args(L, &COUNT_NONZERO_OPTS, 2, names, 1, idx);
    uint32_t mask = idx[0] ? em_lua_check_dims_mask(L, idx[0], x, "count_nonzero") : 0;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_count_nonzero(x, mask));
    return 1;
}

/* --- norms --- */

/* An order: a number (math.huge for inf) or a string PyTorch knows. */
static double check_ord(lua_State *L, int idx, const char *fn, double def, bool *fro)
{
    *fro = false;
    if (!idx) return def;
    if (lua_type(L, idx) == LUA_TSTRING) {
        const char *s = lua_tostring(L, idx);
        if (strcmp(s, "fro") == 0) {
            *fro = true;
            return 2.0;
        }
        if (strcmp(s, "nuc") == 0)
            luaL_error(L, "%s: the nuclear norm ('nuc') needs a singular value decomposition, which ember does "
                       "not implement", fn);
        luaL_error(L, "%s: p must be a number, 'fro' or 'nuc', got '%s'", fn, s);
    }
    return em_lua_check_scalar(L, idx, fn);
}

static const em_lua_opts NORM_OPTS = {"norm", "p dim keepdim dtype", "out"};
static const em_lua_opts VECTOR_NORM_OPTS = {"linalg.vector_norm", "ord dim keepdim dtype", "out"};

/* torch.norm(x[, p='fro'[, dim[, keepdim]]]): a number p is the vector norm
** over dim (every element when no dim); 'fro' over two dims is
** sqrt(sum(x * x)) (recorded op by op, as PyTorch's frobenius_norm). */
static int l_norm(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"p", "dim", "keepdim", "dtype"};
    int idx[4];
    named_args(L, &NORM_OPTS, 2, names, 4, idx);
    bool fro;
    double p = check_ord(L, idx[0], "norm", 2.0, &fro);
    uint32_t mask = idx[1] ? em_lua_check_dims_mask(L, idx[1], x, "norm") : 0;
    bool keep = opt_bool(L, idx[2], "norm", "keepdim", false);
    x = with_dtype(L, x, idx[3]);
    em_tensor **box = em_lua_newbox(L);
    if (fro && mask && (mask & (mask - 1))) {   /* 'fro' over two (or more) dims */
        if (mask & (mask - 1) & ((mask & (mask - 1)) - 1))
            return luaL_error(L, "norm: 'fro' takes at most two dims");
        em_tensor **sq = em_lua_newbox(L);
        EM_LUA_TRY(L, *sq, em_binary(EM_B_MUL, x, x));
        em_tensor **sum = em_lua_newbox(L);
        EM_LUA_TRY(L, *sum, em_sum(*sq, mask, keep));
        EM_LUA_TRY(L, *box, em_unary(EM_U_SQRT, *sum, 0, 0));
        lua_pushvalue(L, -3);
        return 1;
    }
    EM_LUA_TRY(L, *box, em_vector_norm(x, p, mask, keep, "NormBackward1", "norm"));
    return 1;
}

/* torch.linalg.vector_norm(x[, ord=2[, dim[, keepdim]]][, {dtype =}]) */
static int l_vector_norm(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"ord", "dim", "keepdim", "dtype"};
    int idx[4];
    named_args(L, &VECTOR_NORM_OPTS, 2, names, 4, idx);
    if (idx[0] && lua_type(L, idx[0]) == LUA_TSTRING)
        return luaL_error(L, "linalg.vector_norm: ord must be a number, got '%s' (matrix norms: "
                          "torch.linalg.matrix_norm)", lua_tostring(L, idx[0]));
    bool fro;
    double ord = check_ord(L, idx[0], "linalg.vector_norm", 2.0, &fro);
    uint32_t mask = idx[1] ? em_lua_check_dims_mask(L, idx[1], x, "linalg.vector_norm") : 0;
    bool keep = opt_bool(L, idx[2], "linalg.vector_norm", "keepdim", false);
    x = with_dtype(L, x, idx[3]);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_vector_norm(x, ord, mask, keep, "LinalgVectorNormBackward0", "linalg.vector_norm"));
    return 1;
}

/* --- std_mean, var_mean: (x[, dim[, unbiased[, keepdim]]][, {correction =}]),
** as var and std --- */

static const em_lua_opts STD_MEAN_OPTS = {"std_mean", "dim keepdim unbiased correction", "out"};
static const em_lua_opts VAR_MEAN_OPTS = {"var_mean", "dim keepdim unbiased correction", "out"};

static int stat_mean(lua_State *L, bool is_std)
{
    const em_lua_opts *spec = is_std ? &STD_MEAN_OPTS : &VAR_MEAN_OPTS;
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_lua_var_positional(L, spec->fn);
    static const char *const names[] = {"dim", "keepdim"};
    int idx[2];
    int opts = named_args(L, spec, 2, names, 2, idx);
    double c = 1.0;
    if (opts) {
        lua_getfield(L, opts, "unbiased");
        lua_getfield(L, opts, "correction");
        if (!lua_isnil(L, -2) && !lua_isnil(L, -1))
            return luaL_error(L, "%s: give either unbiased or correction, not both", spec->fn);
        if (!lua_isnil(L, -2)) c = opt_bool(L, lua_gettop(L) - 1, spec->fn, "unbiased", true) ? 1.0 : 0.0;
        if (!lua_isnil(L, -1)) c = em_lua_check_scalar(L, -1, spec->fn);
    }
    uint32_t mask = idx[0] ? em_lua_check_dims_mask(L, idx[0], x, spec->fn) : 0;
    bool keep = opt_bool(L, idx[1], spec->fn, "keepdim", false);
    em_tensor **sbox = em_lua_newbox(L);
    em_tensor **mbox = em_lua_newbox(L);
    EM_LUA_CHECK(L, em_stat_mean(x, mask, keep, c, is_std, sbox, mbox));
    return 2;
}

static int l_std_mean(lua_State *L) { return stat_mean(L, true); }
static int l_var_mean(lua_State *L) { return stat_mean(L, false); }

/* --- predicates --- */

static int float_class(lua_State *L, em_float_class kind, const char *fn)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (lua_gettop(L) > 1) return luaL_error(L, "%s: takes only the tensor", fn);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_isfloat_class(kind, x));
    return 1;
}

/* plain C functions (no upvalues): torch.isnan and x:isnan are one value */
static int l_isnan(lua_State *L) { return float_class(L, EM_IS_NAN, "isnan"); }
static int l_isinf(lua_State *L) { return float_class(L, EM_IS_INF, "isinf"); }
static int l_isposinf(lua_State *L) { return float_class(L, EM_IS_POSINF, "isposinf"); }
static int l_isneginf(lua_State *L) { return float_class(L, EM_IS_NEGINF, "isneginf"); }
static int l_isfinite(lua_State *L) { return float_class(L, EM_IS_FINITE, "isfinite"); }

static const em_lua_opts ISCLOSE_OPTS = {"isclose", "rtol atol equal_nan", ""};

static int l_isclose(lua_State *L)
{
    em_tensor *a = em_lua_check_tensor(L, 1), *b = em_lua_check_tensor(L, 2);
    static const char *const names[] = {"rtol", "atol", "equal_nan"};
    int idx[3];
    named_args(L, &ISCLOSE_OPTS, 3, names, 3, idx);
    double rtol = opt_number(L, idx[0], "isclose", 1e-5), atol = opt_number(L, idx[1], "isclose", 1e-8);
    bool equal_nan = opt_bool(L, idx[2], "isclose", "equal_nan", false);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_isclose(a, b, rtol, atol, equal_nan));
    return 1;
}

/* nan_to_num(x[, nan=0[, posinf[, neginf]]]): infinities become the
** dtype's largest / lowest finite value unless given */
static const em_lua_opts NAN_TO_NUM_OPTS = {"nan_to_num", "nan posinf neginf", "out"};

static int l_nan_to_num(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const names[] = {"nan", "posinf", "neginf"};
    int idx[3];
    named_args(L, &NAN_TO_NUM_OPTS, 2, names, 3, idx);
    double big = x->dtype == EM_FLOAT64 ? DBL_MAX : FLT_MAX;
    double nan = opt_number(L, idx[0], "nan_to_num", 0.0);
    double posinf = opt_number(L, idx[1], "nan_to_num", big), neginf = opt_number(L, idx[2], "nan_to_num", -big);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_nan_to_num(x, nan, posinf, neginf));
    return 1;
}

/* lerp(start, end, weight): weight a number or a tensor */
static int l_lerp(lua_State *L)
{
    em_tensor *a = em_lua_check_tensor(L, 1), *b = em_lua_check_tensor(L, 2);
    em_tensor *w = em_lua_test_tensor(L, 3);
    double ws = w ? 0.0 : em_lua_check_scalar(L, 3, "lerp");
    if (lua_gettop(L) > 3) return luaL_error(L, "lerp: takes start, end and weight");
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_lerp(a, b, w, ws));
    return 1;
}

/* clamp(x, min, max) where a bound is a tensor (lua_math.c's clamp calls
** this for tensor bounds); nil or torch.None: no bound. */
int em_lua_clamp_tensor(lua_State *L, int lo_idx, int hi_idx)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor *lo = NULL, *hi = NULL;
    int idx[2] = {lo_idx, hi_idx};
    em_tensor **bound[2] = {&lo, &hi};
    for (int i = 0; i < 2; i++) {
        if (!idx[i] || lua_isnoneornil(L, idx[i]) || em_lua_is_none(L, idx[i])) continue;
        *bound[i] = em_lua_test_tensor(L, idx[i]);
        if (!*bound[i]) *bound[i] = em_lua_check_operand(L, idx[i], x);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_clamp_tensor(x, lo, hi));
    return 1;
}

/* --- registration --- */

static const luaL_Reg shared[] = {
    {"cumsum", l_cumsum}, {"cumprod", l_cumprod}, {"logsumexp", l_logsumexp}, {"amax", l_amax},
    {"amin", l_amin}, {"count_nonzero", l_count_nonzero}, {"norm", l_norm}, {"isclose", l_isclose},
    {"nan_to_num", l_nan_to_num}, {"lerp", l_lerp}, {"isnan", l_isnan}, {"isinf", l_isinf},
    {"isposinf", l_isposinf}, {"isneginf", l_isneginf}, {"isfinite", l_isfinite}, {NULL, NULL},
};

static void register_shared(lua_State *L) { luaL_setfuncs(L, shared, 0); }

void em_lua_register_mathr(lua_State *L)
{
    register_shared(L);
}

void em_lua_register_mathr_module(lua_State *L)
{
    register_shared(L);
    static const luaL_Reg module_only[] = {
        {"std_mean", l_std_mean}, {"var_mean", l_var_mean}, {"_vector_norm", l_vector_norm}, {NULL, NULL},
    };
    luaL_setfuncs(L, module_only, 0);
}
