/* op_table.h — the one list of ember's elementwise and reduction ops. One row
** per op gives everything the layers need to know about it; each layer
** expands the lists with its own X macro, so nothing else lists ops:
**   - the enums em_unary_op, em_binary_op, em_reduce_op (backend/backend.h);
**   - the names in errors, the grad-node names, the dtype rules and what
**     backward saves (core/op_table.c: em_unary_info, em_binary_info);
**   - the Lua functions, methods, in-place methods, F.NAME functions,
**     nn modules and operator metamethods (bind/lua_math.c, lua_meta.c,
**     lua/torch/nn), the ONNX exporter's mapping (lua/torch/onnx.lua) and the
**     help index (lua/torch/doc/math.lua), all read from torch._ops, which
**     bind/lua_optable.c builds from these rows.
** Not here: the kernels (backend/cpu), the derivatives (autograd/
** grad_elementwise.c), the help texts (doc/math.lua) and the PyTorch peer
** cases (tests/peer/make_op_reference.py); tests/lua/test_op_table.lua fails
** when a row lacks any of them. docs/adding-an-op.md walks through a row.
** A leaf header: plain macros, no includes. */
#ifndef EMBER_OP_TABLE_H
#define EMBER_OP_TABLE_H

/* Lua names a row gets (an OR of these). */
#define EM_L_FUNC    1   /* torch.NAME(x, ...) */
#define EM_L_METHOD  2   /* x:NAME(...) */
#define EM_L_INPLACE 4   /* x:NAME_(...) */
#define EM_L_NNF     8   /* F.NAME(x, ...) in torch.nn.functional */
#define EM_L_HAND   16   /* bound by hand in bind/lua_math.c (its signature is
                         ** special); the row still gives names, dtype, node */
#define EM_L_UNM    32   /* the operator -x (metamethod __unm) */
#define EM_L_TORCH  (EM_L_FUNC | EM_L_METHOD | EM_L_INPLACE)

