/* cpu_optim.c — optimizer steps fused into one pass over the parameters.
** Adam reads p, g, m, v and writes p, m, v once per element, where the
** op-by-op Lua formula (lua/torch/optim/adam.lua, the readable reference)
** makes about ten passes and four temporaries. The arithmetic is the same
** sequence of float operations, so results are bitwise equal to it.
** Not here: which optimizer calls it (Lua) or argument checks (ops/optim.c). */
#include <math.h>

#include "cpu_iter.h"
#include "cpu_optim.h"

#define ADAM_LOOP(T, SQRT)                                                        \
    do {                                                                          \
        T *restrict p_ = p, *restrict m_ = m, *restrict v_ = v;                   \
        const T *restrict g_ = g;                                                 \
        const T keep = (T)(1.0 - a->lr * a->weight_decay), wd = (T)a->weight_decay; \
        const T b1 = (T)a->beta1, c1 = (T)(1.0 - a->beta1);                       \
        const T b2 = (T)a->beta2, c2 = (T)(1.0 - a->beta2);                       \
        const T bc2 = (T)sqrt(1.0 - pow(a->beta2, a->step)), eps = (T)a->eps;     \
        const T neg_step = (T)(-(a->lr / (1.0 - pow(a->beta1, a->step))));        \
        const int decay = a->weight_decay != 0.0, decoupled = a->decoupled;       \
        for (int64_t i = 0; i < n; i++) {                                         \
            T pi = p_[i], gi = g_[i];                                             \
            if (decoupled) pi = pi * keep;                                        \
            else if (decay) gi = gi + pi * wd;                                    \
            T mi = m_[i] * b1 + gi * c1;                                          \
            T vi = v_[i] * b2 + (gi * gi) * c2;                                   \
            T denom = SQRT(vi) / bc2 + eps;                                       \
            m_[i] = mi;                                                           \
            v_[i] = vi;                                                           \
            p_[i] = pi + (mi / denom) * neg_step;                                 \
        }                                                                         \
    } while (0)

EM_CLONES
em_status em_cpu_adam_step(em_dtype dt, int64_t n, void *p, const void *g, void *m, void *v,
                           const em_adam_args *a)
{
    if (dt == EM_FLOAT32) ADAM_LOOP(float, sqrtf);
    else if (dt == EM_FLOAT64) ADAM_LOOP(double, sqrt);
    else return em_fail(EM_ERR_TYPE, "adam_step: parameters must be float32 or float64, got %s",
                        em_dtype_name(dt));
    return EM_OK;
}

#define SGD_LOOP(T)                                                               \
    do {                                                                          \
        T *restrict p_ = p;                                                       \
        const T *restrict g_ = g;                                                 \
        const T wd = (T)weight_decay, neg_lr = (T)(-lr);                          \
        const int decay = weight_decay != 0.0;                                    \
        for (int64_t i = 0; i < n; i++) {                                         \
            T pi = p_[i], di = maximize ? -g_[i] : g_[i];                         \
            if (decay) di = di + pi * wd;                                         \
            p_[i] = pi + di * neg_lr;                                             \
        }                                                                         \
    } while (0)

/* SGD without momentum (lua/torch/optim/sgd.lua has the op-by-op reference). */
EM_CLONES
em_status em_cpu_sgd_step(em_dtype dt, int64_t n, void *p, const void *g, double lr, double weight_decay,
                          bool maximize)
{
    if (dt == EM_FLOAT32) SGD_LOOP(float);
    else if (dt == EM_FLOAT64) SGD_LOOP(double);
    else return em_fail(EM_ERR_TYPE, "sgd_step: parameters must be float32 or float64, got %s",
                        em_dtype_name(dt));
    return EM_OK;
}
