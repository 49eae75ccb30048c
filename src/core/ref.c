/* ref.c — iterative release through a queue of dead objects. */
#include "ref.h"

#include <stddef.h>

static em_ref *dead_head;
static int draining;

void em_ref_init(em_ref *r, void (*destroy)(em_ref *))
{
    r->count = 1;
    r->destroy = destroy;
    r->next_dead = NULL;
}

void em_ref_retain(em_ref *r)
{
    if (r) r->count++;
}

void em_ref_release(em_ref *r)
{
    if (!r || --r->count > 0) return;
    r->next_dead = dead_head;
    dead_head = r;
    if (draining) return;          /* the outer call will destroy it */
    draining = 1;
    while (dead_head) {
        em_ref *o = dead_head;
        dead_head = o->next_dead;
        o->destroy(o);             /* may queue more objects */
    }
    draining = 0;
}
