"""Reference for tests/peer/test_exact_parity.lua: values that must come out
of ember exactly as PyTorch 1.13 gives them — div with rounding_mode "floor"
and "trunc" (integers, floats, signed zeros, infinities, NaN), sum/mean/prod
with dtype=, integer powers, and int64 values beyond 2^53 (creation, item,
tolist, arithmetic that wraps, printing). Floats are written as '%.17g'
strings (NaN as "nan"), so a comparison is bit for bit up to the NaN payload.
Each case: the expression ember evaluates (Lua source), PyTorch's dtype,
shape, values and printed form."""
import math
import sys

import torch

from peerlib import lua_value

I64_MAX, I64_MIN = 2**63 - 1, -2**63


def fmt(v):
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if math.isnan(v):
        return "nan"
    return "%.17g" % v


def flat(t):
    return [fmt(v) for v in t.reshape(-1).tolist()]


def case(lua, t):
    return {"lua": lua, "dtype": str(t.dtype), "shape": list(t.shape), "values": flat(t), "str": str(t)}


INT_A = [-7, -7, 7, 7, 0, 9, -9, 1, I64_MAX, I64_MIN + 1]
INT_B = [2, -2, 2, -2, 1, 4, 4, -1, 3, 7]
FLOAT_A = [-7.0, -7.0, 7.0, 7.0, 0.0, -0.0, 5.0, -0.5, 0.5, 3.5, -3.5, math.inf, 1.0, -1.0, 1e30, 5.5, 0.0]
FLOAT_B = [2.0, -2.0, 2.0, -2.0, 1.0, 2.0, 0.1, 2.0, -2.0, 0.0, 0.0, 2.0, math.inf, math.inf, 0.3, -0.0, 0.0]


def lua_list(xs):
    return "{" + ", ".join(lua_value(x) if not (isinstance(x, float) and math.isinf(x)) else
                           ("math.huge" if x > 0 else "-math.huge") for x in xs) + "}"


def lua_int_list(xs):
    # math.mininteger + 1 and friends are written as integer expressions
    out = []
    for x in xs:
        if x == I64_MAX:
            out.append("math.maxinteger")
        elif x == I64_MIN + 1:
            out.append("math.mininteger + 1")
        elif x == I64_MIN:
            out.append("math.mininteger")
        else:
            out.append(str(x))
    return "{" + ", ".join(out) + "}"


cases = []
ia, ib = torch.tensor(INT_A), torch.tensor(INT_B)
fa64, fb64 = torch.tensor(FLOAT_A, dtype=torch.float64), torch.tensor(FLOAT_B, dtype=torch.float64)
fa32, fb32 = fa64.float(), fb64.float()
la, lb = lua_int_list(INT_A), lua_int_list(INT_B)
lfa, lfb = lua_list(FLOAT_A), lua_list(FLOAT_B)
for mode in ("floor", "trunc"):
    opt = '{rounding_mode = "%s"}' % mode
    cases.append(case("torch.div(torch.tensor(%s), torch.tensor(%s), %s)" % (la, lb, opt),
                      torch.div(ia, ib, rounding_mode=mode)))
    cases.append(case("torch.div(torch.tensor(%s), 3, %s)" % (la, opt), torch.div(ia, 3, rounding_mode=mode)))
    cases.append(case("torch.div(torch.tensor(%s), 2.5, %s)" % (la, opt), torch.div(ia, 2.5, rounding_mode=mode)))
    cases.append(case("torch.div(torch.tensor(%s, {dtype = torch.int32}), torch.tensor({2, -2, 2, -2, 1, 4, 4, -1}, "
                      "{dtype = torch.int32}), %s)" % (lua_int_list(INT_A[:8]), opt),
                      torch.div(torch.tensor(INT_A[:8], dtype=torch.int32),
                                torch.tensor([2, -2, 2, -2, 1, 4, 4, -1], dtype=torch.int32), rounding_mode=mode)))
    cases.append(case("torch.div(torch.tensor({5, 250, 7}, {dtype = torch.uint8}), 2, %s)" % opt,
                      torch.div(torch.tensor([5, 250, 7], dtype=torch.uint8), 2, rounding_mode=mode)))
    cases.append(case("torch.div(torch.tensor(%s, {dtype = torch.float64}), torch.tensor(%s, {dtype = torch.float64}), "
                      "%s)" % (lfa, lfb, opt), torch.div(fa64, fb64, rounding_mode=mode)))
    cases.append(case("torch.div(torch.tensor(%s), torch.tensor(%s), %s)" % (lfa, lfb, opt),
                      torch.div(fa32, fb32, rounding_mode=mode)))
    cases.append(case("torch.tensor(%s):div(0.3, %s)" % (lfa, opt), fa32.div(0.3, rounding_mode=mode)))
cases.append(case("torch.floor_divide(torch.tensor(%s), torch.tensor(%s))" % (la, lb), torch.floor_divide(ia, ib)))

