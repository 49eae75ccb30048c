/* lua_core.c — luaopen_torch_core: the C half of the `torch` module. Builds
** the module table (creation, math, joining, RNG, dtypes, devices, grad
** mode) and the Tensor methods table (also exposed as torch.Tensor so that
** Lua code can add methods). lua/torch/init.lua builds the public module on
** top of this. */
#include <lauxlib.h>
#include <lua.h>

#include "../backend/cpu/cpu_threads.h"
#include "lua_bind.h"
#include "lua_util.h"

/* torch.core._set_tostring(fn): the Lua pretty printer used by tostring(x) */
static int l_set_tostring(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_pushvalue(L, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, "torch.tostring");
    return 0;
}

int luaopen_torch_core(lua_State *L)
{
    lua_newtable(L);                        /* module */
    int mod = lua_gettop(L);
    lua_newtable(L);                        /* Tensor methods */
    int methods = lua_gettop(L);
    em_lua_register_math(L);
    em_lua_register_mathr(L);
    em_lua_register_shape(L);
    em_lua_register_rearrange(L);
    em_lua_register_info(L);
    em_lua_register_sort(L);
    em_lua_open_meta(L);
    lua_pushvalue(L, methods);
    lua_setfield(L, mod, "Tensor");
    lua_settop(L, mod);
    em_lua_register_create(L);
    em_lua_register_math_module(L);
    em_lua_register_mathr_module(L);
    em_lua_register_shape_module(L);
    em_lua_register_rearrange_module(L);

    em_lua_register_sort_module(L);
    em_lua_register_autograd_module(L);
    em_lua_register_autograd_hooks(L);
    em_lua_register_nn(L);
    em_lua_register_loss(L);

    em_lua_register_nn_spatial(L);
    em_lua_register_optim(L);
    em_get_num_threads();    /* applies EMBER_NUM_THREADS (default 1) */
    em_lua_open_types(L);
    em_lua_open_generator(L);
    em_lua_register_io(L);
    em_lua_register_save(L);
    em_lua_register_load(L);
    em_lua_register_safetensors(L);
    em_lua_register_inspect(L);
    em_lua_register_onnx(L);
    em_lua_register_options(L);
    lua_pushcfunction(L, l_set_tostring);
    lua_setfield(L, mod, "_set_tostring");
    return 1;
}
