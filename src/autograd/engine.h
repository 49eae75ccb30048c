/* engine.h — what the backward walk (engine.c) calls out to besides the
** formulas: gradient hooks on tensors (tensor:register_hook, keyed by an id
** that the Lua binding maps to its functions), an observer called before
** and after each node (torch.autograd.explain), anomaly detection (a NaN
** check of every formula's outputs and the forward location recorded in
** each node), and gradient capture instead of accumulation
** (torch.autograd.grad). Not here: how hooks are stored or called (the
** binding, src/bind/lua_autograd.c), the formulas (grad_*.c). */
#ifndef EMBER_ENGINE_H
#define EMBER_ENGINE_H

#include "node.h"

/* Runs the hooks registered under key whose ids are in (from, upto], in
** registration order, each receiving *grad and possibly replacing it (the
** callee releases the old reference and stores a new one). Set by the
** binding; NULL: no hooks can exist. */
typedef em_status (*em_grad_hook_fn)(uint32_t key, uint64_t from, uint64_t upto, em_tensor **grad);
extern em_grad_hook_fn em_grad_hook_call;
/* Called when a node or tensor holding a hook key dies. */
extern void (*em_grad_hook_forget)(uint32_t key);
/* The id of the last hook registered (ids only grow). */
extern uint64_t em_grad_hook_seq;

/* Anomaly detection (torch.autograd.set_detect_anomaly): when on, new nodes
** record em_anomaly_trace()'s text (the forward call's Lua location, an
** owned string) and backward fails on a formula output holding NaN. */
extern bool em_anomaly_enabled;
extern bool em_anomaly_check_nan;   /* set_detect_anomaly's check_nan (default on) */
extern char *(*em_anomaly_trace)(void);

/* Called before a node's formula runs (grad: the gradient of its output,
** after hooks) and after its gradients were passed on (grads[i]: what went
** to input i, NULL where none). An error stops the backward. */
typedef struct em_backward_observer {
    void *ctx;
    em_status (*before)(void *ctx, em_node *n, const em_tensor *grad);
    em_status (*after)(void *ctx, em_node *n, const em_tensor *grad, em_tensor *const *grads);
} em_backward_observer;

typedef struct em_backward_opts {
    bool retain_graph;
    const em_backward_observer *observer;   /* NULL: none */
    /* torch.autograd.grad: when capture is set, no leaf's .grad changes;
    ** captured[i] (a new reference, or NULL when no gradient reached it)
    ** receives the gradient of capture[i] (a leaf, or a non-leaf whose
    ** grad_fn's incoming gradient is taken) */
    int n_capture;
    em_tensor *const *capture;
    em_tensor **captured;
} em_backward_opts;

/* Backpropagates from n_roots roots at once, root i seeded with grads[i]
** (NULL: ones, for a one-element root). em_backward is the one-root form. */
em_status em_backward_ex(int n_roots, em_tensor *const *roots, const em_tensor *const *grads,
                         const em_backward_opts *opts);

/* A new tensor equal to x (an alias) whose grad_fn named name passes the
** gradient through unchanged: the identity nodes around a module with
** full backward hooks (BackwardHookFunctionBackward). x itself (retained)
** when nothing records. */
em_tensor *em_identity_node(em_tensor *x, const char *name);

#endif
