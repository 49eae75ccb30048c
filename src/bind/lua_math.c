/* lua_math.c — tensor math for Lua: unary and binary elementwise ops
** (numbers allowed as operands), comparisons, where, clamp, reductions,
** matrix products and the in-place forms. Each binding checks its arguments
** and calls one function from autograd/. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/node.h"
#include "../core/rng.h"
#include "../core/runtime.h"
#include "../ops/ops.h"
#include "../ops/random.h"
#include "lua_bind.h"
#include "lua_util.h"

/* --- elementwise --- */

/* The parameters of a unary op after the tensor, from its op table row
** ("beta=1 threshold=20"), parsed once for all rows: positional, or an
** options table with those names; missing ones take their defaults. A
** default that is not a number ("inplace=false", "approximate='none'") is
** the one value ember implements of that PyTorch option (fixed): nil or that
** value passes, another is an error. A default listing choices
** ("approximate='none'|'tanh'") is a string option whose value picks the
** kernel's number: the index of the value in the list (the first is the
** default). */
#define UNARY_MAX_PARAMS 4
typedef struct unary_param {
    char name[32];
    double dflt;
    char fixed[32];          /* "" for a number the kernel gets, else "false", "'none'" */
    char choices[48];        /* "'none'|'tanh'": the kernel gets the chosen one's index; else "" */
    bool integer;            /* the default is written as an integer ("20", not "20.0") */
} unary_param;
typedef struct unary_spec {
    int n;
    unary_param p[UNARY_MAX_PARAMS];
    char known[UNARY_MAX_PARAMS * 33];   /* the names, for the options checker */
} unary_spec;

static unary_spec unary_specs[EM_U_NUM_OPS];
static pthread_once_t unary_specs_once = PTHREAD_ONCE_INIT;

static void parse_unary_specs(void)
{
    for (int op = 0; op < EM_U_NUM_OPS; op++) {
        unary_spec *u = &unary_specs[op];
        for (const char *c = em_unary_info_of((em_unary_op)op)->params; *c && u->n < UNARY_MAX_PARAMS; u->n++) {
            unary_param *q = &u->p[u->n];
            size_t n = strcspn(c, "= ");
            snprintf(q->name, sizeof q->name, "%.*s", (int)n, c);
            c += n;
            if (*c == '=') {
                char *e;
                q->dflt = strtod(c + 1, &e);
                size_t dn = strcspn(c + 1, " ");
                if (e != c + 1 + dn) snprintf(q->fixed, sizeof q->fixed, "%.*s", (int)dn, c + 1);
                q->integer = strcspn(c + 1, ".eE ") == dn;
                if (strchr(q->fixed, '|')) {   /* choices: not fixed; the default is index 0 */
                    memcpy(q->choices, q->fixed, sizeof q->fixed);   /* choices is the larger */
                    q->fixed[0] = '\0';
                    q->dflt = 0;
                    q->integer = true;
                }
                c += 1 + dn;
            }
            c += strspn(c, " ");
            strcat(u->known, q->name);
            strcat(u->known, " ");
        }
    }
}

static const unary_spec *unary_spec_of(em_unary_op op)
{
    pthread_once(&unary_specs_once, parse_unary_specs);
    return &unary_specs[op];
}

/* The index of the string at idx among q's choices ("'none'|'tanh'"); any
** other value is an error listing them, as PyTorch's "approximate argument
** must be either none or tanh". */
static double choice_index(lua_State *L, int idx, const unary_param *q, const char *fn)
{
    const char *v = lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL;
    int i = 0;
    for (const char *c = q->choices; *c; i++) {
        size_t n = strcspn(c, "|");   /* 'tanh' with its quotes */
        if (v && n >= 2 && strlen(v) == n - 2 && strncmp(v, c + 1, n - 2) == 0) return i;
        c += n + (c[n] == '|');
    }
    char list[96] = "";   /* 'none', 'tanh' */
    for (const char *c = q->choices; *c;) {
        size_t n = strcspn(c, "|");
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%.*s", list[0] ? ", " : "", (int)n, c);
        c += n + (c[n] == '|');
    }
    const char *quote = v ? "'" : "";
    return luaL_error(L, "%s: %s argument must be one of %s, got %s%s%s", fn, q->name, list, quote,
                      luaL_tolstring(L, idx, NULL), quote);
}

