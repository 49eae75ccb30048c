/* lua_sort.c — the Lua bindings of the sorting and counting ops: sort,
** msort, argsort, topk, kthvalue, median, unique, bincount, histc (functions and
** Tensor methods) and searchsorted, bucketize (functions only, as in
** PyTorch). Each checks its arguments — positional in PyTorch's order or in
** a trailing options table, every table checked by lua_options.c — and
** calls one function of autograd/sort_grad.h or ops/sort.h. Dims are
** 1-based here; returned indices are 0-based int64 data, as PyTorch's. */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/sort_grad.h"
#include "lua_bind.h"
#include "lua_util.h"

static const em_lua_opts SORT_OPTS = {"sort", "dim descending stable", "out"};
static const em_lua_opts MSORT_OPTS = {"msort", "", "out"};
static const em_lua_opts ARGSORT_OPTS = {"argsort", "dim descending stable", ""};
static const em_lua_opts TOPK_OPTS = {"topk", "k dim largest sorted", "out"};
static const em_lua_opts KTHVALUE_OPTS = {"kthvalue", "k dim keepdim", "out"};
static const em_lua_opts MEDIAN_OPTS = {"median", "dim keepdim", "out"};
static const em_lua_opts UNIQUE_OPTS = {"unique", "sorted return_inverse return_counts dim", ""};
static const em_lua_opts SEARCHSORTED_OPTS = {"searchsorted", "out_int32 right side sorter", "out"};
static const em_lua_opts BUCKETIZE_OPTS = {"bucketize", "out_int32 right", "out"};
static const em_lua_opts BINCOUNT_OPTS = {"bincount", "weights minlength", ""};
static const em_lua_opts HISTC_OPTS = {"histc", "bins min max", "out"};

/* The parameters after the first `fixed` arguments, named by spec->known in
** order: the first npos positional, any of them in the trailing options
** table. slot[i]: the stack index of parameter i, 0 when not given. */
static void params(lua_State *L, int fixed, const em_lua_opts *spec, int npos, int *slot)
{
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, spec);
    int top = opts ? opts - 1 : lua_gettop(L);
    if (top - fixed > npos && npos == 0)
        luaL_error(L, "%s: too many arguments (the options go in a table; its options: %s)", spec->fn, spec->known);
    if (top - fixed > npos)
        luaL_error(L, "%s: too many arguments (%d positional after the tensor at most, then options)", spec->fn,
                   npos);
    char name[32];
    const char *p = spec->known;
    for (int i = 0; *p; i++) {
        size_t len = strcspn(p, " ");
        memcpy(name, p, len);
        name[len] = 0;
        p += len + (p[len] == ' ');
        int pos = fixed + 1 + i;
        slot[i] = i < npos && pos <= top && !lua_isnil(L, pos) ? pos : 0;
        if (!opts) continue;
        if (lua_getfield(L, opts, name) == LUA_TNIL) {
            lua_pop(L, 1);
            continue;
        }
        if (slot[i]) luaL_error(L, "%s: %s given twice (as an argument and as an option)", spec->fn, name);
        slot[i] = lua_gettop(L);
    }
}

static bool get_bool(lua_State *L, int slot, const char *fn, const char *name, bool def)
{
    if (!slot) return def;
    if (!lua_isboolean(L, slot))
        luaL_error(L, "%s: %s must be a boolean, got %s", fn, name, luaL_typename(L, slot));
    return lua_toboolean(L, slot);
}

static int64_t get_int(lua_State *L, int slot, const char *fn, const char *name, int64_t def)
{
    if (!slot) return def;
    if (lua_isinteger(L, slot)) return lua_tointeger(L, slot);
    lua_Number v = lua_tonumber(L, slot);
    if (lua_type(L, slot) != LUA_TNUMBER || v != (lua_Number)(int64_t)v)
        luaL_error(L, "%s: %s must be an integer, got %s", fn, name,
                   lua_type(L, slot) == LUA_TNUMBER ? lua_pushfstring(L, "%f", v) : luaL_typename(L, slot));
    return (int64_t)v;
}

static int get_dim(lua_State *L, int slot, int def)
{
    return slot ? em_lua_check_dim(L, slot) : def;
}

