/* sort.h — forward ops of the sorting and counting family: sort, argsort's
** indices, topk, kthvalue, median; unique; searchsorted, bucketize,
** bincount, histc. No autograd here (autograd/grad_sort.c wraps the ones
** with a gradient); same conventions as ops.h: 0-based dims (negative count
** from the end), int64 0-based index tensors, new references, NULL or a
** status + em_last_error() on failure.
**
** They run on the host: the input is copied to host memory (through the
** backend, so any device works), sorted or counted there by the algorithms
** of sort_algo.h, and the results copied back to the input's device
** (docs/DECISIONS.md, "Sorting runs on the host"). */
#ifndef EMBER_OPS_SORT_H
#define EMBER_OPS_SORT_H

#include "../core/tensor.h"

/* --- sort.c: values and 0-based int64 indices along dim; always stable
** (ties in position order), so PyTorch's stable option needs no argument --- */
em_status em_op_sort(const em_tensor *x, int dim, bool descending, em_tensor **values, em_tensor **indices);
/* The k largest (or smallest) along dim, always sorted (PyTorch's
** sorted = false leaves the order unspecified). */
em_status em_op_topk(const em_tensor *x, int64_t k, int dim, bool largest, em_tensor **values,
                     em_tensor **indices);
/* The k-th smallest (k from 1) along dim; NaN counts as largest. */
em_status em_op_kthvalue(const em_tensor *x, int64_t k, int dim, bool keepdim, em_tensor **values,
                         em_tensor **indices);
/* The lower median along dim; a slice with a NaN gives its first NaN. */
em_status em_op_median_dim(const em_tensor *x, int dim, bool keepdim, em_tensor **values, em_tensor **indices);
/* The lower median of all elements (0-dim); NaN if any is NaN or x is empty. */
em_tensor *em_op_median_all(const em_tensor *x);

/* --- unique.c --- */
/* The distinct elements, ascending (has_dim: the distinct slices along
** dim); inverse (x's shape, or x's size along dim) and counts when the
** pointers are not NULL. */
em_status em_op_unique(const em_tensor *x, bool has_dim, int dim, em_tensor **out, em_tensor **inverse,
                       em_tensor **counts);

/* --- bucket.c --- */
/* For each value, its insertion position in the innermost dim of sorted
** (1-D, or with values' leading dims): the first position (right = false)
** or the last. sorter (or NULL): int64 positions that sort `sorted`. op
** names the caller in errors (searchsorted, bucketize). */
em_tensor *em_op_searchsorted(const char *op, const em_tensor *sorted, const em_tensor *values, bool right,
                              bool out_int32, const em_tensor *sorter);
/* Counts of each value of a 1-D non-negative integer x (or sums of weights). */
em_tensor *em_op_bincount(const em_tensor *x, const em_tensor *weights, int64_t minlength);
/* The histogram of x over `bins` equal bins of [min, max] (min == max: x's range). */
em_tensor *em_op_histc(const em_tensor *x, int64_t bins, double min, double max);

/* --- host buffers (sort.c), for the files above --- */
/* x's elements, row-major, as int64 (x int64: *ints = true) or as doubles
** (every other dtype: exact); malloc'd, the caller frees. NULL on failure. */
void *em_host_values(const em_tensor *x, bool *ints);
/* A tensor of the given shape and dtype on be from n values held as int64
** (ints) or doubles. */
em_tensor *em_tensor_from_values(const void *vals, bool ints, int ndim, const int64_t *shape, em_dtype dt,
                                 const em_backend *be);

#endif
