/* two_states.c — torch.so in two Lua states of one process: each state
** requires torch through package.cpath (as stock lua5.4 does), they train
** interleaved, the first is closed (Lua then dlcloses its handle on torch.so)
** and the second must go on working; one state also loads the module twice.
** Usage: two_states LUA_CPATH_TEMPLATE (e.g. build/lua/?.so). Exit 0 on success. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>

static const char *const STEP =
    "local torch = require 'torch'\n"
    "torch.manual_seed(3)\n"
    "local x, y = torch.randn(16, 2), torch.randn(16, 1)\n"
    "model = model or torch.nn.Linear(2, 1)\n"
    "opt = opt or torch.optim.SGD(model:parameters(), {lr = 0.1})\n"
    "opt:zero_grad()\n"
    "local loss = torch.nn.functional.mse_loss(model(x), y)\n"
    "loss:backward(); opt:step()\n"
    "return loss:item()\n";

static const char *const RELOAD =
    "local first = require 'torch'\n"
    "package.loaded.torch, package.loaded['torch.core'] = nil, nil\n"
    "local second = require 'torch'\n"
    "assert(first ~= second)\n"
    "return (first.ones(2) + second.ones(2)):sum():item()\n";

static lua_State *open_state(const char *cpath)
{
    lua_State *L = luaL_newstate();
    if (!L) return NULL;
    luaL_openlibs(L);
    lua_getglobal(L, "package");
    lua_pushstring(L, cpath);
    lua_setfield(L, -2, "cpath");
    lua_pop(L, 1);
    return L;
}

/* Runs code in L; its number result in *out. 0 on success (message printed otherwise). */
static int run(lua_State *L, const char *what, const char *code, double *out)
{
    if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK) {
        fprintf(stderr, "two_states: %s: %s\n", what, lua_tostring(L, -1));
        return 1;
    }
    *out = lua_tonumber(L, -1);
    lua_pop(L, 1);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: two_states LUA_CPATH_TEMPLATE\n");
        return 2;
    }
    lua_State *a = open_state(argv[1]), *b = open_state(argv[1]);
    if (!a || !b) return 1;
    double la1, lb1, la2, lb2, la3, sum;
    if (run(a, "state 1 step 1", STEP, &la1) || run(b, "state 2 step 1", STEP, &lb1) ||
        run(a, "state 1 step 2", STEP, &la2) || run(b, "state 2 step 2", STEP, &lb2))
        return 1;
    /* the same seed and model in both states: the same numbers */
    if (la1 != lb1 || la2 != lb2 || !(la2 < la1)) {
        fprintf(stderr, "two_states: losses differ or do not decrease: %.17g %.17g / %.17g %.17g\n", la1, lb1,
                la2, lb2);
        return 1;
    }
    lua_close(a);
    if (run(b, "state 2 after closing state 1", STEP, &la3) || run(b, "loading twice", RELOAD, &sum)) return 1;
    if (!(la3 < lb2) || sum != 4) {
        fprintf(stderr, "two_states: after closing state 1: loss %.17g (before %.17g), sum %g\n", la3, lb2, sum);
        return 1;
    }
    lua_close(b);
    printf("two_states: ok (losses %.9g -> %.9g -> %.9g)\n", la1, la2, la3);
    return 0;
}
