/* sort_algo.c — the (key, index) sorting and selection algorithms of
** sort_algo.h, instantiated from sort_algo_impl.h for each key type (double,
** int64) and order, and the dispatchers that pick one. */
#include <math.h>
#include <string.h>

#include "sort_algo.h"

/* floor(log2(n)) for n >= 1 (libstdc++'s std::__lg) */
static inline int64_t lg(int64_t n)
{
    int64_t r = 0;
    while (n >>= 1) r++;
    return r;
}

/* NaN sorts as largest: PyTorch's KeyValueCompAsc / KeyValueCompDesc */
#define F_ASC(a, b) ((!isnan((a)->k.f) && isnan((b)->k.f)) || (a)->k.f < (b)->k.f)
#define F_DESC(a, b) ((isnan((a)->k.f) && !isnan((b)->k.f)) || (a)->k.f > (b)->k.f)
#define F_ASC_INDEX(a, b) ((a)->k.f < (b)->k.f || ((a)->k.f == (b)->k.f && (a)->idx < (b)->idx))
#define I_ASC(a, b) ((a)->k.i < (b)->k.i)
#define I_DESC(a, b) ((a)->k.i > (b)->k.i)
#define I_ASC_INDEX(a, b) ((a)->k.i < (b)->k.i || ((a)->k.i == (b)->k.i && (a)->idx < (b)->idx))

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
#define NAME(x) f_asci_##x
#define LESS F_ASC_INDEX
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
#define NAME(x) i_asci_##x
#define LESS I_ASC_INDEX
#include "sort_algo_impl.h"
#undef NAME
#undef LESS

/* DISPATCH(fn, args): calls the instantiation of fn for order o and ints */
#define DISPATCH(fn, ...)                                                  \
    do {                                                                   \
        if (ints) {                                                        \
            if (o == EM_ORDER_ASC) i_asc_##fn(__VA_ARGS__);                \
            else if (o == EM_ORDER_DESC) i_desc_##fn(__VA_ARGS__);         \
            else i_asci_##fn(__VA_ARGS__);                                 \
        } else {                                                           \
            if (o == EM_ORDER_ASC) f_asc_##fn(__VA_ARGS__);                \
            else if (o == EM_ORDER_DESC) f_desc_##fn(__VA_ARGS__);         \
            else f_asci_##fn(__VA_ARGS__);                                 \
        }                                                                  \
    } while (0)

void em_kv_sort(em_kv *a, int64_t n, em_order o, bool ints)
{
    DISPATCH(sort, a, a + n);
}

void em_kv_stable_sort(em_kv *a, int64_t n, em_order o, bool ints, em_kv *buf)
{
    DISPATCH(stable_sort, a, n, buf);
}

void em_kv_partial_sort(em_kv *a, int64_t mid, int64_t n, em_order o, bool ints)
{
    DISPATCH(partial_sort, a, a + mid, a + n);
}

void em_kv_nth_element(em_kv *a, int64_t nth, int64_t n, em_order o, bool ints)
{
    DISPATCH(nth_element, a, a + nth, a + n);
}

void em_kv_quick_select(em_kv *a, int64_t k, int64_t n, bool ints)
{
    if (ints) i_desc_quick_select(a, k, n);
    else f_desc_quick_select(a, k, n);
}
