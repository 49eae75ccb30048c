/* lua_autograd.c — the Lua side of the engine's call-outs (autograd/engine.h):
** tensor hooks (torch.Tensor.register_hook's registry and the dispatcher the
** engine calls during backward), anomaly mode's forward location, the
** per-node observer behind torch.autograd.explain, gradient capture for
** torch.autograd.grad, and the identity node of full backward hooks. The
** public names and their handles are in lua/torch/autograd.lua; these are
** its private core functions. Not here: backward() itself (lua_info.c).
**
** Hooks live in a registry table: key (the number stored in a node's or a
** leaf's `hooks` field) -> array of {id, fn}. A key whose owner died is only
** noted in C (the owner may die inside the garbage collector) and its
** entry is dropped at the next registration or backward. A hook's Lua error
** is kept as it was raised and rethrown by the backward that ran it, after
** the engine has cleaned up. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../autograd/autograd.h"
#include "../autograd/engine.h"
#include "../autograd/node.h"
#include "../core/runtime.h"
#include "../ops/ops.h"
#include "lua_bind.h"
#include "lua_util.h"

#define HOOKS_KEY "ember.grad_hooks"
#define HOOK_ERROR_KEY "ember.hook_error"

static lua_State *hook_L;          /* the thread running the backward */
static uint32_t next_key;
static uint32_t *dead;             /* keys whose owner died, to drop */
static size_t n_dead, cap_dead;

static void forget_key(uint32_t key)
{
    if (n_dead == cap_dead) {
        size_t cap = cap_dead ? cap_dead * 2 : 32;
        uint32_t *p = realloc(dead, cap * sizeof *p);
        if (!p) return;   /* the entry stays: a few bytes, never called again */
        dead = p;
        cap_dead = cap;
    }
    dead[n_dead++] = key;
}

/* Pushes the hooks table, dropping the entries of dead keys. */
static void push_hooks(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, HOOKS_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, HOOKS_KEY);
    }
    for (size_t i = 0; i < n_dead; i++) {
        lua_pushnil(L);
        lua_rawseti(L, -2, dead[i]);
    }
    n_dead = 0;
}

/* "hook 'function at file.lua:12'": PyTorch names the Python function */
static const char *hook_name(lua_State *L, int fn)
{
    lua_Debug ar;
    lua_pushvalue(L, fn);
    if (lua_getinfo(L, ">S", &ar) && ar.linedefined > 0)
        return lua_pushfstring(L, "hook 'function at %s:%d'", ar.short_src, ar.linedefined);
    return lua_pushstring(L, "hook");
}

/* Checks a hook's replacement against the gradient it was given (PyTorch's
** words); leaves an engine error set and returns false when it differs. */
static bool check_result(lua_State *L, int fn, const em_tensor *old, const em_tensor *r)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (!em_same_shape(old, r)) {
        em_fail(EM_ERR_SHAPE, "%s has changed the size of value (was %s, got %s)", hook_name(L, fn),
                em_shape_str(old->ndim, old->shape, b1, sizeof b1), em_shape_str(r->ndim, r->shape, b2, sizeof b2));
        lua_pop(L, 1);
        return false;
    }
    if (old->dtype != r->dtype) {
        em_fail(EM_ERR_TYPE, "%s has changed the type of value (was %s got %s)", hook_name(L, fn),
                em_tensor_type_name(old), em_tensor_type_name(r));
        lua_pop(L, 1);
        return false;
    }
    return true;
}

static em_status call_hooks(uint32_t key, uint64_t from, uint64_t upto, em_tensor **grad)
{
    lua_State *L = hook_L;
    if (!L) return EM_OK;
    if (!lua_checkstack(L, 8)) return em_fail(EM_ERR_MEMORY, "backward: out of Lua stack for hooks");
    int top = lua_gettop(L);
    push_hooks(L);
    if (lua_rawgeti(L, -1, key) != LUA_TTABLE) {
        lua_settop(L, top);
        return EM_OK;
    }
    /* a snapshot: a hook may remove itself or register another */
    int n = (int)lua_rawlen(L, -1);
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    int snap = lua_gettop(L);
    em_status st = EM_OK;
    for (int i = 1; st == EM_OK && i <= n; i++) {
        lua_rawgeti(L, snap, i);
        int entry = lua_gettop(L);
        lua_rawgeti(L, entry, 1);
        uint64_t id = (uint64_t)lua_tointeger(L, -1);
        lua_pop(L, 1);
        if (id <= from || id > upto) {
            lua_settop(L, snap);
            continue;
        }
        lua_rawgeti(L, entry, 2);
        int fn = lua_gettop(L);
        lua_pushvalue(L, fn);
        em_tensor_retain(*grad);
        em_lua_push_tensor(L, *grad);
        if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
            lua_setfield(L, LUA_REGISTRYINDEX, HOOK_ERROR_KEY);   /* rethrown as it is */
            st = em_fail(EM_ERR_AUTOGRAD, "a hook raised an error");
        } else if (!lua_isnil(L, -1)) {
            em_tensor *r = em_lua_test_tensor(L, -1);
            const char *got = luaL_typename(L, -1);
            if (!r)
                st = em_fail(EM_ERR_TYPE, "expected Tensor, but %s returned '%s'", hook_name(L, fn), got);
            else if (!check_result(L, fn, *grad, r))
                st = em_last_status();
            else {
                em_tensor_retain(r);
                em_tensor_release(*grad);
                *grad = r;
            }
        }
        lua_settop(L, snap);
    }
    lua_settop(L, top);
    return st;
}

