/* engine.c — reverse-mode backward over the graph of nodes: find every node
** reachable from the roots (iterative DFS), count how many gradients each one
** waits for, then run nodes whose gradients are complete, the most recently
** created first (PyTorch's order: a priority queue on the node's sequence
** number), accumulating into leaves' .grad. No recursion anywhere, so a
** chain of a million ops is fine. Grad mode is off while formulas run.
** Without retain_graph each node frees its saved tensors once it ran; a node
** that saved none can run again, as in PyTorch: a second backward fails only
** where a formula unpacks a freed tensor (node.c, em_node_saved).
** What it calls out to (tensor hooks, an observer, anomaly checks, capture
** for autograd.grad) is described in engine.h; a leaf with hooks gets its
** gradients summed first and its hooks called once, as PyTorch's
** AccumulateGrad node does. */
#include <stdlib.h>

#include "../backend/backend.h"
#include "../core/interrupt.h"
#include "../core/runtime.h"
#include "../ops/ops.h"
#include "autograd.h"
#include "engine.h"
#include "node.h"

em_grad_hook_fn em_grad_hook_call;
void (*em_grad_hook_forget)(uint32_t key);
uint64_t em_grad_hook_seq;
bool em_anomaly_enabled;
bool em_anomaly_check_nan = true;
char *(*em_anomaly_trace)(void);

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

/* The lists a backward walks with (the todo stack of discover, every node
** reached, the ready heap) outlive it: the next backward reuses their
** buffers, so a small graph's backward allocates none of its own. Safe
** because the engine is not reentrant (`running` below); a buffer grown
** past SPARE_KEEP entries is freed instead of kept. */
#define SPARE_KEEP 4096
static node_stack spare_todo, spare_all, spare_ready;

static node_stack take_spare(node_stack *spare)
{
    node_stack s = *spare;
    *spare = (node_stack){0};
    s.n = 0;
    return s;
}

static void give_spare(node_stack *spare, node_stack s)
{
    if (s.cap > SPARE_KEEP || spare->items) {
        free(s.items);
        return;
    }
    s.n = 0;
    *spare = s;
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

/* The ready nodes: a max-heap on seq, so the latest-created runs first. */
static bool heap_push(node_stack *h, em_node *n)
{
    if (!push(h, n)) return false;
    size_t i = h->n - 1;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (h->items[p]->seq >= h->items[i]->seq) break;
        em_node *t = h->items[p];
        h->items[p] = h->items[i];
        h->items[i] = t;
        i = p;
    }
    return true;
}

static em_node *heap_pop(node_stack *h)
{
    em_node *top = h->items[0];
    h->items[0] = h->items[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && h->items[l]->seq > h->items[m]->seq) m = l;
        if (r < h->n && h->items[r]->seq > h->items[m]->seq) m = r;
        if (m == i) break;
        em_node *t = h->items[m];
        h->items[m] = h->items[i];
        h->items[i] = t;
        i = m;
    }
    return top;
}

/* A leaf with hooks: its gradients are summed until all have arrived. */
typedef struct {
    em_tensor *t;
    int deps;
    em_tensor *g;
} leaf_wait;

typedef struct {
    const em_backward_opts *o;
    node_stack all, ready;
    leaf_wait *leaves;
    size_t n_leaves, cap_leaves;
} walk;

#define OOM() em_fail(EM_ERR_MEMORY, "backward: out of memory")

static leaf_wait *leaf_find(walk *w, const em_tensor *t)
{
    for (size_t i = 0; i < w->n_leaves; i++)
        if (w->leaves[i].t == t) return &w->leaves[i];
    return NULL;
}

static leaf_wait *leaf_add(walk *w, em_tensor *t)
{
    leaf_wait *l = leaf_find(w, t);
    if (l) return l;
    if (w->n_leaves == w->cap_leaves) {
        size_t cap = w->cap_leaves ? w->cap_leaves * 2 : 8;
        leaf_wait *p = realloc(w->leaves, cap * sizeof *p);
        if (!p) return NULL;
        w->leaves = p;
        w->cap_leaves = cap;
    }
    l = &w->leaves[w->n_leaves++];
    *l = (leaf_wait){.t = t};
    return l;
}

