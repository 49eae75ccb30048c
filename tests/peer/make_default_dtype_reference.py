#!/usr/bin/env python3
"""Reference for tests/peer/test_default_dtype_parity.lua: the dtype that
each way of making a tensor gives in real PyTorch 1.13 after
torch.set_default_dtype(torch.float64), and after setting float32 back
(creation functions, integer operands with a float result, layer
parameters, an optimizer's step counter), and which dtypes
set_default_dtype refuses.

Each case is one line here: its name, the ember (Lua) expression and the
PyTorch one; the Lua side evaluates its expression under the same default.
Writes a Lua data file (argv[1]). Run with /usr/bin/python3.
"""
import sys

import torch
import torch.nn as nn

from peerlib import lua_value


def adam_step_dtype():
    w = nn.Parameter(torch.ones(2))
    opt = torch.optim.Adam([w], lr=0.1)
    w.grad = torch.ones(2)
    opt.step()
    return opt.state[w]["step"].dtype


I = torch.tensor([1, 2])   # an int64 tensor

CASES = [
    ("tensor of a float", "torch.tensor(1.5)", lambda: torch.tensor(1.5)),
    ("tensor of floats", "torch.tensor({1.5, 2})", lambda: torch.tensor([1.5, 2])),
    ("tensor of nothing", "torch.tensor({})", lambda: torch.tensor([])),
    ("tensor of integers", "torch.tensor({1, 2})", lambda: torch.tensor([1, 2])),
    ("tensor of booleans", "torch.tensor({true})", lambda: torch.tensor([True])),
    ("zeros", "torch.zeros(2)", lambda: torch.zeros(2)),
    ("ones", "torch.ones(2, 3)", lambda: torch.ones(2, 3)),
    ("empty", "torch.empty(2)", lambda: torch.empty(2)),
    ("rand", "torch.rand(2)", lambda: torch.rand(2)),
    ("randn", "torch.randn(2)", lambda: torch.randn(2)),
    ("full of a float", "torch.full({2}, 1.5)", lambda: torch.full((2,), 1.5)),
    ("full of an integer", "torch.full({2}, 3)", lambda: torch.full((2,), 3)),
    ("full of a boolean", "torch.full({2}, true)", lambda: torch.full((2,), True)),
    ("arange of integers", "torch.arange(3)", lambda: torch.arange(3)),
    ("arange with a float step", "torch.arange(0, 1, 0.25)", lambda: torch.arange(0, 1, 0.25)),
    ("arange of floats", "torch.arange(0.0, 3.0)", lambda: torch.arange(0.0, 3.0)),
    ("linspace", "torch.linspace(0, 1, 5)", lambda: torch.linspace(0, 1, 5)),
    ("logspace", "torch.logspace(0, 1, 5)", lambda: torch.logspace(0, 1, 5)),
    ("eye", "torch.eye(3)", lambda: torch.eye(3)),
    ("normal of numbers", "torch.normal(0, 1, {2})", lambda: torch.normal(0.0, 1.0, (2,))),
    ("zeros_like keeps int64", "torch.zeros_like(I)", lambda: torch.zeros_like(I)),
    ("rand_like of a float32 tensor", "torch.rand_like(torch.zeros(2, {dtype = torch.float32}))",
     lambda: torch.rand_like(torch.zeros(2, dtype=torch.float32))),
    ("randint", "torch.randint(0, 5, {2})", lambda: torch.randint(0, 5, (2,))),
    ("randperm", "torch.randperm(4)", lambda: torch.randperm(4)),
    ("int64 / int64", "I / I", lambda: I / I),
    ("int64 * a float", "I * 2.5", lambda: I * 2.5),
    ("int64 * an integer", "I * 2", lambda: I * 2),
    ("sqrt of int64", "I:sqrt()", lambda: I.sqrt()),
    ("float32 * a float", "torch.zeros(2, {dtype = torch.float32}) * 2.5",
     lambda: torch.zeros(2, dtype=torch.float32) * 2.5),
    ("x:float()", "I:float()", lambda: I.float()),
    ("where of two floats", "torch.where(torch.tensor({true, false}), 1.0, 0.0)",
     lambda: torch.where(torch.tensor([True, False]), 1.0, 0.0)),
    ("clamp of int64 to a float", "torch.clamp(I, 0.5)", lambda: torch.clamp(I, 0.5)),
    ("bool + a float", "torch.tensor({true}) + 1.5", lambda: torch.tensor([True]) + 1.5),
    ("0-dim int64 * a float", "torch.tensor(2) * 1.5", lambda: torch.tensor(2) * 1.5),
    ("nn.Linear weight", "nn.Linear(2, 3).weight", lambda: nn.Linear(2, 3).weight),
    ("nn.Linear bias", "nn.Linear(2, 3).bias", lambda: nn.Linear(2, 3).bias),
    ("nn.Conv2d weight", "nn.Conv2d(1, 2, 3).weight", lambda: nn.Conv2d(1, 2, 3).weight),
    ("nn.BatchNorm1d running_mean", "nn.BatchNorm1d(2).running_mean", lambda: nn.BatchNorm1d(2).running_mean),
    ("nn.BatchNorm1d num_batches_tracked", "nn.BatchNorm1d(2).num_batches_tracked",
     lambda: nn.BatchNorm1d(2).num_batches_tracked),
    ("nn.LayerNorm weight", "nn.LayerNorm(4).weight", lambda: nn.LayerNorm(4).weight),
    ("nn.Embedding weight", "nn.Embedding(5, 2).weight", lambda: nn.Embedding(5, 2).weight),
    ("nn.Conv1d weight", "nn.Conv1d(1, 2, 3).weight", lambda: nn.Conv1d(1, 2, 3).weight),
    ("Adam step", "adam_step_dtype()", adam_step_dtype),
]


def dtype_of(v):
    d = v if isinstance(v, torch.dtype) else v.dtype
    return str(d).replace("torch.", "")


def refused(dtype):
    try:
        torch.set_default_dtype(dtype)
    except TypeError:
        return True
    finally:
        torch.set_default_dtype(torch.float32)
    return False


records = []
for default in (torch.float64, torch.float32):
    torch.set_default_dtype(default)
    for name, lua, fn in CASES:
        records.append({"default": dtype_of(default), "name": name, "lua": lua, "dtype": dtype_of(fn())})
    torch.set_default_dtype(torch.float32)

with open(sys.argv[1], "w") as out:
    out.write("return {\n  cases = {\n")
    for r in records:
        out.write("    %s,\n" % lua_value(r))
    out.write("  },\n")
    out.write("  refused = %s,\n" % lua_value({d: refused(getattr(torch, d)) for d in ("int64", "int32", "uint8",
                                                                                         "bool")}))
    out.write("}\n")
