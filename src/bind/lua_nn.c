/* lua_nn.c — Lua bindings of the neural-network functions: torch.linear,
** conv2d, max_pool2d, avg_pool2d, softmax, log_softmax, nll_loss,
** cross_entropy, binary_cross_entropy_with_logits, batch_norm, dropout,
** bernoulli, and the methods x:softmax(dim), x:log_softmax(dim),
** x:bernoulli([p]), x:bernoulli_([p]). Each binding checks its options
** table against its list (the *_OPTS below, the one place they are named;
** the loss lists are also handed to Lua as torch.core._nn_options), then
** its arguments, and calls one function of autograd/nn_grad.h. Arguments
** come positionally in PyTorch's order or by name in the options table.
** Not here: the nn modules (Lua). */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/nn_grad.h"
#include "../core/runtime.h"
#include "lua_bind.h"
#include "lua_util.h"

/* A tensor, or NULL for nil / none. */
static em_tensor *opt_tensor(lua_State *L, int idx)
{
    if (lua_isnoneornil(L, idx)) return NULL;
    em_tensor *t = em_lua_test_tensor(L, idx);
    if (!t) luaL_argerror(L, idx, lua_pushfstring(L, "Tensor or nil expected, got %s", luaL_typename(L, idx)));
    return em_lua_check_tensor(L, idx);
}

/* The options of each function: what ember implements, then PyTorch's
** options it does not (an error that says so). */
static const em_lua_opts CONV2D_OPTS = {"conv2d", "bias stride padding dilation groups", ""};
static const em_lua_opts MAX_POOL2D_OPTS = {"max_pool2d",
                                            "kernel_size stride padding dilation ceil_mode return_indices", ""};
static const em_lua_opts AVG_POOL2D_OPTS = {"avg_pool2d",
                                            "kernel_size stride padding ceil_mode count_include_pad divisor_override",
                                            ""};
static const em_lua_opts SOFTMAX_OPTS = {"softmax", "dim dtype", "_stacklevel"};
static const em_lua_opts LOG_SOFTMAX_OPTS = {"log_softmax", "dim dtype", "_stacklevel"};
static const em_lua_opts NLL_LOSS_OPTS = {"nll_loss", "weight ignore_index reduction", "size_average reduce"};
static const em_lua_opts CROSS_ENTROPY_OPTS = {"cross_entropy", "weight ignore_index reduction label_smoothing",
                                               "size_average reduce"};
static const em_lua_opts BCE_LOGITS_OPTS = {"binary_cross_entropy_with_logits", "weight reduction pos_weight",
                                            "size_average reduce"};
static const em_lua_opts DROPOUT_OPTS = {"dropout", "generator", ""};
static const em_lua_opts BERNOULLI_OPTS = {"bernoulli", "generator", "out"};
static const em_lua_opts BERNOULLI__OPTS = {"bernoulli_", "generator", ""};

/* Pushes option `name` of the options table opts (0: none) when it is set,
** else positional argument pos (nil past the options table); returns its
** index. Both set is PyTorch's "got multiple values" error. Callers first
** fix the positional slots with lua_settop(L, NARGS). */
static int arg(lua_State *L, int pos, int opts, const char *fn, const char *name)
{
    bool positional = pos > 0 && (!opts || pos < opts) && !lua_isnil(L, pos);
    if (opts) {
        lua_getfield(L, opts, name);
        if (!lua_isnil(L, -1)) {
            if (positional)
                luaL_error(L, "%s: got multiple values for argument '%s' (argument %d and the options table)", fn,
                           name, pos);
            return lua_gettop(L);
        }
        lua_pop(L, 1);
    }
    if (positional) lua_pushvalue(L, pos);
    else lua_pushnil(L);
    return lua_gettop(L);
}

/* nil, or torch.None (PyTorch's None: the default) */
static bool absent(lua_State *L, int idx) { return lua_isnil(L, idx) || em_lua_is_none(L, idx); }

static int64_t int_at(lua_State *L, int idx, const char *op, const char *what)
{
    int ok;
    lua_Integer v = lua_tointegerx(L, idx, &ok);
    if (!ok) luaL_error(L, "%s: %s must be an integer or a table of two integers {h, w}, got %s", op, what,
                        luaL_typename(L, idx));
    return (int64_t)v;
}

