/* lua_util.h — what every binding shares: the tensor box (one Lua userdata =
** one reference), argument checking (tensors, numbers as scalars, 1-based
** dims and positions, sizes, dtypes, option tables) and raising engine
** errors as Lua errors. The only headers besides src/app that include lua.h.
**
** Pattern for a binding (the box exists before anything is allocated, so a
** Lua error can never leak):
**     em_tensor *a = em_lua_check_tensor(L, 1);
**     em_tensor **box = em_lua_newbox(L);
**     EM_LUA_TRY(L, *box, em_clone(a));
**     return 1; */
#ifndef EMBER_LUA_UTIL_H
#define EMBER_LUA_UTIL_H

#include <lauxlib.h>
#include <lua.h>

#include "../core/tensor.h"

#define EM_TENSOR_MT "torch.Tensor"
#define EM_DTYPE_MT "torch.dtype"
#define EM_DEVICE_MT "torch.device"
#define EM_NODE_MT "torch.Node"
#define EM_NONE_MT "torch.NoneType"

/* --- tensors --- */
em_tensor *em_lua_check_tensor(lua_State *L, int idx);
em_tensor *em_lua_test_tensor(lua_State *L, int idx);     /* NULL if not a tensor */
/* A tensor, or a Lua number/boolean turned into a wrapped 0-dim tensor (the
** new box is pushed on the stack to anchor it). like gives the device. */
em_tensor *em_lua_check_operand(lua_State *L, int idx, const em_tensor *like);
/* A Lua number or boolean as a value passed to kernels (integers exactly as
** int64); false when the value is neither. */
bool em_lua_test_number(lua_State *L, int idx, em_scalar *s);
/* Pushes an empty box (owning NULL) and returns its slot. Also runs a full
** GC when tensor memory has grown (the GC cannot see tensor bytes). */
em_tensor **em_lua_newbox(lua_State *L);
/* The Lua thread that last made or checked a tensor: the running one while
** an op runs (anomaly mode reads its stack, lua_autograd.c). */
extern lua_State *em_lua_current;
/* Pushes a new box holding t (takes over the caller's reference). */
void em_lua_push_tensor(lua_State *L, em_tensor *t);
/* Raises the last engine error as a Lua error. Never returns. */
int em_lua_raise(lua_State *L);
/* Full collection after an allocation failure, before one retry. */
void em_lua_collect(lua_State *L);

/* slot = expr; on out-of-memory collect and retry once; raise on failure. */
#define EM_LUA_TRY(L, slot, expr)                                                    \
    do {                                                                             \
        (slot) = (expr);                                                             \
        if (!(slot) && em_last_status() == EM_ERR_MEMORY) {                          \
            em_lua_collect(L);                                                       \
            (slot) = (expr);                                                         \
        }                                                                            \
        if (!(slot)) return em_lua_raise(L);                                         \
    } while (0)

#define EM_LUA_CHECK(L, status_expr)                                                 \
    do {                                                                             \
        if ((status_expr) != EM_OK) return em_lua_raise(L);                          \
    } while (0)

/* --- dims, positions, sizes --- */
/* A 1-based (or negative) dim typed by the user -> 0-based (negatives kept). */
int em_lua_check_dim(lua_State *L, int idx);
int em_lua_opt_dim(lua_State *L, int idx, int def);
/* A Lua number used as a double scalar (a fill value, a bound, a step). A
** Lua integer that a double cannot hold exactly (beyond 2^53) is an error
** naming op, never a silent rounding. */
double em_lua_check_scalar(lua_State *L, int idx, const char *op);
bool em_lua_int_fits_double(lua_Integer v);
/* Fills x (autograd-aware, in place) with the number or boolean at idx;
** integers beyond 2^53 exactly (copied from an int64 scalar). Raises. */
void em_lua_fill(lua_State *L, em_tensor *x, int idx, const char *op);
/* A 1-based (or negative) position along a dim -> 0-based (negatives kept). */
int64_t em_lua_check_pos(lua_State *L, int idx);
/* An integer-valued number (floats like 2.0 accepted). */
int64_t em_lua_check_int(lua_State *L, int idx);
/* Sizes given as integers from idx on, or as one table at idx. Returns the
** count; stops at the first non-number (an options table). */
int em_lua_check_sizes(lua_State *L, int idx, int64_t *shape, const char *op);
/* Reads dims (a number or a table of numbers) into a reduction mask. */
uint32_t em_lua_check_dims_mask(lua_State *L, int idx, const em_tensor *x, const char *op);

/* --- dtypes, devices, options --- */
void em_lua_push_dtype(lua_State *L, em_dtype dt);
em_dtype em_lua_check_dtype(lua_State *L, int idx);
bool em_lua_is_dtype(lua_State *L, int idx);
/* Devices (lua_types.c): pushes a torch.device; reads a torch.device or a
** device string ("cuda:1") at idx, raising PyTorch's parse errors naming op.
** The device need not exist. */
void em_lua_push_device(lua_State *L, em_device d);
em_device em_lua_to_device(lua_State *L, const char *op, int idx);
/* The options table, if the argument at idx is a plain table (not a tensor, not sizes). */
bool em_lua_is_options(lua_State *L, int idx);
/* Reads field name of the options table at idx (if any) as a dtype. */
/* A device argument (torch.device or string) -> its backend (from the device
** registry); raises, naming op, for a device that is unknown or not
** available. */
const em_backend *em_lua_check_device(lua_State *L, const char *op, int idx);
/* The backend of the device option of the options table at idx (0: none):
** the default device's when the option is absent; raises like
** em_lua_check_device. */
const em_backend *em_lua_opt_field_backend(lua_State *L, int idx, const char *op);
em_dtype em_lua_opt_field_dtype(lua_State *L, int idx, em_dtype def);
bool em_lua_opt_field_bool(lua_State *L, int idx, const char *name, bool def);
/* Index of the trailing options table among arguments 1..top, or 0. */
int em_lua_find_options(lua_State *L);
/* var/std/var_mean/std_mean: PyTorch's (x[, unbiased]) and (x, dim[, unbiased[, keepdim]])
** folded into one options table at index 2. */
void em_lua_var_positional(lua_State *L, const char *fn);

/* torch.None, Python's None where nil cannot stand (lua_types.c) */
void em_lua_push_none(lua_State *L);
bool em_lua_is_none(lua_State *L, int idx);

/* --- checking options tables (lua_options.c) ---
** A function's options: its name as the user calls it, the options it
** implements and PyTorch's options it does not, space-separated. */
typedef struct em_lua_opts {
    const char *fn;
    const char *known;
    const char *pytorch_only;
} em_lua_opts;
/* Raises for an unknown key ("did you mean"), a PyTorch option ember does
** not implement, or a non-string key. idx 0 or a non-table: nothing to do. */
void em_lua_check_options(lua_State *L, int idx, const em_lua_opts *spec);

#endif
