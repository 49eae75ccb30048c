"""Writes a Lua data file of reference results from real PyTorch for ember's ops.

Each case pairs an ember Lua call with the same computation in PyTorch, run on
fixed inputs (a deterministic formula, not torch's RNG; the values are written
into the file) in float64 and float32. It records the outputs, their dtype and
shape, and the gradients of sum(out * w) for a fixed weight w of out's shape.
Dims in the Lua calls are ember's 1-based ones; index tensors stay 0-based.
Not a test itself: tests/peer/test_op_parity.lua compares, tests/peer/peer.sh op runs both.
Usage: /usr/bin/python3 tests/peer/make_op_reference.py OUT.lua
"""

import math
import sys

import torch

from peerlib import write_records

FLOATS = ("float64", "float32")
SUFFIX = {"float64": "f64", "float32": "f32"}


def gen_values(n, seed, lo, hi):
    """n distinct-looking values in [lo, hi] from the golden-ratio sequence, 3 decimals."""
    out = []
    for j in range(n):
        u = ((j + 1) * 0.6180339887498949 + seed * 0.4142135623730951) % 1.0
        v = round(lo + (hi - lo) * u, 3)
        out.append(v if v != 0.0 else 0.125)
    return out


def G(*shape, lo=-2.0, hi=2.0):
    """A generated float input of the case's dtype, requiring grad."""
    return {"shape": shape, "lo": lo, "hi": hi}


def L(data, dtype=None, grad=None):
    """A literal input; dtype None means the case's float dtype."""
    return {"data": data, "dtype": dtype, "grad": grad}


CASES = []


def case(name, call, fn, inputs=(), dtypes=FLOATS, view=False, error=None):
    """Registers one case per dtype. call: Lua chunk body (or an expression)."""
    if "return" not in call:
        call = "return " + call
    op = name.split("/")[0]
    for dt in dtypes:
        suffix = "" if dt is None else "_" + SUFFIX.get(dt, dt)
        CASES.append(dict(name=name + suffix, op=op, call=call, fn=fn,
                          inputs=inputs, dtype=dt, view=view, error=error))


def d(dim):
    """ember's 1-based dim -> PyTorch's 0-based one (negative dims are the same)."""
    return dim - 1 if dim > 0 else dim


# ---------------------------------------------------------------- creation
def creation_cases():
    one = (None,)
    case("zeros", "torch.zeros(2, 3)", lambda: torch.zeros(2, 3), dtypes=one)
    case("zeros/table", "torch.zeros({2, 3}, {dtype = torch.float64})",
         lambda: torch.zeros(2, 3, dtype=torch.float64), dtypes=one)
    case("ones", "torch.ones(3)", lambda: torch.ones(3), dtypes=one)
    case("ones/int", "torch.ones(2, 2, {dtype = torch.int64})",
         lambda: torch.ones(2, 2, dtype=torch.int64), dtypes=one)
    case("full/float", "torch.full({2, 3}, 1.5)", lambda: torch.full((2, 3), 1.5), dtypes=one)
    case("full/int", "torch.full({2}, 7)", lambda: torch.full((2,), 7), dtypes=one)
    case("full/bool", "torch.full({2}, true)", lambda: torch.full((2,), True), dtypes=one)
    case("arange/int", "torch.arange(5)", lambda: torch.arange(5), dtypes=one)
    case("arange/start_end", "torch.arange(2, 7)", lambda: torch.arange(2, 7), dtypes=one)
    case("arange/int_step", "torch.arange(1, 10, 3)", lambda: torch.arange(1, 10, 3), dtypes=one)
    case("arange/float_step", "torch.arange(1, 2, 0.3)", lambda: torch.arange(1, 2, 0.3),
         dtypes=one)
    case("arange/tenths", "torch.arange(0.0, 1.0, 0.1)", lambda: torch.arange(0.0, 1.0, 0.1),
         dtypes=one)
    case("arange/negative_step", "torch.arange(5, 0, -2)", lambda: torch.arange(5, 0, -2),
         dtypes=one)
    case("linspace", "torch.linspace(0, 1, 5)", lambda: torch.linspace(0, 1, 5), dtypes=one)
    case("linspace/neg", "torch.linspace(-1, 2, 7)", lambda: torch.linspace(-1, 2, 7), dtypes=one)
    case("eye", "torch.eye(3)", lambda: torch.eye(3), dtypes=one)
    case("eye/rect", "torch.eye(2, 3)", lambda: torch.eye(2, 3), dtypes=one)
    case("tensor/nested_int", "torch.tensor({{1, 2}, {3, 4}})",
         lambda: torch.tensor([[1, 2], [3, 4]]), dtypes=one)
    case("tensor/mixed_int_float", "torch.tensor({1, 2.5})", lambda: torch.tensor([1, 2.5]),
         dtypes=one)
    case("tensor/bool", "torch.tensor({true, false, true})",
         lambda: torch.tensor([True, False, True]), dtypes=one)
    case("tensor/scalar", "torch.tensor(3.25)", lambda: torch.tensor(3.25), dtypes=one)
    case("tensor/float32_rounding", "torch.tensor({0.1, 1e-3, 123456.789})",
         lambda: torch.tensor([0.1, 1e-3, 123456.789]), dtypes=one)
    case("zeros_like", "torch.zeros_like(x1)", torch.zeros_like, [G(2, 3)])
    case("ones_like", "torch.ones_like(x1)", torch.ones_like, [G(2, 3)])
    case("full_like", "torch.full_like(x1, 2.5)", lambda a: torch.full_like(a, 2.5), [G(2, 3)])


def rng_cases():
    one = (None,)
    case("rand", "torch.manual_seed(0); return torch.rand(5)",
         lambda: (torch.manual_seed(0), torch.rand(5))[1], dtypes=one)
    case("rand/2d", "torch.manual_seed(42); return torch.rand(2, 3)",
         lambda: (torch.manual_seed(42), torch.rand(2, 3))[1], dtypes=one)
    case("randn/small", "torch.manual_seed(0); return torch.randn(5)",
         lambda: (torch.manual_seed(0), torch.randn(5))[1], dtypes=one)
    case("randn/vectorised", "torch.manual_seed(1); return torch.randn(20)",
         lambda: (torch.manual_seed(1), torch.randn(20))[1], dtypes=one)
    case("randint", "torch.manual_seed(0); return torch.randint(0, 10, {6})",
         lambda: (torch.manual_seed(0), torch.randint(0, 10, (6,)))[1], dtypes=one)
    case("randperm", "torch.manual_seed(0); return torch.randperm(6)",
         lambda: (torch.manual_seed(0), torch.randperm(6))[1], dtypes=one)
    case("uniform_", "torch.manual_seed(3); return torch.zeros(5):uniform_(-1.0, 1.0)",
         lambda: (torch.manual_seed(3), torch.zeros(5).uniform_(-1.0, 1.0))[1], dtypes=one)
    case("normal_", "torch.manual_seed(3); return torch.zeros(20):normal_(1.0, 0.5)",
         lambda: (torch.manual_seed(3), torch.zeros(20).normal_(1.0, 0.5))[1], dtypes=one)