/* The kernel's numbers p[0], p[1] from the arguments after the tensor.
** Upvalue 2 is the name the function was registered under. */
static void unary_params(lua_State *L, em_unary_op op, double *p)
{
    const char *fn = lua_tostring(L, lua_upvalueindex(2));
    const unary_spec *u = unary_spec_of(op);
    int np = u->n;
    p[0] = p[1] = 0;
    /* Lua calls __unm with the operand twice */
    if ((em_unary_info_of(op)->lua & EM_L_UNM) && lua_gettop(L) == 2 && lua_rawequal(L, 1, 2)) lua_settop(L, 1);
    int opts = em_lua_find_options(L);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    if (nargs - 1 > np)
        luaL_error(L, "%s: takes %d argument%s after the tensor, got %d", fn, np, np == 1 ? "" : "s", nargs - 1);
    if (opts) {
        em_lua_opts o = {fn, u->known, ""};
        em_lua_check_options(L, opts, &o);
    }
    for (int i = 0, k = 0; i < np; i++) {
        const char *name = u->p[i].name, *fixed = u->p[i].fixed;
        int idx = i + 2 <= nargs ? i + 2 : 0;
        if (opts) {
            lua_getfield(L, opts, name);
            if (!lua_isnil(L, -1)) {
                if (idx && !lua_isnil(L, idx))
                    luaL_error(L, "%s: %s given twice (as an argument and as an option)", fn, name);
                idx = lua_gettop(L);
            }
        }
        if (u->p[i].choices[0]) {   /* a string choice: its index for the kernel */
            if (k < 2) p[k] = idx && !lua_isnil(L, idx) ? choice_index(L, idx, &u->p[i], fn) : 0;
            k++;
            continue;
        }
        if (!fixed[0]) {   /* a number for the kernel */
            if (k < 2) p[k] = idx && !lua_isnil(L, idx) ? em_lua_check_scalar(L, idx, fn) : u->p[i].dflt;
            k++;
            continue;
        }
        if (!idx || lua_isnil(L, idx)) continue;
        bool same;
        if (fixed[0] == '\'') {   /* 'none': that string */
            size_t len = strlen(fixed);
            same = lua_type(L, idx) == LUA_TSTRING && strlen(lua_tostring(L, idx)) == len - 2 &&
                   strncmp(lua_tostring(L, idx), fixed + 1, len - 2) == 0;
        } else {                      /* false / true: that boolean */
            same = lua_type(L, idx) == LUA_TBOOLEAN && lua_toboolean(L, idx) == (strcmp(fixed, "true") == 0);
        }
        if (!same) {
            const char *q = lua_type(L, idx) == LUA_TSTRING ? "'" : "";
            luaL_error(L, "%s: %s=%s%s%s is not implemented in ember (only %s=%s)", fn, name, q,
                       luaL_tolstring(L, idx, NULL), q, name, fixed);
        }
    }
}

/* x:NAME(...), torch.NAME(x, ...), F.NAME(x, ...): upvalues op and name */
static int l_unary(lua_State *L)
{
    em_unary_op op = (em_unary_op)lua_tointeger(L, lua_upvalueindex(1));
    em_tensor *x = em_lua_check_tensor(L, 1);
    double p[2];
    unary_params(L, op, p);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_unary(op, x, p[0], p[1]));
    return 1;
}

/* The two operands of a binary op: at least one is a tensor; numbers become
** wrapped scalars on the tensor's device. */
static void check_pair(lua_State *L, em_tensor **a, em_tensor **b)
{
    *a = em_lua_test_tensor(L, 1);
    *b = em_lua_check_operand(L, 2, *a);
    if (!*a) *a = em_lua_check_operand(L, 1, *b);
}

/* A binary op's options, checked (upvalues 2 and 3: its name as registered
** and the options it takes): alpha (add, sub), rounding_mode (div). */
typedef struct {
    double alpha;
    em_binary_op op;   /* EM_B_DIV becomes EM_B_FLOOR_DIV / EM_B_TRUNC_DIV */
} binary_opts;

static binary_opts binary_options(lua_State *L, em_binary_op op, int idx)
{
    binary_opts o = {1.0, op};
    if (lua_isnoneornil(L, idx)) return o;   /* the common case: x + y */
    em_lua_opts spec = {lua_tostring(L, lua_upvalueindex(2)), lua_tostring(L, lua_upvalueindex(3)), "out"};
    if (lua_type(L, idx) != LUA_TTABLE)
        luaL_error(L, "%s: expected an options table as the third argument, got %s", spec.fn, luaL_typename(L, idx));
    em_lua_check_options(L, idx, &spec);
    lua_getfield(L, idx, "alpha");
    if (!lua_isnil(L, -1)) o.alpha = em_lua_check_scalar(L, -1, spec.fn);
    lua_getfield(L, idx, "rounding_mode");
    if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "floor") == 0) o.op = EM_B_FLOOR_DIV;
    else if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "trunc") == 0) o.op = EM_B_TRUNC_DIV;
    else if (!lua_isnil(L, -1) && !em_lua_is_none(L, -1))
        luaL_error(L, "%s: expected rounding_mode to be one of torch.None, 'trunc', or 'floor' but found '%s'",
                   spec.fn, luaL_tolstring(L, -1, NULL));
    lua_pop(L, 2);
    return o;
}

/* s * alpha for x:add(s, {alpha =}): exact when both are integers. */
static em_scalar scaled(em_scalar s, double alpha)
{
    if (s.dtype != EM_FLOAT64 && alpha == floor(alpha) && fabs(alpha) < 9.0e15)
        return (em_scalar){EM_INT64, (int64_t)((uint64_t)s.i * (uint64_t)(int64_t)alpha), s.f * alpha};
    return (em_scalar){EM_FLOAT64, 0, (s.dtype == EM_FLOAT64 ? s.f : (double)s.i) * alpha};
}