/* Pushes values and indices (boxes first, then the call), returns 2. */
#define PUSH_PAIR(L, call)                                                       \
    do {                                                                         \
        em_tensor **vbox_ = em_lua_newbox(L), **ibox_ = em_lua_newbox(L);        \
        em_tensor **v = vbox_, **i = ibox_;                                      \
        EM_LUA_CHECK(L, call);                                                   \
        return 2;                                                                \
    } while (0)

/* sort([dim=-1[, descending=false]][, {stable=false}]) -> values, indices */
static int l_sort(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[3];
    params(L, 1, &SORT_OPTS, 2, s);
    int dim = get_dim(L, s[0], -1);
    bool desc = get_bool(L, s[1], "sort", "descending", false);
    get_bool(L, s[2], "sort", "stable", false);   /* checked; every sort is stable */
    PUSH_PAIR(L, em_sort(x, dim, desc, s[2] != 0, v, i));
}

/* msort(): the values of sort(1) (PyTorch's msort sorts along the first dim) */
static int l_msort(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int none[1];
    params(L, 1, &MSORT_OPTS, 0, none);
    em_tensor **vbox = em_lua_newbox(L), **ibox = em_lua_newbox(L);
    EM_LUA_CHECK(L, em_sort(x, 0, false, false, vbox, ibox));
    lua_pop(L, 1);
    return 1;
}

/* argsort([dim=-1[, descending=false]][, {stable=false}]) -> indices */
static int l_argsort(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[3];
    params(L, 1, &ARGSORT_OPTS, 2, s);
    int dim = get_dim(L, s[0], -1);
    bool desc = get_bool(L, s[1], "argsort", "descending", false);
    get_bool(L, s[2], "argsort", "stable", false);   /* checked; every sort is stable */
    em_tensor **vbox = em_lua_newbox(L), **ibox = em_lua_newbox(L);
    EM_LUA_CHECK(L, em_op_sort(x, dim, desc, vbox, ibox));
    return 1;
}

/* topk(k[, dim=-1[, largest=true[, sorted=true]]]) -> values, indices */
static int l_topk(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[4];
    params(L, 1, &TOPK_OPTS, 4, s);
    if (!s[0]) luaL_error(L, "topk: missing the number of elements k");
    int64_t k = get_int(L, s[0], "topk", "k", 0);
    int dim = get_dim(L, s[1], -1);
    bool largest = get_bool(L, s[2], "topk", "largest", true);
    get_bool(L, s[3], "topk", "sorted", true);   /* checked; the k values always come sorted */
    PUSH_PAIR(L, em_topk(x, k, dim, largest, v, i));
}

/* kthvalue(k[, dim=-1[, keepdim=false]]) -> values, indices */
static int l_kthvalue(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[3];
    params(L, 1, &KTHVALUE_OPTS, 3, s);
    if (!s[0]) luaL_error(L, "kthvalue: missing k (1 = the smallest)");
    int64_t k = get_int(L, s[0], "kthvalue", "k", 0);
    int dim = get_dim(L, s[1], -1);
    bool keep = get_bool(L, s[2], "kthvalue", "keepdim", false);
    PUSH_PAIR(L, em_kthvalue(x, k, dim, keep, v, i));
}

/* median() -> value ; median(dim[, keepdim=false]) -> values, indices */
static int l_median(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[2];
    params(L, 1, &MEDIAN_OPTS, 2, s);
    if (!s[0]) {
        if (s[1]) luaL_error(L, "median: keepdim needs a dim");
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_median_all(x));
        return 1;
    }
    int dim = get_dim(L, s[0], -1);
    bool keep = get_bool(L, s[1], "median", "keepdim", false);
    PUSH_PAIR(L, em_median_dim(x, dim, keep, v, i));
}

/* unique([sorted=true[, return_inverse=false[, return_counts=false[, dim]]]])
** -> output[, inverse][, counts] */
static int l_unique(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[4];
    params(L, 1, &UNIQUE_OPTS, 4, s);
    get_bool(L, s[0], "unique", "sorted", true);   /* false: ascending too (PyTorch: unspecified order) */
    bool inv = get_bool(L, s[1], "unique", "return_inverse", false);
    bool cnt = get_bool(L, s[2], "unique", "return_counts", false);
    int dim = get_dim(L, s[3], 0);
    em_tensor **obox = em_lua_newbox(L), **ibox = em_lua_newbox(L), **cbox = em_lua_newbox(L);
    int top = lua_gettop(L);
    EM_LUA_CHECK(L, em_op_unique(x, s[3] != 0, dim, obox, inv ? ibox : NULL, cnt ? cbox : NULL));
    if (!cnt) lua_remove(L, top);
    if (!inv) lua_remove(L, top - 1);
    return 1 + inv + cnt;
}

