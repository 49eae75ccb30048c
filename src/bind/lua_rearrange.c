/* lua_rearrange.c — bindings of the ops that move, pick or mask elements
** (flip, roll, repeat, tril, triu, diagonal, diag, trace, masked_fill(_),
** masked_select, nonzero), the split family (chunk, split, tensor_split:
** Lua lists marked as torch.tuple, as PyTorch returns tuples) and addmm /
** baddbmm. Dims arrive 1-based (lua_util converts them); positional
** arguments after the tensor may also come as a trailing options table.
** Not here: einsum, meshgrid, cartesian_prod, outer, repeat_interleave
** (lua/torch/shape_ops.lua, composed in Lua). */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/grad_rearrange.h"
#include "../ops/rearrange.h"
#include "lua_bind.h"
#include "lua_util.h"

/* The stack index of argument `name`: positional at pos (when present and not
** nil) or field name of the options table opts; 0 when neither. Both given is
** an error naming fn. */
static int arg_at(lua_State *L, int opts, int pos, const char *name, const char *fn)
{
    int top = opts ? opts - 1 : lua_gettop(L);
    bool positional = pos <= top && !lua_isnil(L, pos);
    if (opts) {
        lua_getfield(L, opts, name);
        if (!lua_isnil(L, -1)) {
            if (positional) luaL_error(L, "%s: %s given twice (as an argument and as an option)", fn, name);
            return lua_gettop(L);
        }
        lua_pop(L, 1);
    }
    return positional ? pos : 0;
}

/* The options table (checked against spec) and no more than max_pos positional arguments. */
static int options(lua_State *L, const em_lua_opts *spec, int max_pos)
{
    int opts = em_lua_find_options(L);
    em_lua_check_options(L, opts, spec);
    int top = opts ? opts - 1 : lua_gettop(L);
    if (top > max_pos) luaL_error(L, "%s: too many arguments (%d given, at most %d)", spec->fn, top, max_pos);
    return opts;
}

/* Integers at idx: one number or a table of numbers; dims (1-based) converted. */
static int int_list(lua_State *L, int idx, int64_t *out, bool dims, const char *fn)
{
    if (lua_type(L, idx) == LUA_TTABLE) {
        lua_Integer len = luaL_len(L, idx);
        if (len > EM_MAX_DIMS) luaL_error(L, "%s: too many values (%d; at most %d)", fn, (int)len, EM_MAX_DIMS);
        for (lua_Integer i = 1; i <= len; i++) {
            lua_geti(L, idx, i);
            out[i - 1] = dims ? em_lua_check_dim(L, -1) : em_lua_check_int(L, -1);
            lua_pop(L, 1);
        }
        return (int)len;
    }
    out[0] = dims ? em_lua_check_dim(L, idx) : em_lua_check_int(L, idx);
    return 1;
}

/* Calls torch.tuple on the table at the top of the stack (replacing it). */
static void mark_tuple(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushstring(L, "torch");
    lua_call(L, 1, 1);
    lua_getfield(L, -1, "tuple");
    lua_remove(L, -2);
    lua_insert(L, -2);
    lua_call(L, 1, 1);
}

static const em_lua_opts FLIP_OPTS = {"flip", "dims", ""};
/* flip(dims...) / flip({dims}) / flip{dims = {...}} */
static int l_flip(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = em_lua_find_options(L);
    int64_t dims[EM_MAX_DIMS];
    int n = 0;
    if (opts) {
        em_lua_check_options(L, opts, &FLIP_OPTS);
        if (opts != 2 || lua_gettop(L) > 2) return luaL_error(L, "flip: dims given twice (as arguments and as an option)");
        if (lua_getfield(L, 2, "dims") == LUA_TNIL) return luaL_error(L, "flip: missing dims");
        n = int_list(L, lua_gettop(L), dims, true, "flip");
    } else if (lua_type(L, 2) == LUA_TTABLE) {
        n = int_list(L, 2, dims, true, "flip");
    } else {
        int top = lua_gettop(L);
        if (top < 2) return luaL_error(L, "flip: missing dims (a dim, several, or a table of them)");
        if (top - 1 > EM_MAX_DIMS) return luaL_error(L, "flip: too many dims");
        for (int i = 2; i <= top; i++) dims[n++] = em_lua_check_dim(L, i);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_flip(x, dims, n));
    return 1;
}