# ---------------------------------------------------------------- elementwise
def binary_cases():
    pos = dict(lo=0.5, hi=2.0)
    case("add", "x1 + x2", lambda a, b: a + b, [G(2, 3), G(2, 3)])
    case("add/row_bcast", "x1 + x2", lambda a, b: a + b, [G(2, 3), G(3)])
    case("add/outer_bcast", "x1 + x2", lambda a, b: a + b, [G(2, 1), G(1, 3)])
    case("add/3d_bcast", "x1 + x2", lambda a, b: a + b, [G(2, 1, 3), G(4, 1)])
    case("add/scalar_right", "x1 + 2.5", lambda a: a + 2.5, [G(2, 3)])
    case("add/scalar_left", "2.5 + x1", lambda a: 2.5 + a, [G(2, 3)])
    case("add/0dim", "x1 + x2", lambda a, b: a + b, [G(2, 3), L(0.75)])
    case("add/alpha", "x1:add(x2, {alpha = 2.0})", lambda a, b: a.add(b, alpha=2.0),
         [G(2, 3), G(3)])
    case("add/function", "torch.add(x1, x2)", torch.add, [G(2, 3), G(2, 1)])
    case("sub", "x1 - x2", lambda a, b: a - b, [G(2, 3), G(3)])
    case("sub/scalar_left", "1.0 - x1", lambda a: 1.0 - a, [G(2, 3)])
    case("sub/alpha", "x1:sub(x2, {alpha = 3.0})", lambda a, b: a.sub(b, alpha=3.0),
         [G(2, 3), G(2, 3)])
    case("sub/function", "torch.sub(x1, x2)", torch.sub, [G(2, 1), G(1, 3)])
    case("mul", "x1 * x2", lambda a, b: a * b, [G(2, 3), G(2, 1)])
    case("mul/scalar", "x1 * 3.0", lambda a: a * 3.0, [G(2, 3)])
    case("mul/int_scalar", "x1 * 3", lambda a: a * 3, [G(2, 3)])
    case("mul/self", "x1 * x1", lambda a: a * a, [G(2, 3)])
    case("mul/function", "torch.mul(x1, x2)", torch.mul, [G(2, 3), G(3)])
    case("div", "x1 / x2", lambda a, b: a / b, [G(2, 3), G(3, **pos)])
    case("div/scalar_left", "1.0 / x1", lambda a: 1.0 / a, [G(2, 3, **pos)])
    case("div/scalar_right", "x1:div(4.0)", lambda a: a.div(4.0), [G(2, 3)])
    case("div/function", "torch.div(x1, x2)", torch.div, [G(2, 1), G(1, 3, **pos)])
    case("pow/square", "x1 ^ 2", lambda a: a ** 2, [G(2, 3)])
    case("pow/cube", "x1:pow(3)", lambda a: a.pow(3), [G(2, 3)])
    case("pow/sqrt", "x1:pow(0.5)", lambda a: a.pow(0.5), [G(2, 3, **pos)])
    case("pow/neg_one", "x1 ^ -1.0", lambda a: a ** -1.0, [G(2, 3, **pos)])
    case("pow/zero", "x1 ^ 0", lambda a: a ** 0, [G(2, 3)])
    case("pow/frac_exp", "x1 ^ 1.5", lambda a: a ** 1.5, [G(2, 3, **pos)])
    case("pow/tensor_exp", "x1:pow(x2)", lambda a, b: a.pow(b), [G(2, 3, **pos), G(3)])
    case("pow/tensor_exp_op", "x1 ^ x2", lambda a, b: a ** b, [G(2, 3, **pos), G(2, 3)])
    case("pow/scalar_base", "2.0 ^ x1", lambda a: 2.0 ** a, [G(2, 3)])
    case("pow/function", "torch.pow(x1, 2)", lambda a: torch.pow(a, 2), [G(2, 3)])
    case("maximum", "x1:maximum(x2)", lambda a, b: a.maximum(b), [G(2, 3), G(3)])
    case("maximum/ties", "torch.maximum(x1, x2)", torch.maximum,
         [L([1.0, -2.0, 3.0]), L([1.0, 0.5, 3.0])])
    case("minimum", "x1:minimum(x2)", lambda a, b: a.minimum(b), [G(2, 3), G(2, 1)])
    case("minimum/ties", "torch.minimum(x1, x2)", torch.minimum,
         [L([1.0, -2.0, 3.0]), L([1.0, 0.5, 3.0])])


