/* node.c — creating, wiring and freeing autograd nodes, and their saved
** tensors: each is saved with its storage's version and checked against it
** when a formula unpacks it (PyTorch's SavedVariable), with PyTorch's
** messages for a tensor modified in place and for a graph already freed. */
#include "node.h"

#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/runtime.h"
#include "../ops/ops.h"

static const em_tensor *inplace_target;

void em_node_set_inplace_target(const em_tensor *t) { inplace_target = t; }

static void node_destroy(em_ref *r)
{
    em_node *n = (em_node *)r;
    em_node_release_saved(n);
    for (int i = 0; i < n->n_next; i++) {
        if (n->next[i].node) em_ref_release(&n->next[i].node->ref);
        em_tensor_release(n->next[i].leaf);
    }
    em_tensor_release(n->grad_acc);
    if (n->retained) n->retained->retains_grad = false;
    if (n->hooks && em_grad_hook_forget) em_grad_hook_forget(n->hooks);
    free(n->trace);
    free(n->next);
    free(n->extra);
    free(n);
}

static void forget_tensor(em_node *n, em_tensor *t)
{
    if (n->retained == t) n->retained = NULL;
}

em_node *em_node_new(const char *name, em_backward_fn fn, int n_inputs)
{
    /* installed once: core calls back here without depending on autograd */
    em_node_release_hook = em_node_release;
    em_node_forget_tensor_hook = forget_tensor;
    em_node *n = calloc(1, sizeof *n);
    em_edge *e = calloc((size_t)(n_inputs > 0 ? n_inputs : 1), sizeof *e);
    if (!n || !e) {
        free(n);
        free(e);
        em_fail(EM_ERR_MEMORY, "%s: out of memory recording the autograd graph", name);
        return NULL;
    }
    em_ref_init(&n->ref, node_destroy);
    n->name = name;
    n->backward = fn;
    n->n_next = n_inputs;
    n->next = e;
    static uint64_t node_seq;
    n->seq = ++node_seq;
    if (em_anomaly_enabled && em_anomaly_trace) n->trace = em_anomaly_trace();
    return n;
}

void em_node_set_edge(em_node *n, int i, em_tensor *t)
{
    if (!t || !t->requires_grad) return;
    if (t->grad_fn) {
        n->next[i].node = t->grad_fn;
        em_ref_retain(&t->grad_fn->ref);
    } else {
        n->next[i].leaf = t;
        em_tensor_retain(t);
    }
}

/* The name PyTorch's message gives a tensor's grad_fn. A differentiable
** view whose storage changed after it was made has its history regenerated
** by PyTorch as AsStridedBackward0 (and here the storage did change);
** CopySlices is C++'s own class, named with its namespace. */
static const char *grad_fn_label(const em_node *fn)
{
    if (!fn) return NULL;
    if (fn->is_view) return "AsStridedBackward0";
    if (strcmp(fn->name, "CopySlices") == 0) return "torch::autograd::CopySlices";
    return fn->name;
}

static void link_release(em_tensor_link *l)
{
    if (l && --l->refcount == 0) free(l);
}

/* Core calls this when a linked tensor dies. */
static void unlink_tensor(em_tensor *t)
{
    em_tensor_link *l = t->link;
    l->fn_name = grad_fn_label(t->grad_fn);
    l->t = NULL;
    t->link = NULL;
    link_release(l);
}

static em_tensor_link *link_of(em_tensor *t)
{
    if (!t->link) {
        em_tensor_link *l = malloc(sizeof *l);
        if (!l) {
            em_fail(EM_ERR_MEMORY, "out of memory recording the autograd graph");
            return NULL;
        }
        *l = (em_tensor_link){.refcount = 1, .t = t};
        t->link = l;
        em_tensor_unlink_hook = unlink_tensor;
    }
    t->link->refcount++;
    return t->link;
}

static void saved_clear(em_saved *s)
{
    em_tensor_release(s->t);
    link_release(s->input);
    s->t = NULL;
    s->input = NULL;
    s->output_of = NULL;
}

