/* runtime.c — grad mode, the default float dtype and the tensor memory counters. */
#include "runtime.h"

#include "status.h"

static bool grad_enabled = true;
static em_dtype default_float = EM_FLOAT32;
static size_t live, peak, baseline;
static long fail_countdown;
static size_t budget;
static size_t (*budget_other)(void);

/* Collect when live bytes exceed twice what survived the last collection,
** and at least this much more: small enough that a loop of 1 MB temporaries
** stays far under 200 MB, large enough that training loops rarely collect. */
#define SOFT_LIMIT_MIN ((size_t)64 << 20)

bool em_grad_enabled(void) { return grad_enabled; }

bool em_set_grad_enabled(bool on)
{
    bool old = grad_enabled;
    grad_enabled = on;
    return old;
}

em_dtype em_default_float(void) { return default_float; }

int em_set_default_float(em_dtype dt)
{
    if (dt != EM_FLOAT32 && dt != EM_FLOAT64)
        return em_fail(EM_ERR_TYPE, "set_default_dtype: only torch.float32 and torch.float64 can be the default "
                                    "dtype, got torch.%s", em_dtype_name(dt));
    default_float = dt;
    return EM_OK;
}

size_t em_mem_live(void) { return live; }
size_t em_mem_peak(void) { return peak; }

static size_t since_step;       /* tensor bytes allocated since the last GC step */
#define STEP_BYTES ((size_t)1 << 20)   /* see "Memory and release" in docs/DECISIONS.md */

void em_mem_note_alloc(size_t nbytes)
{
    live += nbytes;
    if (live > peak) peak = live;
    since_step += nbytes;
}

size_t em_mem_step_due(void)
{
    if (since_step < STEP_BYTES) return 0;
    size_t kb = since_step >> 10;
    since_step = 0;
    return kb;
}

void em_mem_note_free(size_t nbytes) { live = nbytes > live ? 0 : live - nbytes; }

bool em_mem_pressure(void)
{
    size_t limit = baseline + (baseline > SOFT_LIMIT_MIN ? baseline : SOFT_LIMIT_MIN);
    return live > limit;
}

void em_mem_collected(void) { baseline = live; }

void em_mem_fail_after(long n) { fail_countdown = n; }

bool em_mem_should_fail(void)
{
    if (fail_countdown <= 0) return false;
    return --fail_countdown == 0;
}

void em_mem_set_budget(size_t bytes, size_t (*other_bytes)(void))
{
    budget = bytes;
    budget_other = other_bytes;
}

size_t em_mem_budget(void) { return budget; }

int em_mem_budget_check(size_t nbytes)
{
    if (!budget) return EM_OK;
    size_t other = budget_other ? budget_other() : 0;
    if (live + other + nbytes <= budget && nbytes <= budget) return EM_OK;
    return em_fail(EM_ERR_MEMORY,
                   "memory budget of %.1f MB exceeded (EMBER_MEMORY_BUDGET): %.1f MB more, with tensors "
                   "holding %.1f MB and Lua %.1f MB",
                   budget / 1048576.0, nbytes / 1048576.0, live / 1048576.0, other / 1048576.0);
}
