/* runtime.h — the only global state of the engine: grad mode, the default
** floating-point dtype and memory counters. Everything else is passed
** explicitly. */
#ifndef EMBER_RUNTIME_H
#define EMBER_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include "dtype.h"

bool em_grad_enabled(void);
bool em_set_grad_enabled(bool on);     /* returns the previous mode */

/* The dtype of a new floating-point tensor when none is asked for, and of
** the float result of integer operands (true division, sqrt of int64, an
** int64 tensor times a Lua float): float32 at start, or float64
** (torch.set_default_dtype). Any other dtype: EM_ERR_TYPE naming it. */
em_dtype em_default_float(void);
int em_set_default_float(em_dtype dt);

/* Tensor bytes: counted by storage allocation so that the Lua GC can be
** nudged when memory it cannot see grows (see bind/gc_pressure). */
size_t em_mem_live(void);              /* bytes held by live storages */
size_t em_mem_peak(void);
void em_mem_note_alloc(size_t nbytes);
void em_mem_note_free(size_t nbytes);

/* KiB of tensor memory allocated since the last call, once that is 1 MiB
** or more (else 0): the binding then runs a GC step of that size (a minor
** collection: ember runs Lua's generational mode), so the collector paces
** itself by tensor bytes it cannot see, and dead tensors return their
** blocks to the allocator while those are still in cache. */
size_t em_mem_step_due(void);
/* True when live bytes have grown past the soft limit since the last
** em_mem_collected(); the binding layer then runs a full Lua GC. */
bool em_mem_pressure(void);
void em_mem_collected(void);           /* call after a full collect */

/* An optional memory budget (0 = none): a storage allocation fails with a
** clear error when tensor bytes plus other_bytes() (the host's Lua memory;
** NULL counts nothing) would exceed it. */
void em_mem_set_budget(size_t budget, size_t (*other_bytes)(void));
size_t em_mem_budget(void);
/* EM_OK, or EM_ERR_MEMORY naming the budget when nbytes more would not fit. */
int em_mem_budget_check(size_t nbytes);

/* Test hook: fail the n-th storage allocation from now (0 = off). */
void em_mem_fail_after(long n);
bool em_mem_should_fail(void);

#endif