static const em_lua_opts ROLL_OPTS = {"roll", "shifts dims", ""};
/* roll(shifts[, dims]) with numbers or tables */
static int l_roll(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &ROLL_OPTS, 3);
    int si = arg_at(L, opts, 2, "shifts", "roll"), di = arg_at(L, opts, 3, "dims", "roll");
    if (!si) return luaL_error(L, "roll: missing shifts");
    int64_t shifts[EM_MAX_DIMS], dims[EM_MAX_DIMS];
    int ns = int_list(L, si, shifts, false, "roll"), nd = di ? int_list(L, di, dims, true, "roll") : 0;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_roll(x, shifts, ns, dims, nd));
    return 1;
}

/* repeat(sizes...) / repeat({sizes}); tile(...) the same with 1s put in
** front when fewer sizes than dims are given. repeat is a Lua keyword:
** x["repeat"](x, 2, 1) or x:tile(2, 1). */
static int repeat(lua_State *L, bool tile)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int64_t reps[EM_MAX_DIMS];
    int n = em_lua_check_sizes(L, 2, reps, tile ? "tile" : "repeat");
    if (tile && n < x->ndim) {
        int pad = x->ndim - n;
        memmove(reps + pad, reps, sizeof(int64_t) * (size_t)n);
        for (int i = 0; i < pad; i++) reps[i] = 1;
        n = x->ndim;
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_repeat(x, reps, n));
    return 1;
}
static int l_repeat(lua_State *L) { return repeat(L, false); }
static int l_tile(lua_State *L) { return repeat(L, true); }

static const em_lua_opts TRIL_OPTS = {"tril", "diagonal", "out"};
static const em_lua_opts TRIU_OPTS = {"triu", "diagonal", "out"};
static int trilu(lua_State *L, bool upper)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    const char *fn = upper ? "triu" : "tril";
    int opts = options(L, upper ? &TRIU_OPTS : &TRIL_OPTS, 2);
    int di = arg_at(L, opts, 2, "diagonal", fn);
    int64_t k = di ? em_lua_check_int(L, di) : 0;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_trilu(x, k, upper));
    return 1;
}
static int l_tril(lua_State *L) { return trilu(L, false); }
static int l_triu(lua_State *L) { return trilu(L, true); }

static const em_lua_opts DIAGONAL_OPTS = {"diagonal", "offset dim1 dim2", ""};
/* diagonal([offset=0[, dim1=1[, dim2=2]]]) */
static int l_diagonal(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &DIAGONAL_OPTS, 4);
    int oi = arg_at(L, opts, 2, "offset", "diagonal"), ai = arg_at(L, opts, 3, "dim1", "diagonal"),
        bi = arg_at(L, opts, 4, "dim2", "diagonal");
    int64_t off = oi ? em_lua_check_int(L, oi) : 0;
    int d1 = ai ? em_lua_check_dim(L, ai) : 0, d2 = bi ? em_lua_check_dim(L, bi) : 1;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_diagonal(x, off, d1, d2));
    return 1;
}

static const em_lua_opts DIAG_OPTS = {"diag", "diagonal", "out"};
static int l_diag(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &DIAG_OPTS, 2);
    int di = arg_at(L, opts, 2, "diagonal", "diag");
    int64_t k = di ? em_lua_check_int(L, di) : 0;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_diag(x, k));
    return 1;
}

static int l_trace(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    if (lua_gettop(L) > 1) return luaL_error(L, "trace: takes no arguments besides the tensor");
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_trace(x));
    return 1;
}

