/* sort_algo_impl.h — the body of sort_algo.c, included once per key type and
** order with NAME(x) (the function names) and LESS(a, b) (a strict weak order
** on em_kv pointers) defined. Not a header of its own: only sort_algo.c
** includes it. */

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