def unary_cases():
    pos = dict(lo=0.5, hi=3.0)
    specs = [
        ("exp", "x1:exp()", torch.exp, {}),
        ("exp/function", "torch.exp(x1)", torch.exp, {}),
        ("log", "x1:log()", torch.log, pos),
        ("log/function", "torch.log(x1)", torch.log, pos),
        ("log1p", "x1:log1p()", torch.log1p, dict(lo=-0.5, hi=3.0)),
        ("sqrt", "x1:sqrt()", torch.sqrt, pos),
        ("rsqrt", "x1:rsqrt()", torch.rsqrt, pos),
        ("abs", "x1:abs()", torch.abs, {}),
        ("neg", "x1:neg()", torch.neg, {}),
        ("neg/operator", "-x1", torch.neg, {}),
        ("sign", "x1:sign()", torch.sign, {}),
        ("relu", "x1:relu()", torch.relu, {}),
        ("relu/function", "torch.relu(x1)", torch.relu, {}),
        ("sigmoid", "x1:sigmoid()", torch.sigmoid, {}),
        ("sigmoid/large", "x1:sigmoid()", torch.sigmoid, dict(lo=-30.0, hi=30.0)),
        ("tanh", "x1:tanh()", torch.tanh, {}),
        ("tanh/function", "torch.tanh(x1)", torch.tanh, {}),
        ("square", "x1:square()", torch.square, {}),
        ("reciprocal", "x1:reciprocal()", torch.reciprocal, pos),
        ("softplus", "torch.nn.functional.softplus(x1)", torch.nn.functional.softplus, {}),
        ("softplus/beta", "torch.nn.functional.softplus(x1, 2, 1)",
         lambda a: torch.nn.functional.softplus(a, 2, 1), {}),
        ("softplus/options", "torch.nn.functional.softplus(x1, {beta = 0.5, threshold = 0.5})",
         lambda a: torch.nn.functional.softplus(a, beta=0.5, threshold=0.5), {}),
        ("leaky_relu", "torch.nn.functional.leaky_relu(x1)", torch.nn.functional.leaky_relu, {}),
        ("leaky_relu/slope", "torch.nn.functional.leaky_relu(x1, 0.2, false)",
         lambda a: torch.nn.functional.leaky_relu(a, 0.2, False), {}),
        ("leaky_relu/module", "torch.nn.LeakyReLU{negative_slope = 0.3}(x1)",
         lambda a: torch.nn.LeakyReLU(negative_slope=0.3)(a), {}),
        ("elu", "torch.nn.functional.elu(x1)", torch.nn.functional.elu, dict(lo=-3.0, hi=3.0)),
        ("elu/alpha", "torch.nn.functional.elu(x1, {alpha = 0.5, inplace = false})",
         lambda a: torch.nn.functional.elu(a, alpha=0.5, inplace=False), dict(lo=-3.0, hi=3.0)),
        ("elu/module", "torch.nn.ELU(2.0)(x1)", lambda a: torch.nn.ELU(2.0)(a), {}),
        ("selu", "torch.nn.functional.selu(x1)", torch.nn.functional.selu, dict(lo=-3.0, hi=3.0)),
        ("selu/function", "torch.selu(x1)", torch.selu, {}),
        ("selu/module", "torch.nn.SELU()(x1)", lambda a: torch.nn.SELU()(a), {}),
        ("silu", "torch.nn.functional.silu(x1)", torch.nn.functional.silu, dict(lo=-6.0, hi=6.0)),
        ("silu/module", "torch.nn.SiLU(false)(x1)", lambda a: torch.nn.SiLU(False)(a), {}),
        ("mish", "torch.nn.functional.mish(x1)", torch.nn.functional.mish, dict(lo=-6.0, hi=6.0)),
        ("mish/module", "torch.nn.Mish()(x1)", lambda a: torch.nn.Mish()(a), {}),
        ("hardtanh", "torch.nn.functional.hardtanh(x1)", torch.nn.functional.hardtanh, {}),
        ("hardtanh/bounds", "torch.nn.functional.hardtanh(x1, -0.5, 1.5)",
         lambda a: torch.nn.functional.hardtanh(a, -0.5, 1.5), {}),
        ("hardtanh/module", "torch.nn.Hardtanh{min_val = -0.25, max_val = 0.75}(x1)",
         lambda a: torch.nn.Hardtanh(min_val=-0.25, max_val=0.75)(a), {}),
        ("gelu", "torch.nn.functional.gelu(x1)", torch.nn.functional.gelu, dict(lo=-4.0, hi=4.0)),
        ("gelu/none", "torch.nn.functional.gelu(x1, {approximate = 'none'})",
         lambda a: torch.nn.functional.gelu(a, approximate='none'), {}),
        ("gelu/module", "torch.nn.GELU()(x1)", lambda a: torch.nn.GELU()(a), {}),
        ("gelu/tanh", "torch.nn.functional.gelu(x1, {approximate = 'tanh'})",
         lambda a: torch.nn.functional.gelu(a, approximate='tanh'), dict(lo=-4.0, hi=4.0)),
        ("gelu/tanh_module", "torch.nn.GELU('tanh')(x1)", lambda a: torch.nn.GELU('tanh')(a), {}),
        ("erf", "x1:erf()", torch.erf, dict(lo=-3.0, hi=3.0)),
        ("erf/function", "torch.erf(x1)", torch.erf, {}),
    ]
    for name, call, fn, rng in specs:
        case(name, call, fn, [G(2, 3, **rng)])
    edge = L([-1.5, 0.0, 2.0])
    case("relu/at_zero", "x1:relu()", torch.relu, [edge])
    case("abs/at_zero", "x1:abs()", torch.abs, [edge])
    case("sign/at_zero", "x1:sign()", torch.sign, [edge])
    case("sgn", "x1:sgn()", torch.sgn, [L([-1.5, 0.0, 2.0, float("nan")], grad=False)])  # its gradient is a ZeroTensor
    case("sqrt/at_zero", "x1:sqrt()", torch.sqrt, [L([0.0, 4.0])])
    case("log/at_zero", "x1:log()", torch.log, [L([0.0, 1.0])])
    case("log/negative", "x1:log()", torch.log, [L([-1.0, 1.0])])
    F = torch.nn.functional
    case("leaky_relu/at_zero", "torch.nn.functional.leaky_relu(x1)", F.leaky_relu, [edge])
    case("elu/at_zero", "torch.nn.functional.elu(x1)", F.elu, [edge])
    case("selu/at_zero", "torch.nn.functional.selu(x1)", F.selu, [edge])
    # at and beyond the bounds the gradient is 0, strictly inside it is g
    case("hardtanh/at_bounds", "torch.nn.functional.hardtanh(x1)", F.hardtanh,
         [L([-2.0, -1.0, -0.5, 0.0, 1.0, 1.5])])
    case("hardtanh/int", "torch.nn.functional.hardtanh(x1, -2, 2)", lambda a: F.hardtanh(a, -2, 2),
         [L([-5, -2, 0, 1, 7], "int64")], dtypes=(None,))


def clamp_cases():
    case("clamp", "x1:clamp(-0.5, 0.5)", lambda a: a.clamp(-0.5, 0.5), [G(2, 3)])
    case("clamp/function", "torch.clamp(x1, -1.0, 1.0)", lambda a: torch.clamp(a, -1.0, 1.0),
         [G(2, 3)])
    case("clamp/min_only", "x1:clamp{min = -0.5}", lambda a: a.clamp(min=-0.5), [G(2, 3)])
    case("clamp/max_only", "x1:clamp{max = 0.5}", lambda a: a.clamp(max=0.5), [G(2, 3)])
    case("clamp/nil_min", "x1:clamp(nil, 0.5)", lambda a: a.clamp(None, 0.5), [G(2, 3)])
    case("clamp/nil_max", "x1:clamp(-0.5, nil)", lambda a: a.clamp(-0.5, None), [G(2, 3)])
    case("clamp/boundaries", "x1:clamp(-0.5, 0.5)", lambda a: a.clamp(-0.5, 0.5),
         [L([-1.0, -0.5, 0.0, 0.5, 1.0])])


def compare_cases():
    a = L([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]])
    b = L([1.0, 2.5, 1.5])
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        fn = getattr(torch, op)
        case(op, "x1:%s(x2)" % op, fn, [a, b])
        case(op + "/scalar", "x1:%s(1.5)" % op, lambda t, fn=fn: fn(t, 1.5), [a])
    case("gt/int", "x1:gt(2)", lambda t: t.gt(2), [L([1, 2, 3, 4], "int64")], dtypes=(None,))
    case("eq/int_float", "x1:eq(x2)", torch.eq, [L([1, 2, 3], "int64"), L([1.0, 2.5, 3.0])])
    p = L([True, False, True, False], "bool")
    q = L([True, True, False, False], "bool")
    one = (None,)
    case("logical_and", "x1:logical_and(x2)", torch.logical_and, [p, q], dtypes=one)
    case("logical_or", "torch.logical_or(x1, x2)", torch.logical_or, [p, q], dtypes=one)
    case("logical_xor", "torch.logical_xor(x1, x2)", torch.logical_xor, [p, q], dtypes=one)
    case("logical_not", "x1:logical_not()", torch.logical_not, [p], dtypes=one)
    # floor division: Lua's // and torch.floor_divide (rounding as Python's //)
    case("floor_divide", "x1 // x2", lambda a, b: torch.div(a, b, rounding_mode="floor"),
         [L([[-7.5, 7.0, 5.0], [0.5, -0.25, 3.0]]), L([2.0, -2.0, 0.1])])
    case("floor_divide/int", "torch.floor_divide(x1, x2)", torch.floor_divide,
         [L([-7, 7, 9], "int64"), L([2, 2, -4], "int64")], dtypes=one)
    case("floor_divide/scalar", "x1:floor_divide(2)", lambda a: torch.div(a, 2, rounding_mode="floor"),
         [L([-3.0, 3.0, 4.5])])
    case("logical_and/float", "x1:logical_and(x2)", torch.logical_and,
         [L([0.0, 1.5, -2.0, 0.0]), L([3.0, 0.0, 1.0, 0.0])])
    cond = L([[True, False, True], [False, True, False]], "bool")
    case("where", "torch.where(x1, x2, x3)", torch.where, [cond, G(2, 3), G(2, 3)])
    case("where/bcast", "torch.where(x1, x2, x3)", torch.where, [cond, G(2, 3), G(3)])
    case("where/method", "x2:where(x1, x3)", lambda c, x, y: x.where(c, y),
         [cond, G(2, 3), G(2, 1)])
    case("where/from_compare", "torch.where(x1:gt(0.0), x1, x1 * 0.1)",
         lambda x: torch.where(x.gt(0.0), x, x * 0.1), [G(2, 3)])


