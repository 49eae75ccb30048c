/* sort_algo.h — the sorting behind sort, argsort, topk, kthvalue, median
** and unique, on host arrays of (key, index) pairs: a stable merge sort, so
** equal keys keep their positions' order. That fixes which of equal values
** each op returns by a rule of ember's own (PyTorch documents the order of
** ties as unspecified for sort with stable = false, topk and kthvalue):
** sort and topk list ties in position order, kthvalue returns the k-th in
** (value, position) order, median along a dim the middle one, which is also
** PyTorch's rule for median.
**
** Keys are doubles (float32, float64, int32, uint8 and bool tensors: each
** converts to a double exactly) or int64 (int64 tensors). The orders:
**   EM_ORDER_ASC    ascending, NaN after everything (NaN sorts as largest);
**   EM_ORDER_DESC   descending, NaN before everything.
** Not here: tensors, dims, dtypes (ops/sort.c). */
#ifndef EMBER_SORT_ALGO_H
#define EMBER_SORT_ALGO_H

#include <stdbool.h>
#include <stdint.h>

typedef struct em_kv {
    union {
        double f;
        int64_t i;
    } k;
    int64_t idx;
} em_kv;

typedef enum em_order { EM_ORDER_ASC, EM_ORDER_DESC } em_order;

/* ints: the keys are k.i (int64), else k.f (double). buf: room for n pairs. */
void em_kv_stable_sort(em_kv *a, int64_t n, em_order o, bool ints, em_kv *buf);

#endif
