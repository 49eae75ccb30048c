"""Generates tests/lua/print_cases.lua: golden strings for tensor printing.

Each case pairs an ember Lua expression with the equivalent PyTorch expression;
this script evaluates the PyTorch one and records repr() as the expected string.
Run once with PyTorch 1.13 (/usr/bin/python3 tests/peer/make_print_reference.py);
the output is committed. Not a test itself: tests/lua/test_print.lua compares.
"""

import os

import torch

# (ember Lua expression, PyTorch expression, print options or None)
# Lua literals must be floats (1.0, not 1) where PyTorch's are floats.
CASES = [
    # plain floats
    ("torch.tensor({1.12345})", "torch.tensor([1.12345])", None),
    ("torch.tensor({-1.5, 2.25})", "torch.tensor([-1.5, 2.25])", None),
    ("torch.tensor({{0.5, -0.25, 3.125}, {10.75, 2.0, -7.5}})",
     "torch.tensor([[0.5, -0.25, 3.125], [10.75, 2.0, -7.5]])", None),
    ("torch.tensor({123456.789})", "torch.tensor([123456.789])", None),
    ("torch.tensor({0.1, 0.2, 0.3})", "torch.tensor([0.1, 0.2, 0.3])", None),
    ("torch.tensor({1e-4})", "torch.tensor([1e-4])", None),
    # integer-valued floats ("1." style)
    ("torch.tensor({1.0, 2.0, 3.0})", "torch.tensor([1.0, 2.0, 3.0])", None),
    ("torch.zeros(2, 3)", "torch.zeros(2, 3)", None),
    ("torch.tensor({-3.0, 100.0, 7.0})", "torch.tensor([-3.0, 100.0, 7.0])", None),
    ("torch.arange(12):reshape(3, 4):float()",
     "torch.arange(12).reshape(3, 4).float()", None),
    # scientific mode
    ("torch.tensor({1e-5, 1.0})", "torch.tensor([1e-5, 1.0])", None),
    ("torch.tensor({1.0, 5000.0})", "torch.tensor([1.0, 5000.0])", None),
    ("torch.tensor({1.0, 1e9})", "torch.tensor([1.0, 1e9])", None),
    ("torch.tensor({2.5e10, -3.25})", "torch.tensor([2.5e10, -3.25])", None),
    ("torch.tensor({{1e-8, 2.5}, {-3e-3, 4e2}})",
     "torch.tensor([[1e-8, 2.5], [-3e-3, 4e2]])", None),
    ("torch.tensor({1.5e12, 2.0})", "torch.tensor([1.5e12, 2.0])", None),
    # inf, nan, negative zero
    ("torch.tensor({1.5, math.huge, 0/0, -math.huge})",
     "torch.tensor([1.5, float('inf'), float('nan'), float('-inf')])", None),
    ("torch.tensor({1.0, math.huge, 0/0})",
     "torch.tensor([1.0, float('inf'), float('nan')])", None),
    ("torch.tensor({0/0, 0/0})", "torch.tensor([float('nan'), float('nan')])", None),
    ("torch.tensor({0.0, -math.huge})", "torch.tensor([0.0, float('-inf')])", None),
    ("torch.tensor({-0.0, 0.0, 1.5})", "torch.tensor([-0.0, 0.0, 1.5])", None),
    ("torch.tensor({-0.0, 1.0})", "torch.tensor([-0.0, 1.0])", None),
    ("torch.tensor({1e-5, math.huge, -2.0})",
     "torch.tensor([1e-5, float('inf'), -2.0])", None),
    # integers, bools, other dtypes
    ("torch.tensor({1, 2, 3})", "torch.tensor([1, 2, 3])", None),
    ("torch.tensor({-100, 5, 12345})", "torch.tensor([-100, 5, 12345])", None),
    ("torch.tensor({1, 2}, {dtype = torch.int32})",
     "torch.tensor([1, 2], dtype=torch.int32)", None),
    ("torch.tensor({{1, -2}, {30, 4}}, {dtype = torch.int32})",
     "torch.tensor([[1, -2], [30, 4]], dtype=torch.int32)", None),
    ("torch.tensor({1, 2, 255}, {dtype = torch.uint8})",
     "torch.tensor([1, 2, 255], dtype=torch.uint8)", None),
    ("torch.tensor({true, false})", "torch.tensor([True, False])", None),
    ("torch.tensor({{true, true}, {false, true}})",
     "torch.tensor([[True, True], [False, True]])", None),
    ("torch.tensor({1.5, 2.5}, {dtype = torch.float64})",
     "torch.tensor([1.5, 2.5], dtype=torch.float64)", None),
    ("torch.tensor({1.0, 2.0}, {dtype = torch.float64})",
     "torch.tensor([1.0, 2.0], dtype=torch.float64)", None),
    ("torch.tensor({1e-20, 1e200}, {dtype = torch.float64})",
     "torch.tensor([1e-20, 1e200], dtype=torch.float64)", None),
    ("torch.arange(6):gt(2)", "torch.arange(6).gt(2)", None),
    # 0-dim
    ("torch.tensor(3.5)", "torch.tensor(3.5)", None),
    ("torch.tensor(2.0)", "torch.tensor(2.0)", None),
    ("torch.tensor(3)", "torch.tensor(3)", None),
    ("torch.tensor(true)", "torch.tensor(True)", None),
    ("torch.tensor(7, {dtype = torch.int32})", "torch.tensor(7, dtype=torch.int32)", None),
    ("torch.tensor(0/0)", "torch.tensor(float('nan'))", None),
    ("torch.tensor(1e-7)", "torch.tensor(1e-7)", None),
    # empty
    ("torch.tensor({})", "torch.tensor([])", None),
    ("torch.zeros(0, 3)", "torch.zeros(0, 3)", None),
    ("torch.zeros(2, 0, 3)", "torch.zeros(2, 0, 3)", None),
    ("torch.zeros(0, {dtype = torch.int64})", "torch.zeros(0, dtype=torch.int64)", None),
    ("torch.zeros(0, {dtype = torch.bool})", "torch.zeros(0, dtype=torch.bool)", None),
    ("torch.zeros(0, 2, {dtype = torch.int32})", "torch.zeros(0, 2, dtype=torch.int32)", None),
    # 3-D and 4-D
    ("torch.arange(24):reshape(2, 3, 4)", "torch.arange(24).reshape(2, 3, 4)", None),
    ("torch.arange(8):reshape(2, 2, 2):float() / 3",
     "torch.arange(8).reshape(2, 2, 2).float() / 3", None),
    ("torch.arange(16):reshape(2, 2, 2, 2)", "torch.arange(16).reshape(2, 2, 2, 2)", None),
    # line wrapping
    ("torch.arange(30):float() / 7", "torch.arange(30).float() / 7", None),
    ("torch.arange(40)", "torch.arange(40)", None),
    ("torch.arange(20):reshape(2, 10):float() * 1.5",
     "torch.arange(20).reshape(2, 10).float() * 1.5", None),
    # summarised
    ("torch.arange(2000)", "torch.arange(2000)", None),
    ("torch.arange(2000):float() / 3", "torch.arange(2000).float() / 3", None),
    ("torch.arange(2500):reshape(50, 50)", "torch.arange(2500).reshape(50, 50)", None),
    ("torch.arange(2500):reshape(50, 50):float() / 7",
     "torch.arange(2500).reshape(50, 50).float() / 7", None),
    ("torch.arange(2000):reshape(2, 1000)", "torch.arange(2000).reshape(2, 1000)", None),
    ("torch.arange(2000):reshape(1000, 2)", "torch.arange(2000).reshape(1000, 2)", None),
    ("torch.arange(8000):reshape(20, 20, 20)", "torch.arange(8000).reshape(20, 20, 20)", None),
    ("torch.arange(1001):gt(500)", "torch.arange(1001).gt(500)", None),
    # the formatter sees only the shown edges: fixed point here, though the hidden middle is tiny
    ("(torch.arange(2000):float() - 999.5):pow(2)",
     "(torch.arange(2000).float() - 999.5).pow(2)", None),
    # autograd suffixes
    ("torch.tensor({1.0, 2.0}, {requires_grad = true})",
     "torch.tensor([1.0, 2.0], requires_grad=True)", None),
    ("torch.tensor({1.0, 2.0}, {dtype = torch.float64, requires_grad = true})",
     "torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)", None),
    ("torch.tensor({1.0, 2.0}, {requires_grad = true}) + 1",
     "torch.tensor([1.0, 2.0], requires_grad=True) + 1", None),
    ("torch.tensor({1.0, 2.0}, {requires_grad = true}) * 2",
     "torch.tensor([1.0, 2.0], requires_grad=True) * 2", None),
    ("torch.tensor({1.0, 2.0, 3.0}, {requires_grad = true}):sum()",
     "torch.tensor([1.0, 2.0, 3.0], requires_grad=True).sum()", None),
    ("(torch.arange(9):float() / 7):requires_grad_(true)",
     "(torch.arange(9).float() / 7).requires_grad_(True)", None),
    ("(torch.arange(8):double() / 7):requires_grad_(true)",
     "(torch.arange(8).double() / 7).requires_grad_(True)", None),
    ("torch.zeros(0, 3, {requires_grad = true})", "torch.zeros(0, 3, requires_grad=True)", None),
    # print options
    ("torch.tensor({1.12345, 2.5})", "torch.tensor([1.12345, 2.5])", {"precision": 2}),
    ("torch.tensor({1.12345, 2.5})", "torch.tensor([1.12345, 2.5])", {"precision": 6}),
    ("torch.tensor({1e-5, 1.0})", "torch.tensor([1e-5, 1.0])", {"sci_mode": False}),
    ("torch.tensor({1.5, 2.0})", "torch.tensor([1.5, 2.0])", {"sci_mode": True}),
    ("torch.tensor({1.0, 2.0})", "torch.tensor([1.0, 2.0])", {"sci_mode": True}),
    ("torch.arange(10)", "torch.arange(10)", {"threshold": 5}),
    ("torch.arange(2000)", "torch.arange(2000)", {"edgeitems": 2}),
    ("torch.arange(30):float() / 7", "torch.arange(30).float() / 7", {"linewidth": 40}),
    ("torch.arange(2000)", "torch.arange(2000)", {"profile": "short"}),
    ("torch.arange(1001)", "torch.arange(1001)", {"profile": "full", "linewidth": 240}),
    ("torch.arange(25):reshape(5, 5)", "torch.arange(25).reshape(5, 5)", {"threshold": 20}),
]


def lua_string(s):
    """A Lua long-bracket-free literal: double quotes with escapes."""
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + out + '"'


def lua_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return lua_string(v)
    return repr(v)


def lua_opts(opts):
    items = ", ".join("%s = %s" % (k, lua_value(v)) for k, v in opts.items())
    return "{" + items + "}"


def main():
    lines = [
        "-- Generated by tests/peer/make_print_reference.py from PyTorch %s; do not edit."
        % torch.__version__,
        "-- Each case: an ember expression, optional print options, and PyTorch's repr.",
        "return {",
    ]
    for lua_expr, py_expr, opts in CASES:
        torch.set_printoptions(profile="default")
        if opts:
            torch.set_printoptions(**opts)
        expected = repr(eval(py_expr))
        torch.set_printoptions(profile="default")
        fields = ["construct = " + lua_string(lua_expr)]
        if opts:
            fields.append("opts = " + lua_opts(opts))
        fields.append("expected = " + lua_string(expected))
        lines.append("  {" + ",\n   ".join(fields) + "},")
    lines.append("}")
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "lua", "print_cases.lua")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d cases to %s" % (len(CASES), os.path.normpath(path)))


if __name__ == "__main__":
    main()
