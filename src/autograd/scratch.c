/* scratch.c — temporaries pool for backward formulas, and em_record. */
#include "scratch.h"

em_tensor *em_scratch_keep(em_scratch *s, em_tensor *t)
{
    if (!t || s->n >= EM_SCRATCH_MAX) {
        if (t) {
            em_tensor_release(t);
            em_fail(EM_ERR_INTERNAL, "backward: scratch pool exhausted");
        }
        s->failed = true;
        return NULL;
    }
    s->items[s->n++] = t;
    return t;
}

em_tensor *em_scratch_take(em_scratch *s, em_tensor *t)
{
    if (!t) return NULL;
    for (int i = s->n - 1; i >= 0; i--)
        if (s->items[i] == t) {
            s->items[i] = NULL;
            return t;
        }
    em_tensor_retain(t);   /* not from the pool (e.g. a borrowed gradient) */
    return t;
}

em_status em_scratch_end(em_scratch *s)
{
    for (int i = 0; i < s->n; i++) em_tensor_release(s->items[i]);
    s->n = 0;
    return s->failed ? (em_last_status() != EM_OK ? em_last_status() : EM_ERR_INTERNAL) : EM_OK;
}

em_tensor *sc_bin(em_scratch *s, em_binary_op op, const em_tensor *a, const em_tensor *b)
{
    if (s->failed || !a || !b) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_binary(op, a, b));
}

em_tensor *sc_scalar(em_scratch *s, em_binary_op op, const em_tensor *a, double v)
{
    if (s->failed || !a) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_binary_scalar(op, a, v));
}

em_tensor *sc_un(em_scratch *s, em_unary_op op, const em_tensor *x, double p1, double p2)
{
    if (s->failed || !x) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_unary(op, x, p1, p2));
}

em_tensor *sc_sum_to(em_scratch *s, const em_tensor *g, int ndim, const int64_t *shape)
{
    if (s->failed || !g) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_sum_to(g, ndim, shape));
}

em_tensor *sc_where(em_scratch *s, const em_tensor *c, const em_tensor *a, const em_tensor *b)
{
    if (s->failed || !c || !a || !b) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_where(c, a, b));
}

em_tensor *sc_zeros(em_scratch *s, int ndim, const int64_t *shape, const em_tensor *like)
{
    if (s->failed || !like) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_full(ndim, shape, 0.0, like->dtype, em_tensor_backend(like)));
}

em_tensor *sc_expand(em_scratch *s, const em_tensor *x, int ndim, const int64_t *shape)
{
    if (s->failed || !x) { s->failed = true; return NULL; }
    return em_scratch_keep(s, em_op_expand(x, ndim, shape));
}

const em_tensor *sc_saved(em_scratch *s, em_node *n, int i)
{
    const em_tensor *t = em_node_saved(n, i);
    if (!t) s->failed = true;
    return t;
}

em_node *em_record(const char *name, em_backward_fn fn, em_tensor *out, int n_inputs,
                   em_tensor *const *inputs)
{
    em_node *n = em_node_new(name, fn, n_inputs);
    if (!n) return NULL;
    for (int i = 0; i < n_inputs; i++) {
        em_node_set_edge(n, i, inputs[i]);
        if (i < 2 && inputs[i]) em_node_record_input(n, i, inputs[i]);
    }
    em_node_attach(n, out);
    return n;
}