static void install(lua_State *L)
{
    hook_L = L;
    em_grad_hook_call = call_hooks;
    em_grad_hook_forget = forget_key;
    em_tensor_hooks_forget = forget_key;
}

/* After a failed backward: the hook's own error if one raised, else the
** engine's. Never returns. */
int em_lua_backward_raise(lua_State *L)
{
    if (lua_getfield(L, LUA_REGISTRYINDEX, HOOK_ERROR_KEY) != LUA_TNIL) {
        lua_pushnil(L);
        lua_setfield(L, LUA_REGISTRYINDEX, HOOK_ERROR_KEY);
        return lua_error(L);
    }
    lua_pop(L, 1);
    return em_lua_raise(L);
}

/* Runs a backward with L as the thread hooks are called on. */
em_status em_lua_run_backward(lua_State *L, int n_roots, em_tensor *const *roots, const em_tensor *const *grads,
                              const em_backward_opts *o)
{
    lua_State *was = hook_L;
    if (em_grad_hook_call) hook_L = L;
    em_status st = em_backward_ex(n_roots, roots, grads, o);
    hook_L = was;
    return st;
}

/* _register_hook(t, fn) -> key, id */
static int l_register_hook(lua_State *L)
{
    em_tensor *t = em_lua_check_tensor(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    if (!t->requires_grad) return luaL_error(L, "register_hook: cannot register a hook on a tensor that doesn't "
                                             "require gradient");
    install(L);
    uint32_t *slot = t->grad_fn ? &t->grad_fn->hooks : &t->hooks;
    if (!*slot) {
        if (next_key == UINT32_MAX) return luaL_error(L, "register_hook: too many hooked tensors");
        *slot = ++next_key;
    }
    push_hooks(L);
    if (lua_rawgeti(L, -1, *slot) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, *slot);
    }
    uint64_t id = ++em_grad_hook_seq;
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, (lua_Integer)id);
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, 2);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
    lua_pushinteger(L, *slot);
    lua_pushinteger(L, (lua_Integer)id);
    return 2;
}

/* _remove_hook(key, id): true when it was still registered */
static int l_remove_hook(lua_State *L)
{
    lua_Integer key = luaL_checkinteger(L, 1), id = luaL_checkinteger(L, 2);
    push_hooks(L);
    bool found = false;
    if (lua_rawgeti(L, -1, key) == LUA_TTABLE) {
        int list = lua_gettop(L);
        lua_Integer n = (lua_Integer)lua_rawlen(L, list);
        for (lua_Integer i = 1; i <= n; i++) {
            lua_rawgeti(L, list, i);
            lua_rawgeti(L, -1, 1);
            bool hit = lua_tointeger(L, -1) == id;
            lua_pop(L, 2);
            if (!hit) continue;
            for (lua_Integer j = i; j < n; j++) {
                lua_rawgeti(L, list, j + 1);
                lua_rawseti(L, list, j);
            }
            lua_pushnil(L);
            lua_rawseti(L, list, n);
            found = true;
            break;
        }
    }
    lua_pushboolean(L, found);
    return 1;
}

/* --- anomaly mode --- */