/* The value of masked_fill at idx: a 0-dim tensor, or a number (made a
** 0-dim tensor of x's dtype, anchored on the stack). */
static em_tensor *fill_value(lua_State *L, int idx, em_tensor *x, bool *is_number)
{
    em_tensor *v = em_lua_test_tensor(L, idx);
    *is_number = v == NULL;
    if (v) return v;
    if (lua_type(L, idx) != LUA_TNUMBER && lua_type(L, idx) != LUA_TBOOLEAN)
        luaL_error(L, "masked_fill: value must be a number or a 0-dim tensor, got %s", luaL_typename(L, idx));
    return em_lua_check_operand(L, idx, x);
}

static int l_masked_fill(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *mask = em_lua_check_tensor(L, 2);
    bool is_number;
    em_tensor *v = fill_value(L, 3, x, &is_number);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_masked_fill(x, mask, v, is_number));
    return 1;
}

static int l_masked_fill_(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *mask = em_lua_check_tensor(L, 2);
    bool is_number;
    em_tensor *v = fill_value(L, 3, x, &is_number);
    EM_LUA_CHECK(L, em_masked_fill_(x, mask, v, is_number));
    lua_pushvalue(L, 1);
    return 1;
}

static int l_masked_select(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *mask = em_lua_check_tensor(L, 2);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_masked_select(x, mask));
    return 1;
}

int em_lua_nonzero_tuple(lua_State *L, em_tensor *x)
{
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_nonzero(x));
    int nd = x->ndim ? x->ndim : 1;
    lua_createtable(L, nd, 0);
    for (int d = 0; d < nd; d++) {
        em_tensor **col = em_lua_newbox(L);
        if (x->ndim == 0) {   /* PyTorch treats a 0-dim tensor as 1-D here */
            int64_t n = (*box)->shape[0];
            EM_LUA_TRY(L, *col, em_op_full(1, &n, 0.0, EM_INT64, em_tensor_backend(x)));
        } else {
            em_tensor *s;
            EM_LUA_TRY(L, s, em_op_select(*box, 1, d));
            *col = em_op_contiguous(s);
            em_tensor_release(s);
            if (!*col) return em_lua_raise(L);
        }
        lua_rawseti(L, -2, d + 1);
    }
    mark_tuple(L);
    return 1;
}

static const em_lua_opts NONZERO_OPTS = {"nonzero", "as_tuple", "out"};
/* nonzero() -> (count, ndim) int64 ; nonzero{as_tuple = true} -> one 1-D tensor per dim */
static int l_nonzero(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &NONZERO_OPTS, 1);
    if (em_lua_opt_field_bool(L, opts, "as_tuple", false)) return em_lua_nonzero_tuple(L, x);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_nonzero(x));
    return 1;
}

/* --- chunk, split, tensor_split --- */

/* Pushes x's consecutive pieces of the given sizes along d as a tuple. */
static int push_pieces(lua_State *L, em_tensor *x, int d, int n, const int64_t *sizes, const char *node)
{
    lua_createtable(L, n, 0);
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        em_tensor **box = em_lua_newbox(L);
        EM_LUA_TRY(L, *box, em_split_piece(x, d, at, sizes[i], node));
        lua_rawseti(L, -2, i + 1);
        at += sizes[i];
    }
    mark_tuple(L);
    return 1;
}

/* dim of x (0-based, checked) from the argument at idx, default 0. */
static int split_dim(lua_State *L, int idx, em_tensor *x, const char *fn)
{
    int d = idx ? em_lua_check_dim(L, idx) : 0, w;
    if (x->ndim == 0) luaL_error(L, "%s: expected at least a 1-dimensional tensor", fn);
    if (em_wrap_dim(fn, d, x->ndim, &w)) em_lua_raise(L);
    return w;
}

static int64_t *size_buffer(lua_State *L, int64_t n)
{
    if (n < 0 || n > 100000000) luaL_error(L, "split: too many pieces (%I)", (lua_Integer)n);
    return lua_newuserdatauv(L, (size_t)(n > 0 ? n : 1) * sizeof(int64_t), 0);
}