def promotion_cases():
    one = (None,)
    i64 = L([1, -2, 3], "int64")
    case("promote/int_plus_float_scalar", "x1 + 2.5", lambda a: a + 2.5, [i64], dtypes=one)
    case("promote/int_times_int_scalar", "x1 * 2", lambda a: a * 2, [i64], dtypes=one)
    case("promote/int_div_int", "x1 / x2", lambda a, b: a / b,
         [i64, L([2, 4, -5], "int64")], dtypes=one)
    case("promote/int_plus_f32", "x1 + x2", lambda a, b: a + b,
         [i64, L([0.5, 0.25, -1.0], "float32", True)], dtypes=one)
    case("promote/f32_plus_f64", "x1 + x2", lambda a, b: a + b,
         [L([0.1, 0.2, 0.3], "float32", True), L([1.0, 2.0, 3.0], "float64", True)], dtypes=one)
    case("promote/f32_times_0dim_f64", "x1 * x2", lambda a, b: a * b,
         [L([0.1, 0.2, 0.3], "float32", True), L(0.3, "float64", True)], dtypes=one)
    case("promote/int32_plus_int64", "x1 + x2", lambda a, b: a + b,
         [L([1, 2], "int32"), L([3, 4], "int64")], dtypes=one)
    case("promote/bool_plus_int", "x1 + x2", lambda a, b: a + b,
         [L([True, False], "bool"), L([3, 4], "int64")], dtypes=one)
    case("promote/uint8_plus_int", "x1 + 1", lambda a: a + 1, [L([1, 2, 250], "uint8")],
         dtypes=one)


# ---------------------------------------------------------------- reductions
def reduction_cases():
    x = [G(2, 3, 4)]
    for op in ("sum", "mean"):
        f = getattr(torch, op)
        case(op, "x1:%s()" % op, lambda a, f=f: f(a), x)
        for dim in (1, 2, 3, -1):
            case("%s/dim%d" % (op, dim), "x1:%s(%d)" % (op, dim),
                 lambda a, f=f, dim=dim: f(a, d(dim)), x)
        case(op + "/keepdim", "x1:%s(2, true)" % op, lambda a, f=f: f(a, 1, keepdim=True), x)
        case(op + "/keepdim_opt", "x1:%s(-1, {keepdim = true})" % op,
             lambda a, f=f: f(a, -1, keepdim=True), x)
        case(op + "/dims", "x1:%s({1, 3})" % op, lambda a, f=f: f(a, (0, 2)), x)
        case(op + "/dims_keepdim", "x1:%s({1, 3}, true)" % op,
             lambda a, f=f: f(a, (0, 2), keepdim=True), x)
        case(op + "/function", "torch.%s(x1, 2)" % op, lambda a, f=f: f(a, 1), x)
    one = (None,)
    case("sum/int", "x1:sum()", torch.sum, [L([[1, 2, 3], [4, 5, 6]], "int64")], dtypes=one)
    case("sum/int_dim", "x1:sum(2)", lambda a: a.sum(1), [L([[1, 2, 3], [4, 5, 6]], "int64")],
         dtypes=one)
    case("sum/int32", "x1:sum()", torch.sum, [L([1, 2, 3], "int32")], dtypes=one)
    case("sum/bool", "x1:sum()", torch.sum, [L([True, False, True], "bool")], dtypes=one)
    case("prod", "x1:prod()", torch.prod, [G(2, 3)])
    case("prod/dim", "x1:prod(2)", lambda a: a.prod(1), [G(2, 3)])
    case("prod/keepdim", "x1:prod(1, true)", lambda a: a.prod(0, keepdim=True), [G(2, 3)])
    case("prod/one_zero", "x1:prod()", torch.prod, [L([1.5, 0.0, -2.0, 0.5])])
    case("prod/two_zeros", "x1:prod()", torch.prod, [L([1.5, 0.0, -2.0, 0.0])])
    case("prod/dim_one_zero", "x1:prod(2)", lambda a: a.prod(1),
         [L([[1.5, 0.0, -2.0], [0.5, 2.0, 3.0]])])
    case("prod/int", "x1:prod()", torch.prod, [L([1, 2, 3, 4], "int64")], dtypes=one)
    for op in ("max", "min"):
        f = getattr(torch, op)
        case(op, "x1:%s()" % op, lambda a, f=f: f(a), x)
        case(op + "/dim", "x1:%s(2)" % op, lambda a, f=f: f(a, 1), x)
        case(op + "/dim_keepdim", "x1:%s(3, true)" % op, lambda a, f=f: f(a, 2, keepdim=True), x)
        case(op + "/dim_first", "x1:%s(1)" % op, lambda a, f=f: f(a, 0), x)
        case(op + "/dim_neg", "x1:%s(-1)" % op, lambda a, f=f: f(a, -1), x)
        case(op + "/function", "torch.%s(x1, 2)" % op, lambda a, f=f: f(a, 1), x)
        case(op + "/int", "x1:%s()" % op, lambda a, f=f: f(a), [L([3, -1, 7, 2], "int64")],
             dtypes=one)
    case("max/ties", "x1:max()", torch.max, [L([1.0, 3.0, 3.0, -2.0])])
    for op in ("argmax", "argmin"):
        f = getattr(torch, op)
        case(op, "x1:%s()" % op, lambda a, f=f: f(a), x)
        case(op + "/dim", "x1:%s(2)" % op, lambda a, f=f: f(a, 1), x)
        case(op + "/dim_keepdim", "x1:%s(2, true)" % op, lambda a, f=f: f(a, 1, keepdim=True), x)
        case(op + "/dim_last", "x1:%s(3)" % op, lambda a, f=f: f(a, 2), x)
        case(op + "/function", "torch.%s(x1, 1)" % op, lambda a, f=f: f(a, 0), x)
    for op in ("var", "std"):
        f = getattr(torch, op)
        case(op, "x1:%s()" % op, lambda a, f=f: f(a), x)
        case(op + "/dim", "x1:%s(2)" % op, lambda a, f=f: f(a, 1), x)
        case(op + "/dim_keepdim", "x1:%s(2, true, true)" % op, lambda a, f=f: f(a, 1, True, True), x)
        case(op + "/dim_biased", "x1:%s(2, false)" % op, lambda a, f=f: f(a, 1, False), x)
        case(op + "/dims", "x1:%s({1, 3})" % op, lambda a, f=f: f(a, (0, 2)), x)
        case(op + "/biased", "x1:%s({unbiased = false})" % op,
             lambda a, f=f: f(a, unbiased=False), x)
        case(op + "/unbiased_true", "x1:%s(3, {unbiased = true})" % op,
             lambda a, f=f: f(a, 2, unbiased=True), x)
        case(op + "/correction0", "x1:%s(2, {correction = 0})" % op,
             lambda a, f=f: f(a, 1, correction=0), x)
        case(op + "/keepdim_biased", "x1:%s(1, {keepdim = true, unbiased = false})" % op,
             lambda a, f=f: f(a, 0, keepdim=True, unbiased=False), x)
        case(op + "/function", "torch.%s(x1, 2)" % op, lambda a, f=f: f(a, 1), x)