/* Collects the nodes reachable from root and their dependency counts. */
static em_status discover(walk *w, em_node *root, unsigned mark)
{
    node_stack todo = take_spare(&spare_todo);
    em_status st = EM_OK;
    if (root->mark != mark) {
        root->mark = mark;
        root->deps = 0;
        if (!push(&todo, root) || !push(&w->all, root)) st = OOM();
    }
    while (st == EM_OK && todo.n) {
        em_node *n = todo.items[--todo.n];
        for (int i = 0; i < n->n_next && st == EM_OK; i++) {
            em_tensor *leaf = n->next[i].leaf;
            if (leaf && leaf->hooks) {
                leaf_wait *l = leaf_add(w, leaf);
                if (!l) st = OOM();
                else l->deps++;
            }
            em_node *m = n->next[i].node;
            if (!m) continue;
            if (m->mark != mark) {
                m->mark = mark;
                m->deps = 0;
                if (!push(&todo, m) || !push(&w->all, m)) {
                    st = OOM();
                    break;
                }
            }
            m->deps++;
        }
    }
    give_spare(&spare_todo, todo);
    return st;
}

/* *slot += g (a new reference kept in *slot). */
static em_status add_to(em_tensor **slot, const em_tensor *g)
{
    if (!*slot) {
        em_tensor_retain((em_tensor *)g);
        *slot = (em_tensor *)g;
        return EM_OK;
    }
    em_tensor *s = em_op_binary(EM_B_ADD, *slot, g);
    if (!s) return em_last_status();
    em_tensor_release(*slot);
    *slot = s;
    return EM_OK;
}

/* A leaf's gradient: into its .grad, or into a capture slot for
** autograd.grad (where no .grad changes). */
static em_status deliver_leaf(walk *w, em_tensor *t, const em_tensor *g)
{
    const em_backward_opts *o = w->o;
    if (!o->capture) return accumulate_into(t, g);
    for (int i = 0; i < o->n_capture; i++) {
        if (o->capture[i] != t) continue;
        em_status st = add_to(&o->captured[i], g);
        if (st != EM_OK) return st;
    }
    return EM_OK;
}

/* A hooked leaf whose gradients are all in: its hooks, then delivery. */
static em_status finish_leaf(walk *w, leaf_wait *l)
{
    em_status st = EM_OK;
    /* autograd.grad runs no AccumulateGrad in 1.13: leaf hooks do not fire */
    if (l->t->hooks && em_grad_hook_call && !w->o->capture) st = em_grad_hook_call(l->t->hooks, 0, UINT64_MAX, &l->g);
    if (st == EM_OK && l->g) st = deliver_leaf(w, l->t, l->g);
    em_tensor_release(l->g);
    l->g = NULL;
    return st;
}

static em_status send_to_leaf(walk *w, em_tensor *t, em_tensor *g)
{
    if (!t->hooks) return deliver_leaf(w, t, g);
    leaf_wait *l = leaf_find(w, t);
    if (!l) return em_fail(EM_ERR_INTERNAL, "backward: a leaf with hooks was not discovered");
    em_status st = add_to(&l->g, g);
    if (st == EM_OK && --l->deps == 0) st = finish_leaf(w, l);
    return st;
}

/* Anomaly mode: PyTorch's check after each formula (NaN only, as 1.13). */
static em_status check_nan(em_node *n, em_tensor *const *grads)
{
    for (int i = 0; i < n->n_next; i++) {
        if (!grads[i] || !em_dtype_is_float(grads[i]->dtype)) continue;
        em_tensor *m = em_op_isfloat_class(EM_IS_NAN, grads[i]);
        em_tensor *c = m ? em_op_count_nonzero(m, 0) : NULL;
        double v = 0;
        em_status st = c ? em_tensor_get_double(c, 0, &v) : em_last_status();
        em_tensor_release(m);
        em_tensor_release(c);
        if (st != EM_OK) return st;
        if (v > 0)
            return em_fail(EM_ERR_AUTOGRAD, "Function '%s' returned nan values in its %dth output.%s%s", n->name, i,
                           n->trace ? "\nThe forward call that created it (anomaly detection): " : "",
                           n->trace ? n->trace : "");
    }
    return EM_OK;
}

