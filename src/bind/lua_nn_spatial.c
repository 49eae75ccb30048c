/* lua_nn_spatial.c — Lua bindings of the spatial ops of
** autograd/spatial_grad.h, as private functions of torch.core with fixed
** positional arguments: _conv1d, _conv_transpose2d, _adaptive_avg_pool2d,
** _adaptive_max_pool2d, _interpolate, _pad, _unfold, _fold, _dropout2d.
** The public forms (F.conv1d, F.interpolate, nn.Upsample, ...) are Lua, in
** lua/torch/nn/spatial_functional.lua, which checks the options against
** PyTorch's parameter lists (torch.nn.args) and calls these; each binding
** only converts its arguments and calls one function. */
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/spatial_grad.h"
#include "lua_bind.h"
#include "lua_util.h"

static em_tensor *opt_tensor(lua_State *L, int idx)
{
    return lua_isnoneornil(L, idx) ? NULL : em_lua_check_tensor(L, idx);
}

static int64_t int_at(lua_State *L, int idx) { return (int64_t)luaL_checkinteger(L, idx); }

/* _conv1d(x, w, b, stride, padding, dilation, groups); padding an integer,
** "same" or "valid" */
static int l_conv1d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *w = em_lua_check_tensor(L, 2), *b = opt_tensor(L, 3);
    bool same = false;
    int64_t pad = 0;
    if (lua_type(L, 5) == LUA_TSTRING) {
        const char *mode = lua_tostring(L, 5);
        same = strcmp(mode, "same") == 0;
        if (!same && strcmp(mode, "valid") != 0)
            return luaL_error(L, "conv1d: Invalid padding string '%s', should be one of {'valid', 'same'}", mode);
    } else {
        pad = int_at(L, 5);
    }
    em_conv2d_opts o = em_conv1d_opts(int_at(L, 4), pad, int_at(L, 6), int_at(L, 7), same);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_conv1d(x, w, b, &o));
    return 1;
}

/* _conv_transpose2d(x, w, b, sh, sw, ph, pw, oph, opw, groups, dh, dw) */
static int l_conv_transpose2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *w = em_lua_check_tensor(L, 2), *b = opt_tensor(L, 3);
    em_conv2d_opts o = em_conv2d_defaults();
    int64_t op[2];
    for (int i = 0; i < 2; i++) {
        o.stride[i] = int_at(L, 4 + i);
        o.pad[i] = o.pad_end[i] = int_at(L, 6 + i);
        op[i] = int_at(L, 8 + i);
        o.dilation[i] = int_at(L, 11 + i);
    }
    o.groups = int_at(L, 10);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_conv_transpose2d(x, w, b, &o, op));
    return 1;
}

static int l_adaptive_avg_pool2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int64_t oh = int_at(L, 2), ow = int_at(L, 3);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_adaptive_avg_pool2d(x, oh, ow));
    return 1;
}

/* -> out, indices */
static int l_adaptive_max_pool2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int64_t oh = int_at(L, 2), ow = int_at(L, 3);
    em_tensor **box = em_lua_newbox(L), **ibox = em_lua_newbox(L);
    EM_LUA_CHECK(L, em_adaptive_max_pool2d(x, oh, ow, box, ibox));
    return 2;
}

/* _interpolate(x, mode, oh, ow, scale_h, scale_w, align_corners); mode
** "nearest", "nearest-exact" or "bilinear"; a scale of 0: none */
static int l_interpolate(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    static const char *const modes[] = {"nearest", "nearest-exact", "bilinear", NULL};
    static const em_interp_mode values[] = {EM_INTERP_NEAREST, EM_INTERP_NEAREST_EXACT, EM_INTERP_BILINEAR};
    int m = luaL_checkoption(L, 2, NULL, modes);
    double scales[2] = {luaL_checknumber(L, 5), luaL_checknumber(L, 6)};
    int64_t oh = int_at(L, 3), ow = int_at(L, 4);
    bool align = lua_toboolean(L, 7);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_interpolate(x, values[m], oh, ow, scales, align));
    return 1;
}

/* _pad(x, {pads...}, mode, value); mode "constant", "reflect" or "replicate" */
static int l_pad(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    static const char *const modes[] = {"constant", "reflect", "replicate", NULL};
    static const em_pad_mode values[] = {EM_PAD_CONSTANT, EM_PAD_REFLECT, EM_PAD_REPLICATE};
    int m = luaL_checkoption(L, 3, NULL, modes);
    double value = luaL_optnumber(L, 4, 0.0);
    lua_Integer n = luaL_len(L, 2);
    if (n > 2 * EM_MAX_DIMS) return luaL_error(L, "pad: Padding length too large (%d values)", (int)n);
    int64_t pads[2 * EM_MAX_DIMS];
    for (lua_Integer i = 0; i < n; i++) {
        lua_geti(L, 2, i + 1);
        int ok;
        pads[i] = (int64_t)lua_tointegerx(L, -1, &ok);
        if (!ok) return luaL_error(L, "pad: padding must be integers, got %s at position %d", luaL_typename(L, -1),
                                   (int)(i + 1));
        lua_pop(L, 1);
    }
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_pad(x, (int)n, pads, values[m], value));
    return 1;
}

/* kernel, dilation, padding, stride as pairs from position k on */
static em_fold_opts fold_opts_at(lua_State *L, int k)
{
    em_fold_opts o;
    for (int i = 0; i < 2; i++) {
        o.kernel[i] = int_at(L, k + i);
        o.dilation[i] = int_at(L, k + 2 + i);
        o.pad[i] = int_at(L, k + 4 + i);
        o.stride[i] = int_at(L, k + 6 + i);
    }
    return o;
}

/* _unfold(x, kh, kw, dh, dw, ph, pw, sh, sw) */
static int l_unfold(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_fold_opts o = fold_opts_at(L, 2);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_unfold(x, &o));
    return 1;
}

/* _fold(x, oh, ow, kh, kw, dh, dw, ph, pw, sh, sw) */
static int l_fold(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    int64_t out_size[2] = {int_at(L, 2), int_at(L, 3)};
    em_fold_opts o = fold_opts_at(L, 4);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_fold(x, out_size, &o));
    return 1;
}

/* _dropout2d(x, p, train): x itself when nothing is dropped */
static int l_dropout2d(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    double p = luaL_checknumber(L, 2);
    bool train = lua_toboolean(L, 3);
    em_rng *g = em_lua_opt_generator(L, 0);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_dropout2d(x, p, train, g));
    if (*box == x) {   /* the very same tensor object, as PyTorch returns input */
        em_tensor_release(x);
        *box = NULL;
        lua_settop(L, 1);
    }
    return 1;
}

void em_lua_register_nn_spatial(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"_conv1d", l_conv1d},
        {"_conv_transpose2d", l_conv_transpose2d},
        {"_adaptive_avg_pool2d", l_adaptive_avg_pool2d},
        {"_adaptive_max_pool2d", l_adaptive_max_pool2d},
        {"_interpolate", l_interpolate},
        {"_pad", l_pad},
        {"_unfold", l_unfold},
        {"_fold", l_fold},
        {"_dropout2d", l_dropout2d},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
