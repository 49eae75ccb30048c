/* lua_generator.c — torch.Generator objects, torch.manual_seed,
** torch.initial_seed, torch.get_rng_state / set_rng_state (the generator's
** complete state as a uint8 tensor, restorable exactly). */
#include <string.h>

#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

#define EM_GENERATOR_MT "torch.Generator"

static em_rng *check_gen(lua_State *L, int idx) { return luaL_checkudata(L, idx, EM_GENERATOR_MT); }

em_rng *em_lua_opt_generator(lua_State *L, int opts)
{
    if (!opts) return em_rng_default();
    lua_getfield(L, opts, "generator");
    em_rng *g = lua_isnil(L, -1) ? em_rng_default() : check_gen(L, -1);
    lua_pop(L, 1);
    return g;
}

static uint64_t check_seed(lua_State *L, int idx)
{
    int64_t s = em_lua_check_int(L, idx);
    return (uint64_t)s;
}

static int push_state(lua_State *L, const em_rng *g)
{
    int64_t n = (int64_t)sizeof *g;
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_op_from_host(g, 1, &n, EM_UINT8, em_cpu_backend()));
    return 1;
}

static int set_state(lua_State *L, em_rng *g, int idx)
{
    em_tensor *t = em_lua_check_tensor(L, idx);
    if (t->dtype != EM_UINT8 || t->ndim != 1 || t->shape[0] != (int64_t)sizeof *g)
        return luaL_error(L, "set_rng_state: expected a uint8 tensor of %d bytes from get_rng_state()",
                          (int)sizeof *g);
    em_rng tmp;
    EM_LUA_CHECK(L, em_op_to_host(t, &tmp, sizeof tmp));
    if (tmp.index < 0 || tmp.index > EM_MT_N) return luaL_error(L, "set_rng_state: the state is corrupt");
    *g = tmp;
    return 0;
}

static int l_generator_new(lua_State *L)
{
    em_rng *g = lua_newuserdatauv(L, sizeof *g, 0);
    em_rng_seed(g, 67280421310721ull);
    luaL_setmetatable(L, EM_GENERATOR_MT);
    return 1;
}

static int l_gen_manual_seed(lua_State *L)
{
    em_rng_seed(check_gen(L, 1), check_seed(L, 2));
    lua_settop(L, 1);
    return 1;
}

static int l_gen_initial_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)check_gen(L, 1)->seed);
    return 1;
}

static int l_gen_get_state(lua_State *L) { return push_state(L, check_gen(L, 1)); }
static int l_gen_set_state(lua_State *L)
{
    set_state(L, check_gen(L, 1), 2);
    lua_settop(L, 1);
    return 1;
}

static int l_manual_seed(lua_State *L)
{
    em_rng_seed(em_rng_default(), check_seed(L, 1));
    return 0;
}

static int l_initial_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)em_rng_default()->seed);
    return 1;
}

static int l_get_rng_state(lua_State *L) { return push_state(L, em_rng_default()); }
static int l_set_rng_state(lua_State *L) { return set_state(L, em_rng_default(), 1); }

void em_lua_open_generator(lua_State *L)
{
    static const luaL_Reg methods[] = {
        {"manual_seed", l_gen_manual_seed}, {"initial_seed", l_gen_initial_seed},
        {"get_state", l_gen_get_state},     {"set_state", l_gen_set_state},
        {NULL, NULL},
    };
    luaL_newmetatable(L, EM_GENERATOR_MT);
    luaL_newlib(L, methods);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "torch.Generator");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);
    static const luaL_Reg funcs[] = {
        {"Generator", l_generator_new},     {"manual_seed", l_manual_seed},
        {"initial_seed", l_initial_seed},   {"get_rng_state", l_get_rng_state},
        {"set_rng_state", l_set_rng_state}, {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