static em_status run_node(walk *w, em_node *n)
{
    const em_backward_opts *o = w->o;
    em_tensor *g = n->grad_acc;
    n->grad_acc = NULL;
    em_status st = EM_OK;
    for (int i = 0; o->capture && st == EM_OK && i < o->n_capture; i++)
        if (o->capture[i]->grad_fn == n) st = add_to(&o->captured[i], g);
    if (o->capture && !n->needed) {   /* nothing captured lies below: not run, hooks included */
        em_tensor_release(g);
        return st;
    }
    /* tensor hooks on this node's output: those registered before
    ** retain_grad, the retained .grad, the others */
    bool hooks = n->hooks && em_grad_hook_call;
    uint64_t mark = n->retained ? n->retain_mark : UINT64_MAX;
    if (st == EM_OK && hooks) st = em_grad_hook_call(n->hooks, 0, mark, &g);
    if (st == EM_OK && n->retained) {   /* accumulates across backwards, as PyTorch's retain_grad */
        em_tensor *r = n->retained;
        if (r->grad) st = em_op_binary_(EM_B_ADD, r->grad, g);
        else if (!(r->grad = em_op_clone(g))) st = em_last_status();
        if (st == EM_OK && hooks) st = em_grad_hook_call(n->hooks, mark, UINT64_MAX, &g);
    }
    if (st == EM_OK && o->observer && o->observer->before) st = o->observer->before(o->observer->ctx, n, g);
    em_tensor *stack_grads[4] = {0};
    em_tensor **grads = n->n_next <= 4 ? stack_grads : calloc((size_t)n->n_next, sizeof *grads);
    if (!grads) st = OOM();
    if (st == EM_OK) {
        st = n->backward(n, g, grads);
        /* as PyTorch: a node that ran frees what it saved (one that did not
        ** run, under autograd.grad or after an error, keeps it) */
        if (!o->retain_graph) em_node_release_saved(n);
    }
    if (st == EM_OK && em_anomaly_enabled && em_anomaly_check_nan) st = check_nan(n, grads);
    for (int i = 0; st == EM_OK && i < n->n_next; i++) {
        em_edge *e = &n->next[i];
        if (!grads[i]) continue;
        if (e->leaf)
            st = send_to_leaf(w, e->leaf, grads[i]);
        else if (e->node) {
            st = accumulate_node(e->node, grads[i]);
            if (st == EM_OK && --e->node->deps == 0 && !heap_push(&w->ready, e->node)) st = OOM();
        }
    }
    if (st == EM_OK && o->observer && o->observer->after) st = o->observer->after(o->observer->ctx, n, g, grads);
    if (grads) {
        for (int i = 0; i < n->n_next; i++) em_tensor_release(grads[i]);
        if (grads != stack_grads) free(grads);
    }
    em_tensor_release(g);
    return st;
}

/* The seed gradient of a root: gradient in the root's dtype, or ones. */
static em_tensor *seed(em_tensor *root, const em_tensor *gradient)
{
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    if (!root->requires_grad) {
        em_fail(EM_ERR_AUTOGRAD, "backward: element 0 of tensors does not require grad and does not have a grad_fn");
        return NULL;
    }
    if (gradient) {
        if (!em_same_shape(gradient, root)) {
            em_fail(EM_ERR_SHAPE, "backward: mismatch in shape: grad_output has shape %s and output has shape %s",
                    em_shape_str(gradient->ndim, gradient->shape, b1, sizeof b1),
                    em_shape_str(root->ndim, root->shape, b2, sizeof b2));
            return NULL;
        }
        return match_dtype(gradient, root->dtype);
    }
    if (em_tensor_numel(root) != 1) {
        em_fail(EM_ERR_AUTOGRAD, "backward: grad can be implicitly created only for scalar outputs (the output "
                "has shape %s; pass a gradient or call :sum() first)", em_shape_str(root->ndim, root->shape, b1, sizeof b1));
        return NULL;
    }
    return em_op_full(root->ndim, root->shape, 1.0, root->dtype, em_tensor_backend(root));
}

static bool running;   /* a backward is walking: a hook may not start another */

static bool is_captured_node(const em_backward_opts *o, const em_node *m)
{
    for (int i = 0; i < o->n_capture; i++)
        if (o->capture[i]->grad_fn == m) return true;
    return false;
}

static bool is_captured_leaf(const em_backward_opts *o, const em_tensor *t)
{
    for (int i = 0; i < o->n_capture; i++)
        if (o->capture[i] == t) return true;
    return false;
}

/* autograd.grad: marks the nodes whose formula leads to a captured input
** (PyTorch runs only those). Passes in reverse discovery order, which is
** close to reverse topological order, until nothing changes. */
static void mark_needed(walk *w)
{
    const em_backward_opts *o = w->o;
    for (size_t i = 0; i < w->all.n; i++) w->all.items[i]->needed = false;
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t k = w->all.n; k-- > 0;) {
            em_node *n = w->all.items[k];
            if (n->needed) continue;
            for (int i = 0; i < n->n_next && !n->needed; i++) {
                em_edge *e = &n->next[i];
                if ((e->leaf && is_captured_leaf(o, e->leaf)) ||
                    (e->node && (e->node->needed || is_captured_node(o, e->node))))
                    n->needed = true;
            }
            changed |= n->needed;
        }
    }
}