static int l_binary(lua_State *L)
{
    binary_opts o = binary_options(L, (em_binary_op)lua_tointeger(L, lua_upvalueindex(1)), 3);
    lua_settop(L, 2);
    em_tensor *a = em_lua_test_tensor(L, 1), *b = em_lua_test_tensor(L, 2);
    em_scalar s;
    if (a && !b && em_lua_test_number(L, 2, &s)) {           /* x op number */
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_binary_scalar(o.op, a, o.alpha != 1.0 ? scaled(s, o.alpha) : s, false));
        return 1;
    }
    if (!a && b && o.alpha == 1.0 && em_lua_test_number(L, 1, &s)) {   /* number op x */
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_binary_scalar(o.op, b, s, true));
        return 1;
    }
    check_pair(L, &a, &b);
    em_tensor **box = em_lua_newbox(L);
    if (o.alpha != 1.0) EM_LUA_TRY(L, *box, em_binary_alpha(o.op, a, b, o.alpha));
    else EM_LUA_TRY(L, *box, em_binary(o.op, a, b));
    return 1;
}

/* x:pow(e): a number exponent on a float tensor is the unary op, else binary */
static int l_pow(lua_State *L)
{
    lua_settop(L, 2);
    em_tensor *x = em_lua_test_tensor(L, 1), *y = em_lua_test_tensor(L, 2);
    em_scalar s;
    if (x && !y && em_lua_test_number(L, 2, &s)) {
        em_tensor **box = em_lua_newbox(L);
        if (em_dtype_is_float(x->dtype) && lua_type(L, 2) == LUA_TNUMBER) {
            double e = em_lua_check_scalar(L, 2, "pow");
            EM_LUA_TRY(L, *box, e == 2.0 ? em_unary(EM_U_SQUARE, x, 0, 0) : em_unary(EM_U_POW, x, e, 0));
            return 1;
        }
        /* integer ** integer stays an integer tensor, computed exactly
        ** (wrapping as int64 does), as in PyTorch */
        if (s.dtype == EM_INT64 && s.i < 0 && !em_dtype_is_float(x->dtype))
            return luaL_error(L, "pow: Integers to negative integer powers are not allowed.");
        EM_LUA_TRY(L, *box, em_binary_scalar(EM_B_POW, x, s, false));
        return 1;
    }
    if (!x && y && em_lua_test_number(L, 1, &s)) {   /* number ^ x */
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_binary_scalar(EM_B_POW, y, s, true));
        return 1;
    }
    em_tensor *a, *b;
    check_pair(L, &a, &b);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_binary(EM_B_POW, a, b));
    return 1;
}

static void clamp_bounds(lua_State *L, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    if (lua_type(L, 2) == LUA_TTABLE) {
        static const em_lua_opts CLAMP_OPTS = {"clamp", "min max", "out"};
        em_lua_check_options(L, 2, &CLAMP_OPTS);
        lua_getfield(L, 2, "min");
        if (!lua_isnil(L, -1)) *lo = em_lua_check_scalar(L, -1, "clamp");
        lua_getfield(L, 2, "max");
        if (!lua_isnil(L, -1)) *hi = em_lua_check_scalar(L, -1, "clamp");
        lua_pop(L, 2);
    } else {
        if (!lua_isnoneornil(L, 2)) *lo = em_lua_check_scalar(L, 2, "clamp");
        if (!lua_isnoneornil(L, 3)) *hi = em_lua_check_scalar(L, 3, "clamp");
    }
    if (*lo == -INFINITY && *hi == INFINITY && lua_isnoneornil(L, 2))
        luaL_error(L, "clamp: at least one of min or max must be given");
}

static int l_clamp(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    /* a tensor bound: min/max as tensors, broadcast (lua_mathr.c) */
    if (em_lua_test_tensor(L, 2) || em_lua_test_tensor(L, 3)) return em_lua_clamp_tensor(L, 2, 3);
    if (lua_type(L, 2) == LUA_TTABLE && !em_lua_test_tensor(L, 2)) {
        lua_getfield(L, 2, "min");
        lua_getfield(L, 2, "max");
        bool tensors = em_lua_test_tensor(L, -2) || em_lua_test_tensor(L, -1);
        if (tensors) {
            static const em_lua_opts CLAMP_T_OPTS = {"clamp", "min max", "out"};
            em_lua_check_options(L, 2, &CLAMP_T_OPTS);
            int top = lua_gettop(L);
            return em_lua_clamp_tensor(L, top - 1, top);
        }
        lua_pop(L, 2);
    }
    double lo, hi;
    clamp_bounds(L, &lo, &hi);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_unary(EM_U_CLAMP, x, lo, hi));
    return 1;
}

static int l_where(lua_State *L)
{
    /* torch.where(cond, a, b); torch.where(cond) = nonzero(cond, {as_tuple = true}) */
    em_tensor *cond = em_lua_check_tensor(L, 1);
    if (lua_gettop(L) == 1) return em_lua_nonzero_tuple(L, cond);
    em_tensor *a = em_lua_test_tensor(L, 2), *b = em_lua_test_tensor(L, 3);
    if (!a) a = em_lua_check_operand(L, 2, b ? b : cond);
    if (!b) b = em_lua_check_operand(L, 3, a);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_where(cond, a, b));
    return 1;
}

/* x:where(cond, y) = torch.where(cond, x, y) */
static int l_where_method(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor *cond = em_lua_check_tensor(L, 2);
    em_tensor *y = em_lua_check_operand(L, 3, x);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_where(cond, x, y));
    return 1;
}