/* A size given as one integer or a table {h, w}; def when nil, None or {}. */
static void pair_at(lua_State *L, int idx, const char *op, const char *what, int64_t def, int64_t out[2])
{
    if (absent(L, idx)) {
        out[0] = out[1] = def;
    } else if (lua_type(L, idx) == LUA_TTABLE && !em_lua_test_tensor(L, idx)) {
        lua_Integer n = luaL_len(L, idx);
        if (n == 0) {   /* PyTorch's stride=[]: the default */
            out[0] = out[1] = def;
            return;
        }
        if (n != 2) luaL_error(L, "%s: %s must be an integer or a table of two integers {h, w}", op, what);
        for (int i = 0; i < 2; i++) {
            lua_geti(L, idx, i + 1);
            out[i] = int_at(L, -1, op, what);
            lua_pop(L, 1);
        }
    } else {
        out[0] = out[1] = int_at(L, idx, op, what);
    }
}

/* A boolean argument; def when nil. */
static bool bool_at(lua_State *L, int idx, const char *op, const char *what, bool def)
{
    if (absent(L, idx)) return def;
    if (lua_type(L, idx) != LUA_TBOOLEAN)
        luaL_error(L, "%s: %s must be a boolean, got %s", op, what, luaL_typename(L, idx));
    return lua_toboolean(L, idx);
}

/* --- layers --- */

static int l_linear(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *w = em_lua_check_tensor(L, 2), *b = opt_tensor(L, 3);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_linear(x, w, b));
    return 1;
}

/* conv2d(x, w[, b][, stride][, padding][, dilation][, groups]) (PyTorch's
** order) or with a trailing {bias=, stride=, padding=, dilation=, groups=};
** padding is a number, {h, w}, "valid" or "same". */
static int l_conv2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *w = em_lua_check_tensor(L, 2);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &CONV2D_OPTS);
    lua_settop(L, 7);
    const char *fn = CONV2D_OPTS.fn;
    int bi = arg(L, 3, opts, fn, "bias");
    em_tensor *b = em_lua_is_none(L, bi) ? NULL : opt_tensor(L, bi);
    em_conv2d_opts o = em_conv2d_defaults();
    pair_at(L, arg(L, 4, opts, fn, "stride"), fn, "stride", 1, o.stride);
    int pi = arg(L, 5, opts, fn, "padding");
    pair_at(L, arg(L, 6, opts, fn, "dilation"), fn, "dilation", 1, o.dilation);
    int gi = arg(L, 7, opts, fn, "groups");
    o.groups = absent(L, gi) ? 1 : em_lua_check_int(L, gi);
    if (lua_type(L, pi) == LUA_TSTRING) {
        const char *mode = lua_tostring(L, pi);
        if (strcmp(mode, "same") == 0) o.same = true;
        else if (strcmp(mode, "valid") != 0)
            return luaL_error(L, "%s: Invalid padding string '%s', should be one of {'valid', 'same'}", fn, mode);
    } else {
        pair_at(L, pi, fn, "padding", 0, o.pad);
        memcpy(o.pad_end, o.pad, sizeof o.pad);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_conv2d(x, w, b, &o));
    return 1;
}

/* kernel_size (required), stride (kernel_size when nil, None or {}; 0 is an
** error, as PyTorch), padding, from positions k, k + 1, k + 2 or options. */
static void pool_sizes(lua_State *L, int k, int opts, const char *fn, em_pool2d_opts *o)
{
    int ki = arg(L, k, opts, fn, "kernel_size");
    if (absent(L, ki)) luaL_error(L, "%s: kernel_size is required", fn);
    pair_at(L, ki, fn, "kernel_size", 1, o->kernel);
    int si = arg(L, k + 1, opts, fn, "stride");
    if (absent(L, si) || (lua_type(L, si) == LUA_TTABLE && !em_lua_test_tensor(L, si) && luaL_len(L, si) == 0))
        memcpy(o->stride, o->kernel, sizeof o->stride);
    else
        pair_at(L, si, fn, "stride", 0, o->stride);
    pair_at(L, arg(L, k + 2, opts, fn, "padding"), fn, "padding", 0, o->pad);
}

