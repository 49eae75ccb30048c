/* rearrange.h — forward ops that move, pick or mask elements without
** arithmetic: flip, roll, repeat, tril/triu, diagonal (a view), diag, trace,
** nonzero, masked_select, masked_fill (src/ops/rearrange.c). Same conventions
** as ops.h: 0-based dims, int64 0-based index tensors, new references,
** NULL + em_last_error() on failure. Not here: autograd (grad_rearrange.c). */
#ifndef EMBER_REARRANGE_H
#define EMBER_REARRANGE_H

#include "ops.h"

/* dims: n dims (0-based or negative), each at most once. */
em_tensor *em_op_flip(const em_tensor *x, const int64_t *dims, int n);
/* n shifts along n dims; n_dims 0: x flattened, rolled, viewed back (n_shifts 1). */
em_tensor *em_op_roll(const em_tensor *x, const int64_t *shifts, int n_shifts, const int64_t *dims, int n_dims);
/* n repeats, n >= x->ndim (leading new dims). */
em_tensor *em_op_repeat(const em_tensor *x, const int64_t *reps, int n);
/* The lower (upper = false) or upper triangle of the last two dims,
** relative to the diagonal-th diagonal; the rest zero. */
em_tensor *em_op_trilu(const em_tensor *x, int64_t diagonal, bool upper);
/* A view: the offset-th diagonal of dims d1, d2, appended as the last dim. */
em_tensor *em_op_diagonal(const em_tensor *x, int64_t offset, int d1, int d2);
/* 1-D: a square matrix with x on its diagonal-th diagonal; 2-D: a copy of that diagonal. */
em_tensor *em_op_diag(const em_tensor *x, int64_t diagonal);
/* Sum of a matrix's main diagonal. */
em_tensor *em_op_trace(const em_tensor *x);
/* (count, ndim) int64 indices of x's nonzero elements, row-major order. */
em_tensor *em_op_nonzero(const em_tensor *x);
/* Flat (row-major) int64 positions of mask's true elements, mask broadcast to (ndim, shape). */
em_tensor *em_op_mask_positions(const em_tensor *mask, int ndim, const int64_t *shape);
/* 1-D: x's elements where mask is true (x and mask broadcast together). */
em_tensor *em_op_masked_select(const em_tensor *x, const em_tensor *mask);
/* x with value (a 0-dim tensor) where mask is true; shape broadcast(x, mask). */
em_tensor *em_op_masked_fill(const em_tensor *x, const em_tensor *mask, const em_tensor *value);
/* The checks masked_fill makes of its mask and value (shared with autograd). */
em_status em_check_masked_fill(const em_tensor *x, const em_tensor *mask, const em_tensor *value);
/* 1-D int64 tensor [0, 1, ..., n-1] (reversed: [n-1, ..., 0]) on be. */
em_tensor *em_op_index_range(int64_t n, bool reversed, const em_backend *be);

#endif
