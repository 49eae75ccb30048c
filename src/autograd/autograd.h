/* autograd.h — the differentiable ops the bindings call. Each runs the
** forward op from ops/ and, when grad mode is on and an input requires grad,
** records a node whose backward formula is written next to it in
** autograd/grad_*.c. Same conventions as ops.h: 0-based dims, int64 0-based
** index tensors, new references returned, NULL + em_last_error() on failure. */
#ifndef EMBER_AUTOGRAD_H
#define EMBER_AUTOGRAD_H

#include "../core/tensor.h"

/* --- engine --- */
/* Backpropagates from root (gradient NULL means ones for a one-element root). */
em_status em_backward(em_tensor *root, const em_tensor *gradient, bool retain_graph);
/* Sets requires_grad on a leaf (errors on non-leaves turning it off, and on
** non-float dtypes). */
em_status em_set_requires_grad(em_tensor *t, bool on);
/* A new tensor sharing t's data with no history. */
em_tensor *em_detach(em_tensor *t);
/* Keeps .grad on a non-leaf after backward. */
em_status em_retain_grad(em_tensor *t);

/* --- elementwise (grad_elementwise.c) --- */
em_tensor *em_unary(em_unary_op op, em_tensor *x, double p1, double p2);
/* add, sub, mul, div, pow, maximum, minimum are differentiable; comparisons
** and logical ops are not (their results never require grad). */
em_tensor *em_binary(em_binary_op op, em_tensor *a, em_tensor *b);
em_tensor *em_where(em_tensor *cond, em_tensor *a, em_tensor *b);
/* a + alpha * b (op ADD) or a - alpha * b (op SUB): one node, AddBackward0 / SubBackward0 */
em_tensor *em_binary_alpha(em_binary_op op, em_tensor *a, em_tensor *b, double alpha);
/* a op s, or s op a when scalar_first, s a number passed by value (x + 1,
** 1 - x): the row's node (RsubBackward1 for s - a), s kept in the node. */
em_tensor *em_binary_scalar(em_binary_op op, em_tensor *a, em_scalar s, bool scalar_first);

/* --- reductions (grad_reduce.c); dim_mask 0 = all dims --- */
em_tensor *em_sum(em_tensor *x, uint32_t dim_mask, bool keepdim);
em_tensor *em_mean(em_tensor *x, uint32_t dim_mask, bool keepdim);
em_tensor *em_prod(em_tensor *x, uint32_t dim_mask, bool keepdim);
em_tensor *em_var(em_tensor *x, uint32_t dim_mask, bool keepdim, double correction);
em_tensor *em_std(em_tensor *x, uint32_t dim_mask, bool keepdim, double correction);
/* std_mean (is_std) / var_mean: two results, grad_fn StdMeanBackward0 / VarMeanBackward0 */
em_status em_stat_mean(em_tensor *x, uint32_t dim_mask, bool keepdim, double correction, bool is_std,
                       em_tensor **stat, em_tensor **mean);
/* op is EM_R_MAX or EM_R_MIN: over everything (ties share the gradient). */
em_tensor *em_maxmin_all(em_reduce_op op, em_tensor *x);
/* ... or along one dim, with 0-based int64 indices. */
em_status em_maxmin_dim(em_reduce_op op, em_tensor *x, int dim, bool keepdim, em_tensor **values,
                        em_tensor **indices);

/* --- more math (grad_mathr.c): dims are 0-based, masks as em_sum's --- */
em_tensor *em_cumsum(em_tensor *x, int dim);
em_tensor *em_cumprod(em_tensor *x, int dim);
em_tensor *em_amaxmin(em_reduce_op op, em_tensor *x, uint32_t mask, bool keepdim);   /* MAX: amax */
em_tensor *em_logsumexp(em_tensor *x, uint32_t mask, bool keepdim);
/* (sum |x|^ord)^(1/ord) and its limits; node: its grad_fn name
** ("NormBackward1", "LinalgVectorNormBackward0"); fn: the name in errors */
em_tensor *em_vector_norm(em_tensor *x, double ord, uint32_t mask, bool keepdim, const char *node, const char *fn);
em_tensor *em_nan_to_num(em_tensor *x, double nan, double posinf, double neginf);
em_tensor *em_clamp_tensor(em_tensor *x, em_tensor *lo, em_tensor *hi);   /* lo or hi may be NULL */
em_tensor *em_lerp(em_tensor *a, em_tensor *b, em_tensor *w, double ws);  /* w NULL: the number ws */
/* Makes out (a constant computed from the inputs, at most two) the output
** of a node called name whose gradients are zeros: torch.normal's
** NormalBackward1-3. Nothing is recorded when no input requires grad. */
em_status em_record_zero_grad(const char *name, em_tensor *out, int n_inputs, em_tensor *const *inputs);