static int l_logical_not(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    lua_settop(L, 1);
    lua_pushboolean(L, 0);
    em_tensor *f = em_lua_check_operand(L, 2, x);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_binary(EM_B_EQ, x, f));
    return 1;
}

/* --- reductions --- */

/* Options of the reductions: one list each (lua_options.c). */
static const em_lua_opts SUM_OPTS = {"sum", "dim keepdim dtype", "out"};
static const em_lua_opts MEAN_OPTS = {"mean", "dim keepdim dtype", "out"};
static const em_lua_opts PROD_OPTS = {"prod", "dim keepdim dtype", "out"};
static const em_lua_opts VAR_OPTS = {"var", "dim keepdim unbiased correction", "out"};
static const em_lua_opts STD_OPTS = {"std", "dim keepdim unbiased correction", "out"};
static const em_lua_opts ALL_OPTS = {"all", "dim keepdim", "out"};
static const em_lua_opts ANY_OPTS = {"any", "dim keepdim", "out"};
static const em_lua_opts MAX_OPTS = {"max", "dim keepdim", "out"};
static const em_lua_opts MIN_OPTS = {"min", "dim keepdim", "out"};
static const em_lua_opts ARGMAX_OPTS = {"argmax", "dim keepdim", "out"};
static const em_lua_opts ARGMIN_OPTS = {"argmin", "dim keepdim", "out"};

/* The arguments of a reduction after the tensor: ([dim[, keepdim]][, opts])
** or (opts) with opts = {dim =, keepdim =, ...}; the options table is
** checked against spec. Returns its index (0: none). */
static int reduce_args(lua_State *L, const em_tensor *x, const em_lua_opts *spec, uint32_t *mask, bool *keepdim,
                       bool *has_dim)
{
    *mask = 0;
    *keepdim = false;
    *has_dim = false;
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, spec);
    int top = opts ? opts - 1 : lua_gettop(L);
    if (top > 3) luaL_error(L, "%s: too many arguments (expected the tensor, dim and keepdim, then options)", spec->fn);
    int di = top >= 2 ? 2 : 0, ki = top >= 3 ? 3 : 0;
    if (opts) {
        lua_getfield(L, opts, "dim");
        if (!lua_isnil(L, -1)) {
            if (di) luaL_error(L, "%s: dim given twice (as an argument and as an option)", spec->fn);
            di = lua_gettop(L);
        }
        lua_getfield(L, opts, "keepdim");
        if (!lua_isnil(L, -1)) {
            if (ki) luaL_error(L, "%s: keepdim given twice (as an argument and as an option)", spec->fn);
            ki = lua_gettop(L);
        }
    }
    if (di && !lua_isnil(L, di)) {
        *mask = em_lua_check_dims_mask(L, di, x, spec->fn);
        *has_dim = true;
    }
    if (ki && !lua_isnil(L, ki)) {
        if (!lua_isboolean(L, ki)) luaL_error(L, "%s: keepdim must be a boolean, got %s", spec->fn, luaL_typename(L, ki));
        *keepdim = lua_toboolean(L, ki);
    }
    return opts;
}

/* The input converted to options.dtype when given (PyTorch casts before
** reducing, so sum({dtype = torch.float64}) of int64 sums in float64);
** anchored on the stack. */
static em_tensor *reduce_input(lua_State *L, em_tensor *x, int opts)
{
    if (!opts) return x;
    lua_getfield(L, opts, "dtype");
    bool given = !lua_isnil(L, -1);
    em_dtype dt = given ? em_lua_check_dtype(L, -1) : x->dtype;
    lua_pop(L, 1);
    if (!given || dt == x->dtype) return x;
    em_tensor **box = em_lua_newbox(L);
    *box = em_to_dtype(x, dt);
    if (!*box) em_lua_raise(L);
    return *box;
}

static int l_sum(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    uint32_t mask;
    bool keep, has_dim;
    int opts = reduce_args(L, x, &SUM_OPTS, &mask, &keep, &has_dim);
    x = reduce_input(L, x, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_sum(x, mask, keep));
    return 1;
}

static int l_mean(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    uint32_t mask;
    bool keep, has_dim;
    int opts = reduce_args(L, x, &MEAN_OPTS, &mask, &keep, &has_dim);
    x = reduce_input(L, x, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_mean(x, mask, keep));
    return 1;
}

static int l_prod(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    uint32_t mask;
    bool keep, has_dim;
    int opts = reduce_args(L, x, &PROD_OPTS, &mask, &keep, &has_dim);
    x = reduce_input(L, x, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_prod(x, mask, keep));
    return 1;
}

/* var/std: correction from {unbiased =} or {correction =} */
static double correction_arg(lua_State *L, int opts, const char *fn)
{
    double c = 1.0;
    if (!opts) return c;
    lua_getfield(L, opts, "unbiased");
    lua_getfield(L, opts, "correction");
    if (!lua_isnil(L, -2) && !lua_isnil(L, -1))
        luaL_error(L, "%s: give either unbiased or correction, not both", fn);
    if (!lua_isnil(L, -2)) c = lua_toboolean(L, -2) ? 1.0 : 0.0;
    if (!lua_isnil(L, -1)) c = em_lua_check_scalar(L, -1, fn);
    lua_pop(L, 2);
    return c;
}

