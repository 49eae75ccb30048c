/* grad_rearrange.c — derivatives of the ops in ops/rearrange.c (flip, roll,
** repeat, tril/triu, diagonal, diag, trace, masked_fill, masked_select), of
** the split family (pieces of one tensor along a dim) and of addmm/baddbmm,
** each recorded under PyTorch's node name. Formulas are written with ops
** (ops.h, rearrange.h), so they run on every device. Not here: the forward
** ops themselves (ops/rearrange.c). */
#include <stdlib.h>
#include <string.h>

#include "../ops/rearrange.h"
#include "autograd.h"
#include "grad_rearrange.h"
#include "scratch.h"

/* Records a one-input node for out (a view of x when is_view) in *node, or
** leaves *node NULL when no gradient is involved. Returns out, or NULL (out
** released) when out is NULL or the node cannot be made. */
static em_tensor *record1(em_tensor *out, em_tensor *x, const char *name, em_backward_fn fn, bool is_view,
                          em_node **node)
{
    *node = NULL;
    if (!out) return NULL;
    if (is_view && out->storage == x->storage) {   /* the base, for in-place ops on the view */
        out->view_base = x->view_base ? x->view_base : x;
        em_tensor_retain(out->view_base);
    }
    if (!em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    *node = em_record(name, fn, out, 1, &x);
    if (!*node) {
        em_tensor_release(out);
        return NULL;
    }
    (*node)->is_view = is_view;
    return out;
}

static em_tensor *keep(em_scratch *s, em_tensor *t)
{
    if (s->failed) {
        em_tensor_release(t);
        return NULL;
    }
    return em_scratch_keep(s, t);
}

/* --- flip: d flip(x, dims) = flip(g, dims). ints[0] = n, ints[1..] = dims --- */
static em_status flip_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    gi[0] = em_op_flip(g, n->ints + 1, (int)n->ints[0]);
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_flip(em_tensor *x, const int64_t *dims, int nd)
{
    em_tensor *out = em_op_flip(x, dims, nd);
    em_node *n;
    out = record1(out, x, "FlipBackward0", flip_backward, false, &n);
    if (n) {
        n->ints[0] = nd;
        for (int i = 0; i < nd; i++) n->ints[1 + i] = dims[i];
    }
    return out;
}

/* --- roll: d roll(x, shifts, dims) = roll(g, -shifts, dims).
** extra = [n_shifts, n_dims, shifts..., dims...] --- */
static em_status roll_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    int ns = (int)n->extra[0], nd = (int)n->extra[1];
    int64_t *neg = malloc((size_t)(ns > 0 ? ns : 1) * sizeof *neg);
    if (!neg) return em_fail(EM_ERR_MEMORY, "roll: out of memory");
    for (int i = 0; i < ns; i++) neg[i] = -n->extra[2 + i];
    gi[0] = em_op_roll(g, neg, ns, n->extra + 2 + ns, nd);
    free(neg);
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_roll(em_tensor *x, const int64_t *shifts, int ns, const int64_t *dims, int nd)
{
    em_tensor *out = em_op_roll(x, shifts, ns, dims, nd);
    em_node *n;
    out = record1(out, x, "RollBackward0", roll_backward, false, &n);
    if (!n) return out;
    n->n_extra = 2 + ns + nd;
    n->extra = malloc((size_t)n->n_extra * sizeof(int64_t));
    if (!n->extra) {
        em_fail(EM_ERR_MEMORY, "roll: out of memory");
        em_tensor_release(out);
        return NULL;
    }
    n->extra[0] = ns;
    n->extra[1] = nd;
    memcpy(n->extra + 2, shifts, sizeof(int64_t) * (size_t)ns);
    memcpy(n->extra + 2 + ns, dims, sizeof(int64_t) * (size_t)nd);
    return out;
}

/* --- repeat: d repeat(x, reps) = g with each dim i split into (reps[i],
** size[i]) and summed over the reps[i] copies, then viewed as x.
** ints[0] = n, ints[1..n] = reps --- */
static em_status repeat_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    int nd = (int)n->ints[0];
    int lead = nd - n->ndim[0];
    const em_tensor *cur = g;
    for (int i = 0; i < nd && !s.failed; i++) {
        int64_t r = n->ints[1 + i];
        if (r == 1) continue;
        int64_t size = i < lead ? 1 : n->shape[0][i - lead], split[EM_MAX_DIMS + 1];
        for (int j = 0; j <= nd; j++) split[j] = j < i ? cur->shape[j] : j == i ? r : j == i + 1 ? size : cur->shape[j - 1];
        em_tensor *v = keep(&s, em_op_reshape(cur, nd + 1, split));
        cur = v ? keep(&s, em_op_reduce(EM_R_SUM, v, 1u << i, false)) : NULL;
        if (!cur) s.failed = true;
    }
    if (!s.failed) gi[0] = em_op_reshape(cur, n->ndim[0], n->shape[0]);
    if (!s.failed && !gi[0]) s.failed = true;
    return em_scratch_end(&s);
}