# ---------------------------------------------------------------- linear algebra
def linalg_cases():
    mm = lambda a, b: a.matmul(b)  # noqa: E731
    shapes = [
        ("1d_1d", (3,), (3,)), ("2d_1d", (2, 3), (3,)), ("1d_2d", (3,), (3, 4)),
        ("2d_2d", (2, 3), (3, 4)), ("3d_3d", (2, 2, 3), (2, 3, 4)),
        ("3d_2d", (2, 2, 3), (3, 4)), ("2d_3d", (2, 3), (2, 3, 4)),
        ("bcast_batch", (2, 1, 2, 3), (3, 3, 4)), ("1d_3d", (3,), (2, 3, 4)),
        ("3d_1d", (2, 2, 3), (3,)), ("bcast_batch_1", (1, 2, 3), (2, 3, 4)),
    ]
    for tag, sa, sb in shapes:
        case("matmul/" + tag, "x1:matmul(x2)", mm, [G(*sa), G(*sb)])
    case("matmul/function", "torch.matmul(x1, x2)", torch.matmul, [G(2, 3), G(3, 2)])
    case("matmul/transposed_left", "x1:t():matmul(x2)", lambda a, b: a.t().matmul(b),
         [G(3, 2), G(3, 4)])
    case("matmul/transposed_right", "x1:matmul(x2:t())", lambda a, b: a.matmul(b.t()),
         [G(2, 3), G(4, 3)])
    case("mm", "x1:mm(x2)", torch.mm, [G(2, 3), G(3, 4)])
    case("mm/function", "torch.mm(x1, x2)", torch.mm, [G(3, 2), G(2, 2)])
    case("bmm", "x1:bmm(x2)", torch.bmm, [G(2, 2, 3), G(2, 3, 4)])
    case("bmm/function", "torch.bmm(x1, x2)", torch.bmm, [G(3, 1, 2), G(3, 2, 2)])
    case("mv", "x1:mv(x2)", torch.mv, [G(2, 3), G(3)])
    case("dot", "x1:dot(x2)", torch.dot, [G(4), G(4)])
    case("dot/function", "torch.dot(x1, x2)", torch.dot, [G(3), G(3)])
    case("matmul/chain", "local h = x1:matmul(x2):tanh(); return (h * h):sum(1)",
         lambda a, b: (lambda h: (h * h).sum(0))(a.matmul(b).tanh()), [G(2, 3), G(3, 4)])


# ---------------------------------------------------------------- views
def view_cases():
    def v(name, call, fn, inputs):
        case(name, call, fn, inputs, view=True)
    m, c = [G(2, 3)], [G(2, 3, 4)]
    v("transpose", "x1:transpose(1, 2)", lambda a: a.transpose(0, 1), m)
    v("transpose/3d", "x1:transpose(1, 3)", lambda a: a.transpose(0, 2), c)
    v("transpose/neg", "x1:transpose(-1, -2)", lambda a: a.transpose(-1, -2), c)
    v("t", "x1:t()", lambda a: a.t(), m)
    v("T", "x1.T", lambda a: a.T, m)
    v("T/3d", "x1.T", lambda a: a.permute(2, 1, 0), c)
    v("permute", "x1:permute(3, 1, 2)", lambda a: a.permute(2, 0, 1), c)
    v("permute/neg", "x1:permute(2, -1, 1)", lambda a: a.permute(1, -1, 0), c)
    v("expand", "x1:expand(2, 3)", lambda a: a.expand(2, 3), [G(1, 3)])
    v("expand/keep", "x1:expand(-1, 4)", lambda a: a.expand(-1, 4), [G(2, 1)])
    v("expand/new_dim", "x1:expand(2, 2, 3)", lambda a: a.expand(2, 2, 3), [G(3)])
    v("expand/table", "x1:expand({3, 2})", lambda a: a.expand(3, 2), [G(1, 2)])
    v("expand_as", "x1:expand_as(x2)", lambda a, b: a.expand_as(b), [G(2, 1), G(2, 3)])
    v("narrow", "x1:narrow(2, 2, 2)", lambda a: a.narrow(1, 1, 2), m)
    v("narrow/first", "x1:narrow(1, 2, 1)", lambda a: a.narrow(0, 1, 1), c)
    v("narrow/neg_dim", "x1:narrow(-1, 1, 3)", lambda a: a.narrow(-1, 0, 3), c)
    v("select", "x1:select(1, 2)", lambda a: a.select(0, 1), m)
    v("select/neg", "x1:select(2, -1)", lambda a: a.select(1, -1), c)
    v("index", "x1[2]", lambda a: a[1], c)
    v("index/table", "x1[{2, {1, 2}}]", lambda a: a[1, 0:2], m)
    v("index/all_last", "x1[{{}, -1}]", lambda a: a[:, -1], m)
    v("index/colon_range", 'x1[{":", {2, -1}}]', lambda a: a[:, 1:], m)
    v("index/3d", "x1[{{1, 2}, 2, {2, 3}}]", lambda a: a[0:2, 1, 1:3], c)
    v("unsqueeze", "x1:unsqueeze(1)", lambda a: a.unsqueeze(0), m)
    v("unsqueeze/last", "x1:unsqueeze(3)", lambda a: a.unsqueeze(2), m)
    v("unsqueeze/neg", "x1:unsqueeze(-1)", lambda a: a.unsqueeze(-1), m)
    v("squeeze", "x1:squeeze()", lambda a: a.squeeze(), [G(2, 1, 3, 1)])
    v("squeeze/dim", "x1:squeeze(2)", lambda a: a.squeeze(1), [G(2, 1, 3, 1)])
    v("squeeze/noop", "x1:squeeze(1)", lambda a: a.squeeze(0), [G(2, 1, 3, 1)])
    v("flatten", "x1:flatten()", lambda a: a.flatten(), c)
    v("flatten/start", "x1:flatten(2)", lambda a: a.flatten(1), c)
    v("flatten/range", "x1:flatten(1, 2)", lambda a: a.flatten(0, 1), c)
    v("view", "x1:view(3, 2)", lambda a: a.view(3, 2), m)
    v("view/infer", "x1:view(-1)", lambda a: a.view(-1), c)
    v("view/table", "x1:view({4, -1})", lambda a: a.view(4, -1), c)
    v("view_as", "x1:view_as(x2)", lambda a, b: a.view_as(b), [G(2, 3), G(3, 2)])
    v("reshape", "x1:reshape(2, -1)", lambda a: a.reshape(2, -1), c)
    v("reshape/noncontig", "x1:t():reshape(6)", lambda a: a.t().reshape(6), m)
    v("reshape/noncontig_2d", "x1:transpose(1, 3):reshape(4, 6)",
      lambda a: a.transpose(0, 2).reshape(4, 6), c)
    v("reshape/expanded", "x1:expand(2, 3):reshape(-1)", lambda a: a.expand(2, 3).reshape(-1),
      [G(1, 3)])
    v("contiguous", "x1:t():contiguous()", lambda a: a.t().contiguous(), m)
    v("clone", "x1:clone()", lambda a: a.clone(), m)
    v("detach", "x1:detach()", lambda a: a.detach(), m)
    v("view/chain", "x1:transpose(1, 2):narrow(1, 2, 2):select(2, 1)",
      lambda a: a.transpose(0, 1).narrow(0, 1, 2).select(1, 0), c)
    v("view/elementwise_on_view", "x1:t() * x2", lambda a, b: a.t() * b, [G(2, 3), G(3, 2)])


