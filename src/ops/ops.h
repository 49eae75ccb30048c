/* ops.h — forward ops on tensors, with no autograd: each validates shapes,
** dtypes and devices, allocates its result on the inputs' device and calls a
** backend kernel. The autograd layer (autograd/) wraps these; gradient
** formulas are written with them, so they run on every device.
**
** Dims here are 0-based (negative counts from the end); the Lua bindings
** convert from the 1-based dims users type. Index tensors are int64, 0-based.
** Every em_tensor * result is a new reference (NULL on failure, with the
** message in em_last_error()); arguments are borrowed. */
#ifndef EMBER_OPS_H
#define EMBER_OPS_H

#include "../core/tensor.h"

/* --- creation --- */
em_tensor *em_op_full(int ndim, const int64_t *shape, double value, em_dtype dt,
                      const em_backend *be);
/* A 0-dim tensor; wrapped marks it as made from a Lua number. */
em_tensor *em_op_scalar(double value, em_dtype dt, const em_backend *be, bool wrapped);
/* Copies n host values of dtype dt into a new tensor of the given shape. */
em_tensor *em_op_from_host(const void *data, int ndim, const int64_t *shape, em_dtype dt,
                           const em_backend *be);
em_tensor *em_op_arange(double start, double end, double step, em_dtype dt);
em_tensor *em_op_linspace(double start, double end, int64_t steps, em_dtype dt);
em_tensor *em_op_logspace(double start, double end, int64_t steps, double base, em_dtype dt);
em_tensor *em_op_eye(int64_t n, int64_t m, em_dtype dt);
/* Copies t's elements, row-major, to host memory (n bytes must match). */
em_status em_op_to_host(const em_tensor *t, void *dst, size_t nbytes);

/* --- elementwise --- */
em_tensor *em_op_unary(em_unary_op op, const em_tensor *x, double p1, double p2);
em_tensor *em_op_binary(em_binary_op op, const em_tensor *a, const em_tensor *b);
em_tensor *em_op_where(const em_tensor *cond, const em_tensor *a, const em_tensor *b);
/* a op s (s op a when scalar_first) with s a plain number, passed by value
** to the kernel (type promotion as for a wrapped number; no tensor made). */
em_tensor *em_op_binary_value(em_binary_op op, const em_tensor *a, em_scalar s, bool scalar_first);
/* a op v: v an int64 when integral and a is an integer tensor, else a double. */
em_tensor *em_op_binary_scalar(em_binary_op op, const em_tensor *a, double v);
em_scalar em_scalar_of(double v, const em_tensor *like);
/* In place: self = op(self[, other]); other broadcasts to self's shape and
** the result must be representable in self's dtype (PyTorch's rule). */
em_status em_op_unary_(em_unary_op op, em_tensor *self, double p1, double p2);
em_status em_op_binary_(em_binary_op op, em_tensor *self, const em_tensor *other);
/* self = self op s, s a number passed by value. */
em_status em_op_binary_value_(em_binary_op op, em_tensor *self, em_scalar s);
em_status em_op_fill_(em_tensor *self, double value);
/* dst = src, broadcasting src to dst's shape and converting dtype. */
em_status em_op_copy_(em_tensor *dst, const em_tensor *src);
em_tensor *em_op_to_dtype(const em_tensor *x, em_dtype dt);      /* always a copy */
em_tensor *em_op_clone(const em_tensor *x);                     /* contiguous copy */
/* x itself (retained) when contiguous, else a contiguous copy. */
em_tensor *em_op_contiguous(const em_tensor *x);

/* --- reductions --- (dim_mask bit d = reduce dim d; 0 = all dims) */
em_tensor *em_op_reduce(em_reduce_op op, const em_tensor *x, uint32_t dim_mask, bool keepdim);
/* max/min along one dim with 0-based int64 indices. */
em_status em_op_reduce_dim_idx(em_reduce_op op, const em_tensor *x, int dim, bool keepdim,
                               em_tensor **values, em_tensor **indices);
