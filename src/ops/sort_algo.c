/* sort_algo.c — the stable (key, index) merge sort of sort_algo.h,
** instantiated from sort_algo_impl.h for each key type (double, int64) and
** order, and the dispatcher that picks one. */
#include <math.h>
#include <string.h>

#include "sort_algo.h"

/* NaN sorts as largest (PyTorch's ascending and descending comparisons) */
#define F_ASC(a, b) ((!isnan((a)->k.f) && isnan((b)->k.f)) || (a)->k.f < (b)->k.f)
#define F_DESC(a, b) ((isnan((a)->k.f) && !isnan((b)->k.f)) || (a)->k.f > (b)->k.f)
#define I_ASC(a, b) ((a)->k.i < (b)->k.i)
#define I_DESC(a, b) ((a)->k.i > (b)->k.i)

#define NAME(x) f_asc_##x
#define LESS F_ASC
#include "sort_algo_impl.h"
#undef NAME
#undef LESS
#define NAME(x) f_desc_##x
#define LESS F_DESC
#include "sort_algo_impl.h"
#undef NAME
#undef LESS
#define NAME(x) i_asc_##x
#define LESS I_ASC
#include "sort_algo_impl.h"
#undef NAME
#undef LESS
#define NAME(x) i_desc_##x
#define LESS I_DESC
#include "sort_algo_impl.h"
#undef NAME
#undef LESS

void em_kv_stable_sort(em_kv *a, int64_t n, em_order o, bool ints, em_kv *buf)
{
    if (ints) {
        if (o == EM_ORDER_ASC) i_asc_stable_sort(a, n, buf);
        else i_desc_stable_sort(a, n, buf);
    } else {
        if (o == EM_ORDER_ASC) f_asc_stable_sort(a, n, buf);
        else f_desc_stable_sort(a, n, buf);
    }
}
