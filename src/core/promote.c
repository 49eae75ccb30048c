/* promote.c — type promotion rules (see promote.h). */
#include "promote.h"

static int category(em_dtype t)
{
    if (t == EM_BOOL) return 0;
    return em_dtype_is_float(t) ? 2 : 1;
}

static int rank(em_dtype t)
{
    static const int r[EM_NUM_DTYPES] = {
        [EM_BOOL] = 0, [EM_UINT8] = 1, [EM_INT32] = 2, [EM_INT64] = 3,
        [EM_FLOAT32] = 4, [EM_FLOAT64] = 5,
    };
    return r[t];
}

em_dtype em_promote_types(em_dtype a, em_dtype b) { return rank(a) >= rank(b) ? a : b; }

/* tier 0: dimensioned tensors, 1: 0-dim tensors, 2: wrapped numbers */
static int tier_of(const em_tensor *t) { return t->is_wrapped ? 2 : t->ndim == 0 ? 1 : 0; }

static em_dtype result_type(int n, const em_dtype *dts, const int *tiers)
{
    int have[3] = {0, 0, 0};
    em_dtype best[3] = {EM_BOOL, EM_BOOL, EM_BOOL};
    for (int i = 0; i < n; i++) {
        int tier = tiers[i];
        best[tier] = have[tier] ? em_promote_types(best[tier], dts[i]) : dts[i];
        have[tier] = 1;
    }
    int found = 0;
    em_dtype result = EM_BOOL;
    for (int tier = 0; tier < 3; tier++) {
        if (!have[tier]) continue;
        em_dtype cand = best[tier];
        if (tier == 2 && found && category(cand) > category(result))
            cand = category(cand) == 2 ? EM_FLOAT32 : EM_INT64;   /* defaults */
        if (!found || category(cand) > category(result)) result = cand;
        found = 1;
    }
    return result;
}

em_dtype em_result_type(int n, const em_tensor *const *ts)
{
    em_dtype dts[8];
    int tiers[8];
    if (n > 8) n = 8;
    for (int i = 0; i < n; i++) {
        dts[i] = ts[i]->dtype;
        tiers[i] = tier_of(ts[i]);
    }
    return result_type(n, dts, tiers);
}

em_dtype em_result_type_number(const em_tensor *t, em_dtype number)
{
    em_dtype dts[2] = {t->dtype, number};
    int tiers[2] = {tier_of(t), 2};
    return result_type(2, dts, tiers);
}
