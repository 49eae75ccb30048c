/* scratch.h — helpers that keep backward formulas short: every temporary is
** held in a scratch pool and freed at the end, and a failed op (or a NULL
** input) makes the rest of the formula a no-op and the whole call fail. So
** a formula reads like its math:
**     gi[0] = em_scratch_take(&s, sum_to(&s, mul(&s, g, b), n->ndim[0], n->shape[0]));
** Also: em_record, which builds and attaches the node for a forward op. */
#ifndef EMBER_SCRATCH_H
#define EMBER_SCRATCH_H

#include "../ops/ops.h"
#include "node.h"

#define EM_SCRATCH_MAX 32

typedef struct em_scratch {
    em_tensor *items[EM_SCRATCH_MAX];
    int n;
    bool failed;
} em_scratch;

em_tensor *em_scratch_keep(em_scratch *s, em_tensor *t);      /* t may be NULL (= failure) */
em_tensor *em_scratch_take(em_scratch *s, em_tensor *t);      /* hands t to the caller */
em_status em_scratch_end(em_scratch *s);                      /* frees all; EM_OK unless failed */

em_tensor *sc_bin(em_scratch *s, em_binary_op op, const em_tensor *a, const em_tensor *b);
em_tensor *sc_scalar(em_scratch *s, em_binary_op op, const em_tensor *a, double v);
em_tensor *sc_un(em_scratch *s, em_unary_op op, const em_tensor *x, double p1, double p2);
em_tensor *sc_sum_to(em_scratch *s, const em_tensor *g, int ndim, const int64_t *shape);
em_tensor *sc_where(em_scratch *s, const em_tensor *c, const em_tensor *a, const em_tensor *b);
em_tensor *sc_zeros(em_scratch *s, int ndim, const int64_t *shape, const em_tensor *like);
em_tensor *sc_expand(em_scratch *s, const em_tensor *x, int ndim, const int64_t *shape);
/* The saved tensor in slot i (borrowed), or NULL and the formula fails. */
const em_tensor *sc_saved(em_scratch *s, em_node *n, int i);

/* Creates a node for out with one edge per input and records the inputs'
** shapes (first two). Returns the node (owned by out), or NULL. */
em_node *em_record(const char *name, em_backward_fn fn, em_tensor *out, int n_inputs,
                   em_tensor *const *inputs);

#endif