/* --- linear algebra (grad_linalg.c) --- */
em_tensor *em_matmul(em_tensor *a, em_tensor *b);   /* torch.matmul, all forms */
em_tensor *em_mm(em_tensor *a, em_tensor *b);       /* 2-D only */
em_tensor *em_bmm(em_tensor *a, em_tensor *b);      /* 3-D only, equal batch */
em_tensor *em_mv(em_tensor *a, em_tensor *v);
em_tensor *em_dot(em_tensor *a, em_tensor *b);

/* --- views and copies (grad_view.c) --- */
em_tensor *em_view(em_tensor *x, int ndim, const int64_t *shape);
em_tensor *em_reshape(em_tensor *x, int ndim, const int64_t *shape);
em_tensor *em_transpose(em_tensor *x, int d0, int d1);
em_tensor *em_t(em_tensor *x);   /* x.t(): <= 2-D, TBackward0 */
em_tensor *em_permute(em_tensor *x, const int64_t *dims, int n);
em_tensor *em_unsqueeze(em_tensor *x, int dim);
em_tensor *em_squeeze(em_tensor *x, int dim, bool all);
em_tensor *em_expand(em_tensor *x, int ndim, const int64_t *shape);
em_tensor *em_narrow(em_tensor *x, int dim, int64_t start, int64_t length);
em_tensor *em_select(em_tensor *x, int dim, int64_t index);
em_tensor *em_flatten(em_tensor *x, int start_dim, int end_dim);
em_tensor *em_contiguous(em_tensor *x);
em_tensor *em_clone(em_tensor *x);
em_tensor *em_to_dtype(em_tensor *x, em_dtype dt);   /* x itself when already dt */

/* --- joining and indexing (grad_index.c) --- */
em_tensor *em_cat(int n, em_tensor *const *ts, int dim);
em_tensor *em_stack(int n, em_tensor *const *ts, int dim);
em_tensor *em_index_select(em_tensor *x, int dim, em_tensor *index);
em_tensor *em_gather(em_tensor *x, int dim, em_tensor *index);
em_tensor *em_scatter_add(em_tensor *self, int dim, em_tensor *index, em_tensor *src);

/* --- in place (grad_inplace.c): self is modified and keeps its identity --- */
em_status em_unary_(em_unary_op op, em_tensor *self, double p1, double p2);
em_status em_binary_(em_binary_op op, em_tensor *self, em_tensor *other);
/* self = self op s, s a number passed by value */
em_status em_binary_scalar_(em_binary_op op, em_tensor *self, em_scalar s);
em_status em_fill_(em_tensor *self, double value);
em_status em_zero_(em_tensor *self);   /* fill_(0) recorded as ZeroBackward0 */
em_status em_copy_(em_tensor *self, em_tensor *src);
/* self = draw(ctx): random values (normal_, uniform_, bernoulli_ with a
** number p or a tensor of p's), constants for autograd: self's old history
** gets a zero gradient through PyTorch's node for the kind
** (NormalBackward0, BernoulliBackward1/2). The leaf error names the op and
** comes before anything is drawn. */
typedef enum em_random_kind {
    EM_RANDOM_UNIFORM, EM_RANDOM_NORMAL, EM_RANDOM_BERNOULLI_P, EM_RANDOM_BERNOULLI_TENSOR
} em_random_kind;
em_status em_random_(em_random_kind kind, em_tensor *self, em_status (*draw)(em_tensor *dst, void *ctx),
                     void *ctx);

/* self = compute(self, ctx) in place, where compute is the op's out-of-place
** form with its node (masked_fill_): a direct write without gradients, else
** the graph is rewired as for the ops above. The result must have self's shape. */
em_status em_inplace_apply(const char *op, em_tensor *self, em_tensor *other,
                           em_tensor *(*compute)(em_tensor *self, void *ctx), void *ctx);

#endif