static int var_std(lua_State *L, bool is_std)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_lua_var_positional(L, is_std ? "std" : "var");
    uint32_t mask;
    bool keep, has_dim;
    const em_lua_opts *spec = is_std ? &STD_OPTS : &VAR_OPTS;
    int opts = reduce_args(L, x, spec, &mask, &keep, &has_dim);
    double c = correction_arg(L, opts, spec->fn);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, is_std ? em_std(x, mask, keep, c) : em_var(x, mask, keep, c));
    return 1;
}

static int l_var(lua_State *L) { return var_std(L, false); }
static int l_std(lua_State *L) { return var_std(L, true); }

/* The one dim of a mask (max/min/argmax take a single dim). */
static int single_dim(lua_State *L, uint32_t mask, const char *fn)
{
    if (mask & (mask - 1)) luaL_error(L, "%s: expected one dim, not a list of dims", fn);
    int d = 0;
    if (mask == 0) return 0;   /* a 0-dim tensor's dim (1 or -1) */
    while (!(mask & 1u)) {
        mask >>= 1;
        d++;
    }
    return d;
}

/* max() / max(dim[, keepdim]) -> values, indices / max(other) = maximum */
static int maxmin(lua_State *L, em_reduce_op op)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (em_lua_test_tensor(L, 2)) {
        em_tensor *y = em_lua_check_tensor(L, 2);
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_binary(op == EM_R_MAX ? EM_B_MAXIMUM : EM_B_MINIMUM, x, y));
        return 1;
    }
    if (lua_isnoneornil(L, 2)) {
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_maxmin_all(op, x));
        return 1;
    }
    uint32_t mask;
    bool keep, has_dim;
    reduce_args(L, x, op == EM_R_MAX ? &MAX_OPTS : &MIN_OPTS, &mask, &keep, &has_dim);
    if (!has_dim) {
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_maxmin_all(op, x));
        return 1;
    }
    int dim = single_dim(L, mask, op == EM_R_MAX ? "max" : "min");
    em_tensor **vbox = em_lua_newbox(L);
    em_tensor **ibox = em_lua_newbox(L);
    EM_LUA_CHECK(L, em_maxmin_dim(op, x, dim, keep, vbox, ibox));
    return 2;
}

/* all([dim[, keepdim]]) / any(...): logical reductions with bool results
** (uint8 for a uint8 input, as PyTorch 1.13) */
static int logical_reduce(lua_State *L, em_reduce_op op)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    uint32_t mask;
    bool keep, has_dim;
    reduce_args(L, x, op == EM_R_MIN ? &ALL_OPTS : &ANY_OPTS, &mask, &keep, &has_dim);
    em_tensor **b = em_lua_newbox(L);
    EM_LUA_TRY(L, *b, em_op_to_dtype(x, EM_BOOL));
    em_tensor **box = em_lua_newbox(L);
    if (em_tensor_numel(x) == 0) {   /* all() of nothing is true, any() false */
        EM_LUA_TRY(L, *box, em_op_reduce(EM_R_SUM, *b, mask, keep));
        em_tensor *r;
        EM_LUA_TRY(L, r, em_op_binary_scalar(op == EM_R_MIN ? EM_B_EQ : EM_B_NE, *box, 0));
        em_tensor_release(*box);
        *box = r;
    } else {
        EM_LUA_TRY(L, *box, em_op_reduce(op, *b, mask, keep));
    }
    if (x->dtype == EM_UINT8) {
        em_tensor **u = em_lua_newbox(L);
        EM_LUA_TRY(L, *u, em_op_to_dtype(*box, EM_UINT8));
    }
    return 1;
}

static int l_all(lua_State *L) { return logical_reduce(L, EM_R_MIN); }
static int l_any(lua_State *L) { return logical_reduce(L, EM_R_MAX); }

static int l_max(lua_State *L) { return maxmin(L, EM_R_MAX); }
static int l_min(lua_State *L) { return maxmin(L, EM_R_MIN); }

/* argmax([dim[, keepdim]]): 0-based int64 positions (index tensors are data) */
static int argmaxmin(lua_State *L, em_reduce_op op)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    uint32_t mask;
    bool keep, has_dim;
    reduce_args(L, x, op == EM_R_MAX ? &ARGMAX_OPTS : &ARGMIN_OPTS, &mask, &keep, &has_dim);
    bool all = !has_dim;
    int dim = all ? 0 : single_dim(L, mask, op == EM_R_MAX ? "argmax" : "argmin");
    em_tensor **vbox = em_lua_newbox(L);
    em_tensor **ibox = em_lua_newbox(L);
    if (all) {   /* position in the flattened tensor */
        int64_t flat = -1;
        em_tensor **fbox = em_lua_newbox(L);
        EM_LUA_TRY(L, *fbox, em_op_reshape(x, 1, &flat));
        EM_LUA_CHECK(L, em_op_reduce_dim_idx(op, *fbox, 0, false, vbox, ibox));
    } else {
        EM_LUA_CHECK(L, em_op_reduce_dim_idx(op, x, dim, keep, vbox, ibox));
    }
    lua_pushvalue(L, lua_gettop(L) - (all ? 1 : 0));
    return 1;
}

static int l_argmax(lua_State *L) { return argmaxmin(L, EM_R_MAX); }
static int l_argmin(lua_State *L) { return argmaxmin(L, EM_R_MIN); }