em_tensor *em_op_mean(const em_tensor *x, uint32_t dim_mask, bool keepdim);
em_tensor *em_op_var(const em_tensor *x, uint32_t dim_mask, bool keepdim, double correction);
/* Sums g over broadcast dims so that it has the given shape (backward of broadcasting). */
em_tensor *em_op_sum_to(const em_tensor *g, int ndim, const int64_t *shape);
/* isnan, isinf, isposinf, isneginf, isfinite: bool tensors (predicates.c) */
typedef enum em_float_class { EM_IS_NAN, EM_IS_INF, EM_IS_POSINF, EM_IS_NEGINF, EM_IS_FINITE } em_float_class;
em_tensor *em_op_isfloat_class(em_float_class kind, const em_tensor *x);
/* a == b, or |a - b| <= atol + |rtol b| and finite (and both NaN when equal_nan) */
em_tensor *em_op_isclose(const em_tensor *a, const em_tensor *b, double rtol, double atol, bool equal_nan);
em_tensor *em_op_count_nonzero(const em_tensor *x, uint32_t mask);   /* int64 */
/* cumsum / cumprod (op SUM / PROD) along dim (0-based), from the end when
** reverse; integers and bools give int64 (scan.c). */
em_tensor *em_op_scan(em_reduce_op op, const em_tensor *x, int dim, bool reverse);
/* Number of elements reduced by dim_mask (0 = all). */
int64_t em_reduced_count(const em_tensor *x, uint32_t dim_mask);
/* Builds a mask from a list of dims (normalised, duplicates rejected). */
em_status em_dims_to_mask(const char *op, const int64_t *dims, int n, int ndim, uint32_t *mask);

/* --- views (share storage) --- */
em_tensor *em_op_view(const em_tensor *x, int ndim, const int64_t *shape);   /* one -1 allowed */
em_tensor *em_op_reshape(const em_tensor *x, int ndim, const int64_t *shape);/* view or copy */
em_tensor *em_op_transpose(const em_tensor *x, int d0, int d1);
em_tensor *em_op_permute(const em_tensor *x, const int64_t *dims, int n);
em_tensor *em_op_unsqueeze(const em_tensor *x, int dim);
em_tensor *em_op_squeeze(const em_tensor *x, int dim, bool all);
em_tensor *em_op_expand(const em_tensor *x, int ndim, const int64_t *shape); /* -1 keeps */
em_tensor *em_op_narrow(const em_tensor *x, int dim, int64_t start, int64_t length);
em_tensor *em_op_select(const em_tensor *x, int dim, int64_t index);
em_tensor *em_op_flatten(const em_tensor *x, int start_dim, int end_dim);
/* Resolves a shape with one -1 against numel; checks the product. */
em_status em_infer_shape(const char *op, const em_tensor *x, int ndim, const int64_t *in,
                         int64_t *out);

/* --- linear algebra --- */
/* a: (..., n, k), b: (..., k, m) with broadcast batch dims -> (..., n, m).
** Both at least 2-D; 1-D cases are composed in autograd/. */
em_tensor *em_op_matmul(const em_tensor *a, const em_tensor *b);

/* --- joining and indexing --- */
em_tensor *em_op_cat(int n, em_tensor *const *ts, int dim);
em_tensor *em_op_index_select(const em_tensor *x, int dim, const em_tensor *index);
/* out of place: a copy of self with src added at index along dim. */
em_tensor *em_op_index_add(const em_tensor *self, int dim, const em_tensor *index,
                           const em_tensor *src);
em_tensor *em_op_gather(const em_tensor *x, int dim, const em_tensor *index);
em_tensor *em_op_scatter_add(const em_tensor *self, int dim, const em_tensor *index,
                             const em_tensor *src);

/* --- helpers shared by ops files --- */
em_status em_check_same_device(const char *op, const em_tensor *a, const em_tensor *b);
/* kv = t viewed with t's dims aligned to the right of (ndim, shape), stride 0 on broadcast dims. */
void em_broadcast_kview(const em_tensor *t, int ndim, const int64_t *shape, em_kview *kv);

#endif