em_status em_node_save(em_node *n, int i, const em_tensor *t)
{
    em_saved *s = &n->saved[i];
    bool original_self = i == 0 && t == inplace_target;
    em_tensor *a = original_self ? em_op_clone(t) : em_tensor_alias(t, t->ndim, t->shape, t->stride, t->offset);
    if (!a) return em_last_status();
    /* nobody else sees a copy or a wrapped number: no name needed */
    em_tensor_link *input = NULL;
    if (t->grad_fn != n && !original_self && !t->is_wrapped) {
        input = link_of((em_tensor *)t);
        if (!input) {
            em_tensor_release(a);
            return em_last_status();
        }
    }
    saved_clear(s);
    s->t = a;
    s->version = a->storage->version;
    s->output_of = t->grad_fn == n ? n->name : NULL;
    s->input = input;
    s->freed = false;
    return EM_OK;
}

em_status em_node_move_outputs(em_node *n, const em_tensor *r, const em_tensor *self, bool on_view)
{
    for (int i = 0; n && i < EM_NODE_MAX_SAVED; i++) {
        em_saved *s = &n->saved[i];
        if (!s->t || !s->output_of || s->t->storage != r->storage) continue;
        em_tensor *a = em_tensor_alias(self, self->ndim, self->shape, self->stride, self->offset);
        if (!a) return em_last_status();
        em_tensor_release(s->t);
        s->t = a;
        s->version = a->storage->version;
        if (on_view) s->output_of = grad_fn_label(self->grad_fn);
    }
    return EM_OK;
}

#define BACKWARD_TWICE                                                                                        \
    "Trying to backward through the graph a second time (or directly access saved tensors after they have " \
    "already been freed). Saved intermediate values of the graph are freed when you call backward() or "      \
    "autograd.grad(). "                                                                                      \
    "Specify retain_graph=true if you need to backward through the graph a second time or if you need to " \
    "access saved tensors after calling backward."

const em_tensor *em_node_saved(em_node *n, int i)
{
    em_saved *s = &n->saved[i];
    if (!s->t) {
        if (s->freed) em_fail(EM_ERR_AUTOGRAD, BACKWARD_TWICE);
        else em_fail(EM_ERR_INTERNAL, "%s: saved tensor %d was never recorded", n->name, i);
        return NULL;
    }
    if (s->t->storage->version != s->version) {
        /* PyTorch's SavedVariable::unpack message, word for word */
        char shape[EM_SHAPE_BUF], owner[160] = "";
        const char *fn = s->output_of;
        if (!fn && s->input) fn = s->input->t ? grad_fn_label(s->input->t->grad_fn) : s->input->fn_name;
        if (fn) snprintf(owner, sizeof owner, ", which is output 0 of %s,", fn);
        em_fail(EM_ERR_AUTOGRAD, "one of the variables needed for gradient computation has been modified by "
                "an inplace operation: [%s %s]%s is at version %llu; expected version %llu instead. Hint: "
                "enable anomaly detection to find the operation that failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True).", em_tensor_type_name(s->t),
                em_shape_str(s->t->ndim, s->t->shape, shape, sizeof shape), owner,
                (unsigned long long)s->t->storage->version, (unsigned long long)s->version);
        return NULL;
    }
    return s->t;
}

bool em_node_saved_number(em_node *n, double *v)
{
    if (n->number_freed) {
        em_fail(EM_ERR_AUTOGRAD, BACKWARD_TWICE);
        return false;
    }
    *v = n->scalars[0];
    return true;
}

void em_node_record_input(em_node *n, int i, const em_tensor *t)
{
    n->ndim[i] = t->ndim;
    memcpy(n->shape[i], t->shape, sizeof(int64_t) * (size_t)t->ndim);
    n->dtype[i] = t->dtype;
}

void em_node_attach(em_node *n, em_tensor *out)
{
    if (out->grad_fn) em_node_release(out->grad_fn);
    out->grad_fn = n;
    out->requires_grad = true;
    n->out_ndim = out->ndim;
    memcpy(n->out_shape, out->shape, sizeof out->shape);
}

void em_node_release(em_node *n)
{
    if (n) em_ref_release(&n->ref);
}

void em_node_release_saved(em_node *n)
{
    for (int i = 0; i < EM_NODE_MAX_SAVED; i++) {
        em_saved *s = &n->saved[i];
        if (s->t) s->freed = true;
        saved_clear(s);
    }
    if (n->number_saved) n->number_freed = true;
}

bool em_any_requires_grad(const em_tensor *a, const em_tensor *b, const em_tensor *c)
{
    if (!em_grad_enabled()) return false;
    return (a && a->requires_grad) || (b && b->requires_grad) || (c && c->requires_grad);
}
