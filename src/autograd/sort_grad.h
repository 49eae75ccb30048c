/* sort_grad.h — the differentiable sorting ops the Lua bindings call
** (autograd/grad_sort.c): sort, topk, kthvalue and median run their forward
** op from ops/sort.h and, when grad mode is on and x requires grad, record
** PyTorch's node for the values (the indices are never differentiable).
** Same conventions as autograd.h. */
#ifndef EMBER_SORT_GRAD_H
#define EMBER_SORT_GRAD_H

#include "../core/tensor.h"
#include "../ops/sort.h"

/* stable_given: the stable option was passed (PyTorch's sort.stable
** overload: SortBackward1; otherwise SortBackward0). */
em_status em_sort(em_tensor *x, int dim, bool descending, bool stable_given, em_tensor **values,
                  em_tensor **indices);
em_status em_topk(em_tensor *x, int64_t k, int dim, bool largest, em_tensor **values, em_tensor **indices);
em_status em_kthvalue(em_tensor *x, int64_t k, int dim, bool keepdim, em_tensor **values, em_tensor **indices);
em_status em_median_dim(em_tensor *x, int dim, bool keepdim, em_tensor **values, em_tensor **indices);
/* median of all elements: MedianBackward0, equal elements share the gradient */
em_tensor *em_median_all(em_tensor *x);

#endif