/* max_pool2d(x, kernel[, stride][, padding][, dilation][, ceil_mode][, return_indices])
** (F.max_pool2d's order) or with a trailing options table */
static int l_max_pool2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &MAX_POOL2D_OPTS);
    lua_settop(L, 7);
    const char *fn = MAX_POOL2D_OPTS.fn;
    em_pool2d_opts o = {.dilation = {1, 1}, .count_include_pad = true};
    pool_sizes(L, 2, opts, fn, &o);
    pair_at(L, arg(L, 5, opts, fn, "dilation"), fn, "dilation", 1, o.dilation);
    o.ceil_mode = bool_at(L, arg(L, 6, opts, fn, "ceil_mode"), fn, "ceil_mode", false);
    bool with_indices = bool_at(L, arg(L, 7, opts, fn, "return_indices"), fn, "return_indices", false);
    em_tensor **box = em_lua_newbox(L), **ibox = em_lua_newbox(L);
    EM_LUA_CHECK(L, em_max_pool2d(x, &o, box, ibox));
    if (with_indices) return 2;
    lua_pop(L, 1);
    return 1;
}

/* avg_pool2d(x, kernel[, stride][, padding][, ceil_mode][, count_include_pad][, divisor_override]) */
static int l_avg_pool2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &AVG_POOL2D_OPTS);
    lua_settop(L, 7);
    const char *fn = AVG_POOL2D_OPTS.fn;
    em_pool2d_opts o = {.dilation = {1, 1}};
    pool_sizes(L, 2, opts, fn, &o);
    o.ceil_mode = bool_at(L, arg(L, 5, opts, fn, "ceil_mode"), fn, "ceil_mode", false);
    o.count_include_pad = bool_at(L, arg(L, 6, opts, fn, "count_include_pad"), fn, "count_include_pad", true);
    int di = arg(L, 7, opts, fn, "divisor_override");
    if (!absent(L, di)) {
        o.divisor = em_lua_check_int(L, di);
        if (o.divisor == 0) return luaL_error(L, "%s: divisor must be not zero", fn);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_avg_pool2d(x, &o));
    return 1;
}

/* softmax(x, dim[, {dtype=}]) and log_softmax; also methods x:softmax(dim) */
static int softmax(lua_State *L, bool log)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    const em_lua_opts *spec = log ? &LOG_SOFTMAX_OPTS : &SOFTMAX_OPTS;
    em_lua_check_options(L, opts, spec);
    lua_settop(L, 3);
    int di = arg(L, 2, opts, spec->fn, "dim");
    if (lua_isnil(L, di))
        return luaL_error(L, "%s: dim is required (for example %s(x, -1) for the last dim)",
                          log ? "log_softmax" : "softmax", log ? "log_softmax" : "softmax");
    int dim = em_lua_check_dim(L, di);
    em_dtype dt = em_lua_opt_field_dtype(L, opts, x->dtype);
    em_tensor **tmp = em_lua_newbox(L);
    EM_LUA_TRY(L, *tmp, em_to_dtype(x, dt));
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_softmax(*tmp, dim, log));
    return 1;
}
static int l_softmax(lua_State *L) { return softmax(L, false); }
static int l_log_softmax(lua_State *L) { return softmax(L, true); }

/* --- losses --- */

/* Option `name` of the table at idx: a tensor or nil (the table, which stays
** on the stack, keeps the tensor alive). */
static em_tensor *field_tensor(lua_State *L, int idx, const char *op, const char *name)
{
    lua_getfield(L, idx, name);
    if (absent(L, -1)) return NULL;
    if (!em_lua_test_tensor(L, -1))
        luaL_error(L, "%s: option %s must be a tensor, got %s", op, name, luaL_typename(L, -1));
    return em_lua_check_tensor(L, lua_gettop(L));
}

