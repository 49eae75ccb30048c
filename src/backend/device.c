/* device.c — the device registry (see device.h): parsing and printing
** devices, and the table of device types with their backends. The one place
** outside a backend's own files that names em_cpu_backend. */
#include "device.h"

#include <stdio.h>
#include <string.h>

/* One row per device type ember knows: its name, its backend (NULL when not
** compiled in) and whether its memory is host memory. */
typedef struct device_type_row {
    em_device_type type;
    const char *name;
    const em_backend *(*backend)(void);
    bool host_memory;
} device_type_row;

static const em_backend *no_backend(void) { return NULL; }

static const device_type_row TYPES[] = {
    {EM_CPU, "cpu", em_cpu_backend, true},
    {EM_CUDA, "cuda", no_backend, false},
};
#define NUM_TYPES (sizeof TYPES / sizeof TYPES[0])

static const device_type_row *row_of(em_device_type type)
{
    for (size_t i = 0; i < NUM_TYPES; i++)
        if (TYPES[i].type == type) return &TYPES[i];
    return NULL;
}

em_device em_default_device(void) { return EM_DEVICE_CPU; }

const char *em_device_type_name(em_device_type type)
{
    const device_type_row *r = row_of(type);
    return r ? r->name : NULL;
}

/* "cpu, cuda" for messages */
static const char *type_list(void)
{
    static char buf[64];
    if (!buf[0])
        for (size_t i = 0; i < NUM_TYPES; i++)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ", " : "", TYPES[i].name);
    return buf;
}

static em_status type_from_name(const char *name, size_t len, const char *whole, em_device_type *out)
{
    for (size_t i = 0; i < NUM_TYPES; i++)
        if (strlen(TYPES[i].name) == len && strncmp(TYPES[i].name, name, len) == 0) {
            *out = TYPES[i].type;
            return EM_OK;
        }
    return em_fail(EM_ERR_VALUE, "unknown device '%.60s' (expected one of %s device type at start of device "
                   "string: %.*s)", whole, type_list(), (int)(len > 40 ? 40 : len), whole);
}

em_status em_device_parse(const char *s, em_device *out)
{
    if (!s[0]) return em_fail(EM_ERR_VALUE, "Device string must not be empty");
    const char *colon = strchr(s, ':');
    size_t tlen = colon ? (size_t)(colon - s) : strlen(s);
    /* PyTorch reads [a-z]+ then optionally :[0-9]+; anything else is invalid */
    for (size_t i = 0; i < tlen; i++)
        if (s[i] < 'a' || s[i] > 'z') {
            if (s[i] >= 'A' && s[i] <= 'Z') break;     /* "CPU": an unknown type, as PyTorch says */
            return em_fail(EM_ERR_VALUE, "Invalid device string: '%.60s'", s);
        }
    em_device d = {EM_CPU, -1};
    em_status st = type_from_name(s, tlen, s, &d.type);
    if (st != EM_OK) return st;
    if (colon) {
        const char *p = colon + 1;
        size_t n = strlen(p);
        if (n == 0 || strspn(p, "0123456789") != n || (n > 1 && p[0] == '0'))
            return em_fail(EM_ERR_VALUE, "Invalid device string: '%.60s'", s);
        if (n > 9) return em_fail(EM_ERR_VALUE, "Could not parse device index '%.40s' in device string '%.60s'",
                                  p, s);
        int v = 0;
        for (size_t i = 0; i < n; i++) v = v * 10 + (p[i] - '0');
        d.index = v;
    }
    *out = d;
    return EM_OK;
}

em_status em_device_make(const char *type, int index, em_device *out)
{
    if (strchr(type, ':'))
        return em_fail(EM_ERR_VALUE, "type (string) must not include an index because index was passed "
                       "explicitly: %.60s", type);
    if (index < -1) return em_fail(EM_ERR_VALUE, "Device index must not be negative");
    em_device d;
    em_status st = em_device_parse(type, &d);
    if (st != EM_OK) return st;
    d.index = index;
    *out = d;
    return EM_OK;
}

char *em_device_str(em_device d, char *buf, size_t n)
{
    const char *name = em_device_type_name(d.type);
    if (d.index >= 0) snprintf(buf, n, "%s:%d", name ? name : "?", d.index);
    else snprintf(buf, n, "%s", name ? name : "?");
    return buf;
}

char *em_device_repr(em_device d, char *buf, size_t n)
{
    const char *name = em_device_type_name(d.type);
    if (d.index >= 0) snprintf(buf, n, "device(type='%s', index=%d)", name ? name : "?", d.index);
    else snprintf(buf, n, "device(type='%s')", name ? name : "?");
    return buf;
}

bool em_device_equal(em_device a, em_device b) { return a.type == b.type && a.index == b.index; }

const em_backend *em_backend_get(em_device_type type)
{
    const device_type_row *r = row_of(type);
    return r ? r->backend() : NULL;
}

const em_backend *em_backend_for(em_device d)
{
    const device_type_row *r = row_of(d.type);
    const em_backend *be = r ? r->backend() : NULL;
    if (be) return be;
    char name[EM_DEVICE_BUF];
    em_device_str(d, name, sizeof name);
    if (d.type == EM_CUDA)
        em_fail(EM_ERR_DEVICE, "CUDA is not available: this ember was built without CUDA support "
                "(torch.cuda.is_available() is false); device '%s' cannot be used", name);
    else
        em_fail(EM_ERR_DEVICE, "device '%s' is not available in this ember", name);
    return NULL;
}

em_device em_backend_device(const em_backend *be)
{
    em_device d = {be->type, be->type == EM_CPU ? -1 : 0};
    return d;
}

bool em_backend_host_memory(const em_backend *be)
{
    const device_type_row *r = row_of(be->type);
    return r && r->host_memory && r->backend() == be;
}

const em_backend *em_host_backend_for(const char *op, em_device d)
{
    const em_backend *be = em_backend_for(d);
    if (!be) return NULL;
    if (em_backend_host_memory(be)) return be;
    char name[EM_DEVICE_BUF];
    em_fail(EM_ERR_DEVICE, "%s: reads into host memory, and device '%s' keeps tensors elsewhere; load to the "
            "cpu and move the tensors with :to(device)", op, em_device_str(d, name, sizeof name));
    return NULL;
}
