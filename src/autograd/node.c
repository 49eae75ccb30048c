/* node.c — creating, wiring and freeing autograd nodes. */
#include "node.h"

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

em_status em_node_save(em_node *n, int i, const em_tensor *t)
{
    em_tensor *a;
    if (inplace_target && t->storage == inplace_target->storage)
        a = em_op_clone(t);
    else
        a = em_tensor_alias(t, t->ndim, t->shape, t->stride, t->offset);
    if (!a) return em_last_status();
    em_tensor_release(n->saved[i].t);
    n->saved[i].t = a;
    n->saved[i].version = a->storage->version;
    return EM_OK;
}

const em_tensor *em_node_saved(em_node *n, int i)
{
    em_saved *s = &n->saved[i];
    if (n->released || !s->t) {
        em_fail(EM_ERR_AUTOGRAD, "Trying to backward through the graph a second time (or directly access "
                "saved tensors after they have already been freed). Saved intermediate values of the graph "
                "are freed when you call backward(). Specify retain_graph=true if you need to backward "
                "through the graph a second time (in %s)", n->name);
        return NULL;
    }
    if (s->t->storage->version != s->version) {
        char b[EM_SHAPE_BUF];
        em_fail(EM_ERR_AUTOGRAD, "one of the variables needed for gradient computation has been modified by "
                "an inplace operation: [%s %s], which is output 0 of %s, is at version %llu; expected version "
                "%llu instead", em_dtype_name(s->t->dtype), em_shape_str(s->t->ndim, s->t->shape, b, sizeof b),
                n->name, (unsigned long long)s->t->storage->version, (unsigned long long)s->version);
        return NULL;
    }
    return s->t;
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
}

void em_node_release(em_node *n)
{
    if (n) em_ref_release(&n->ref);
}

void em_node_release_saved(em_node *n)
{
    for (int i = 0; i < EM_NODE_MAX_SAVED; i++) {
        em_tensor_release(n->saved[i].t);
        n->saved[i].t = NULL;
    }
}

bool em_any_requires_grad(const em_tensor *a, const em_tensor *b, const em_tensor *c)
{
    if (!em_grad_enabled()) return false;
    return (a && a->requires_grad) || (b && b->requires_grad) || (c && c->requires_grad);
}
