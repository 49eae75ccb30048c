/* grad_inplace.c — in-place ops (add_, mul_, relu_, copy_, fill_, normal_...). With
** no gradient involved they write straight into the tensor. When a gradient
** is involved the result r is computed out of place with its graph node and
** copied into the tensor, and the graph is rewired:
**   - a tensor that is not a view takes over r's node ("rebase"), so that
**     x:mul_(2) on a non-leaf differentiates like x = x * 2;
**   - a view v of a base b (x[1]:fill_(0), x[{{1,2}}] = y) gives b a
**     CopySlices node: b's gradient flows to the old b outside v's window and
**     to r inside it, and v becomes an as_strided view of the new b.
** The copy bumps self's version (ops/, em_tensor_kview_inplace), and what r's
** node saved as its output becomes self at that version, so a saved tensor
** changed later fails at backward as in PyTorch.
** As in PyTorch, in-place ops on a leaf that requires grad (or a view of one)
** are refused unless grad mode is off. Other views of the same base made
** before the in-place op keep their old history (PyTorch would refresh them). */
#include <stdlib.h>
#include <string.h>

#include "../core/runtime.h"
#include "../ops/ops.h"
#include "autograd.h"
#include "node.h"
#include "scratch.h"

static bool needs_graph(const em_tensor *self, const em_tensor *other)
{
    if (!em_grad_enabled()) return false;
    return self->requires_grad || (other && other->requires_grad) ||
           (self->view_base && self->view_base->requires_grad);
}

static em_status check_leaf(const char *op, const em_tensor *self)
{
    const em_tensor *root = self->view_base ? self->view_base : self;
    if (!root->grad_fn && root->requires_grad)
        return em_fail(EM_ERR_AUTOGRAD, "%s: a %sleaf Variable that requires grad is being used in an in-place "
                       "operation.", op, self->view_base ? "view of a " : "");
    return EM_OK;
}

/* --- geometry of a view inside its base's storage (node->extra) ---
** layout: [0] storage numel, then for base and view: ndim, shape[ndim],
** stride[ndim], offset. */
static int64_t *put_geometry(int64_t *p, const em_tensor *t)
{
    *p++ = t->ndim;
    for (int i = 0; i < t->ndim; i++) *p++ = t->shape[i];
    for (int i = 0; i < t->ndim; i++) *p++ = t->stride[i];
    *p++ = t->offset;
    return p;
}

static em_status record_geometry(em_node *n, const em_tensor *base, const em_tensor *view)
{
    n->n_extra = 1 + 2 * (2 + 2 * EM_MAX_DIMS);
    n->extra = calloc((size_t)n->n_extra, sizeof(int64_t));
    if (!n->extra) return em_fail(EM_ERR_MEMORY, "in-place: out of memory");
    n->extra[0] = (int64_t)(base->storage->nbytes / em_dtype_size(base->dtype));
    put_geometry(put_geometry(n->extra + 1, base), view);
    return EM_OK;
}

/* An alias with geometry number `which` (0 base, 1 view) on buf's storage. */
static em_tensor *geometry_alias(em_scratch *s, const em_node *n, const em_tensor *buf, int which)
{
    if (s->failed || !buf) { s->failed = true; return NULL; }
    const int64_t *p = n->extra + 1;
    if (which == 1) p += 2 + 2 * p[0];
    int nd = (int)p[0];
    return em_scratch_keep(s, em_tensor_alias(buf, nd, p + 1, p + 1 + nd, p[1 + 2 * nd]));
}

/* A zeroed buffer as large as the base's storage, in g's dtype. */
static em_tensor *storage_buffer(em_scratch *s, const em_node *n, const em_tensor *g)
{
    if (s->failed) return NULL;
    int64_t numel = n->extra[0];
    return em_scratch_keep(s, em_op_full(1, &numel, 0.0, g->dtype, em_tensor_backend(g)));
}

/* d(base after v:op_()) = g outside v's window -> old base ; g inside it -> r */
static em_status copy_slices_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *buf = storage_buffer(&s, n, g);
    em_tensor *gb = geometry_alias(&s, n, buf, 0), *win = geometry_alias(&s, n, buf, 1);
    if (!s.failed && em_op_copy_(gb, g) != EM_OK) s.failed = true;
    if (!s.failed && em_node_needs(n, 1)) gi[1] = em_scratch_keep(&s, em_op_clone(win));
    if (!s.failed && em_node_needs(n, 0)) {
        if (em_op_fill_(win, 0.0) != EM_OK) s.failed = true;
        else gi[0] = em_scratch_keep(&s, em_op_clone(gb));
    }
    gi[0] = em_scratch_take(&s, gi[0]);
    gi[1] = em_scratch_take(&s, gi[1]);
    return em_scratch_end(&s);
}