em_tensor *em_repeat(em_tensor *x, const int64_t *reps, int nd)
{
    em_tensor *out = em_op_repeat(x, reps, nd);
    em_node *n;
    out = record1(out, x, "RepeatBackward0", repeat_backward, false, &n);
    if (n) {
        n->ints[0] = nd;
        for (int i = 0; i < nd; i++) n->ints[1 + i] = reps[i];
    }
    return out;
}

/* --- tril/triu: d tril(x, k) = tril(g, k). ints[0] = k, ints[1] = upper --- */
static em_status trilu_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    gi[0] = em_op_trilu(g, n->ints[0], n->ints[1] != 0);
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_trilu(em_tensor *x, int64_t diagonal, bool upper)
{
    em_tensor *out = em_op_trilu(x, diagonal, upper);
    em_node *n;
    out = record1(out, x, upper ? "TriuBackward0" : "TrilBackward0", trilu_backward, false, &n);
    if (n) {
        n->ints[0] = diagonal;
        n->ints[1] = upper;
    }
    return out;
}

/* Zeros of the node's input shape with g written into its (offset, d1, d2)
** diagonal: the backward of every diagonal-taking op. */
static em_tensor *into_diagonal(em_node *n, const em_tensor *g, int64_t offset, int d1, int d2)
{
    em_tensor *z = em_op_full(n->ndim[0], n->shape[0], 0.0, g->dtype, em_tensor_backend(g));
    em_tensor *v = z ? em_op_diagonal(z, offset, d1, d2) : NULL;
    em_status st = v ? em_op_copy_(v, g) : em_last_status();
    em_tensor_release(v);
    if (st != EM_OK) {
        em_tensor_release(z);
        return NULL;
    }
    return z;
}

/* --- diagonal (a view): d diagonal(x, k, d1, d2) = zeros with g on that
** diagonal. ints[0..2] = offset, d1, d2 (wrapped) --- */
static em_status diagonal_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    gi[0] = into_diagonal(n, g, n->ints[0], (int)n->ints[1], (int)n->ints[2]);
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_diagonal(em_tensor *x, int64_t offset, int d1, int d2)
{
    em_tensor *out = em_op_diagonal(x, offset, d1, d2);
    em_node *n;
    out = record1(out, x, "DiagonalBackward0", diagonal_backward, true, &n);
    if (n) {
        int a = 0, b = 0;
        em_wrap_dim("diagonal", d1, x->ndim, &a);
        em_wrap_dim("diagonal", d2, x->ndim, &b);
        n->ints[0] = offset;
        n->ints[1] = a;
        n->ints[2] = b;
    }
    return out;
}