static const em_lua_opts CHUNK_OPTS = {"chunk", "chunks dim", ""};
static int l_chunk(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &CHUNK_OPTS, 3);
    int ci = arg_at(L, opts, 2, "chunks", "chunk");
    if (!ci) return luaL_error(L, "chunk: missing chunks");
    int64_t chunks = em_lua_check_int(L, ci);
    int d = split_dim(L, arg_at(L, opts, 3, "dim", "chunk"), x, "chunk");
    if (chunks <= 0) return luaL_error(L, "chunk: chunk expects `chunks` to be greater than 0, got: %I", (lua_Integer)chunks);
    int64_t size = x->shape[d], each = (size + chunks - 1) / chunks;
    int64_t n = each == 0 ? chunks : (size + each - 1) / each;
    int64_t *sizes = size_buffer(L, n);
    for (int64_t i = 0; i < n; i++) sizes[i] = each == 0 ? 0 : (i < n - 1 ? each : size - each * (n - 1));
    return push_pieces(L, x, d, (int)n, sizes, "SplitBackward0");
}

static const em_lua_opts SPLIT_OPTS = {"split", "split_size_or_sections dim", ""};
/* split(size[, dim]) / split({sizes}[, dim]) */
static int l_split(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &SPLIT_OPTS, 3);
    int si = arg_at(L, opts, 2, "split_size_or_sections", "split");
    if (!si) return luaL_error(L, "split: missing split_size_or_sections");
    int d = split_dim(L, arg_at(L, opts, 3, "dim", "split"), x, "split");
    int64_t size = x->shape[d];
    if (lua_type(L, si) == LUA_TTABLE) {
        lua_Integer n = luaL_len(L, si);
        int64_t *sizes = size_buffer(L, n), sum = 0;
        for (lua_Integer i = 1; i <= n; i++) {
            lua_geti(L, si, i);
            sizes[i - 1] = em_lua_check_int(L, -1);
            lua_pop(L, 1);
            if (sizes[i - 1] < 0)
                return luaL_error(L, "split: split_with_sizes expects split_sizes have only non-negative entries, "
                                  "but got split_sizes=%I at position %d", (lua_Integer)sizes[i - 1], (int)i);
            sum += sizes[i - 1];
        }
        if (sum != size)
            return luaL_error(L, "split: split_with_sizes expects split_sizes to sum exactly to %I (input tensor's "
                              "size at dimension %d), but got sizes summing to %I", (lua_Integer)size, d + 1,
                              (lua_Integer)sum);
        return push_pieces(L, x, d, (int)n, sizes, "SplitWithSizesBackward0");
    }
    int64_t each = em_lua_check_int(L, si);
    if (each < 0)
        return luaL_error(L, "split: split expects split_size be non-negative, but got split_size=%I", (lua_Integer)each);
    if (each == 0 && size != 0)
        return luaL_error(L, "split: split_size can only be 0 if dimension size is 0, but got dimension size of %I",
                          (lua_Integer)size);
    int64_t n = each == 0 ? 1 : (size + each - 1) / each;
    if (n == 0) n = 1;
    int64_t *sizes = size_buffer(L, n);
    for (int64_t i = 0; i < n; i++) sizes[i] = i < n - 1 ? each : size - each * (n - 1);
    return push_pieces(L, x, d, (int)n, sizes, "SplitBackward0");
}