# ---------------------------------------------------------------- joining, indexing
def join_cases():
    case("cat", "torch.cat({x1, x2})", lambda a, b: torch.cat([a, b]), [G(2, 3), G(1, 3)])
    case("cat/dim2", "torch.cat({x1, x2}, 2)", lambda a, b: torch.cat([a, b], 1),
         [G(2, 3), G(2, 2)])
    case("cat/neg", "torch.cat({x1, x2, x3}, -1)", lambda a, b, c: torch.cat([a, b, c], -1),
         [G(2, 1), G(2, 2), G(2, 3)])
    case("cat/3d", "torch.cat({x1, x2}, 2)", lambda a, b: torch.cat([a, b], 1),
         [G(2, 1, 3), G(2, 2, 3)])
    case("cat/noncontig", "torch.cat({x1:t(), x2}, 1)", lambda a, b: torch.cat([a.t(), b], 0),
         [G(2, 3), G(2, 2)])
    case("stack", "torch.stack({x1, x2})", lambda a, b: torch.stack([a, b]), [G(2, 3), G(2, 3)])
    case("stack/dim2", "torch.stack({x1, x2}, 2)", lambda a, b: torch.stack([a, b], 1),
         [G(2, 3), G(2, 3)])
    case("stack/dim3", "torch.stack({x1, x2, x3}, 3)",
         lambda a, b, c: torch.stack([a, b, c], 2), [G(2, 3), G(2, 3), G(2, 3)])
    case("stack/neg", "torch.stack({x1, x2}, -1)", lambda a, b: torch.stack([a, b], -1),
         [G(3), G(3)])
    i64 = "int64"
    case("index_select", "x1:index_select(1, x2)", lambda a, i: a.index_select(0, i),
         [G(3, 4), L([2, 0, 2], i64)])
    case("index_select/dim2", "x1:index_select(2, x2)", lambda a, i: a.index_select(1, i),
         [G(3, 4), L([3, 1], i64)])
    case("index_select/function", "torch.index_select(x1, -1, x2)",
         lambda a, i: torch.index_select(a, -1, i), [G(2, 3, 4), L([0, 0, 3], i64)])
    case("gather", "x1:gather(2, x2)", lambda a, i: a.gather(1, i),
         [G(2, 3), L([[0, 0], [2, 1]], i64)])
    case("gather/dim1", "x1:gather(1, x2)", lambda a, i: a.gather(0, i),
         [G(3, 2), L([[2, 0], [1, 1], [0, 2]], i64)])
    case("gather/function", "torch.gather(x1, 2, x2)", lambda a, i: torch.gather(a, 1, i),
         [G(2, 4), L([[3], [0]], i64)])
    case("scatter_add", "x1:scatter_add(1, x2, x3)", lambda a, i, s: a.scatter_add(0, i, s),
         [G(3, 4), L([[0, 1, 2, 0], [2, 2, 0, 1]], i64), G(2, 4)])
    case("scatter_add/dim2", "x1:scatter_add(2, x2, x3)",
         lambda a, i, s: a.scatter_add(1, i, s),
         [G(2, 3), L([[0, 0], [2, 1]], i64), G(2, 2)])
    case("scatter_add/function", "torch.scatter_add(x1, -1, x2, x3)",
         lambda a, i, s: torch.scatter_add(a, -1, i, s),
         [G(2, 3), L([[1, 1, 0], [0, 2, 2]], i64), G(2, 3)])


# ---------------------------------------------------------------- in-place, conversions
def inplace_cases():
    pos = dict(lo=0.5, hi=2.0)
    specs = [
        ("add_", "x1:clone():add_(x2)", lambda a, b: a.clone().add_(b), [G(2, 3), G(3)]),
        ("add_/alpha", "x1:clone():add_(x2, {alpha = 2.0})",
         lambda a, b: a.clone().add_(b, alpha=2.0), [G(2, 3), G(2, 3)]),
        ("add_/scalar", "x1:clone():add_(1.5)", lambda a: a.clone().add_(1.5), [G(2, 3)]),
        ("sub_", "x1:clone():sub_(x2)", lambda a, b: a.clone().sub_(b), [G(2, 3), G(2, 1)]),
        ("mul_", "x1:clone():mul_(x2)", lambda a, b: a.clone().mul_(b), [G(2, 3), G(3)]),
        ("mul_/scalar", "x1:clone():mul_(2.0)", lambda a: a.clone().mul_(2.0), [G(2, 3)]),
        ("div_", "x1:clone():div_(x2)", lambda a, b: a.clone().div_(b), [G(2, 3), G(3, **pos)]),
        ("pow_", "x1:clone():pow_(2)", lambda a: a.clone().pow_(2), [G(2, 3)]),
        ("clamp_", "x1:clone():clamp_(-0.5, 0.5)", lambda a: a.clone().clamp_(-0.5, 0.5),
         [G(2, 3)]),
        ("zero_", "x1:clone():zero_()", lambda a: a.clone().zero_(), [G(2, 3)]),
        ("fill_", "x1:clone():fill_(1.5)", lambda a: a.clone().fill_(1.5), [G(2, 3)]),
        ("copy_", "x1:clone():copy_(x2)", lambda a, b: a.clone().copy_(b), [G(2, 3), G(3)]),
        ("neg_", "x1:clone():neg_()", lambda a: a.clone().neg_(), [G(2, 3)]),
        ("exp_", "x1:clone():exp_()", lambda a: a.clone().exp_(), [G(2, 3)]),
        ("relu_", "x1:clone():relu_()", lambda a: a.clone().relu_(), [G(2, 3)]),
        ("sigmoid_", "x1:clone():sigmoid_()", lambda a: a.clone().sigmoid_(), [G(2, 3)]),
        ("tanh_", "x1:clone():tanh_()", lambda a: a.clone().tanh_(), [G(2, 3)]),
        ("abs_", "x1:clone():abs_()", lambda a: a.clone().abs_(), [G(2, 3)]),
        ("sqrt_", "x1:clone():sqrt_()", lambda a: a.clone().sqrt_(), [G(2, 3, **pos)]),
        ("inplace/chain", "local y = x1 * 1.0; y:mul_(x2); y:add_(1.0); y:exp_(); return y",
         lambda a, b: (a * 1.0).mul_(b).add_(1.0).exp_(), [G(2, 3), G(2, 3)]),
        ("inplace/on_view", "local y = x1:clone(); y:narrow(2, 1, 2):mul_(x2); return y",
         lambda a, b: (lambda y: (y.narrow(1, 0, 2).mul_(b), y)[1])(a.clone()),
         [G(2, 3), G(2, 2)]),
        ("setindex/tensor", "local y = x1:clone(); y[2] = x2; return y",
         lambda a, b: (lambda y: (y.__setitem__(1, b), y)[1])(a.clone()), [G(2, 3), G(3)]),
        ("setindex/number", "local y = x1:clone(); y[{{}, 2}] = 0.5; return y",
         lambda a: (lambda y: (y.__setitem__((slice(None), 1), 0.5), y)[1])(a.clone()),
         [G(2, 3)]),
    ]
    for name, call, fn, inputs in specs:
        case(name, call, fn, inputs)


