/* lua_loss.c — Lua bindings of the elementwise losses that are one graph
** node (autograd/loss_grad.h): torch.core._binary_cross_entropy(x, t, w,
** reduction), _smooth_l1_loss(x, t, reduction, beta) and _huber_loss(x, t,
** reduction, delta). Private: F.binary_cross_entropy, F.smooth_l1_loss and
** F.huber_loss (lua/torch/nn/functional.lua) check the options, then call
** these. Not here: the class losses and mse (lua_nn.c). */
#include "../autograd/loss_grad.h"
#include "lua_bind.h"
#include "lua_util.h"

static em_reduction check_reduction(lua_State *L, int idx)
{
    static const char *const names[] = {"none", "mean", "sum", NULL};
    static const em_reduction reductions[] = {EM_REDUCTION_NONE, EM_REDUCTION_MEAN, EM_REDUCTION_SUM};
    return reductions[luaL_checkoption(L, idx, "mean", names)];
}

static int l_binary_cross_entropy(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *t = em_lua_check_tensor(L, 2);
    em_tensor *w = lua_isnoneornil(L, 3) ? NULL : em_lua_check_tensor(L, 3);
    em_reduction r = check_reduction(L, 4);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_binary_cross_entropy(x, t, w, r));
    return 1;
}

/* (x, t, reduction, a number) -> loss: smooth_l1_loss (beta), huber_loss (delta) */
typedef em_tensor *(*em_loss_with_number)(em_tensor *x, em_tensor *t, em_reduction r, double v);

static int loss_with_number(lua_State *L, em_loss_with_number loss)
{
    em_tensor *x = em_lua_check_tensor(L, 1), *t = em_lua_check_tensor(L, 2);
    em_reduction r = check_reduction(L, 3);
    double v = luaL_checknumber(L, 4);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, loss(x, t, r, v));
    return 1;
}

static int l_smooth_l1_loss(lua_State *L) { return loss_with_number(L, em_smooth_l1_loss); }
static int l_huber_loss(lua_State *L) { return loss_with_number(L, em_huber_loss); }

void em_lua_register_loss(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"_binary_cross_entropy", l_binary_cross_entropy},
        {"_smooth_l1_loss", l_smooth_l1_loss},
        {"_huber_loss", l_huber_loss},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
