/* grad_rearrange.h — the differentiable forms of the ops in
** ops/rearrange.h (flip, roll, repeat, tril/triu, diagonal, diag, trace,
** masked_fill, masked_select), the split family and addmm/baddbmm; each
** records PyTorch's node (FlipBackward0, ...). Same conventions as
** autograd.h: 0-based dims, new references, NULL + em_last_error(). */
#ifndef EMBER_GRAD_REARRANGE_H
#define EMBER_GRAD_REARRANGE_H

#include "../core/tensor.h"

em_tensor *em_flip(em_tensor *x, const int64_t *dims, int n);
em_tensor *em_roll(em_tensor *x, const int64_t *shifts, int n_shifts, const int64_t *dims, int n_dims);
em_tensor *em_repeat(em_tensor *x, const int64_t *reps, int n);
em_tensor *em_trilu(em_tensor *x, int64_t diagonal, bool upper);
em_tensor *em_diagonal(em_tensor *x, int64_t offset, int d1, int d2);
em_tensor *em_diag(em_tensor *x, int64_t diagonal);
em_tensor *em_trace(em_tensor *x);
/* value: a 0-dim tensor; value_is_number: it came from a number
** (MaskedFillBackward0, no gradient for it) rather than a tensor
** (MaskedFillBackward1). */
em_tensor *em_masked_fill(em_tensor *x, em_tensor *mask, em_tensor *value, bool value_is_number);
/* x:masked_fill_(mask, value) in place (write-back as the other in-place ops). */
em_status em_masked_fill_(em_tensor *x, em_tensor *mask, em_tensor *value, bool value_is_number);
em_tensor *em_masked_select(em_tensor *x, em_tensor *mask);
/* beta * input + alpha * (m1 @ m2): 2-D m1, m2 (addmm) or 3-D (baddbmm, batched). */
em_tensor *em_addmm(em_tensor *input, em_tensor *m1, em_tensor *m2, double beta, double alpha, bool batched);
/* One piece of x along dim: a narrow view whose node is called node
** ("SplitBackward0", "SplitWithSizesBackward0"; narrow's own is
** SliceBackward0). */
em_tensor *em_split_piece(em_tensor *x, int dim, int64_t start, int64_t length, const char *node);

#endif