/* --- matrix products --- */

static int l_product(lua_State *L)
{
    int which = (int)lua_tointeger(L, lua_upvalueindex(1));
    em_tensor *a = em_lua_check_tensor(L, 1), *b = em_lua_check_tensor(L, 2);
    em_tensor **box = em_lua_newbox(L);
    switch (which) {
    case 0: EM_LUA_TRY(L, *box, em_matmul(a, b)); break;
    case 1: EM_LUA_TRY(L, *box, em_mm(a, b)); break;
    case 2: EM_LUA_TRY(L, *box, em_bmm(a, b)); break;
    case 3: EM_LUA_TRY(L, *box, em_mv(a, b)); break;
    default: EM_LUA_TRY(L, *box, em_dot(a, b)); break;
    }
    return 1;
}

/* --- in place: each returns the tensor itself --- */

static int l_unary_(lua_State *L)
{
    em_unary_op op = (em_unary_op)lua_tointeger(L, lua_upvalueindex(1));
    em_tensor *x = em_lua_check_tensor(L, 1);
    double p[2];
    unary_params(L, op, p);
    EM_LUA_CHECK(L, em_unary_(op, x, p[0], p[1]));
    lua_settop(L, 1);
    return 1;
}

static int l_binary_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    binary_opts o = binary_options(L, (em_binary_op)lua_tointeger(L, lua_upvalueindex(1)), 3);
    lua_settop(L, 2);
    em_scalar s;
    if (em_lua_test_number(L, 2, &s)) {
        EM_LUA_CHECK(L, em_binary_scalar_(o.op, x, o.alpha != 1.0 ? scaled(s, o.alpha) : s));
        lua_settop(L, 1);
        return 1;
    }
    em_tensor *y = em_lua_check_operand(L, 2, x);
    if (o.alpha != 1.0) {
        /* an optimizer's p:add_(d, {alpha = -lr}): alpha by value, no scalar tensor */
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_binary_scalar(EM_B_MUL, y, em_scalar_of(o.alpha, y), false));
        y = *box;
    }
    EM_LUA_CHECK(L, em_binary_(o.op, x, y));
    lua_settop(L, 1);
    return 1;
}

static int l_pow_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    lua_settop(L, 2);
    em_scalar s;
    if (lua_type(L, 2) == LUA_TNUMBER && em_dtype_is_float(x->dtype)) {
        EM_LUA_CHECK(L, em_unary_(EM_U_POW, x, em_lua_check_scalar(L, 2, "pow_"), 0));
    } else if (em_lua_test_number(L, 2, &s)) {
        if (s.dtype == EM_INT64 && s.i < 0)
            return luaL_error(L, "pow_: Integers to negative integer powers are not allowed.");
        EM_LUA_CHECK(L, em_binary_scalar_(EM_B_POW, x, s));
    } else {
        EM_LUA_CHECK(L, em_binary_(EM_B_POW, x, em_lua_check_operand(L, 2, x)));
    }
    lua_settop(L, 1);
    return 1;
}

static int l_clamp_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    bool tensor_bound = em_lua_test_tensor(L, 2) || em_lua_test_tensor(L, 3);
    if (!tensor_bound && lua_type(L, 2) == LUA_TTABLE) {
        lua_getfield(L, 2, "min");
        lua_getfield(L, 2, "max");
        tensor_bound = em_lua_test_tensor(L, -2) || em_lua_test_tensor(L, -1);
        lua_pop(L, 2);
    }
    if (tensor_bound)
        return luaL_error(L, "clamp_: tensor bounds are not implemented in ember for the in-place form; "
                          "use x:clamp(min, max), which takes them");
    double lo, hi;
    clamp_bounds(L, &lo, &hi);
    EM_LUA_CHECK(L, em_unary_(EM_U_CLAMP, x, lo, hi));
    lua_settop(L, 1);
    return 1;
}

static int l_fill_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor *t = em_lua_test_tensor(L, 2);
    if (t) {
        if (t->ndim != 0) return luaL_error(L, "fill_: only supports 0-dimension value tensor but got %d-D", t->ndim);
        EM_LUA_CHECK(L, em_copy_(x, t));    /* exact for every dtype */
    } else {
        em_lua_fill(L, x, 2, "fill_");
    }
    lua_settop(L, 1);
    return 1;
}

static int l_zero_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    EM_LUA_CHECK(L, em_zero_(x));
    lua_settop(L, 1);
    return 1;
}

static int l_copy_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor *src = em_lua_check_tensor(L, 2);
    EM_LUA_CHECK(L, em_copy_(x, src));
    lua_settop(L, 1);
    return 1;
}

typedef struct random_args {
    bool normal;
    double a, b;
    em_rng *g;
} random_args;

static em_status draw_random(em_tensor *dst, void *ctx)
{
    const random_args *r = ctx;
    return r->normal ? em_op_normal_(dst, r->a, r->b, r->g) : em_op_uniform_(dst, r->a, r->b, r->g);
}

