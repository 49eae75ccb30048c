/* node.h — a node of the autograd graph (PyTorch's grad_fn): which inputs
** its output came from (edges), what the backward formula needs (saved
** tensors with their versions, input shapes, dims, scalars) and the formula.
** Nodes are built by the differentiable ops in autograd/grad_*.c and walked by
** engine.c. Not here: the formulas themselves. */
#ifndef EMBER_NODE_H
#define EMBER_NODE_H

#include "../core/tensor.h"

#define EM_NODE_MAX_SAVED 3

typedef struct em_node em_node;

/* An edge to where an input's gradient goes: the node that made the input,
** or the input itself when it is a leaf that requires grad; both NULL when
** the input needs no gradient. */
typedef struct em_edge {
    em_node *node;
    em_tensor *leaf;
} em_edge;

/* Computes grads_in[i] (a new reference, or NULL) for every input i that
** needs one (em_node_needs), given the gradient of the node's output. */
typedef em_status (*em_backward_fn)(em_node *n, const em_tensor *grad, em_tensor **grads_in);

/* A weak reference to a tensor saved as an input: the version-counter
** error names its grad_fn as it is when backward runs, as PyTorch does (an
** in-place op may have given it a new one since). t is NULL once the tensor
** is gone; fn_name then holds what its grad_fn was called. Shared by the
** tensor (em_tensor.link) and every saved slot that points at it. */
typedef struct em_tensor_link {
    int refcount;
    em_tensor *t;
    const char *fn_name;
} em_tensor_link;

typedef struct em_saved {
    em_tensor *t;            /* a detached alias: shares storage, no grad_fn */
    uint64_t version;        /* the storage's version when saved (or re-saved) */
    const char *output_of;   /* a node's output: "which is output 0 of <this>" */
    em_tensor_link *input;   /* otherwise the tensor it was saved from */
    bool freed;              /* released by a backward without retain_graph */
} em_saved;

struct em_node {
    em_ref ref;
    const char *name;            /* PyTorch's name: "MulBackward0" */
    em_backward_fn backward;
    bool is_view;                /* output aliases the input (in-place guard) */
    int n_next;
    em_edge *next;               /* n_next edges, one per input */
    em_saved saved[EM_NODE_MAX_SAVED];
    /* what formulas need besides tensors */
    int ndim[2];
    int64_t shape[2][EM_MAX_DIMS];   /* input shapes (broadcast backward) */
    em_dtype dtype[2];
    int64_t ints[EM_MAX_DIMS + 2];   /* dims, permutations, flags */
    double scalars[2];
    /* scalars[0] is a number operand that PyTorch saves as a wrapped tensor
    ** (x * 2's MulBackward0): freed by backward like a saved tensor */
    bool number_saved, number_freed;
    int64_t *extra;                  /* variable-length data (cat sizes), owned */
    int n_extra;
    /* the output's shape when attached (graph drawings: torchviz) */
    int out_ndim;
    int64_t out_shape[EM_MAX_DIMS];
    /* engine scratch */
    int deps;
    unsigned mark;
    bool needed;                     /* autograd.grad: leads to a captured input */
    em_tensor *grad_acc;
    em_tensor *retained;             /* weak: a non-leaf that keeps .grad */
    uint64_t retain_mark;            /* hooks with ids up to it run before retain_grad's copy:
                                        all when one was registered before retain_grad, as the
                                        single hook list of PyTorch 1.13, else none */
    /* hooks and anomaly detection (engine.h) */
    uint32_t hooks;                  /* nonzero: key of its output's tensor hooks */
    uint64_t seq;                    /* creation order: the engine runs later nodes first */
    char *trace;                     /* owned: where the forward call was (anomaly mode) */
};

/* A new node with n_inputs empty edges (new reference). */
em_node *em_node_new(const char *name, em_backward_fn fn, int n_inputs);
/* Points edge i at input t's gradient sink (see em_edge). */
void em_node_set_edge(em_node *n, int i, em_tensor *t);
/* Saves t for backward (slot i) with its version: t is n's output when n is
** already its grad_fn (em_record attaches first), else an input. Returns
** EM_OK or an allocation failure. */
em_status em_node_save(em_node *n, int i, const em_tensor *t);
/* scalars[0] when it is a saved number (number_saved), or false with PyTorch's
** "backward through the graph a second time" error once backward freed it. */
bool em_node_saved_number(em_node *n, double *v);
/* The saved tensor in slot i, or NULL with PyTorch's error when it was freed
** by an earlier backward ("Trying to backward through the graph a second
** time") or modified in place since it was saved ("one of the variables
** needed for gradient computation has been modified by an inplace
** operation"). Only a formula that unpacks a slot can fail. Borrowed. */
const em_tensor *em_node_saved(em_node *n, int i);
/* After an in-place op wrote its result r into self: the slots of r's node
** that hold r (its output) now hold self at self's new version, so that a
** later in-place change of self is caught. on_view names self's grad_fn
** instead of the node, as PyTorch does for an in-place op on a view. */
em_status em_node_move_outputs(em_node *n, const em_tensor *r, const em_tensor *self, bool on_view);
/* Records input i's shape and dtype. */
void em_node_record_input(em_node *n, int i, const em_tensor *t);
/* True when input i needs a gradient. */
static inline bool em_node_needs(const em_node *n, int i)
{
    return n->next[i].node || n->next[i].leaf;
}
/* Makes n the grad_fn of out (takes over the caller's reference to n). */
void em_node_attach(em_node *n, em_tensor *out);
void em_node_release(em_node *n);
/* Frees saved tensors (after a backward without retain_graph). */
void em_node_release_saved(em_node *n);

/* True when an op on these inputs must record a node: grad mode is on and
** at least one input requires grad. NULLs are ignored. */
bool em_any_requires_grad(const em_tensor *a, const em_tensor *b, const em_tensor *c);

/* While an in-place op builds its graph, its self (the first input, slot 0)
** is saved as a copy, since it is about to be overwritten: PyTorch's
** "original self". Other inputs that alias it are saved as they are, and
** the version check catches them (x:mul_(x) fails at backward, as in
** PyTorch). */
void em_node_set_inplace_target(const em_tensor *t);

#endif