/* The Lua frames of the running thread, innermost first: where the forward
** call was made. */
static char *trace_here(void)
{
    lua_State *L = em_lua_current;
    if (!L) return NULL;
    char buf[320];
    size_t len = 0;
    lua_Debug ar;
    int shown = 0;
    char last[LUA_IDSIZE + 16] = "";
    for (int level = 0; shown < 4 && lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar) || ar.currentline <= 0) continue;
        char here[LUA_IDSIZE + 16];
        snprintf(here, sizeof here, "%s:%d", ar.short_src, ar.currentline);
        if (strcmp(here, last) == 0) continue;   /* a function called on the line that defines it */
        memcpy(last, here, sizeof last);
        int w = snprintf(buf + len, sizeof buf - len, "%s%s", shown ? ", called from " : "", here);
        if (w < 0 || (size_t)w >= sizeof buf - len) break;
        len += (size_t)w;
        shown++;
    }
    if (!shown) return NULL;
    char *s = malloc(len + 1);
    if (s) memcpy(s, buf, len + 1);
    return s;
}

static int l_set_detect_anomaly(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TBOOLEAN);
    bool was = em_anomaly_enabled;
    em_anomaly_enabled = lua_toboolean(L, 1);
    em_anomaly_check_nan = lua_isnoneornil(L, 2) || lua_toboolean(L, 2);
    em_anomaly_trace = trace_here;
    lua_pushboolean(L, was);
    return 1;
}

static int l_is_anomaly_enabled(lua_State *L)
{
    lua_pushboolean(L, em_anomaly_enabled);
    lua_pushboolean(L, em_anomaly_check_nan);
    return 2;
}

/* _node_trace(grad_fn) -> the forward location recorded in anomaly mode, or nil */
static int l_node_trace(lua_State *L)
{
    em_node *n = em_lua_node_of(L, 1);
    if (n && n->trace) lua_pushstring(L, n->trace);
    else lua_pushnil(L);
    return 1;
}

/* --- roots, gradients and inputs as Lua arrays --- */

typedef struct {
    int n;
    em_tensor **t;   /* borrowed from boxes kept on the stack */
} tensor_list;

/* A tensor or an array of tensors (or of nil/false where allow_nil) at idx. */
static tensor_list check_list(lua_State *L, int idx, const char *what, bool allow_nil)
{
    tensor_list l = {0};
    em_tensor *one = em_lua_test_tensor(L, idx);
    if (one) {
        l.n = 1;
        l.t = lua_newuserdatauv(L, sizeof *l.t, 0);
        l.t[0] = one;
        return l;
    }
    if (lua_type(L, idx) != LUA_TTABLE) luaL_error(L, "autograd.grad: %s must be a tensor or a list of tensors", what);
    l.n = (int)lua_rawlen(L, idx);
    l.t = lua_newuserdatauv(L, sizeof *l.t * (size_t)(l.n ? l.n : 1), 0);
    for (int i = 0; i < l.n; i++) {
        lua_rawgeti(L, idx, i + 1);
        l.t[i] = em_lua_test_tensor(L, -1);
        if (!l.t[i] && !(allow_nil && !lua_toboolean(L, -1)))
            luaL_error(L, "autograd.grad: %s[%d] is a %s, not a tensor", what, i + 1, luaL_typename(L, -1));
        lua_pop(L, 1);   /* the table keeps the box alive */
    }
    return l;
}

/* _grad(outputs, grad_outputs|nil, inputs, retain_graph) -> array of
** gradients, false where none reached an input */
static int l_grad(lua_State *L)
{
    tensor_list outs = check_list(L, 1, "outputs", false);
    tensor_list gos = {0};
    if (!lua_isnil(L, 2)) {
        gos = check_list(L, 2, "grad_outputs", true);
        if (gos.n != outs.n)
            return luaL_error(L, "autograd.grad: grad_outputs has %d tensors but outputs has %d", gos.n, outs.n);
    }
    tensor_list ins = check_list(L, 3, "inputs", false);
    if (!ins.n) return luaL_error(L, "autograd.grad: inputs is empty; give the tensors to differentiate with respect to");
    for (int i = 0; i < ins.n; i++)
        if (!ins.t[i]->requires_grad)
            return luaL_error(L, "autograd.grad: One of the differentiated Tensors does not require grad "
                              "(inputs[%d])", i + 1);
    em_tensor **captured = lua_newuserdatauv(L, sizeof *captured * (size_t)ins.n, 0);
    for (int i = 0; i < ins.n; i++) captured[i] = NULL;
    em_backward_opts o = {.retain_graph = lua_toboolean(L, 4), .n_capture = ins.n, .capture = ins.t,
                          .captured = captured};
    em_status st = em_lua_run_backward(L, outs.n, outs.t, gos.n ? (const em_tensor *const *)gos.t : NULL, &o);
    lua_createtable(L, ins.n, 0);
    for (int i = 0; i < ins.n; i++) {
        if (captured[i] && st == EM_OK) {
            /* an owned copy: the engine may share the gradient it captured */
            em_tensor *c = em_op_clone(captured[i]);
            if (!c) st = em_last_status();
            else em_lua_push_tensor(L, c);
        } else {
            lua_pushboolean(L, 0);
        }
        if (st == EM_OK) lua_rawseti(L, -2, i + 1);
        else lua_pop(L, 1);
        em_tensor_release(captured[i]);
        captured[i] = NULL;
    }
    if (st != EM_OK) return em_lua_backward_raise(L);
    return 1;
}