/* Unary ops. One row:
**   X(ID, name, lua, nn, dtype, saves, grad_node, onnx, params)
** ID        the enum is EM_U_ID;
** name      the PyTorch name: torch.NAME, errors, help key "Tensor.NAME" (or
**           "F.NAME" for ops that are only functional);
** lua       EM_L_* flags: which Lua names it gets;
** nn        the torch.nn module class (nn.Tanh), or NULL;
** dtype     EM_DT_FLOAT: integer input computes in float32 (exp);
**           EM_DT_ANY: every dtype keeps its own (abs of int64 is int64);
**           EM_DT_NO_BOOL: as ANY, bool refused (neg);
**           EM_DT_FLOAT_ONLY: integer and bool input refused (frac);
** saves     what backward reads: EM_SAVES_INPUT, EM_SAVES_OUTPUT,
**           EM_SAVES_NOTHING; or EM_NOT_DIFF (no node is recorded);
** grad_node PyTorch's name of its grad_fn;
** onnx      the ONNX operator it exports to (one input), or NULL;
** params    up to two number parameters after x, "name=default" each
**           (positional, or in an options table); the kernel gets them as
**           p1, p2. A default that is not a number (inplace=false,
**           approximate='none') is a PyTorch option of which ember
**           implements only that value: accepted in its place, any other
**           value an error; the kernel never sees it. A default listing
**           string choices ("approximate='none'|'tanh'") takes any of them
**           (the first is the default): the kernel gets the chosen one's
**           index (0, 1, ...) as its number. */
#define EM_UNARY_OPS(X) \
    X(NEG,        "neg",        EM_L_TORCH | EM_L_UNM,           NULL,      EM_DT_NO_BOOL, EM_SAVES_NOTHING, "NegBackward0",        "Neg",     "") \
    X(EXP,        "exp",        EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_OUTPUT,  "ExpBackward0",        "Exp",     "") \
    X(LOG,        "log",        EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_INPUT,   "LogBackward0",        "Log",     "") \
    X(SQRT,       "sqrt",       EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_OUTPUT,  "SqrtBackward0",       "Sqrt",    "") \
    X(ABS,        "abs",        EM_L_TORCH,            NULL,      EM_DT_ANY,     EM_SAVES_INPUT,   "AbsBackward0",        "Abs",     "") \
    X(SIGN,       "sign",       EM_L_TORCH,            NULL,      EM_DT_ANY,     EM_SAVES_NOTHING, "SignBackward0",       "Sign",    "") \
    X(RELU,       "relu",       EM_L_TORCH | EM_L_NNF, "ReLU",    EM_DT_ANY,     EM_SAVES_OUTPUT,  "ReluBackward0",       "Relu",    "") \
    X(SIGMOID,    "sigmoid",    EM_L_TORCH | EM_L_NNF, "Sigmoid", EM_DT_FLOAT,   EM_SAVES_OUTPUT,  "SigmoidBackward0",    "Sigmoid", "") \
    X(TANH,       "tanh",       EM_L_TORCH | EM_L_NNF, "Tanh",    EM_DT_FLOAT,   EM_SAVES_OUTPUT,  "TanhBackward0",       "Tanh",    "") \
    X(POW,        "pow",        EM_L_HAND | EM_L_TORCH, NULL,      EM_DT_FLOAT,   EM_SAVES_INPUT,   "PowBackward0",        "Pow",     "exponent") \
    X(CLAMP,      "clamp",      EM_L_HAND | EM_L_TORCH, NULL,      EM_DT_ANY,     EM_SAVES_INPUT,   "ClampBackward1",      NULL,      "min max") \
    X(RECIPROCAL, "reciprocal", EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_OUTPUT,  "ReciprocalBackward0", "Reciprocal", "") \
    X(SQUARE,     "square",     EM_L_TORCH,            NULL,      EM_DT_ANY,     EM_SAVES_INPUT,   "PowBackward0",        NULL,      "") \
    X(LOG1P,      "log1p",      EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_INPUT,   "Log1PBackward0",      NULL,      "") \
    X(RSQRT,      "rsqrt",      EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_OUTPUT,  "RsqrtBackward0",      NULL,      "") \
    X(SOFTPLUS,   "softplus",   EM_L_NNF,              "Softplus", EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "SoftplusBackward0",   NULL,      "beta=1 threshold=20") \
    X(LEAKY_RELU, "leaky_relu", EM_L_NNF,              "LeakyReLU", EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "LeakyReluBackward0",  NULL,      "negative_slope=0.01 inplace=false") \
    X(ELU,        "elu",        EM_L_NNF,              "ELU",     EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "EluBackward0",        NULL,      "alpha=1.0 inplace=false") \
    X(SELU,       "selu",       EM_L_FUNC | EM_L_NNF,  "SELU",    EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "EluBackward0",        "Selu",    "inplace=false") \
    X(SILU,       "silu",       EM_L_NNF,              "SiLU",    EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "SiluBackward0",       NULL,      "inplace=false") \
    X(MISH,       "mish",       EM_L_NNF,              "Mish",    EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "MishBackward0",       NULL,      "inplace=false") \
    X(HARDTANH,   "hardtanh",   EM_L_NNF,              "Hardtanh", EM_DT_ANY,    EM_SAVES_INPUT,   "HardtanhBackward0",   NULL,      "min_val=-1.0 max_val=1.0 inplace=false") \
    X(GELU,       "gelu",       EM_L_NNF,              "GELU",    EM_DT_FLOAT_ONLY, EM_SAVES_INPUT,   "GeluBackward0",       NULL,      "approximate='none'|'tanh'") \
    X(ERF,        "erf",        EM_L_TORCH,            NULL,      EM_DT_FLOAT,   EM_SAVES_INPUT,   "ErfBackward0",        "Erf",     "") \
    X(FLOOR,      "floor",      EM_L_TORCH,            NULL,      EM_DT_NO_BOOL,    EM_SAVES_NOTHING, "FloorBackward0", "Floor", "") \
    X(CEIL,       "ceil",       EM_L_TORCH,            NULL,      EM_DT_NO_BOOL,    EM_SAVES_NOTHING, "CeilBackward0",  "Ceil",  "") \
    X(TRUNC,      "trunc",      EM_L_TORCH,            NULL,      EM_DT_NO_BOOL,    EM_SAVES_NOTHING, "TruncBackward0", NULL,    "") \
    X(FRAC,       "frac",       EM_L_TORCH,            NULL,      EM_DT_FLOAT_ONLY, EM_SAVES_NOTHING, "FracBackward0",  NULL,    "") \
    /* round: half to even; decimals != 0 gives RoundBackward1 and is refused \
    ** for integer tensors; no ONNX export (ONNX's Round has no decimals) */ \
    X(ROUND,      "round",      EM_L_TORCH,            NULL,      EM_DT_NO_BOOL,    EM_SAVES_NOTHING, "RoundBackward0", NULL,    "decimals=0") \
    /* sgn: sign extended to complex numbers; for real tensors it is sign */ \
    X(SGN,        "sgn",        EM_L_TORCH,            NULL,      EM_DT_ANY,        EM_SAVES_NOTHING, "SgnBackward0",   "Sign",  "")