/* --- diag: of a vector, d diag(v, k) = the k-th diagonal of g; of a matrix,
** zeros with g on the k-th diagonal. ints[0] = k --- */
static em_status diag_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    if (n->ndim[0] == 2) {
        gi[0] = into_diagonal(n, g, n->ints[0], 0, 1);
    } else {
        em_tensor *v = em_op_diagonal(g, n->ints[0], 0, 1);
        gi[0] = v ? em_op_clone(v) : NULL;
        em_tensor_release(v);
    }
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_diag(em_tensor *x, int64_t diagonal)
{
    em_tensor *out = em_op_diag(x, diagonal);
    em_node *n;
    out = record1(out, x, "DiagBackward0", diag_backward, false, &n);
    if (n) n->ints[0] = diagonal;
    return out;
}

/* --- trace: d trace(x) = zeros with g (a scalar) on the main diagonal --- */
static em_status trace_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    gi[0] = into_diagonal(n, g, 0, 0, 1);
    return gi[0] ? EM_OK : em_last_status();
}

em_tensor *em_trace(em_tensor *x)
{
    em_tensor *out = em_op_trace(x);
    em_node *n;
    return record1(out, x, "TraceBackward0", trace_backward, false, &n);
}

/* --- masked_fill: d/dx = g with zeros where mask (summed to x's shape);
** d/dvalue = the sum of g where mask (MaskedFillBackward1 only).
** saved[0] = mask --- */
static em_status masked_fill_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *mask = sc_saved(&s, n, 0);
    em_tensor *zero = s.failed ? NULL : keep(&s, em_op_full(0, NULL, 0.0, g->dtype, em_tensor_backend(g)));
    if (!zero) s.failed = true;
    if (em_node_needs(n, 0))
        gi[0] = em_scratch_take(&s, sc_sum_to(&s, sc_where(&s, mask, zero, g), n->ndim[0], n->shape[0]));
    if (n->n_next > 1 && em_node_needs(n, 1)) {
        em_tensor *picked = sc_where(&s, mask, g, zero);
        em_tensor *sum = s.failed ? NULL : keep(&s, em_op_reduce(EM_R_SUM, picked, 0, false));
        if (!sum) s.failed = true;
        gi[1] = s.failed ? NULL : em_scratch_take(&s, keep(&s, em_op_to_dtype(sum, n->dtype[1])));
    }
    return em_scratch_end(&s);
}

em_tensor *em_masked_fill(em_tensor *x, em_tensor *mask, em_tensor *value, bool value_is_number)
{
    em_tensor *out = em_op_masked_fill(x, mask, value);
    if (!out || !em_dtype_is_float(out->dtype)) return out;
    bool value_grad = !value_is_number && em_any_requires_grad(value, NULL, NULL);
    if (!em_any_requires_grad(x, NULL, NULL) && !value_grad) return out;
    em_tensor *ins[2] = {x, value};
    em_node *n = em_record(value_is_number ? "MaskedFillBackward0" : "MaskedFillBackward1", masked_fill_backward,
                           out, value_is_number ? 1 : 2, ins);
    if (!n || em_node_save(n, 0, mask) != EM_OK) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* --- masked_select: d/dx = zeros of the broadcast shape with g put back at
** the selected positions, summed to x's shape. saved[0] = the flat
** positions; extra = the broadcast shape --- */
static em_status masked_select_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    const em_tensor *pos = sc_saved(&s, n, 0);
    int64_t numel = 1;
    for (int i = 0; i < n->n_extra; i++) numel *= n->extra[i];
    em_tensor *z = sc_zeros(&s, 1, &numel, g);
    em_tensor *flat = s.failed ? NULL : keep(&s, em_op_index_add(z, 0, pos, g));
    em_tensor *full = flat ? keep(&s, em_op_view(flat, n->n_extra, n->extra)) : NULL;
    if (!full) s.failed = true;
    gi[0] = em_scratch_take(&s, sc_sum_to(&s, full, n->ndim[0], n->shape[0]));
    return em_scratch_end(&s);
}

