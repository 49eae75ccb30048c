/* interrupt.c — the Ctrl-C flags (see interrupt.h). */
#include "interrupt.h"

volatile sig_atomic_t em_interrupt_requested = 0;
volatile sig_atomic_t em_interrupt_answered = 0;

em_status em_interrupted(void)
{
    em_interrupt_answered = 1;
    return em_fail(EM_ERR_INTERRUPT, "interrupted");
}