def conversion_cases():
    one = (None,)
    f64 = L([[1.5, -2.7, 0.1], [3.9, -0.5, 2.0]], "float64", True)
    f32 = L([[1.5, -2.7, 0.1], [3.9, -0.5, 2.0]], "float32", True)
    case("float", "x1:float()", lambda a: a.float(), [f64], dtypes=one)
    case("double", "x1:double()", lambda a: a.double(), [f32], dtypes=one)
    case("to/dtype", "x1:to(torch.float64)", lambda a: a.to(torch.float64), [f32], dtypes=one)
    case("to/table", "x1:to{dtype = torch.float32}", lambda a: a.to(dtype=torch.float32), [f64],
         dtypes=one)
    case("type", "x1:type(torch.float32)", lambda a: a.type(torch.float32), [f64], dtypes=one)
    case("long", "x1:long()", lambda a: a.long(), [f64], dtypes=one)
    case("int", "x1:int()", lambda a: a.int(), [f32], dtypes=one)
    case("to/int32", "x1:to(torch.int32)", lambda a: a.to(torch.int32), [f64], dtypes=one)
    case("byte", "x1:byte()", lambda a: a.byte(), [L([0.0, 1.7, 200.2, 255.0], "float32")],
         dtypes=one)
    case("bool", "x1:bool()", lambda a: a.bool(), [L([0.0, 1.5, -2.0, 0.0], "float32")],
         dtypes=one)
    i64 = L([[1, -2, 3], [0, 5, -6]], "int64")
    case("float/from_int", "x1:float()", lambda a: a.float(), [i64], dtypes=one)
    case("double/from_int", "x1:double()", lambda a: a.double(), [i64], dtypes=one)
    case("bool/from_int", "x1:bool()", lambda a: a.bool(), [i64], dtypes=one)
    case("float/from_bool", "x1:float()", lambda a: a.float(),
         [L([True, False, True], "bool")], dtypes=one)
    case("long/from_bool", "x1:long()", lambda a: a.long(), [L([True, False], "bool")],
         dtypes=one)


def error_cases():
    one = (None,)
    case("error/matmul_shapes", "x1:matmul(x2)", torch.matmul, [G(2, 3), G(4, 5)], dtypes=one,
         error="matmul")
    case("error/add_shapes", "x1 + x2", lambda a, b: a + b, [G(2, 3), G(2)], dtypes=one,
         error="add")
    case("error/mean_int", "x1:mean()", torch.mean, [L([1, 2], "int64")], dtypes=one,
         error="mean")
    case("error/cat_shapes", "torch.cat({x1, x2}, 1)", lambda a, b: torch.cat([a, b], 0),
         [G(2, 3), G(2, 2)], dtypes=one, error="cat")
    case("error/view_noncontig", "x1:t():view(6)", lambda a: a.t().view(6), [G(2, 3)],
         dtypes=one, error="view")
    case("error/inplace_leaf", "x1:add_(1.0)", lambda a: a.add_(1.0), [G(2, 3)], dtypes=one,
         error="")