/* The tensor at idx, or a Lua number as a wrapped 0-dim tensor (anchored). */
static em_tensor *tensor_or_number(lua_State *L, int idx, const em_tensor *like)
{
    if (lua_type(L, idx) == LUA_TNUMBER) return em_lua_check_operand(L, idx, like);
    return em_lua_check_tensor(L, idx);
}

/* torch.searchsorted(sorted_sequence, values[, {right, side, out_int32, sorter}]) */
static int l_searchsorted(lua_State *L)
{
    em_tensor *seq = em_lua_check_tensor(L, 1);
    int s[4];
    params(L, 2, &SEARCHSORTED_OPTS, 0, s);
    em_tensor *vals = tensor_or_number(L, 2, seq);
    bool out32 = get_bool(L, s[0], "searchsorted", "out_int32", false);
    bool right = get_bool(L, s[1], "searchsorted", "right", false);
    if (s[2]) {
        const char *side = lua_tostring(L, s[2]);
        if (lua_type(L, s[2]) != LUA_TSTRING || (strcmp(side, "left") != 0 && strcmp(side, "right") != 0))
            luaL_error(L, "searchsorted: side can only be 'left' or 'right' but got %s", luaL_tolstring(L, s[2], NULL));
        if (right && side[0] == 'l')
            luaL_error(L, "searchsorted: side and right can't be set to opposites, got side of left while right "
                       "was true");
        right = side[0] == 'r';
    }
    em_tensor *sorter = s[3] ? em_lua_check_tensor(L, s[3]) : NULL;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_searchsorted("searchsorted", seq, vals, right, out32, sorter));
    return 1;
}

/* torch.bucketize(input, boundaries[, {right, out_int32}]) */
static int l_bucketize(lua_State *L)
{
    em_tensor *bounds = em_lua_check_tensor(L, 2);
    int s[2];
    params(L, 2, &BUCKETIZE_OPTS, 0, s);
    em_tensor *x = tensor_or_number(L, 1, bounds);
    bool out32 = get_bool(L, s[0], "bucketize", "out_int32", false);
    bool right = get_bool(L, s[1], "bucketize", "right", false);
    if (bounds->ndim != 1)
        luaL_error(L, "bucketize: boundaries tensor must be 1 dimension, but got dim(%d)", bounds->ndim);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_searchsorted("bucketize", bounds, x, right, out32, NULL));
    return 1;
}

/* bincount([weights[, minlength=0]]) */
static int l_bincount(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[2];
    params(L, 1, &BINCOUNT_OPTS, 2, s);
    em_tensor *w = s[0] ? em_lua_check_tensor(L, s[0]) : NULL;
    int64_t minlength = get_int(L, s[1], "bincount", "minlength", 0);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_bincount(x, w, minlength));
    return 1;
}

/* histc([bins=100[, min=0[, max=0]]]) */
static int l_histc(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int s[3];
    params(L, 1, &HISTC_OPTS, 3, s);
    int64_t bins = get_int(L, s[0], "histc", "bins", 100);
    double lo = s[1] ? em_lua_check_scalar(L, s[1], "histc") : 0.0;
    double hi = s[2] ? em_lua_check_scalar(L, s[2], "histc") : 0.0;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_histc(x, bins, lo, hi));
    return 1;
}

static const luaL_Reg both[] = {
    {"sort", l_sort},     {"argsort", l_argsort}, {"topk", l_topk},         {"kthvalue", l_kthvalue},
    {"median", l_median}, {"unique", l_unique},   {"bincount", l_bincount}, {"histc", l_histc},
    {"msort", l_msort},   {NULL, NULL},
};

void em_lua_register_sort(lua_State *L)
{
    luaL_setfuncs(L, both, 0);
}

void em_lua_register_sort_module(lua_State *L)
{
    luaL_setfuncs(L, both, 0);
    lua_pushcfunction(L, l_searchsorted);
    lua_setfield(L, -2, "searchsorted");
    lua_pushcfunction(L, l_bucketize);
    lua_setfield(L, -2, "bucketize");
}
