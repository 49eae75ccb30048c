/* engine.c — reverse-mode backward over the graph of nodes: find every node
** reachable from the root (iterative DFS), count how many gradients each one
** waits for, then run nodes whose gradients are complete (Kahn's algorithm),
** accumulating into leaves' .grad. No recursion anywhere, so a chain of a
** million ops is fine. Grad mode is off while formulas run. Without
** retain_graph the nodes' saved tensors are freed afterwards; a node that
** saved none can run again, as in PyTorch: a second backward fails only
** where a formula unpacks a freed tensor (node.c, em_node_saved). */
#include <stdlib.h>

#include "../backend/backend.h"
#include "../core/interrupt.h"
#include "../core/runtime.h"
#include "../ops/ops.h"
#include "autograd.h"
#include "node.h"

static unsigned mark_epoch;

typedef struct {
    em_node **items;
    size_t n, cap;
} node_stack;

static bool push(node_stack *s, em_node *n)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        em_node **p = realloc(s->items, cap * sizeof *p);
        if (!p) return false;
        s->items = p;
        s->cap = cap;
    }
    s->items[s->n++] = n;
    return true;
}

/* g converted to t's dtype, or g itself (a new reference either way). */
static em_tensor *match_dtype(const em_tensor *g, em_dtype dt)
{
    if (g->dtype == dt) {
        em_tensor_retain((em_tensor *)g);
        return (em_tensor *)g;
    }
    return em_op_to_dtype(g, dt);
}

/* t.grad += g, or t.grad = g; a stored grad is never shared with anyone else,
** so later in-place accumulation cannot change another tensor's gradient. */
static em_status accumulate_into(em_tensor *t, const em_tensor *g_in)
{
    bool sole = g_in->ref.count == 1;   /* the caller's reference is the only one */
    em_tensor *g = match_dtype(g_in, t->dtype);
    if (!g) return em_last_status();
    em_status st = EM_OK;
    if (!em_same_shape(g, t)) {
        em_tensor *s = em_op_sum_to(g, t->ndim, t->shape);
        em_tensor_release(g);
        if (!s) return em_last_status();
        g = s;
    }
    if (t->grad) {
        st = em_op_binary_(EM_B_ADD, t->grad, g);
    } else {
        /* keep g itself when nobody else can see it: made here (a dtype
        ** change, a sum over broadcast dims) or held only by the caller,
        ** which drops it next; its storage not shared with a view */
        bool owned = (g != g_in || sole) && g->storage->refcount == 1 && em_tensor_is_contiguous(g) &&
                     !g->grad_fn && !g->is_wrapped;
        if (owned) {
            em_tensor_retain(g);
            t->grad = g;
        } else {
            t->grad = em_op_clone(g);
            if (!t->grad) st = em_last_status();
        }
    }
    em_tensor_release(g);
    return st;
}

/* Adds g to the gradient a node is waiting for. */
static em_status accumulate_node(em_node *n, em_tensor *g)
{
    if (!n->grad_acc) {
        em_tensor_retain(g);
        n->grad_acc = g;
        return EM_OK;
    }
    em_tensor *s = em_op_binary(EM_B_ADD, n->grad_acc, g);
    if (!s) return em_last_status();
    em_tensor_release(n->grad_acc);
    n->grad_acc = s;
    return EM_OK;
}

/* Collects the reachable nodes and their dependency counts. */
static em_status discover(em_node *root, node_stack *all)
{
    node_stack todo = {0};
    unsigned mark = ++mark_epoch;
    root->mark = mark;
    root->deps = 0;
    em_status st = EM_OK;
    if (!push(&todo, root) || !push(all, root)) st = em_fail(EM_ERR_MEMORY, "backward: out of memory");
    while (st == EM_OK && todo.n) {
        em_node *n = todo.items[--todo.n];
        for (int i = 0; i < n->n_next; i++) {
            em_node *m = n->next[i].node;
            if (!m) continue;
            if (m->mark != mark) {
                m->mark = mark;
                m->deps = 0;
                if (!push(&todo, m) || !push(all, m)) {
                    st = em_fail(EM_ERR_MEMORY, "backward: out of memory");
                    break;
                }
            }
            m->deps++;
        }
    }
    free(todo.items);
    return st;
}

