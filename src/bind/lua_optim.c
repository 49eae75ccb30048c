/* lua_optim.c — torch.set_num_threads/get_num_threads, and torch._adam_step_(p, grad, exp_avg, exp_avg_sq, {lr =,
** beta1 =, beta2 =, eps =, weight_decay =, step =, decoupled =}): the fused
** Adam/AdamW update behind lua/torch/optim/adam.lua (which keeps the
** op-by-op formula as its readable reference). Private (leading _). */
#include "../ops/optim.h"
#include "../backend/cpu/cpu_threads.h"
#include "lua_bind.h"
#include "lua_util.h"

static double num_field(lua_State *L, int idx, const char *name)
{
    lua_getfield(L, idx, name);
    int ok;
    double v = lua_tonumberx(L, -1, &ok);
    if (!ok) luaL_error(L, "_adam_step_: option '%s' must be a number, got %s", name, luaL_typename(L, -1));
    lua_pop(L, 1);
    return v;
}

static int l_adam_step(lua_State *L)
{
    em_tensor *p = em_lua_check_tensor(L, 1);
    em_tensor *g = em_lua_check_tensor(L, 2);
    em_tensor *m = em_lua_check_tensor(L, 3);
    em_tensor *v = em_lua_check_tensor(L, 4);
    luaL_checktype(L, 5, LUA_TTABLE);
    em_adam_args a = {
        .lr = num_field(L, 5, "lr"),
        .beta1 = num_field(L, 5, "beta1"),
        .beta2 = num_field(L, 5, "beta2"),
        .eps = num_field(L, 5, "eps"),
        .weight_decay = num_field(L, 5, "weight_decay"),
        .step = num_field(L, 5, "step"),
        .decoupled = em_lua_opt_field_bool(L, 5, "decoupled", false),
    };
    EM_LUA_CHECK(L, em_op_adam_step(p, g, m, v, &a));
    return 0;
}

/* core._sgd_step_(params, lr, weight_decay, maximize) -> nil | {i, ...}
** One plain SGD step (no momentum) on every parameter of the list that has
** a grad, in one call (ops/optim.c). Returns the 1-based positions of the
** parameters the fused kernel cannot take (not contiguous, grad of another
** dtype, ...), which lua/torch/optim/sgd.lua then steps op by op; nil when
** there are none. */
static int l_sgd_step(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double lr = luaL_checknumber(L, 2), wd = luaL_checknumber(L, 3);
    bool maximize = lua_toboolean(L, 4);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    int left = 0;
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        em_tensor *p = em_lua_check_tensor(L, -1);
        lua_pop(L, 1);
        if (!p->grad) continue;
        if (em_op_sgd_step(p, p->grad, lr, wd, maximize) != EM_OK) {
            if (!left) {
                lua_newtable(L);
                left = lua_gettop(L);
            }
            lua_pushinteger(L, i);
            lua_rawseti(L, left, (lua_Integer)lua_rawlen(L, left) + 1);
        }
    }
    if (!left) lua_pushnil(L);
    return 1;
}

/* torch.set_num_threads(n) / torch.get_num_threads(), as in PyTorch: the
** CPU backend's thread count (OpenBLAS). */
static int l_set_num_threads(lua_State *L)
{
    lua_Integer n = luaL_checkinteger(L, 1);
    luaL_argcheck(L, n >= 1 && n <= 1024, 1, "set_num_threads: expected a thread count from 1 to 1024");
    em_set_num_threads((int)n);
    return 0;
}

static int l_get_num_threads(lua_State *L)
{
    lua_pushinteger(L, em_get_num_threads());
    return 1;
}

void em_lua_register_optim(lua_State *L)
{
    lua_pushcfunction(L, l_set_num_threads);
    lua_setfield(L, -2, "set_num_threads");
    lua_pushcfunction(L, l_get_num_threads);
    lua_setfield(L, -2, "get_num_threads");
    lua_pushcfunction(L, l_adam_step);
    lua_setfield(L, -2, "_adam_step_");
    lua_pushcfunction(L, l_sgd_step);
    lua_setfield(L, -2, "_sgd_step_");
}