static em_status walk_graph(walk *w, int n_roots, em_tensor *const *roots, em_tensor **seeds)
{
    em_status st = EM_OK;
    unsigned mark = ++mark_epoch;
    for (int i = 0; st == EM_OK && i < n_roots; i++) {
        if (roots[i]->grad_fn) {
            st = discover(w, roots[i]->grad_fn, mark);
        } else if (roots[i]->hooks) {
            leaf_wait *l = leaf_add(w, roots[i]);
            if (!l) st = OOM();
            else l->deps++;
        }
    }
    if (st == EM_OK && w->o->capture) mark_needed(w);
    /* seed the roots; a root reached from another root waits for it */
    for (int i = 0; st == EM_OK && i < n_roots; i++) {
        em_node *n = roots[i]->grad_fn;
        if (!n) {
            st = send_to_leaf(w, roots[i], seeds[i]);
            continue;
        }
        st = accumulate_node(n, seeds[i]);
        bool queued = false;
        for (int j = 0; j < i; j++) queued |= roots[j]->grad_fn == n;
        if (st == EM_OK && n->deps == 0 && !queued && !heap_push(&w->ready, n)) st = OOM();
    }
    /* Ctrl-C between nodes: a backward made of calls that do not poll
    ** (oneDNN convolutions) still stops at the next node */
    while (st == EM_OK && w->ready.n)
        st = em_interrupt_requested ? em_interrupted() : run_node(w, heap_pop(&w->ready));
    return st;
}

em_status em_backward_ex(int n_roots, em_tensor *const *roots, const em_tensor *const *grads,
                         const em_backward_opts *opts)
{
    if (running)
        return em_fail(EM_ERR_AUTOGRAD, "backward: called while another backward is running (from a hook or an "
                       "observer); ember's engine is not reentrant");
    em_tensor *stack_seeds[4] = {0};
    em_tensor **seeds = n_roots <= 4 ? stack_seeds : calloc((size_t)n_roots, sizeof *seeds);
    if (!seeds) return OOM();
    em_status st = EM_OK;
    for (int i = 0; st == EM_OK && i < n_roots; i++)
        if (!(seeds[i] = seed(roots[i], grads ? grads[i] : NULL))) st = em_last_status();
    walk w = {.o = opts, .all = take_spare(&spare_all), .ready = take_spare(&spare_ready)};
    /* the roots' nodes stay alive even if a hook detaches a root */
    em_node *stack_held[4] = {0};
    em_node **held = st != EM_OK ? NULL
                   : n_roots <= 4 ? stack_held
                                  : calloc((size_t)n_roots, sizeof *held);
    if (st == EM_OK && !held) st = OOM();
    if (st == EM_OK) {
        for (int i = 0; i < n_roots; i++)
            if ((held[i] = roots[i]->grad_fn)) em_ref_retain(&held[i]->ref);
        running = true;
        bool was = em_set_grad_enabled(false);
        st = walk_graph(&w, n_roots, roots, seeds);
        em_set_grad_enabled(was);
        running = false;
        /* clean up: drop pending gradients */
        for (size_t i = 0; i < w.all.n; i++) {
            em_node *n = w.all.items[i];
            em_tensor_release(n->grad_acc);
            n->grad_acc = NULL;
        }
        for (size_t i = 0; i < w.n_leaves; i++) em_tensor_release(w.leaves[i].g);
        for (int i = 0; i < n_roots; i++) em_node_release(held[i]);
    }
    if (held != stack_held) free(held);
    for (int i = 0; i < n_roots; i++) em_tensor_release(seeds[i]);
    if (seeds != stack_seeds) free(seeds);
    give_spare(&spare_all, w.all);
    give_spare(&spare_ready, w.ready);
    free(w.leaves);
    return st;
}

em_status em_backward(em_tensor *root, const em_tensor *gradient, bool retain_graph)
{
    em_backward_opts o = {.retain_graph = retain_graph};
    return em_backward_ex(1, &root, &gradient, &o);
}

/* d identity = g */
static em_status identity_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    (void)n;
    em_tensor_retain((em_tensor *)g);
    gi[0] = (em_tensor *)g;
    return EM_OK;
}

em_tensor *em_identity_node(em_tensor *x, const char *name)
{
    if (!em_any_requires_grad(x, NULL, NULL)) {
        em_tensor_retain(x);
        return x;
    }
    em_tensor *out = em_tensor_alias(x, x->ndim, x->shape, x->stride, x->offset);
    em_node *n = out ? em_node_new(name, identity_backward, 1) : NULL;
    if (!n) {
        em_tensor_release(out);
        return NULL;
    }
    em_node_set_edge(n, 0, x);
    em_node_attach(n, out);
    return out;
}