/* d(view of base) = zeros of the base with g in the view's window */
static em_status as_strided_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    em_tensor *buf = storage_buffer(&s, n, g);
    em_tensor *gb = geometry_alias(&s, n, buf, 0), *win = geometry_alias(&s, n, buf, 1);
    if (!s.failed && em_op_copy_(win, g) != EM_OK) s.failed = true;
    gi[0] = s.failed ? NULL : em_scratch_keep(&s, em_op_clone(gb));
    gi[0] = em_scratch_take(&s, gi[0]);
    return em_scratch_end(&s);
}

/* Writes r into the view v and rewires the graph of its base. Consumes r. */
static em_status copy_slices(em_tensor *v, em_tensor *r)
{
    em_tensor *b = v->view_base;
    em_node *cs = em_node_new("CopySlices", copy_slices_backward, 2);
    em_node *vs = cs ? em_node_new("AsStridedBackward0", as_strided_backward, 1) : NULL;
    em_status st = vs ? EM_OK : em_last_status();
    if (st == EM_OK) st = record_geometry(cs, b, v);
    if (st == EM_OK) st = record_geometry(vs, b, v);
    if (st == EM_OK) {
        em_node_set_edge(cs, 0, b);
        em_node_set_edge(cs, 1, r);
        em_node_record_input(cs, 0, b);
        st = em_op_copy_(v, r);
    }
    if (st == EM_OK) {
        em_node_attach(cs, b);                 /* b takes the CopySlices node */
        em_node_set_edge(vs, 0, b);
        vs->is_view = true;
        em_node_attach(vs, v);                 /* v is a view of the new b */
    } else {
        em_node_release(cs);
        em_node_release(vs);
    }
    em_tensor_release(r);
    return st;
}

/* Copies r into self and makes r's node self's grad_fn. Consumes r. */
static em_status rebase(em_tensor *self, em_tensor *r)
{
    em_status st = em_op_copy_(self, r);
    if (st == EM_OK && r->grad_fn) {
        em_node *n = r->grad_fn;
        em_ref_retain(&n->ref);
        em_node_attach(n, self);
    } else if (st == EM_OK) {                  /* the result is a constant now */
        em_node_release(self->grad_fn);
        self->grad_fn = NULL;
        self->requires_grad = false;
    }
    em_tensor_release(r);
    return st;
}

/* r (the out-of-place result, same shape as self) into self. Consumes r.
** When r is the fresh output of the op's own node (computed), the tensors
** that node saved as its output become self at its new version: relu_
** saves self, and modifying self afterwards fails at backward. */
static em_status write_back(const char *op, em_tensor *self, em_tensor *r, bool computed)
{
    if (!r) return em_last_status();
    if (!em_same_shape(self, r)) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        em_tensor_release(r);
        return em_fail(EM_ERR_SHAPE, "%s: output with shape %s doesn't match the broadcast shape %s", op,
                       em_shape_str(self->ndim, self->shape, b1, sizeof b1), em_shape_str(r->ndim, r->shape, b2, sizeof b2));
    }
    em_node *n = computed ? r->grad_fn : NULL;
    if (n) em_ref_retain(&n->ref);
    em_tensor_retain(r);
    bool on_view = self->view_base != NULL;
    em_status st = on_view ? copy_slices(self, r) : rebase(self, r);
    if (st == EM_OK && n) st = em_node_move_outputs(n, r, self, on_view);
    em_node_release(n);
    em_tensor_release(r);
    return st;
}

em_status em_unary_(em_unary_op op, em_tensor *self, double p1, double p2)
{
    if (!needs_graph(self, NULL)) return em_op_unary_(op, self, p1, p2);
    if (check_leaf("in-place op", self)) return em_last_status();
    em_node_set_inplace_target(self);
    em_tensor *r = em_unary(op, self, p1, p2);
    em_node_set_inplace_target(NULL);
    return write_back("in-place op", self, r, true);
}

/* A binary op recorded in place: self must not be a leaf that requires grad,
** and its result (a float, as grad needs) must fit self's dtype. */
static em_status check_graph_target(em_tensor *self)
{
    if (check_leaf("in-place op", self)) return em_last_status();
    if (!em_dtype_is_float(self->dtype))
        return em_fail(EM_ERR_TYPE, "in-place op: result type can't be cast to the desired output type %s",
                       em_dtype_name(self->dtype));
    return EM_OK;
}

em_status em_binary_(em_binary_op op, em_tensor *self, em_tensor *other)
{
    if (!needs_graph(self, other)) return em_op_binary_(op, self, other);
    if (check_graph_target(self) != EM_OK) return em_last_status();
    em_node_set_inplace_target(self);
    em_tensor *r = em_binary(op, self, other);
    em_node_set_inplace_target(NULL);
    return write_back("in-place op", self, r, true);
}

em_status em_binary_scalar_(em_binary_op op, em_tensor *self, em_scalar s)
{
    if (!needs_graph(self, NULL)) return em_op_binary_value_(op, self, s);
    if (check_graph_target(self) != EM_OK) return em_last_status();
    em_node_set_inplace_target(self);
    em_tensor *r = em_binary_scalar(op, self, s, false);
    em_node_set_inplace_target(NULL);
    return write_back("in-place op", self, r, true);
}