def rounding_cases():
    """floor, ceil, trunc, frac, round (ties to even, decimals), remainder (%), fmod."""
    one = (None,)
    wide = dict(lo=-3.0, hi=3.0)
    for op in ("floor", "ceil", "trunc", "frac"):
        case(op, "x1:%s()" % op, lambda a, op=op: getattr(a, op)(), [G(2, 3, **wide)])
        case(op + "/function", "torch.%s(x1)" % op, lambda a, op=op: getattr(torch, op)(a),
             [L([-2.5, -1.0, -0.25, 0.0, 0.75, 2.0, 1e10, -1e-3])])
        case(op + "_", "x1:clone():%s_()" % op, lambda a, op=op: getattr(a.clone(), op + "_")(),
             [G(2, 3, **wide)])
    for op in ("floor", "ceil", "trunc", "round"):
        # integer tensors stay as they are, keeping their dtype
        case(op + "/int", "x1:%s()" % op, lambda a, op=op: getattr(a, op)(),
             [L([1, -2, 3], "int64")], dtypes=one)
        case(op + "/int32", "x1:%s()" % op, lambda a, op=op: getattr(a, op)(),
             [L([7, -8], "int32")], dtypes=one)
    ties = L([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999997, 1e15 + 0.5, -0.0])
    case("round", "x1:round()", torch.round, [G(2, 3, **wide)])
    case("round/ties_to_even", "x1:round()", torch.round, [ties])
    case("round/function", "torch.round(x1)", torch.round, [ties])
    case("round_", "x1:clone():round_()", lambda a: a.clone().round_(), [ties])
    dec = L([1.2345, -2.675, 0.125, 2.5, 1234.5678, -0.0051, 0.045, 1e-3, 123.455, 7.0])
    for dcm in (1, 2, 3, -1, -2):
        case("round/decimals_%d" % dcm, "x1:round({decimals = %d})" % dcm,
             lambda a, dcm=dcm: torch.round(a, decimals=dcm), [dec])
    case("round/decimals_gen", "torch.round(x1, {decimals = 2})",
         lambda a: torch.round(a, decimals=2), [G(3, 4, lo=-50.0, hi=50.0)])
    case("round_/decimals", "x1:clone():round_({decimals = 1})",
         lambda a: a.clone().round_(decimals=1), [dec])
    case("error/frac_int", "x1:frac()", torch.frac, [L([1, 2], "int64")], dtypes=one,
         error="not supported for dtype int64")
    case("error/round_decimals_int", "x1:round({decimals = 1})",
         lambda a: torch.round(a, decimals=1), [L([15, -25], "int64")], dtypes=one,
         error="decimals")

    # remainder: the divisor's sign (Python's %); fmod: the dividend's (C's fmod)
    num = L([[-7.5, 7.0, 5.0, -5.5], [0.5, -0.25, 3.0, -3.0]])
    den = L([2.0, -2.0, 0.7, -1.25])
    case("remainder", "x1 % x2", lambda a, b: a % b, [num, den])
    case("remainder/method", "x1:remainder(x2)", torch.remainder, [G(2, 3, **wide), G(3, lo=0.6, hi=2.0)])
    case("remainder/function", "torch.remainder(x1, x2)", torch.remainder, [num, den])
    case("remainder/scalar", "x1 % 2", lambda a: a % 2, [G(2, 3, **wide)])
    case("remainder/neg_scalar", "x1 % -3", lambda a: a % -3, [G(2, 3, lo=-7.0, hi=7.0)])
    case("remainder/float_scalar", "torch.remainder(x1, 2.5)", lambda a: torch.remainder(a, 2.5),
         [G(2, 3, lo=-7.0, hi=7.0)])
    # number % x: PyTorch has no derivative for it, so the input does not require grad
    case("remainder/scalar_first", "5 % x1", lambda a: 5 % a,
         [L([3.0, -3.0, 2.5, -2.5, 7.0], grad=False)])
    case("remainder/by_zero_float", "x1 % x2", lambda a, b: a % b,
         [L([5.0, -5.0, 0.0], grad=False), L([0.0, 0.0, 0.0], grad=False)])
    ia = L([-7, 7, -7, 7, 0, 9, -9], "int64")
    ib = L([3, -3, -3, 3, 4, -5, 5], "int64")
    case("remainder/int", "x1 % x2", lambda a, b: a % b, [ia, ib], dtypes=one)
    case("remainder/int32", "x1 % x2", lambda a, b: a % b,
         [L([-7, 7, -8], "int32"), L([3, -3, 5], "int32")], dtypes=one)
    case("remainder/int_scalar", "x1 % 3", lambda a: a % 3, [ia], dtypes=one)
    case("remainder/int_neg_scalar", "x1 % -2", lambda a: a % -2, [ia], dtypes=one)
    case("remainder/int_scalar_first", "-7 % x1", lambda a: -7 % a, [ib], dtypes=one)
    case("remainder/int_float_scalar", "x1 % 2.5", lambda a: a % 2.5, [ia], dtypes=one)
    case("remainder/uint8", "x1 % 3", lambda a: a % 3, [L([5, 250, 0], "uint8")], dtypes=one)
    case("remainder_", "x1:clone():remainder_(x2)", lambda a, b: a.clone().remainder_(b), [num, den])
    case("error/remainder_int_zero", "x1 % x2", lambda a, b: a % b,
         [ia, L([3, 0, 1, 1, 1, 1, 1], "int64")], dtypes=one, error="ZeroDivisionError")
    case("error/remainder_bool", "x1 % x2", lambda a, b: a % b,
         [L([True], "bool"), L([True], "bool")], dtypes=one, error="not supported for dtype bool")

    case("fmod", "torch.fmod(x1, x2)", torch.fmod, [num, den])
    case("fmod/method", "x1:fmod(x2)", torch.fmod, [G(2, 3, **wide), G(3, lo=0.6, hi=2.0)])
    case("fmod/scalar", "x1:fmod(2)", lambda a: torch.fmod(a, 2), [G(2, 3, lo=-7.0, hi=7.0)])
    case("fmod/neg_scalar", "torch.fmod(x1, -2.5)", lambda a: torch.fmod(a, -2.5),
         [G(2, 3, lo=-7.0, hi=7.0)])
    case("fmod/by_zero_float", "torch.fmod(x1, x2)", torch.fmod,
         [L([5.0, -5.0, 0.0], grad=False), L([0.0, 0.0, 0.0], grad=False)])
    case("fmod/int", "torch.fmod(x1, x2)", torch.fmod, [ia, ib], dtypes=one)
    case("fmod/int_scalar", "x1:fmod(-3)", lambda a: torch.fmod(a, -3), [ia], dtypes=one)
    case("fmod/int_float_scalar", "x1:fmod(2.5)", lambda a: torch.fmod(a, 2.5), [ia], dtypes=one)
    case("fmod_", "x1:clone():fmod_(x2)", lambda a, b: a.clone().fmod_(b), [num, den])
    case("error/fmod_int_zero", "torch.fmod(x1, 0)", lambda a: torch.fmod(a, 0), [ia], dtypes=one,
         error="ZeroDivisionError")


# ---------------------------------------------------------------- running
def make_input(spec, index, dtype):
    """Returns (tensor, record) for one input spec of a case."""
    if "shape" in spec:
        n = math.prod(spec["shape"])
        vals = gen_values(n, index, spec["lo"], spec["hi"])
        t = torch.tensor(vals, dtype=getattr(torch, dtype)).reshape(spec["shape"])
        grad = True
    else:
        dt = spec["dtype"] or dtype
        t = torch.tensor(spec["data"], dtype=getattr(torch, dt))
        grad = spec["grad"] if spec["grad"] is not None else t.is_floating_point()
    grad = grad and t.is_floating_point()
    t.requires_grad_(grad)
    rec = {"dtype": str(t.dtype)[6:], "grad": grad, "data": t.detach().tolist()}
    return t, rec


def tensor_record(t, view):
    rec = {"dtype": str(t.dtype)[6:], "shape": list(t.shape),
           "values": t.detach().reshape(-1).tolist()}
    if view:
        rec["stride"] = list(t.stride())
        rec["offset"] = t.storage_offset()
    return rec


def grad_fn_is_plain(fn_name, op):
    """True when PyTorch names the node after the op itself (AddBackward0 for add, add_).

    Other names (UnsafeViewBackward0 for a batched matmul, SliceBackward0 for narrow)
    are PyTorch internals that ember need not copy, so they are not recorded.
    """
    stem = fn_name.split("Backward")[0].lower()
    return "Backward" in fn_name and stem == op.rstrip("_").replace("_", "").lower()


def run_case(c):
    """Computes one case's record (a dict written to the Lua file)."""
    dtype = c["dtype"] or "float32"
    pairs = [make_input(s, i + 1, dtype) for i, s in enumerate(c["inputs"])]
    xs = [p[0] for p in pairs]
    rec = {"name": c["name"], "op": c["op"], "call": c["call"], "inputs": [p[1] for p in pairs]}
    if c["error"] is not None:
        try:
            c["fn"](*xs)
        except RuntimeError:
            rec["error"] = c["error"]
            return rec
        raise AssertionError(c["name"] + ": PyTorch did not raise")
    res = c["fn"](*xs)
    if isinstance(res, tuple):
        out, out2 = res
        rec["out2"] = tensor_record(out2, False)
    else:
        out = res
    rec["out"] = tensor_record(out, c["view"])
    if out.requires_grad:
        if out.grad_fn is not None and grad_fn_is_plain(out.grad_fn.name(), c["op"]):
            rec["grad_fn"] = out.grad_fn.name()
        n = max(out.numel(), 1)
        w = torch.tensor(gen_values(n, 7, -1.0, 1.0), dtype=out.dtype).reshape(out.shape)
        rec["w"] = w.tolist()
        (out * w).sum().backward()
        grads = []
        for x in xs:
            if not x.requires_grad:
                grads.append(False)
            elif x.grad is None:
                grads.append({"none": True})
            else:
                grads.append(tensor_record(x.grad, False))
        rec["grads"] = grads
    return rec


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_op_reference.py OUT.lua")
    torch.set_default_dtype(torch.float32)
    for build in (creation_cases, rng_cases, binary_cases, unary_cases, clamp_cases,
                  compare_cases, promotion_cases, reduction_cases, linalg_cases, view_cases,
                  join_cases, inplace_cases, conversion_cases, error_cases, rounding_cases):
        build()
    write_records(sys.argv[1], "make_op_reference.py", [run_case(c) for c in CASES])


if __name__ == "__main__":
    main()