/* Reads the options of spec among {reduction=, ignore_index=, weight=,
** label_smoothing=, pos_weight=}, after checking the table against spec
** (an option another loss has is an error here, not silently ignored). */
static void loss_opts(lua_State *L, int idx, const em_lua_opts *spec, em_loss_opts *o)
{
    const char *op = spec->fn;
    *o = (em_loss_opts){EM_REDUCTION_MEAN, -100, 0.0, NULL, NULL};
    if (lua_isnoneornil(L, idx)) return;
    if (!em_lua_is_options(L, idx))
        luaL_argerror(L, idx, lua_pushfstring(L, "options table expected ({reduction=, ...}), got %s",
                                              luaL_typename(L, idx)));
    em_lua_check_options(L, idx, spec);
    lua_getfield(L, idx, "reduction");
    if (!lua_isnil(L, -1)) {
        const char *r = luaL_tolstring(L, -1, NULL);
        if (strcmp(r, "mean") == 0) o->reduction = EM_REDUCTION_MEAN;
        else if (strcmp(r, "sum") == 0) o->reduction = EM_REDUCTION_SUM;
        else if (strcmp(r, "none") == 0) o->reduction = EM_REDUCTION_NONE;
        else luaL_error(L, "%s: %s is not a valid value for reduction: reduction must be 'mean', 'sum' or 'none', "
                        "got '%s'", op, r, r);
        lua_pop(L, 1);
    }
    lua_getfield(L, idx, "ignore_index");
    if (!lua_isnil(L, -1)) o->ignore_index = em_lua_check_int(L, lua_gettop(L));
    lua_getfield(L, idx, "label_smoothing");
    if (!lua_isnil(L, -1)) o->smoothing = luaL_checknumber(L, lua_gettop(L));
    o->weight = field_tensor(L, idx, op, "weight");
    o->pos_weight = field_tensor(L, idx, op, "pos_weight");
}

static int l_nll_loss(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *t = em_lua_check_tensor(L, 2);
    em_loss_opts o;
    loss_opts(L, 3, &NLL_LOSS_OPTS, &o);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_nll_loss(x, t, &o));
    return 1;
}

static int l_cross_entropy(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *t = em_lua_check_tensor(L, 2);
    em_loss_opts o;
    loss_opts(L, 3, &CROSS_ENTROPY_OPTS, &o);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_cross_entropy(x, t, &o));
    return 1;
}

static int l_bce_with_logits(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *y = em_lua_check_tensor(L, 2);
    em_loss_opts o;
    loss_opts(L, 3, &BCE_LOGITS_OPTS, &o);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_bce_with_logits(x, y, &o));
    return 1;
}

/* core._mse_loss(input, target, "mean" | "sum" | "none") (F.mse_loss checks
** the arguments; no options table, so the training loop's call stays cheap) */
static int l_mse_loss(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *y = em_lua_check_tensor(L, 2);
    static const char *const names[] = {"none", "mean", "sum", NULL};
    static const em_reduction reductions[] = {EM_REDUCTION_NONE, EM_REDUCTION_MEAN, EM_REDUCTION_SUM};
    em_reduction r = reductions[luaL_checkoption(L, 3, "mean", names)];
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_mse_loss(x, y, r));
    return 1;
}

/* --- normalisation and randomness --- */

/* batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps):
** torch.batch_norm's order; nil for any tensor that is not there */
static int l_batch_norm(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor *w = opt_tensor(L, 2), *b = opt_tensor(L, 3), *rm = opt_tensor(L, 4), *rv = opt_tensor(L, 5);
    bool training = lua_toboolean(L, 6);
    double momentum = luaL_optnumber(L, 7, 0.1), eps = luaL_optnumber(L, 8, 1e-5);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_batch_norm(x, w, b, rm, rv, training, momentum, eps));
    return 1;
}

/* dropout(x[, p = 0.5][, train = true][, {generator=}]): x itself when nothing is dropped */
static int l_dropout(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &DROPOUT_OPTS);
    double p = lua_type(L, 2) == LUA_TNUMBER ? lua_tonumber(L, 2) : 0.5;
    if (!lua_isnoneornil(L, 2) && lua_type(L, 2) != LUA_TNUMBER && opts != 2)
        return luaL_argerror(L, 2, "dropout probability (a number) expected");
    bool train = lua_isnoneornil(L, 3) || opts == 3 ? true : lua_toboolean(L, 3);
    em_rng *g = em_lua_opt_generator(L, opts);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_dropout(x, p, train, g));
    if (*box == x) {   /* the very same tensor object, as PyTorch returns input */
        em_tensor_release(x);
        *box = NULL;
        lua_pushvalue(L, 1);
    }
    return 1;
}