# reductions with dtype=
# (values whose float32 sums are exact: this checks dtype=, not summation order)
x32 = torch.tensor([[0.5, 0.25, 1.5], [3.0, -1.0, 2.0]], dtype=torch.float32)
xi = torch.tensor([[1, 2, 3], [4, 5, 6]])
lx32 = "torch.tensor({{0.5, 0.25, 1.5}, {3.0, -1.0, 2.0}})"
lxi = "torch.tensor({{1, 2, 3}, {4, 5, 6}})"
for name in ("sum", "mean", "prod"):
    for dt, ldt in ((torch.float64, "torch.float64"), (torch.float32, "torch.float32")):
        cases.append(case("%s:%s({dtype = %s})" % (lx32, name, ldt), getattr(x32, name)(dtype=dt)))
        cases.append(case("%s:%s({dtype = %s})" % (lxi, name, ldt), getattr(xi, name)(dtype=dt)))
        cases.append(case("%s:%s(2, {dtype = %s})" % (lx32, name, ldt), getattr(x32, name)(1, dtype=dt)))
        cases.append(case("%s:%s(1, true, {dtype = %s})" % (lxi, name, ldt), getattr(xi, name)(0, True, dtype=dt)))
cases.append(case("torch.tensor({1.5, 2.5, -0.5}):sum({dtype = torch.int64})",
                  torch.tensor([1.5, 2.5, -0.5]).sum(dtype=torch.int64)))
cases.append(case("torch.tensor({true, true, false}):sum({dtype = torch.float32})",
                  torch.tensor([True, True, False]).sum(dtype=torch.float32)))
cases.append(case("torch.sum(%s, {dim = 2, keepdim = true, dtype = torch.float64})" % lxi,
                  torch.sum(xi, dim=1, keepdim=True, dtype=torch.float64)))

# integer powers, exact and wrapping
cases.append(case("torch.tensor({3, 2, -3, 7, 1, -1}):pow(torch.tensor({39, 64, 3, 0, -5, -3}))",
                  torch.tensor([3, 2, -3, 7, 1, -1]).pow(torch.tensor([39, 64, 3, 0, -5, -3]))))
cases.append(case("torch.tensor({3, -2, 10}):pow(39)", torch.tensor([3, -2, 10]).pow(39)))
cases.append(case("torch.tensor({3, 5}, {dtype = torch.int32}):pow(21)",
                  torch.tensor([3, 5], dtype=torch.int32).pow(21)))
cases.append(case("torch.tensor({3, 2}, {dtype = torch.uint8}):pow(torch.tensor({6, 9}, {dtype = torch.uint8}))",
                  torch.tensor([3, 2], dtype=torch.uint8).pow(torch.tensor([6, 9], dtype=torch.uint8))))
cases.append(case("torch.tensor({2, 3}):pow(0.5)", torch.tensor([2, 3]).pow(0.5)))

# int64 beyond 2^53: creation, printing, arithmetic that wraps
big = [I64_MAX, 9007199254740993, I64_MIN, -9007199254740993, 2**62 + 1]
lbig = "{math.maxinteger, 9007199254740993, math.mininteger, -9007199254740993, 4611686018427387905}"
tb = torch.tensor(big)
cases.append(case("torch.tensor(%s)" % lbig, tb))
cases.append(case("torch.tensor({{math.maxinteger}, {5}})", torch.tensor([[I64_MAX], [5]])))
cases.append(case("torch.tensor(%s) + 1" % lbig, tb + 1))
cases.append(case("torch.tensor(%s) - 1" % lbig, tb - 1))
cases.append(case("torch.tensor(%s) * 3" % lbig, tb * 3))
cases.append(case("torch.tensor(%s) + 9007199254740993" % lbig, tb + 9007199254740993))
cases.append(case("torch.full({2}, 9007199254740993)", torch.full((2,), 9007199254740993)))
cases.append(case("torch.zeros(3, {dtype = torch.int64}):fill_(math.maxinteger)",
                  torch.zeros(3, dtype=torch.int64).fill_(I64_MAX)))
cases.append(case("torch.tensor(%s, {dtype = torch.float64})" % lbig, torch.tensor(big, dtype=torch.float64)))
cases.append(case("torch.tensor({16777217, 9007199254740993}, {dtype = torch.float32})",
                  torch.tensor([16777217, 9007199254740993], dtype=torch.float32)))
cases.append(case("torch.tensor(%s):sum()" % lbig, tb.sum()))
cases.append(case("torch.tensor(%s):max()" % lbig, tb.max()))
cases.append(case("torch.tensor(%s):neg()" % lbig, tb.neg()))
cases.append(case("torch.tensor(%s):abs()" % lbig, tb.abs()))

with open(sys.argv[1], "w") as out:
    out.write("return {\n")
    for c in cases:
        out.write("  {lua = %s, dtype = %s, shape = %s, values = %s, str = %s},\n" % (
            lua_value(c["lua"]), lua_value(c["dtype"]), lua_value(c["shape"]), lua_value(c["values"]),
            lua_value(c["str"])))
    out.write("}\n")
