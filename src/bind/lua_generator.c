/* lua_generator.c — torch.Generator objects, torch.default_generator,
** torch.manual_seed / initial_seed / get_rng_state / set_rng_state. A state
** is the uint8 tensor of PyTorch's own layout (5056 bytes, core/rng_state.c),
** so states move between ember and PyTorch. Seeds are uint64 as in PyTorch:
** a negative Lua integer stands for its two's complement, and initial_seed()
** of a seed >= 2^63 comes back as that negative integer (Lua has no uint64). */
#include <math.h>
#include <string.h>

#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

#define EM_GENERATOR_MT "torch.Generator"

/* A Generator userdata: its own state, or (torch.default_generator) a
** pointer to the global one. */
typedef struct lua_gen {
    em_rng *g;
    em_rng own;
} lua_gen;

static em_rng *check_gen(lua_State *L, int idx)
{
    return ((lua_gen *)luaL_checkudata(L, idx, EM_GENERATOR_MT))->g;
}

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
    if (lua_isinteger(L, idx)) return (uint64_t)lua_tointeger(L, idx);
    double v = luaL_checknumber(L, idx);
    if (v == floor(v) && v >= 0 && v < 18446744073709551616.0) return (uint64_t)v;
    if (v == floor(v) && v < 0 && v >= -9223372036854775808.0) return (uint64_t)(int64_t)v;
    return (uint64_t)luaL_argerror(L, idx, lua_pushfstring(L, "manual_seed: expected an integer seed in "
                                                              "[-2^63, 2^64), got %f", v));
}

static int push_state(lua_State *L, const em_rng *g)
{
    uint8_t bytes[EM_RNG_STATE_BYTES];
    int64_t n = EM_RNG_STATE_BYTES;
    em_rng_get_state(g, bytes);
    em_tensor **box = em_lua_newbox(L);
    /* a CPU ByteTensor whatever the default device, as in PyTorch */
    const em_backend *cpu = em_backend_for(EM_DEVICE_CPU);
    EM_LUA_TRY(L, *box, cpu ? em_op_from_host(bytes, 1, &n, EM_UINT8, cpu) : NULL);
    return 1;
}

static int set_state(lua_State *L, em_rng *g, int idx, const char *op)
{
    em_tensor *t = em_lua_test_tensor(L, idx);
    if (!t || t->dtype != EM_UINT8)
        return luaL_error(L, "%s: RNG state must be a torch.uint8 tensor (from get_rng_state()), got %s", op,
                          t ? em_dtype_name(t->dtype) : luaL_typename(L, idx));
    int64_t n = em_tensor_numel(t);
    if (n != EM_RNG_STATE_BYTES && n != EM_RNG_STATE_BYTES_LEGACY)
        return luaL_error(L, "%s: expected a state of %d bytes (from get_rng_state()), got %d bytes", op,
                          EM_RNG_STATE_BYTES, (int)n);
    uint8_t bytes[EM_RNG_STATE_BYTES];
    EM_LUA_CHECK(L, em_op_to_host(t, bytes, (size_t)n));
    EM_LUA_CHECK(L, em_rng_set_state(g, bytes, n));
    return 0;
}

static lua_gen *new_gen(lua_State *L)
{
    lua_gen *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->g = &u->own;
    em_rng_seed(u->g, EM_RNG_DEFAULT_SEED);
    luaL_setmetatable(L, EM_GENERATOR_MT);
    return u;
}

/* torch.Generator([device]): only "cpu" exists. */
static int l_generator_new(lua_State *L)
{
    if (!lua_isnoneornil(L, 1)) {
        const char *dev = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
        if (!dev || strcmp(dev, "cpu") != 0)
            return luaL_error(L, "Generator: only the \"cpu\" device has a generator, got %s",
                              dev ? dev : luaL_typename(L, 1));
    }
    new_gen(L);
    return 1;
}

static int l_gen_manual_seed(lua_State *L)
{
    em_rng *g = check_gen(L, 1);
    em_rng_seed(g, check_seed(L, 2));
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
    set_state(L, check_gen(L, 1), 2, "set_state");
    lua_settop(L, 1);
    return 1;
}

static int l_gen_tostring(lua_State *L)
{
    lua_gen *u = luaL_checkudata(L, 1, EM_GENERATOR_MT);
    lua_pushfstring(L, "<torch.Generator object at %p>", (void *)u);
    return 1;
}

/* torch.manual_seed(s) seeds the global generator and returns it, as PyTorch. */
static int l_manual_seed(lua_State *L)
{
    em_rng_seed(em_rng_default(), check_seed(L, 1));
    lua_getfield(L, lua_upvalueindex(1), "default_generator");
    return 1;
}

static int l_initial_seed(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)em_rng_default()->seed);
    return 1;
}

static int l_get_rng_state(lua_State *L) { return push_state(L, em_rng_default()); }
static int l_set_rng_state(lua_State *L) { return set_state(L, em_rng_default(), 1, "set_rng_state"); }

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
    lua_pushcfunction(L, l_gen_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "torch.Generator");
    lua_setfield(L, -2, "__name");
    lua_pop(L, 1);

    lua_gen *def = new_gen(L);          /* torch.default_generator */
    def->g = em_rng_default();
    lua_setfield(L, -2, "default_generator");

    static const luaL_Reg funcs[] = {
        {"Generator", l_generator_new},     {"initial_seed", l_initial_seed},
        {"get_rng_state", l_get_rng_state}, {"set_rng_state", l_set_rng_state},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
    lua_pushvalue(L, -1);               /* manual_seed finds default_generator in the module */
    lua_pushcclosure(L, l_manual_seed, 1);
    lua_setfield(L, -2, "manual_seed");
}
