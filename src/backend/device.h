/* device.h — devices and the device registry. A device is a type plus an
** index (PyTorch's torch.device: "cpu", "cuda", "cuda:1"); it is a value that
** can be named, printed and compared whether or not this build or machine
** has it. The registry answers which backend runs a device (em_backend_for),
** and is the only place outside the backends that knows which device types
** exist and which of them keep tensors in host memory.
**
** Not here: moving tensors between devices (ops), the Lua torch.device
** object (bind/lua_types.c). */
#ifndef EMBER_DEVICE_H
#define EMBER_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

/* index -1: none given ("cuda" means the current CUDA device; a CPU tensor's
** device has no index, as in PyTorch). */
typedef struct em_device {
    em_device_type type;
    int index;
} em_device;

#define EM_DEVICE_CPU ((em_device){EM_CPU, -1})

/* The device tensors are created on when none is named: the CPU. */
em_device em_default_device(void);

/* "cpu", "cuda" (the type's name), or NULL for a type that does not exist. */
const char *em_device_type_name(em_device_type type);

/* Parses "cpu", "cuda", "cuda:1", "cpu:0" with PyTorch's rules: a known type
** name, optionally ':' and a non-negative decimal index without sign or
** leading zeros. EM_ERR_VALUE with PyTorch's wording ("Invalid device string:
** 'cuda:x'") otherwise. Says nothing about whether the device exists. */
em_status em_device_parse(const char *s, em_device *out);
/* A device from a type name and an explicit index (torch.device("cuda", 1));
** index -1 for none. */
em_status em_device_make(const char *type, int index, em_device *out);

/* str(): "cuda:1", "cpu". */
char *em_device_str(em_device d, char *buf, size_t n);
/* repr(): "device(type='cuda', index=1)", "device(type='cpu')". */
char *em_device_repr(em_device d, char *buf, size_t n);
#define EM_DEVICE_BUF 48
/* Same type and index ("cuda" and "cuda:0" differ, as in PyTorch). */
bool em_device_equal(em_device a, em_device b);

/* The backend that runs device d, or NULL with EM_ERR_DEVICE and a message
** ("CUDA is not available: this ember was built without CUDA support") when
** it is not compiled in or not present. A CPU index is accepted and ignored,
** as PyTorch does. */
const em_backend *em_backend_for(em_device d);

/* The device a tensor allocated by be without a named device is on: the
** CPU (no index), or index 0 of another type. */
em_device em_backend_device(const em_backend *be);

/* Whether be's memory is host memory (the CPU's): code outside the backends
** may then read and write tensor data in place. Everything else must go
** through the backend's copy_to_host / copy_from_host. */
bool em_backend_host_memory(const em_backend *be);

/* The backend of device d for code that reads or writes tensor memory in
** place (file loaders): d's backend when its memory is host memory; NULL
** with an EM_ERR_DEVICE message naming op otherwise. */
const em_backend *em_host_backend_for(const char *op, em_device d);

#endif