/* uniform_(from, to) / normal_(mean, std): values from the default generator
** (or {generator=}); they are constants for autograd, as in PyTorch. */
static int random_fill(lua_State *L, bool normal)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const em_lua_opts RANDOM_FILL_OPTS[] = {{"uniform_", "generator", ""}, {"normal_", "generator", ""}};
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &RANDOM_FILL_OPTS[normal]);
    int nargs = opts ? opts - 1 : lua_gettop(L);
    double a = 0.0, b = 1.0;   /* uniform_(0, 1) / normal_(0, 1) */
    if (nargs >= 2 && !lua_isnil(L, 2)) a = em_lua_check_scalar(L, 2, RANDOM_FILL_OPTS[normal].fn);
    if (nargs >= 3 && !lua_isnil(L, 3)) b = em_lua_check_scalar(L, 3, RANDOM_FILL_OPTS[normal].fn);
    random_args r = {normal, a, b, em_lua_opt_generator(L, opts)};
    EM_LUA_CHECK(L, em_random_(normal ? EM_RANDOM_NORMAL : EM_RANDOM_UNIFORM, x,
                               draw_random, &r));
    lua_settop(L, 1);
    return 1;
}

static int l_uniform_(lua_State *L) { return random_fill(L, false); }
static int l_normal_(lua_State *L) { return random_fill(L, true); }

/* --- registration: the op table's rows, then the hand-bound functions --- */

/* f as a closure over (op, registered name[, options]), stored as t[name]. */
static void set_op(lua_State *L, int t, const char *name, lua_CFunction f, int op, const char *opts)
{
    lua_pushinteger(L, op);
    lua_pushstring(L, name);
    if (opts) lua_pushstring(L, opts);
    lua_pushcclosure(L, f, opts ? 3 : 2);
    lua_setfield(L, t, name);
}

/* The next name of an aliases column ("divide true_divide:") into name, and
** whether it ends in ':' (takes no options); false at the end. */
static bool next_alias(const char **c, char *name, size_t size, bool *no_opts)
{
    *c += strspn(*c, " ");
    size_t n = strcspn(*c, " ");
    if (n == 0) return false;
    *no_opts = (*c)[n - 1] == ':';
    snprintf(name, size, "%.*s", (int)(n - *no_opts), *c);
    *c += n;
    return true;
}

/* The rows' functions (methods: the Tensor methods table, in-place forms
** too) into the table at t: one closure per name, with its aliases. */
static void register_rows(lua_State *L, int t, bool methods)
{
    int want = methods ? EM_L_METHOD : EM_L_FUNC;
    char name[64];
    for (int op = 0; op < EM_U_NUM_OPS; op++) {
        const em_unary_info *r = em_unary_info_of((em_unary_op)op);
        if (r->lua & EM_L_HAND) continue;
        if (r->lua & want) set_op(L, t, r->name, l_unary, op, NULL);
        if (methods && (r->lua & EM_L_INPLACE)) {
            snprintf(name, sizeof name, "%s_", r->name);
            set_op(L, t, name, l_unary_, op, NULL);
        }
    }
    for (int op = 0; op < EM_B_NUM_OPS; op++) {
        const em_binary_info *r = em_binary_info_of((em_binary_op)op);
        if (r->lua & EM_L_HAND) continue;
        if (r->lua & want) {
            set_op(L, t, r->name, l_binary, op, r->options);
            bool no_opts;
            for (const char *c = r->aliases; next_alias(&c, name, sizeof name, &no_opts);)
                set_op(L, t, name, l_binary, op, no_opts ? "" : r->options);
        }
        if (methods && (r->lua & EM_L_INPLACE)) {
            snprintf(name, sizeof name, "%s_", r->name);
            set_op(L, t, name, l_binary_, op, r->options);
        }
    }
}