static const em_lua_opts TENSOR_SPLIT_OPTS = {"tensor_split", "indices_or_sections dim", ""};
/* tensor_split(sections[, dim]) / tensor_split({indices}[, dim]): narrow views (SliceBackward0) */
static int l_tensor_split(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int opts = options(L, &TENSOR_SPLIT_OPTS, 3);
    int si = arg_at(L, opts, 2, "indices_or_sections", "tensor_split");
    if (!si) return luaL_error(L, "tensor_split: missing indices_or_sections");
    int d = split_dim(L, arg_at(L, opts, 3, "dim", "tensor_split"), x, "tensor_split");
    int64_t size = x->shape[d];
    if (lua_type(L, si) == LUA_TTABLE) {   /* split points: piece i ends before index i (0-based) */
        lua_Integer n = luaL_len(L, si);
        if (n > 100000000) return luaL_error(L, "tensor_split: too many indices");
        int64_t start = 0;
        lua_createtable(L, (int)n + 1, 0);
        int list = lua_gettop(L);
        for (lua_Integer i = 0; i <= n; i++) {
            int64_t end = size;
            if (i < n) {
                lua_geti(L, si, i + 1);
                end = em_lua_check_int(L, -1);
                lua_pop(L, 1);
                if (end < 0) end += size;
                if (end < 0) end = 0;
                if (end > size) end = size;
            }
            int64_t s = start < size ? start : size, len = end > s ? end - s : 0;
            em_tensor **box = em_lua_newbox(L);
            EM_LUA_TRY(L, *box, em_narrow(x, d, s, len));
            lua_rawseti(L, list, (lua_Integer)i + 1);
            start = end;
        }
        mark_tuple(L);
        return 1;
    }
    int64_t sections = em_lua_check_int(L, si);
    if (sections <= 0)
        return luaL_error(L, "tensor_split: number of sections must be larger than 0, got %I", (lua_Integer)sections);
    int64_t *sizes = size_buffer(L, sections), q = size / sections, r = size % sections;
    for (int64_t i = 0; i < sections; i++) sizes[i] = q + (i < r ? 1 : 0);
    return push_pieces(L, x, d, (int)sections, sizes, "SliceBackward0");
}

/* --- addmm, baddbmm --- */
static const em_lua_opts ADDMM_OPTS = {"addmm", "beta alpha", "out"};
static const em_lua_opts BADDBMM_OPTS = {"baddbmm", "beta alpha", "out"};
static int addmm(lua_State *L, bool batched)
{
    em_tensor *in = em_lua_check_tensor(L, 1), *a = em_lua_check_tensor(L, 2), *b = em_lua_check_tensor(L, 3);
    const em_lua_opts *spec = batched ? &BADDBMM_OPTS : &ADDMM_OPTS;
    int opts = options(L, spec, 3);
    int bi = arg_at(L, opts, 4, "beta", spec->fn), ai = arg_at(L, opts, 5, "alpha", spec->fn);
    double beta = bi ? em_lua_check_scalar(L, bi, spec->fn) : 1.0, alpha = ai ? em_lua_check_scalar(L, ai, spec->fn) : 1.0;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_addmm(in, a, b, beta, alpha, batched));
    return 1;
}
static int l_addmm(lua_State *L) { return addmm(L, false); }
static int l_baddbmm(lua_State *L) { return addmm(L, true); }

static const luaL_Reg rearrange_funcs[] = {
    {"flip", l_flip},           {"roll", l_roll},         {"repeat", l_repeat},
    {"tile", l_tile},    {"tril", l_tril},           {"triu", l_triu},         {"diagonal", l_diagonal},
    {"diag", l_diag},           {"trace", l_trace},       {"masked_fill", l_masked_fill},
    {"masked_select", l_masked_select}, {"nonzero", l_nonzero}, {"chunk", l_chunk},
    {"split", l_split},         {"tensor_split", l_tensor_split}, {"addmm", l_addmm},
    {"baddbmm", l_baddbmm},     {NULL, NULL},
};

void em_lua_register_rearrange(lua_State *L)
{
    luaL_setfuncs(L, rearrange_funcs, 0);
    lua_pushcfunction(L, l_masked_fill_);
    lua_setfield(L, -2, "masked_fill_");
}

void em_lua_register_rearrange_module(lua_State *L)
{
    luaL_setfuncs(L, rearrange_funcs, 0);
    lua_pushnil(L);   /* torch.repeat does not exist in PyTorch */
    lua_setfield(L, -2, "repeat");
}