em_tensor *em_masked_select(em_tensor *x, em_tensor *mask)
{
    em_tensor *out = em_op_masked_select(x, mask);
    if (!out || !em_any_requires_grad(x, NULL, NULL) || !em_dtype_is_float(out->dtype)) return out;
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    em_broadcast_shapes("masked_select", x->ndim, x->shape, mask->ndim, mask->shape, &ndim, shape);
    em_tensor *pos = em_op_mask_positions(mask, ndim, shape);
    em_node *n = pos ? em_record("MaskedSelectBackward0", masked_select_backward, out, 1, &x) : NULL;
    bool ok = n && em_node_save(n, 0, pos) == EM_OK;
    em_tensor_release(pos);
    if (ok) {
        n->extra = malloc(sizeof(int64_t) * (size_t)(ndim > 0 ? ndim : 1));
        ok = n->extra != NULL;
        if (ok) {
            memcpy(n->extra, shape, sizeof(int64_t) * (size_t)ndim);
            n->n_extra = ndim;
        } else {
            em_fail(EM_ERR_MEMORY, "masked_select: out of memory");
        }
    }
    if (!ok) {
        em_tensor_release(out);
        return NULL;
    }
    return out;
}

/* --- addmm / baddbmm: out = beta * input + alpha * (m1 @ m2)
** d/dinput = beta g (summed to input's shape) ; d/dm1 = alpha g m2^T ;
** d/dm2 = alpha m1^T g. saved[1] = m1, saved[2] = m2; scalars = beta, alpha --- */
static em_tensor *times(em_scratch *s, const em_tensor *t, double v)
{
    if (v == 1.0 || s->failed || !t) return (em_tensor *)t;
    return sc_scalar(s, EM_B_MUL, t, v);
}

static em_tensor *product(em_scratch *s, const em_tensor *a, const em_tensor *b, bool ta, bool tb)
{
    if (s->failed || !a || !b) { s->failed = true; return NULL; }
    em_tensor *at = ta ? keep(s, em_op_transpose(a, -1, -2)) : (em_tensor *)a;
    em_tensor *bt = tb && at ? keep(s, em_op_transpose(b, -1, -2)) : (em_tensor *)b;
    if (!at || !bt) { s->failed = true; return NULL; }
    return keep(s, em_op_matmul(at, bt));
}

static em_status addmm_backward(em_node *n, const em_tensor *g, em_tensor **gi)
{
    em_scratch s = {0};
    double beta = n->scalars[0], alpha = n->scalars[1];
    if (em_node_needs(n, 0)) gi[0] = em_scratch_take(&s, sc_sum_to(&s, times(&s, g, beta), n->ndim[0], n->shape[0]));
    if (em_node_needs(n, 1))
        gi[1] = em_scratch_take(&s, em_scratch_keep(&s, em_op_clone(times(&s, product(&s, g, sc_saved(&s, n, 2), false,
                                                                                           true), alpha))));
    if (em_node_needs(n, 2))
        gi[2] = em_scratch_take(&s, em_scratch_keep(&s, em_op_clone(times(&s, product(&s, sc_saved(&s, n, 1), g, true,
                                                                                           false), alpha))));
    return em_scratch_end(&s);
}

