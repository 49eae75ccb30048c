/* status.c — the thread-local error message behind em_fail/em_last_error. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_MAX 512

static _Thread_local char message[MSG_MAX] = "no error";
static _Thread_local em_status last_code = EM_OK;

em_status em_fail(em_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    last_code = code;
    return code;
}

const char *em_last_error(void) { return message; }
em_status em_last_status(void) { return last_code; }

void em_error_prefix(const char *what)
{
    char old[MSG_MAX];
    memcpy(old, message, sizeof old);
    size_t n = strlen(what);
    if (n + 2 >= MSG_MAX) return;
    memcpy(message, what, n);
    memcpy(message + n, ": ", 2);
    size_t rest = MSG_MAX - n - 3;
    strncpy(message + n + 2, old, rest);
    message[MSG_MAX - 1] = '\0';
}