/* selu(x) = scale * elu(x, alpha), PyTorch's constants (kernel and derivative). */
#define EM_SELU_ALPHA 1.6732632423543772848170429916717
#define EM_SELU_SCALE 1.0507009873554804934193349852946

/* Binary ops. One row:
**   X(ID, name, lua, meta, dtype, grad_node, onnx, options, aliases)
** meta      the Lua metamethod that calls it ("__add"), or NULL;
** dtype     EM_DT_PROMOTE: the operands' promoted type (add);
**           EM_DT_TRUE_DIV: promoted, integers to float32 (div);
**           EM_DT_COMPARE: promoted operands, bool result (eq);
**           EM_DT_LOGICAL: operands as bool, bool result (logical_and);
** grad_node PyTorch's grad_fn name, or NULL: not differentiable;
** options   the options table keys the Lua binding implements;
** aliases   other torch names for the same function (subtract); an alias
**           ending in ':' takes no options (true_divide).
** Rows with no Lua names are internal (backward passes use them). */
#define EM_BINARY_OPS(X) \
    X(ADD,        "add",          EM_L_TORCH, "__add", EM_DT_PROMOTE,  "AddBackward0",     "Add", "alpha",         "") \
    X(SUB,        "sub",          EM_L_TORCH, "__sub", EM_DT_PROMOTE,  "SubBackward0",     "Sub", "alpha",         "subtract") \
    X(MUL,        "mul",          EM_L_TORCH, "__mul", EM_DT_PROMOTE,  "MulBackward0",     "Mul", "",              "multiply") \
    X(DIV,        "div",          EM_L_TORCH, "__div", EM_DT_TRUE_DIV, "DivBackward0",     "Div", "rounding_mode", "divide true_divide:") \
    X(POW,        "pow",          EM_L_HAND | EM_L_TORCH, "__pow", EM_DT_PROMOTE,  "PowBackward1",     "Pow", "",              "") \
    X(MAXIMUM,    "maximum",      EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_PROMOTE, "MaximumBackward0", NULL , "",   "") \
    X(MINIMUM,    "minimum",      EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_PROMOTE, "MinimumBackward0", NULL , "",   "") \
    X(RELU_GRAD,  "threshold_backward", 0,    NULL,    EM_DT_PROMOTE,  NULL,               NULL,  "",              "") \
    X(FLOOR_DIV,  "floor_divide", EM_L_TORCH, "__idiv", EM_DT_PROMOTE, "DivBackward2",     NULL,  "",              "") \
    X(TRUNC_DIV,  "div (rounding_mode='trunc')", 0, NULL, EM_DT_PROMOTE, "DivBackward2",   NULL,  "",              "") \
    X(EQ,         "eq",           EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_COMPARE, NULL,   NULL,      "",  "") \
    X(NE,         "ne",           EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_COMPARE, NULL,   NULL,      "",  "") \
    X(LT,         "lt",           EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_COMPARE, NULL,   NULL,      "",  "") \
    X(LE,         "le",           EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_COMPARE, NULL,   NULL,          "", "") \
    X(GT,         "gt",           EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_COMPARE, NULL,   NULL,      "",  "") \
    X(GE,         "ge",           EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_COMPARE, NULL,   NULL,             "", "") \
    X(AND,        "logical_and",  EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_LOGICAL, NULL,   NULL,      "",  "") \
    X(OR,         "logical_or",   EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_LOGICAL, NULL,   NULL,      "",  "") \
    X(XOR,        "logical_xor",  EM_L_FUNC | EM_L_METHOD, NULL, EM_DT_LOGICAL, NULL,   NULL,      "",  "") \
    /* remainder: the divisor's sign (Python's %); fmod: the dividend's (C). \
    ** With a number operand their nodes are RemainderBackward0 / FmodBackward0. */ \
    X(REMAINDER,  "remainder",    EM_L_TORCH, "__mod", EM_DT_PROMOTE, "RemainderBackward1", NULL, "", "") \
    X(FMOD,       "fmod",         EM_L_TORCH, NULL,    EM_DT_PROMOTE, "FmodBackward1",      NULL, "", "")

/* Reductions: X(ID, name). Bound by hand (their dim/keepdim/dtype
** signatures differ): sum, max, min, prod in bind/lua_math.c. */
#define EM_REDUCE_OPS(X) \
    X(SUM, "sum") \
    X(MAX, "max") \
    X(MIN, "min") \
    X(PROD, "prod")

#endif