static em_status run_node(em_node *n, node_stack *ready)
{
    em_tensor *g = n->grad_acc;
    n->grad_acc = NULL;
    em_status st = EM_OK;
    if (n->retained) {                 /* accumulates across backwards, as PyTorch's retain_grad */
        em_tensor *r = n->retained;
        if (r->grad) st = em_op_binary_(EM_B_ADD, r->grad, g);
        else if (!(r->grad = em_op_clone(g))) st = em_last_status();
    }
    em_tensor *stack_grads[4] = {0};
    em_tensor **grads = n->n_next <= 4 ? stack_grads : calloc((size_t)n->n_next, sizeof *grads);
    if (!grads) st = em_fail(EM_ERR_MEMORY, "backward: out of memory");
    if (st == EM_OK) st = n->backward(n, g, grads);
    for (int i = 0; st == EM_OK && i < n->n_next; i++) {
        em_edge *e = &n->next[i];
        if (!grads[i]) continue;
        if (e->leaf)
            st = accumulate_into(e->leaf, grads[i]);
        else if (e->node) {
            st = accumulate_node(e->node, grads[i]);
            if (st == EM_OK && --e->node->deps == 0 && !push(ready, e->node))
                st = em_fail(EM_ERR_MEMORY, "backward: out of memory");
        }
    }
    if (grads) {
        for (int i = 0; i < n->n_next; i++) em_tensor_release(grads[i]);
        if (grads != stack_grads) free(grads);
    }
    em_tensor_release(g);
    return st;
}

em_status em_backward(em_tensor *root, const em_tensor *gradient, bool retain_graph)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (!root->requires_grad)
        return em_fail(EM_ERR_AUTOGRAD, "backward: element 0 of tensors does not require grad and does not "
                       "have a grad_fn");
    em_tensor *g;
    if (gradient) {
        if (!em_same_shape(gradient, root))
            return em_fail(EM_ERR_SHAPE, "backward: mismatch in shape: grad_output has shape %s and output "
                           "has shape %s", em_shape_str(gradient->ndim, gradient->shape, b1, sizeof b1),
                           em_shape_str(root->ndim, root->shape, b2, sizeof b2));
        g = match_dtype(gradient, root->dtype);
    } else {
        if (em_tensor_numel(root) != 1)
            return em_fail(EM_ERR_AUTOGRAD, "backward: grad can be implicitly created only for scalar outputs "
                           "(the output has shape %s; pass a gradient or call :sum() first)",
                           em_shape_str(root->ndim, root->shape, b1, sizeof b1));
        g = em_op_full(root->ndim, root->shape, 1.0, root->dtype, em_tensor_backend(root));
    }
    if (!g) return em_last_status();
    bool was = em_set_grad_enabled(false);
    em_status st;
    if (!root->grad_fn) {
        st = accumulate_into(root, g);
        em_tensor_release(g);
        em_set_grad_enabled(was);
        return st;
    }
    node_stack all = {0}, ready = {0};
    st = discover(root->grad_fn, &all);
    if (st == EM_OK) {
        root->grad_fn->grad_acc = g;
        g = NULL;
        if (!push(&ready, root->grad_fn)) st = em_fail(EM_ERR_MEMORY, "backward: out of memory");
    }
    em_tensor_release(g);
    /* Ctrl-C between nodes: a backward made of calls that do not poll
    ** (oneDNN convolutions) still stops at the next node */
    while (st == EM_OK && ready.n)
        st = em_interrupt_requested ? em_interrupted() : run_node(ready.items[--ready.n], &ready);
    /* clean up: drop pending gradients; free saved tensors unless retained */
    for (size_t i = 0; i < all.n; i++) {
        em_node *n = all.items[i];
        em_tensor_release(n->grad_acc);
        n->grad_acc = NULL;
        if (!retain_graph) em_node_release_saved(n);
    }
    free(all.items);
    free(ready.items);
    em_set_grad_enabled(was);
    return st;
}
