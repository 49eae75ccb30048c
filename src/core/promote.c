/* promote.c — type promotion rules (see promote.h). */
#include "promote.h"

#include "runtime.h"

static int category(em_dtype t)
{
    if (t == EM_BOOL) return 0;
    return em_dtype_is_float(t) ? 2 : 1;
}

static int rank(em_dtype t)
{
    static const int r[EM_NUM_DTYPES] = {
        [EM_BOOL] = 0, [EM_UINT8] = 1, [EM_INT32] = 2, [EM_INT64] = 3,
        [EM_FLOAT16] = 4, [EM_BFLOAT16] = 4, [EM_FLOAT32] = 5, [EM_FLOAT64] = 6,
    };
    return r[t];
}

/* float16 and bfloat16 share a rank: neither holds the other, so together
** they give float32, as in PyTorch. */
em_dtype em_promote_types(em_dtype a, em_dtype b)
{
    if (a != b && rank(a) == rank(b)) return EM_FLOAT32;
    return rank(a) >= rank(b) ? a : b;
}

/* tier 0: dimensioned tensors, 1: 0-dim tensors, 2: wrapped numbers */
static int tier_of(const em_tensor *t) { return t->is_wrapped ? 2 : t->ndim == 0 ? 1 : 0; }

/* The best dtype seen in each tier, operand by operand. */
typedef struct tiers {
    int have[3];
    em_dtype best[3];
} tiers;

static void tiers_add(tiers *t, em_dtype dt, int tier)
{
    t->best[tier] = t->have[tier] ? em_promote_types(t->best[tier], dt) : dt;
    t->have[tier] = 1;
}

static em_dtype tiers_result(const tiers *t)
{
    int found = 0;
    em_dtype result = EM_BOOL;
    for (int tier = 0; tier < 3; tier++) {
        if (!t->have[tier]) continue;
        em_dtype cand = t->best[tier];
        /* a number alone, or of a higher category than the tensors: the
        ** default of its category (torch.where(c, 1.0, 0.0) is float32) */
        if (tier == 2 && (!found || category(cand) > category(result)) && category(cand) > 0)
            cand = category(cand) == 2 ? em_default_float() : EM_INT64;
        if (!found || category(cand) > category(result)) result = cand;
        found = 1;
    }
    return result;
}

em_dtype em_result_type(int n, const em_tensor *const *ts)
{
    tiers t = {{0}, {EM_BOOL}};
    for (int i = 0; i < n; i++) tiers_add(&t, ts[i]->dtype, tier_of(ts[i]));
    return tiers_result(&t);
}

em_dtype em_result_type_number(const em_tensor *x, em_dtype number)
{
    tiers t = {{0}, {EM_BOOL}};
    tiers_add(&t, x->dtype, tier_of(x));
    tiers_add(&t, number, 2);
    return tiers_result(&t);
}
