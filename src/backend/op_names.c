/* op_names.c — the names of the elementwise binary ops, as errors show them
** (one table for the ops layer and every backend). Must follow the order of
** em_binary_op in backend.h; the static assert catches a missing row. Not
** here: the ops' Lua names (bind/lua_math.c). */
#include "backend.h"

static const char *const binary_names[] = {
    "add", "sub", "mul", "div", "pow", "maximum", "minimum", "threshold_backward",
    "div (rounding_mode='floor')", "div (rounding_mode='trunc')",
    "eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
};
_Static_assert(sizeof binary_names / sizeof binary_names[0] == EM_B_NUM_OPS,
               "binary_names must have one name per em_binary_op");

const char *em_binary_op_name(em_binary_op op)
{
    return (unsigned)op < EM_B_NUM_OPS ? binary_names[op] : "binary op";
}
