/* ref.h — the reference count shared by tensors and autograd nodes.
** Releasing is iterative: an object whose count reaches zero is queued and
** destroyed by the outermost release call, so freeing a 1,000,000-node graph
** never recurses (PyTorch issue #5534). Not thread-safe: tensors and nodes are
** owned by one Lua state. */
#ifndef EMBER_REF_H
#define EMBER_REF_H

typedef struct em_ref {
    int count;
    void (*destroy)(struct em_ref *self);   /* frees the object; may release others */
    struct em_ref *next_dead;               /* link in the destroy queue */
} em_ref;

void em_ref_init(em_ref *r, void (*destroy)(em_ref *));
void em_ref_retain(em_ref *r);
void em_ref_release(em_ref *r);   /* NULL is a no-op */

#endif