em_tensor *em_addmm(em_tensor *input, em_tensor *m1, em_tensor *m2, double beta, double alpha, bool batched)
{
    const char *op = batched ? "baddbmm" : "addmm";
    char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
    int want = batched ? 3 : 2;
    if (m1->ndim != want || m2->ndim != want) {
        em_fail(EM_ERR_SHAPE, "%s: expected %d-D batch1/mat1 and batch2/mat2, got %s and %s", op, want,
                em_shape_str(m1->ndim, m1->shape, b1, sizeof b1), em_shape_str(m2->ndim, m2->shape, b2, sizeof b2));
        return NULL;
    }
    if (m1->shape[want - 1] != m2->shape[want - 2] || (batched && m1->shape[0] != m2->shape[0])) {
        em_fail(EM_ERR_SHAPE, "%s: mat1 and mat2 shapes cannot be multiplied (%s and %s)", op,
                em_shape_str(m1->ndim, m1->shape, b1, sizeof b1), em_shape_str(m2->ndim, m2->shape, b2, sizeof b2));
        return NULL;
    }
    if (input->dtype != m1->dtype || m1->dtype != m2->dtype) {
        em_fail(EM_ERR_TYPE, "%s: expected self, mat1 and mat2 to have the same dtype, but got %s, %s and %s", op,
                em_dtype_name(input->dtype), em_dtype_name(m1->dtype), em_dtype_name(m2->dtype));
        return NULL;
    }
    if (em_check_same_device(op, input, m1) || em_check_same_device(op, m1, m2)) return NULL;
    em_tensor *p = em_op_matmul(m1, m2);
    if (!p) return NULL;
    em_tensor *in_e = em_op_expand(input, p->ndim, p->shape);   /* input must broadcast to the product */
    em_tensor *out = NULL;
    if (!in_e) {
        em_error_prefix(op);
    } else {
        em_tensor *ap = alpha == 1.0 ? (em_tensor_retain(p), p) : em_op_binary_scalar(EM_B_MUL, p, alpha);
        em_tensor *bi = beta == 0.0 ? NULL : beta == 1.0 ? (em_tensor_retain(in_e), in_e)
                                                         : em_op_binary_scalar(EM_B_MUL, in_e, beta);
        if (ap && beta == 0.0) out = em_op_clone(ap);
        else if (ap && bi) out = em_op_binary(EM_B_ADD, bi, ap);
        em_tensor_release(ap);
        em_tensor_release(bi);
    }
    em_tensor_release(in_e);
    em_tensor_release(p);
    if (!out || !em_any_requires_grad(input, m1, m2) || !em_dtype_is_float(out->dtype)) return out;
    em_tensor *ins[3] = {input, m1, m2};
    em_node *n = em_record(batched ? "BaddbmmBackward0" : "AddmmBackward0", addmm_backward, out, 3, ins);
    if (!n || (m2->requires_grad && em_node_save(n, 1, m1)) || (m1->requires_grad && em_node_save(n, 2, m2))) {
        em_tensor_release(out);
        return NULL;
    }
    n->scalars[0] = beta;
    n->scalars[1] = alpha;
    return out;
}

/* --- the split family: each piece is a narrow view renamed to PyTorch's node --- */
em_tensor *em_split_piece(em_tensor *x, int dim, int64_t start, int64_t length, const char *node)
{
    em_tensor *out = em_narrow(x, dim, start, length);
    if (out && out->grad_fn) out->grad_fn->name = node;
    return out;
}

/* --- masked_fill_: the out-of-place result written back into x --- */
typedef struct fill_ctx {
    em_tensor *mask, *value;
    bool value_is_number;
} fill_ctx;

static em_tensor *masked_fill_compute(em_tensor *self, void *ctx)
{
    fill_ctx *c = ctx;
    return em_masked_fill(self, c->mask, c->value, c->value_is_number);
}

em_status em_masked_fill_(em_tensor *x, em_tensor *mask, em_tensor *value, bool value_is_number)
{
    if (em_check_masked_fill(x, mask, value) != EM_OK) return em_last_status();
    int ndim;
    int64_t shape[EM_MAX_DIMS];
    em_broadcast_shapes("masked_fill_", x->ndim, x->shape, mask->ndim, mask->shape, &ndim, shape);
    if (ndim != x->ndim || memcmp(shape, x->shape, sizeof(int64_t) * (size_t)ndim) != 0) {
        char b1[EM_SHAPE_BUF], b2[EM_SHAPE_BUF];
        return em_fail(EM_ERR_SHAPE, "masked_fill_: output with shape %s doesn't match the broadcast shape %s",
                       em_shape_str(x->ndim, x->shape, b1, sizeof b1), em_shape_str(ndim, shape, b2, sizeof b2));
    }
    fill_ctx c = {mask, value, value_is_number};
    return em_inplace_apply("masked_fill_", x, value_is_number ? NULL : value, masked_fill_compute, &c);
}
