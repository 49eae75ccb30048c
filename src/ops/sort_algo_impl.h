/* sort_algo_impl.h — the body of sort_algo.c, included once per key type and
** order with NAME(x) (the function names), LESS(a, b) (a strict weak order
** on em_kv pointers) and KEY (the union member: f or i) defined. Ports of
** GNU libstdc++'s bits/stl_algo.h and bits/stl_heap.h (std::sort,
** std::partial_sort, std::nth_element; _S_threshold = 16) and of TH's
** quick_select_template; keep them step-for-step identical, since which of
** equal keys lands where depends on every step. Not a header of its own:
** only sort_algo.c includes it. */

static inline void NAME(swap)(em_kv *a, em_kv *b)
{
    em_kv t = *a;
    *a = *b;
    *b = t;
}

static inline void NAME(unguarded_linear_insert)(em_kv *last)
{
    em_kv val = *last;
    em_kv *next = last - 1;
    while (LESS(&val, next)) {
        *last = *next;
        last = next;
        --next;
    }
    *last = val;
}

static inline void NAME(insertion_sort)(em_kv *first, em_kv *last)
{
    if (first == last) return;
    for (em_kv *i = first + 1; i != last; ++i) {
        if (LESS(i, first)) {
            em_kv val = *i;
            memmove(first + 1, first, (size_t)(i - first) * sizeof(em_kv));
            *first = val;
        } else {
            NAME(unguarded_linear_insert)(i);
        }
    }
}

static inline void NAME(move_median_to_first)(em_kv *result, em_kv *a, em_kv *b, em_kv *c)
{
    if (LESS(a, b)) {
        if (LESS(b, c)) NAME(swap)(result, b);
        else if (LESS(a, c)) NAME(swap)(result, c);
        else NAME(swap)(result, a);
    } else if (LESS(a, c)) {
        NAME(swap)(result, a);
    } else if (LESS(b, c)) {
        NAME(swap)(result, c);
    } else {
        NAME(swap)(result, b);
    }
}

static inline em_kv *NAME(unguarded_partition)(em_kv *first, em_kv *last, em_kv *pivot)
{
    for (;;) {
        while (LESS(first, pivot)) ++first;
        --last;
        while (LESS(pivot, last)) --last;
        if (!(first < last)) return first;
        NAME(swap)(first, last);
        ++first;
    }
}

static inline em_kv *NAME(unguarded_partition_pivot)(em_kv *first, em_kv *last)
{
    em_kv *mid = first + (last - first) / 2;
    NAME(move_median_to_first)(first, first + 1, mid, last - 1);
    return NAME(unguarded_partition)(first + 1, last, first);
}

