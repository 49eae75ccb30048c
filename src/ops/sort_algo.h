/* sort_algo.h — the sorting and selection algorithms behind sort, topk,
** kthvalue and median, on host arrays of (key, index) pairs. They are
** step-for-step ports of what PyTorch 1.13's CPU kernels call (GNU
** libstdc++'s std::sort, std::partial_sort and std::nth_element, and TH's
** quick-select), so that among equal keys the same indices come out as in
** PyTorch, not only the same values. stable_sort is a merge sort (equal keys
** keep their order, which is all std::stable_sort promises).
**
** Keys are doubles (float32, float64, int32, uint8 and bool tensors: each
** converts to a double exactly) or int64 (int64 tensors). The orders:
**   EM_ORDER_ASC         ascending, NaN after everything (NaN sorts as largest);
**   EM_ORDER_DESC        descending, NaN before everything;
**   EM_ORDER_ASC_INDEX   ascending by (key, index): median's tie rule (no NaN).
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

typedef enum em_order { EM_ORDER_ASC, EM_ORDER_DESC, EM_ORDER_ASC_INDEX } em_order;

/* ints: the keys are k.i (int64), else k.f (double). */
void em_kv_sort(em_kv *a, int64_t n, em_order o, bool ints);                 /* std::sort */
/* buf: room for n pairs. */
void em_kv_stable_sort(em_kv *a, int64_t n, em_order o, bool ints, em_kv *buf);
/* The first mid elements sorted, the rest in unspecified order (std::partial_sort). */
void em_kv_partial_sort(em_kv *a, int64_t mid, int64_t n, em_order o, bool ints);
/* a[nth] as in a sorted array, smaller before, larger after (std::nth_element). */
void em_kv_nth_element(em_kv *a, int64_t nth, int64_t n, em_order o, bool ints);
/* a[k] the k-th smallest (0-based), NaN largest: TH's quick_select_template
** with PyTorch's kthvalue comparison. */
void em_kv_quick_select(em_kv *a, int64_t k, int64_t n, bool ints);

#endif