/* x:bernoulli_([p = 0.5][, {generator=}]), p a number or a tensor of probabilities */
typedef struct {
    double p;
    const em_tensor *pt;
    em_rng *g;
} bernoulli_args;

static em_status draw_bernoulli(em_tensor *dst, void *ctx)
{
    bernoulli_args *a = ctx;
    return em_op_bernoulli_(dst, a->p, a->pt, a->g);
}

/* x:bernoulli_([p][, {generator=}]): 0/1 draws, constants for autograd (a
** zero gradient to x's old history, with PyTorch's node names); on a
** leaf that requires grad, PyTorch's leaf error */
static int l_bernoulli_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &BERNOULLI__OPTS);
    em_tensor *pt = opts == 2 ? NULL : em_lua_test_tensor(L, 2);
    double p = pt || opts == 2 || lua_isnoneornil(L, 2) ? 0.5 : em_lua_check_scalar(L, 2, "bernoulli_");
    bernoulli_args a = {p, pt, em_lua_opt_generator(L, opts)};
    EM_LUA_CHECK(L, em_random_(pt ? EM_RANDOM_BERNOULLI_P : EM_RANDOM_BERNOULLI_TENSOR, x, draw_bernoulli, &a));
    lua_settop(L, 1);
    return 1;
}

/* torch.bernoulli(probs[, {generator=}]) draws with probs; torch.bernoulli(x, p)
** and x:bernoulli(p) draw with the number p in x's shape and dtype */
static int l_bernoulli(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, &BERNOULLI_OPTS);
    bool scalar = lua_type(L, 2) == LUA_TNUMBER;
    if (!scalar && !lua_isnoneornil(L, 2) && opts != 2)
        return luaL_argerror(L, 2, lua_pushfstring(L, "probability p (a number) expected, got %s",
                                                   luaL_typename(L, 2)));
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_tensor_empty(x->ndim, x->shape, x->dtype, em_tensor_backend(x)));
    EM_LUA_CHECK(L, em_op_bernoulli_(*box, scalar ? lua_tonumber(L, 2) : 0.0, scalar ? NULL : x,
                                     em_lua_opt_generator(L, opts)));
    return 1;
}

void em_lua_register_nn(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"linear", l_linear},           {"conv2d", l_conv2d},           {"max_pool2d", l_max_pool2d},
        {"avg_pool2d", l_avg_pool2d},   {"softmax", l_softmax},         {"log_softmax", l_log_softmax},
        {"nll_loss", l_nll_loss},       {"cross_entropy", l_cross_entropy},
        {"binary_cross_entropy_with_logits", l_bce_with_logits},        {"batch_norm", l_batch_norm},
        {"dropout", l_dropout},         {"bernoulli", l_bernoulli},     {"_mse_loss", l_mse_loss},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
    static const luaL_Reg methods[] = {
        {"softmax", l_softmax},   {"log_softmax", l_log_softmax}, {"bernoulli", l_bernoulli},
        {"bernoulli_", l_bernoulli_}, {NULL, NULL},
    };
    lua_getfield(L, -1, "Tensor");
    luaL_setfuncs(L, methods, 0);
    lua_pop(L, 1);
    /* _nn_options.NAME = {known, pytorch_only}: the loss modules of
    ** torch.nn.loss check their options with these same lists */
    static const em_lua_opts *const lists[] = {&NLL_LOSS_OPTS, &CROSS_ENTROPY_OPTS, &BCE_LOGITS_OPTS};
    lua_createtable(L, 0, 3);
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        lua_createtable(L, 2, 0);
        lua_pushstring(L, lists[i]->known);
        lua_rawseti(L, -2, 1);
        lua_pushstring(L, lists[i]->pytorch_only);
        lua_rawseti(L, -2, 2);
        lua_setfield(L, -2, lists[i]->fn);
    }
    lua_setfield(L, -2, "_nn_options");
}