/* --- the observer behind torch.autograd.explain --- */

typedef struct {
    lua_State *L;
    int fn;   /* stack index of the Lua callback */
} observer_ctx;

static void push_grad(lua_State *L, const em_tensor *g)
{
    if (!g) {
        lua_pushboolean(L, 0);
        return;
    }
    em_tensor *c = em_op_clone(g);   /* a snapshot: the engine may add into it later */
    if (c) em_lua_push_tensor(L, c);
    else lua_pushboolean(L, 0);
}

static em_status observe(observer_ctx *c, const char *event, em_node *n, const em_tensor *grad,
                         em_tensor *const *grads)
{
    lua_State *L = c->L;
    if (!lua_checkstack(L, 8)) return em_fail(EM_ERR_MEMORY, "explain: out of Lua stack");
    lua_pushvalue(L, c->fn);
    lua_pushstring(L, event);
    em_lua_push_node(L, n, NULL);
    push_grad(L, grad);
    lua_createtable(L, n->n_next, 0);
    for (int i = 0; grads && i < n->n_next; i++) {
        push_grad(L, grads[i]);
        lua_rawseti(L, -2, i + 1);
    }
    if (lua_pcall(L, 4, 0, 0) != LUA_OK) {
        lua_setfield(L, LUA_REGISTRYINDEX, HOOK_ERROR_KEY);
        return em_fail(EM_ERR_AUTOGRAD, "the explain callback raised an error");
    }
    return EM_OK;
}

static em_status observe_before(void *ctx, em_node *n, const em_tensor *grad)
{
    return observe(ctx, "before", n, grad, NULL);
}

static em_status observe_after(void *ctx, em_node *n, const em_tensor *grad, em_tensor *const *grads)
{
    return observe(ctx, "after", n, grad, grads);
}

/* _backward_observed(root, gradient|nil, retain_graph, fn): backward() that
** calls fn("before"|"after", grad_fn, grad, {grads sent to each input}) */
static int l_backward_observed(lua_State *L)
{
    em_tensor *root = em_lua_check_tensor(L, 1);
    em_tensor *g = em_lua_test_tensor(L, 2);
    luaL_checktype(L, 4, LUA_TFUNCTION);
    observer_ctx c = {L, 4};
    em_backward_observer ob = {&c, observe_before, observe_after};
    em_backward_opts o = {.retain_graph = lua_toboolean(L, 3), .observer = &ob};
    const em_tensor *gs[1] = {g};
    if (em_lua_run_backward(L, 1, &root, gs, &o) != EM_OK) return em_lua_backward_raise(L);
    return 0;
}

/* _node_seq(grad_fn) -> its creation number (the engine runs the highest first) */
static int l_node_seq(lua_State *L)
{
    em_node *n = em_lua_node_of(L, 1);
    lua_pushinteger(L, n ? (lua_Integer)n->seq : 0);
    return 1;
}

/* _tensor_id(x) -> a number that is the same for every Lua value holding
** the same tensor (explain names leaves by it) */
static int l_tensor_id(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)(intptr_t)em_lua_check_tensor(L, 1));
    return 1;
}

/* _backward_hook_identity(x) -> x through a BackwardHookFunctionBackward node */
static int l_backward_hook_identity(lua_State *L)
{
    em_tensor *x = em_lua_check_tensor(L, 1);
    em_tensor **box = em_lua_newbox(L);
    EM_LUA_TRY(L, *box, em_identity_node(x, "BackwardHookFunctionBackward"));
    return 1;
}

void em_lua_register_autograd_hooks(lua_State *L)
{
    static const luaL_Reg funcs[] = {
        {"_register_hook", l_register_hook},
        {"_remove_hook", l_remove_hook},
        {"_set_detect_anomaly", l_set_detect_anomaly},
        {"_is_anomaly_enabled", l_is_anomaly_enabled},
        {"_node_trace", l_node_trace},
        {"_node_seq", l_node_seq},
        {"_grad", l_grad},
        {"_backward_observed", l_backward_observed},
        {"_backward_hook_identity", l_backward_hook_identity},
        {"_tensor_id", l_tensor_id},
        {NULL, NULL},
    };
    luaL_setfuncs(L, funcs, 0);
}