/* d fill_/copy_ = 0 for the old self ; g summed to src's shape for src */
static em_status overwrite_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    if (em_node_needs(n, 0)) gi[0] = em_scratch_take(&s, sc_scalar(&s, EM_B_MUL, g, 0.0));
    if (n->n_next > 1 && em_node_needs(n, 1)) {
        em_tensor *t = sc_sum_to(&s, g, n->ndim[1], n->shape[1]);
        gi[1] = s.failed ? NULL : em_scratch_keep(&s, em_op_to_dtype(t, n->dtype[1]));
        gi[1] = em_scratch_take(&s, gi[1]);
    }
    return em_scratch_end(&s);
}

/* Overwrites a non-view self with r (a constant, or src converted and
** broadcast) and records a node linking the old self (zero gradient) and src. */
static em_status overwrite(const char *name, em_tensor *self, em_tensor *r, em_tensor *src)
{
    if (!r) return em_last_status();
    em_tensor *ins[2] = {self, src};
    em_node *n = em_node_new(name, overwrite_backward, src ? 2 : 1);
    em_status st = n ? em_op_copy_(self, r) : em_last_status();
    if (st == EM_OK) {
        em_node_set_edge(n, 0, self);
        em_node_record_input(n, 0, self);
        if (src) {
            em_node_set_edge(n, 1, src);
            em_node_record_input(n, 1, src);
        }
        (void)ins;
        em_node_attach(n, self);
    } else {
        em_node_release(n);
    }
    em_tensor_release(r);
    return st;
}

static em_status fill_named(em_tensor *self, double value, const char *op, const char *node)
{
    if (!needs_graph(self, NULL)) return em_op_fill_(self, value);
    if (check_leaf(op, self)) return em_last_status();
    em_tensor *r = em_op_full(self->ndim, self->shape, value, self->dtype, em_tensor_backend(self));
    if (self->view_base) return write_back(op, self, r, false);
    return overwrite(node, self, r, NULL);
}

em_status em_fill_(em_tensor *self, double value) { return fill_named(self, value, "fill_", "FillBackward2"); }
em_status em_zero_(em_tensor *self) { return fill_named(self, 0.0, "zero_", "ZeroBackward0"); }

em_status em_copy_(em_tensor *self, em_tensor *src)
{
    if (!needs_graph(self, src)) return em_op_copy_(self, src);
    if (check_leaf("copy_", self)) return em_last_status();
    if (self->view_base) {
        /* r = src converted to self's dtype and broadcast to self's shape */
        em_tensor *conv = em_to_dtype(src, self->dtype);
        em_tensor *r = conv ? em_expand(conv, self->ndim, self->shape) : NULL;
        em_tensor_release(conv);
        return write_back("copy_", self, r, false);
    }
    em_tensor *conv = em_op_to_dtype(src, self->dtype);
    em_tensor *r = conv ? em_op_expand(conv, self->ndim, self->shape) : NULL;
    em_tensor_release(conv);
    return overwrite("CopyBackwards", self, r, src);
}

em_status em_random_(em_random_kind kind, em_tensor *self, em_status (*draw)(em_tensor *dst, void *ctx),
                     void *ctx)
{
    static const char *const ops[] = {"uniform_", "normal_", "bernoulli_", "bernoulli_"};
    static const char *const nodes[] = {"UniformBackward0", "NormalBackward0", "BernoulliBackward1",
                                        "BernoulliBackward2"};
    const char *op = ops[kind], *node = nodes[kind];
    if (!needs_graph(self, NULL)) return draw(self, ctx);
    if (check_leaf(op, self)) return em_last_status();
    /* drawn into a contiguous buffer: the same numbers as PyTorch unless
    ** self is a non-contiguous tensor in a graph */
    em_tensor *r = em_op_full(self->ndim, self->shape, 0.0, self->dtype, em_tensor_backend(self));
    if (r && draw(r, ctx) != EM_OK) {
        em_tensor_release(r);
        return em_last_status();
    }
    if (self->view_base) return write_back(op, self, r, false);
    return overwrite(node, self, r, NULL);
}

/* self = compute(self, ctx) in place, for an op whose out-of-place form
** (with its node) the caller provides: written straight into self when no
** gradient is involved, else through write_back like the ops above. The
** result must have self's shape (the caller checks broadcasting first). */
em_status em_inplace_apply(const char *op, em_tensor *self, em_tensor *other,
                           em_tensor *(*compute)(em_tensor *self, void *ctx), void *ctx)
{
    if (!needs_graph(self, other)) {
        em_tensor *r = compute(self, ctx);
        if (!r) return em_last_status();
        em_status st = em_op_copy_(self, r);
        em_tensor_release(r);
        return st;
    }
    if (check_graph_target(self) != EM_OK) return em_last_status();
    em_node_set_inplace_target(self);
    em_tensor *r = compute(self, ctx);
    em_node_set_inplace_target(NULL);
    return write_back(op, self, r, true);
}
