/* op_info.c — the rows of core/op_table.h as C data: one struct per op,
** indexed by its enum. Not here: anything an op does (ops/, backend/). */
#include <stddef.h>

#include "op_info.h"

#define UNARY_ROW(ID, NAME, LUA, NN, DT, SAVES, GRAD, ONNX, PARAMS) \
    [EM_U_##ID] = {NAME, LUA, NN, DT, SAVES, GRAD, ONNX, PARAMS},
static const em_unary_info unary_rows[EM_U_NUM_OPS] = {EM_UNARY_OPS(UNARY_ROW)};

#define BINARY_ROW(ID, NAME, LUA, META, DT, GRAD, ONNX, OPTS, ALIASES) \
    [EM_B_##ID] = {NAME, LUA, META, DT, GRAD, ONNX, OPTS, ALIASES},
static const em_binary_info binary_rows[EM_B_NUM_OPS] = {EM_BINARY_OPS(BINARY_ROW)};

#define REDUCE_ROW(ID, NAME) [EM_R_##ID] = NAME,
static const char *const reduce_names[EM_R_NUM_OPS] = {EM_REDUCE_OPS(REDUCE_ROW)};

static const em_unary_info no_unary = {"unary op", 0, NULL, EM_DT_ANY, EM_NOT_DIFF, NULL, NULL, ""};
static const em_binary_info no_binary = {"binary op", 0, NULL, EM_DT_PROMOTE, NULL, NULL, "", ""};

const em_unary_info *em_unary_info_of(em_unary_op op)
{
    return (unsigned)op < EM_U_NUM_OPS ? &unary_rows[op] : &no_unary;
}

const em_binary_info *em_binary_info_of(em_binary_op op)
{
    return (unsigned)op < EM_B_NUM_OPS ? &binary_rows[op] : &no_binary;
}

const char *em_unary_op_name(em_unary_op op) { return em_unary_info_of(op)->name; }

const char *em_binary_op_name(em_binary_op op) { return em_binary_info_of(op)->name; }

const char *em_reduce_op_name(em_reduce_op op)
{
    return (unsigned)op < EM_R_NUM_OPS ? reduce_names[op] : "reduction";
}