/* __adjust_heap followed by __push_heap */
static inline void NAME(adjust_heap)(em_kv *first, int64_t hole, int64_t len, em_kv value)
{
    int64_t top = hole, second = hole;
    while (second < (len - 1) / 2) {
        second = 2 * (second + 1);
        if (LESS(first + second, first + (second - 1))) second--;
        first[hole] = first[second];
        hole = second;
    }
    if ((len & 1) == 0 && second == (len - 2) / 2) {
        second = 2 * (second + 1);
        first[hole] = first[second - 1];
        hole = second - 1;
    }
    int64_t parent = (hole - 1) / 2;
    while (hole > top && LESS(first + parent, &value)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static inline void NAME(make_heap)(em_kv *first, em_kv *last)
{
    int64_t len = last - first;
    if (len < 2) return;
    for (int64_t parent = (len - 2) / 2;; parent--) {
        NAME(adjust_heap)(first, parent, len, first[parent]);
        if (parent == 0) return;
    }
}

static inline void NAME(pop_heap)(em_kv *first, em_kv *last, em_kv *result)
{
    em_kv value = *result;
    *result = *first;
    NAME(adjust_heap)(first, 0, last - first, value);
}

static inline void NAME(heap_select)(em_kv *first, em_kv *middle, em_kv *last)
{
    NAME(make_heap)(first, middle);
    for (em_kv *i = middle; i < last; ++i)
        if (LESS(i, first)) NAME(pop_heap)(first, middle, i);
}

static inline void NAME(sort_heap)(em_kv *first, em_kv *last)
{
    while (last - first > 1) {
        --last;
        NAME(pop_heap)(first, last, last);
    }
}

static inline void NAME(partial_sort)(em_kv *first, em_kv *middle, em_kv *last)
{
    NAME(heap_select)(first, middle, last);
    NAME(sort_heap)(first, middle);
}

static inline void NAME(introsort_loop)(em_kv *first, em_kv *last, int64_t depth)
{
    while (last - first > 16) {
        if (depth == 0) {
            NAME(partial_sort)(first, last, last);
            return;
        }
        --depth;
        em_kv *cut = NAME(unguarded_partition_pivot)(first, last);
        NAME(introsort_loop)(cut, last, depth);
        last = cut;
    }
}

static inline void NAME(sort)(em_kv *first, em_kv *last)
{
    if (first == last) return;
    NAME(introsort_loop)(first, last, 2 * lg(last - first));
    if (last - first > 16) {
        NAME(insertion_sort)(first, first + 16);
        for (em_kv *i = first + 16; i != last; ++i) NAME(unguarded_linear_insert)(i);
    } else {
        NAME(insertion_sort)(first, last);
    }
}

static inline void NAME(nth_element)(em_kv *first, em_kv *nth, em_kv *last)
{
    if (first == last || nth == last) return;
    int64_t depth = 2 * lg(last - first);
    while (last - first > 3) {
        if (depth == 0) {
            NAME(heap_select)(first, nth + 1, last);
            NAME(swap)(first, nth);
            return;
        }
        --depth;
        em_kv *cut = NAME(unguarded_partition_pivot)(first, last);
        if (cut <= nth) first = cut;
        else last = cut;
    }
    NAME(insertion_sort)(first, last);
}

/* merge sort: runs of 16 by insertion sort (stable), then merges through buf */
static inline void NAME(stable_sort)(em_kv *a, int64_t n, em_kv *buf)
{
    const int64_t run = 16;
    for (int64_t s = 0; s < n; s += run) {
        em_kv *lo = a + s, *hi = a + (s + run < n ? s + run : n);
        for (em_kv *i = lo + 1; i < hi; ++i) {   /* insert after equal keys */
            em_kv val = *i;
            em_kv *j = i;
            while (j > lo && LESS(&val, j - 1)) {
                *j = *(j - 1);
                --j;
            }
            *j = val;
        }
    }
    em_kv *src = a, *dst = buf;
    for (int64_t w = run; w < n; w *= 2) {
        for (int64_t s = 0; s < n; s += 2 * w) {
            int64_t m = s + w < n ? s + w : n, e = s + 2 * w < n ? s + 2 * w : n;
            int64_t i = s, j = m, o = s;
            while (i < m && j < e) dst[o++] = LESS(src + j, src + i) ? src[j++] : src[i++];
            while (i < m) dst[o++] = src[i++];
            while (j < e) dst[o++] = src[j++];
        }
        em_kv *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, (size_t)n * sizeof(em_kv));
}

/* TH's quick_select_template; LESS is gt_or_nan here (instantiated with the
** descending order): the k-th smallest ends at arr[k]. */
static inline void NAME(quick_select)(em_kv *arr, int64_t k, int64_t n)
{
    int64_t L = 0, R = n - 1;
    for (;;) {
        if (R <= L) return;
        if (R == L + 1) {
            if (LESS(arr + L, arr + R)) NAME(swap)(arr + L, arr + R);
            return;
        }
        int64_t P = L + (R - L) / 2;
        NAME(swap)(arr + P, arr + L + 1);
        if (LESS(arr + L + 1, arr + R)) NAME(swap)(arr + L + 1, arr + R);
        if (LESS(arr + L, arr + R)) NAME(swap)(arr + L, arr + R);
        if (LESS(arr + L + 1, arr + L)) NAME(swap)(arr + L + 1, arr + L);
        int64_t i = L + 1, j = R;
        em_kv piv = arr[L];
        for (;;) {
            do i++;
            while (LESS(&piv, arr + i));
            do j--;
            while (LESS(arr + j, &piv));
            if (j < i) break;
            NAME(swap)(arr + i, arr + j);
        }
        NAME(swap)(arr + L, arr + j);
        if (j <= k) L = i;
        if (j >= k) R = j - 1;
    }
}