/* torch._ops[i] = the rows of core/op_table.h for Lua: kind, name, flags,
** nn, grad_node, onnx, params/options, aliases, meta, and fn: the function
** itself (for F.NAME and nn modules, also of ops with no torch.NAME). The
** module table is at index mod. */
static void push_rows(lua_State *L, int mod)
{
    lua_newtable(L);
    int list = lua_gettop(L), i = 0;
    static const char *const flag_names[] = {"func", "method", "inplace", "F", "hand"};
    for (int k = 0; k < EM_U_NUM_OPS + EM_B_NUM_OPS; k++) {
        bool unary = k < EM_U_NUM_OPS;
        const em_unary_info *u = unary ? em_unary_info_of((em_unary_op)k) : NULL;
        const em_binary_info *b = unary ? NULL : em_binary_info_of((em_binary_op)(k - EM_U_NUM_OPS));
        int lua = unary ? u->lua : b->lua;
        lua_createtable(L, 0, 12);
        lua_pushstring(L, unary ? "unary" : "binary");
        lua_setfield(L, -2, "kind");
        lua_pushstring(L, unary ? u->name : b->name);
        lua_setfield(L, -2, "name");
        for (int f = 0; f < 5; f++) {
            lua_pushboolean(L, (lua >> f) & 1);
            lua_setfield(L, -2, flag_names[f]);
        }
        const char *strs[][2] = {
            {"grad_node", unary ? u->grad_node : b->grad_node}, {"onnx", unary ? u->onnx : b->onnx},
            {"nn", unary ? u->nn : NULL}, {"params", unary ? u->params : b->options},
            {"meta", unary ? ((lua & EM_L_UNM) ? "__unm" : NULL) : b->meta},
        };
        for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++) {
            if (!strs[j][1]) continue;
            lua_pushstring(L, strs[j][1]);
            lua_setfield(L, -2, strs[j][0]);
        }
        /* aliases: the other torch names of the function, a list */
        lua_newtable(L);
        char alias[64];
        bool no_opts;
        int na = 0;
        for (const char *c = unary ? "" : b->aliases; next_alias(&c, alias, sizeof alias, &no_opts);) {
            lua_pushstring(L, alias);
            lua_rawseti(L, -2, ++na);
        }
        lua_setfield(L, -2, "aliases");
        /* its help text's key: the method's, else the functional form's */
        lua_pushfstring(L, "%s.%s", (lua & EM_L_METHOD) ? "Tensor" : "nn.functional", unary ? u->name : b->name);
        lua_setfield(L, -2, "doc");
        lua_pushboolean(L, unary ? u->saves != EM_NOT_DIFF : b->grad_node != NULL);
        lua_setfield(L, -2, "differentiable");
        if (unary) {
            lua_pushstring(L, u->saves == EM_SAVES_OUTPUT ? "output" : u->saves == EM_SAVES_INPUT ? "input" : "nothing");
            lua_setfield(L, -2, "saves");
            lua_pushboolean(L, u->dtype == EM_DT_FLOAT_ONLY);   /* integer input is an error */
            lua_setfield(L, -2, "float_only");
            /* param_list: {name =, default =, fixed = true|nil, choices = {...}|nil} each,
            ** as the binding parsed them */
            const unary_spec *spec = unary_spec_of((em_unary_op)k);
            lua_createtable(L, spec->n, 0);
            for (int j = 0; j < spec->n; j++) {
                const unary_param *q = &spec->p[j];
                lua_createtable(L, 0, 3);
                lua_pushstring(L, q->name);
                lua_setfield(L, -2, "name");
                if (q->choices[0]) {   /* choices = {"none", "tanh"}; the default is the first */
                    lua_newtable(L);
                    int nc = 0;
                    for (const char *c = q->choices; *c;) {
                        size_t cn = strcspn(c, "|");
                        lua_pushlstring(L, c + 1, cn >= 2 ? cn - 2 : 0);
                        lua_rawseti(L, -2, ++nc);
                        c += cn + (c[cn] == '|');
                    }
                    lua_setfield(L, -2, "choices");
                    lua_pushlstring(L, q->choices + 1, strcspn(q->choices, "|") - 2);
                } else if (!q->fixed[0] && q->integer) lua_pushinteger(L, (lua_Integer)q->dflt);
                else if (!q->fixed[0]) lua_pushnumber(L, q->dflt);
                else if (q->fixed[0] == '\'') lua_pushlstring(L, q->fixed + 1, strlen(q->fixed) - 2);
                else lua_pushboolean(L, strcmp(q->fixed, "true") == 0);
                lua_setfield(L, -2, "default");
                lua_pushboolean(L, q->fixed[0] != 0);
                lua_setfield(L, -2, "fixed");
                lua_rawseti(L, -2, j + 1);
            }
            lua_setfield(L, -2, "param_list");
        }
        /* fn: torch.NAME when it exists, else a closure of its own */
        const char *name = unary ? u->name : b->name;
        lua_getfield(L, mod, name);
        if (lua_isnil(L, -1) && (lua & EM_L_NNF) && unary) {
            lua_pop(L, 1);
            lua_pushinteger(L, k);
            lua_pushfstring(L, "F.%s", name);
            lua_pushcclosure(L, l_unary, 2);
        }
        lua_setfield(L, -2, "fn");
        lua_rawseti(L, list, ++i);
    }
    lua_setfield(L, mod, "_ops");
}

static const luaL_Reg shared_funcs[] = {
    {"pow", l_pow},         {"clamp", l_clamp},   {"clip", l_clamp},     {"sum", l_sum},
    {"mean", l_mean},       {"prod", l_prod},     {"var", l_var},        {"std", l_std},
    {"max", l_max},         {"min", l_min},       {"argmax", l_argmax},  {"argmin", l_argmin},
    {"logical_not", l_logical_not}, {"all", l_all}, {"any", l_any},
    {NULL, NULL},
};

static void register_common(lua_State *L, bool methods)
{
    register_rows(L, lua_gettop(L), methods);
    const char *products[] = {"matmul", "mm", "bmm", "mv", "dot"};
    for (int i = 0; i < 5; i++) {
        lua_pushinteger(L, i);
        lua_pushcclosure(L, l_product, 1);
        lua_setfield(L, -2, products[i]);
    }
    luaL_setfuncs(L, shared_funcs, 0);
}

void em_lua_register_math(lua_State *L)
{
    register_common(L, true);
    lua_pushcfunction(L, l_where_method);
    lua_setfield(L, -2, "where");
    static const luaL_Reg inplace[] = {
        {"pow_", l_pow_},   {"clamp_", l_clamp_},   {"fill_", l_fill_},     {"zero_", l_zero_},
        {"copy_", l_copy_}, {"uniform_", l_uniform_}, {"normal_", l_normal_}, {NULL, NULL},
    };
    luaL_setfuncs(L, inplace, 0);
}

void em_lua_register_math_module(lua_State *L)
{
    register_common(L, false);
    lua_pushcfunction(L, l_where);
    lua_setfield(L, -2, "where");
    push_rows(L, lua_gettop(L));
}
