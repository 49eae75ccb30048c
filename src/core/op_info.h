/* op_info.h — the op enums and what each op is, expanded from the rows of
** core/op_table.h (see there). Every layer that needs an op's name, dtype
** rule, grad-node name or Lua names asks em_unary_info / em_binary_info
** instead of keeping a list. A leaf header beside dtype.h. */
#ifndef EMBER_OP_INFO_H
#define EMBER_OP_INFO_H

#include <stdbool.h>

#include "op_table.h"

#define EM_OP_ENUM_U(ID, ...) EM_U_##ID,
#define EM_OP_ENUM_B(ID, ...) EM_B_##ID,
#define EM_OP_ENUM_R(ID, ...) EM_R_##ID,
typedef enum em_unary_op { EM_UNARY_OPS(EM_OP_ENUM_U) EM_U_NUM_OPS } em_unary_op;
typedef enum em_binary_op { EM_BINARY_OPS(EM_OP_ENUM_B) EM_B_NUM_OPS } em_binary_op;
typedef enum em_reduce_op { EM_REDUCE_OPS(EM_OP_ENUM_R) EM_R_NUM_OPS } em_reduce_op;
#undef EM_OP_ENUM_U
#undef EM_OP_ENUM_B
#undef EM_OP_ENUM_R

/* The dtype rules (op_table.h explains each). */
typedef enum em_dtype_rule {
    EM_DT_FLOAT, EM_DT_ANY, EM_DT_NO_BOOL, EM_DT_FLOAT_ONLY,      /* unary */
    EM_DT_PROMOTE, EM_DT_TRUE_DIV, EM_DT_COMPARE, EM_DT_LOGICAL    /* binary */
} em_dtype_rule;

/* What a unary backward reads. */
typedef enum em_saves {
    EM_SAVES_NOTHING, EM_SAVES_INPUT, EM_SAVES_OUTPUT, EM_NOT_DIFF
} em_saves;

typedef struct em_unary_info {
    const char *name;       /* "tanh" */
    int lua;                /* EM_L_* */
    const char *nn;         /* "Tanh" or NULL */
    em_dtype_rule dtype;
    em_saves saves;
    const char *grad_node;  /* "TanhBackward0" */
    const char *onnx;       /* "Tanh" or NULL */
    const char *params;     /* "beta=1 threshold=20" */
} em_unary_info;

typedef struct em_binary_info {
    const char *name;       /* "add" */
    int lua;
    const char *meta;       /* "__add" or NULL */
    em_dtype_rule dtype;
    const char *grad_node;  /* NULL: not differentiable */
    const char *onnx;
    const char *options;    /* "alpha" */
    const char *aliases;    /* "subtract" */
} em_binary_info;

/* The row of op (never NULL: an out-of-range op gets a row named "unary op"
** / "binary op" with no Lua names and no node). */
const em_unary_info *em_unary_info_of(em_unary_op op);
const em_binary_info *em_binary_info_of(em_binary_op op);
/* The op's name in errors ("tanh"; "div (rounding_mode='trunc')"). */
const char *em_unary_op_name(em_unary_op op);
const char *em_binary_op_name(em_binary_op op);
const char *em_reduce_op_name(em_reduce_op op);

#endif
