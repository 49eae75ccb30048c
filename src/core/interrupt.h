/* interrupt.h — Ctrl-C as the engine sees it: a flag that the app's SIGINT
** handler (app/interrupt.c) sets, and that long kernels of every device and
** the backward engine poll. Not here: the handler itself, or the Lua hook
** that stops Lua code (both src/app/interrupt.c).
**
** Long kernels and the backward engine stop with em_interrupted(), which also
** sets em_interrupt_answered: the handler's "three presses and ember exits"
** counts only presses that nothing has answered yet, so interrupts that were
** acted on never add up to an exit. */
#ifndef EMBER_INTERRUPT_H
#define EMBER_INTERRUPT_H

#include <signal.h>

#include "status.h"

extern volatile sig_atomic_t em_interrupt_requested;
extern volatile sig_atomic_t em_interrupt_answered;
em_status em_interrupted(void);   /* EM_ERR_INTERRUPT, "interrupted"; marks it answered */

#endif
