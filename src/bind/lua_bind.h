/* lua_bind.h — the registration functions of each binding file, called by
** luaopen_torch_core (lua_core.c). Each file registers into the table on top
** of the stack: the module table (functions) or the Tensor methods table. */
#ifndef EMBER_LUA_BIND_H
#define EMBER_LUA_BIND_H

#include <lua.h>

#include "../core/rng.h"

void em_lua_register_create(lua_State *L);      /* module: tensor, zeros, arange, rand, ... */
void em_lua_register_math(lua_State *L);        /* methods: add, exp, sum, matmul, add_, ... */
void em_lua_register_math_module(lua_State *L); /* module: torch.add, torch.matmul, torch.where, ... */
void em_lua_register_mathr(lua_State *L);       /* methods: cumsum, amax, norm, isnan, lerp, ... */
void em_lua_register_mathr_module(lua_State *L); /* module: the same, std_mean, var_mean, _vector_norm */
/* clamp(x, min, max) with a tensor bound at lo_idx or hi_idx (0: none) */
int em_lua_clamp_tensor(lua_State *L, int lo_idx, int hi_idx);
void em_lua_register_shape(lua_State *L);       /* methods: view, transpose, index_select, ... */
void em_lua_register_shape_module(lua_State *L);/* module: cat, stack, ... */
void em_lua_register_info(lua_State *L);        /* methods: size, item, tolist, to, backward, ... */
void em_lua_register_autograd_module(lua_State *L); /* module: set_grad_enabled, ... */
void em_lua_register_autograd_hooks(lua_State *L);  /* module: _register_hook, _grad, _backward_observed, ... (lua/torch/autograd.lua) */
void em_lua_register_optim(lua_State *L);       /* module: _adam_step_ (fused Adam, private) */
void em_lua_register_nn(lua_State *L);          /* module: linear, conv2d, cross_entropy, ...; methods: softmax, bernoulli_ */
void em_lua_register_loss(lua_State *L);        /* module: _binary_cross_entropy, _smooth_l1_loss, _huber_loss (private) */

void em_lua_register_nn_spatial(lua_State *L);  /* module: _conv1d, _interpolate, _pad, ... (private, lua/torch/nn/spatial_functional.lua) */
void em_lua_open_meta(lua_State *L);            /* creates the Tensor metatable (methods on top) */
void em_lua_open_types(lua_State *L);           /* dtype and device objects into the module */
void em_lua_open_generator(lua_State *L);       /* torch.Generator, manual_seed, ... */
void em_lua_register_io(lua_State *L);          /* module: the io subtable (read_idx, write_idx) */
void em_lua_register_save(lua_State *L);        /* module: save (torch.save) */
void em_lua_register_load(lua_State *L);        /* module: load (torch.load) */
void em_lua_register_safetensors(lua_State *L); /* module: save/load_safetensors, io.safetensors_info */
void em_lua_register_inspect(lua_State *L);     /* module: io.zip_records, io.pt_describe (ember inspect) */
void em_lua_register_options(lua_State *L);     /* module: _options_problem, _closest (torch.options) */
void em_lua_register_onnx(lua_State *L);        /* module: _onnx.write/read/parse (lua/torch/onnx.lua) */
void em_lua_register_sort(lua_State *L);        /* methods: sort, argsort, topk, kthvalue, median, unique, ... */
void em_lua_register_sort_module(lua_State *L); /* module: the same, and searchsorted, bucketize */

void em_lua_register_rearrange(lua_State *L);        /* methods: flip, roll, repeat, tril, chunk, masked_fill, ... */
void em_lua_register_rearrange_module(lua_State *L); /* module: torch.flip, torch.addmm, torch.nonzero, ... */
/* Pushes nonzero(x) as a tuple of 1-D index tensors, one per dim (torch.where(cond)). */
struct em_tensor;
int em_lua_nonzero_tuple(lua_State *L, struct em_tensor *x);

struct em_node;
struct em_tensor;
struct em_backward_opts;
/* Pushes a grad_fn object for node (or an AccumulateGrad for leaf) (lua_info.c). */
void em_lua_push_node(lua_State *L, struct em_node *node, struct em_tensor *leaf);
/* The node of the grad_fn object at idx (NULL for AccumulateGrad). */
struct em_node *em_lua_node_of(lua_State *L, int idx);
/* Runs a backward whose tensor hooks are called on L, and raises a failed
** backward's error: a hook's own Lua error as it was raised (lua_autograd.c). */
em_status em_lua_run_backward(lua_State *L, int n_roots, struct em_tensor *const *roots,
                              const struct em_tensor *const *grads, const struct em_backward_opts *o);
int em_lua_backward_raise(lua_State *L);

/* The generator named in an options table (field generator), or the default. */
em_rng *em_lua_opt_generator(lua_State *L, int opts_idx);

#endif
