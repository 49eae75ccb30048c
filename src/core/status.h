/* status.h — how every library function reports failure: a status code plus
** a message in a thread-local buffer. Library code never prints, exits or
** aborts on a user error; the Lua bindings turn a failure into a Lua error and
** src/app decides what to print. A leaf header. */
#ifndef EMBER_STATUS_H
#define EMBER_STATUS_H

typedef enum em_status {
    EM_OK = 0,
    EM_ERR_SHAPE,       /* sizes that do not fit together */
    EM_ERR_TYPE,        /* a dtype the op does not accept */
    EM_ERR_INDEX,       /* a dim or an index out of range */
    EM_ERR_VALUE,       /* a bad argument value (negative size, step 0, ...) */
    EM_ERR_MEMORY,      /* an allocation failed or would be absurdly large */
    EM_ERR_DEVICE,      /* mixed devices, or a device that is not there */
    EM_ERR_AUTOGRAD,    /* backward through a freed graph, bad in-place, ... */
    EM_ERR_IO,          /* files */
    EM_ERR_INTERRUPT,   /* the user pressed Ctrl-C during a long kernel */
    EM_ERR_INTERNAL     /* our bug: please report */
} em_status;

/* Sets the message (printf-style) and returns code, so that
**     return em_fail(EM_ERR_SHAPE, "matmul: (%s) @ (%s): inner sizes differ", a, b);
** reads as one statement. */
em_status em_fail(em_status code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The message of the last failure on this thread. Never NULL. */
const char *em_last_error(void);
em_status em_last_status(void);

/* Prefixes the current message with "what: " (for adding context on the way up). */
void em_error_prefix(const char *what);

#endif
