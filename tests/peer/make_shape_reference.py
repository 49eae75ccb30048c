#!/usr/bin/env python3
"""Reference for tests/peer/test_shape_parity.lua: the indexing, masking and
shape ops of issue 22 in real PyTorch 1.13 (flip, roll, repeat/tile,
tril/triu, diagonal, diag, trace, masked_fill(_), masked_select, nonzero,
where(cond), chunk/split/tensor_split, addmm, baddbmm, einsum, meshgrid,
cartesian_prod, outer, repeat_interleave).

Each case is one line here: its name, the ember (Lua) expression, the PyTorch
function and its inputs. Inputs are fixed values (no random numbers), written
into the reference with the results, so both sides start from the same bits.
For each case we record every output (values, size, dtype, grad_fn name) and,
when an input requires grad, its gradient after backward of
sum_k (out_k * w_k).sum() with fixed weights w_k; a case marked as an error
must fail in both. In Lua the inputs are a, b, c and the masks m; dims and
positions there are 1-based. Writes a Lua data file (argv[1]).
Run with /usr/bin/python3.
"""
import math
import sys

import torch

from peerlib import write_records

F32, F64 = torch.float32, torch.float64


def fl(*shape, k=0, dtype=F32):
    """Float input that requires grad: fixed, varied values."""
    n = math.prod(shape)
    vals = [round(math.sin(1.3 * i + 0.7 * k) * 2, 4) for i in range(n)]
    return torch.tensor(vals, dtype=dtype).reshape(shape).requires_grad_()


def mask(*shape, k=0):
    n = math.prod(shape)
    return torch.tensor([(i * 7 + k) % 3 == 0 for i in range(n)]).reshape(shape)


def ints(values, shape=None):
    t = torch.tensor(values, dtype=torch.int64)
    return t.reshape(shape) if shape else t


def scalar(v):
    return torch.tensor(v).requires_grad_()


# (name, Lua expression over a, b, c, m, PyTorch function, inputs [, "error"])
CASES = [
    ("flip/dim", "a:flip(1)", lambda a: a.flip(0), [fl(2, 3, 4)]),
    ("flip/dims", "a:flip({1, 3})", lambda a: a.flip([0, 2]), [fl(2, 3, 4)]),
    ("flip/int", "a:flip(-1)", lambda a: a.flip(-1), [ints([1, 2, 3, 4, 5, 6], (2, 3))]),
    ("roll/flat", "a:roll(2)", lambda a: a.roll(2), [fl(3, 4)]),
    ("roll/dim", "a:roll(-1, 2)", lambda a: a.roll(-1, 1), [fl(3, 4)]),
    ("roll/dims", "a:roll({1, 5}, {1, 2})", lambda a: a.roll((1, 5), (0, 1)), [fl(3, 4)]),
    ("repeat", 'a["repeat"](a, 2, 1, 3)', lambda a: a.repeat(2, 1, 3), [fl(2, 3)]),
    ("repeat/zero", 'a["repeat"](a, 0, 2)', lambda a: a.repeat(0, 2), [fl(2, 3)]),
    ("tile", "a:tile(2)", lambda a: torch.tile(a, (2,)), [fl(2, 3)]),
    ("tile/more", "torch.tile(a, {2, 1, 2})", lambda a: torch.tile(a, (2, 1, 2)), [fl(2, 3)]),
    ("tril", "a:tril()", lambda a: a.tril(), [fl(2, 3, 4)]),
    ("tril/k", "a:tril(1)", lambda a: a.tril(1), [fl(3, 4)]),
    ("triu/neg", "torch.triu(a, -1)", lambda a: torch.triu(a, -1), [fl(4, 3)]),
    ("triu/int", "a:triu({diagonal = 1})", lambda a: a.triu(diagonal=1), [ints(list(range(9)), (3, 3))]),
    ("diagonal", "a:diagonal()", lambda a: a.diagonal(), [fl(3, 4)]),
    ("diagonal/dims", "a:diagonal(1, 2, 3)", lambda a: a.diagonal(1, 1, 2), [fl(2, 3, 4)]),
    ("diagonal/neg", "a:diagonal(-1, 1, 3)", lambda a: a.diagonal(-1, 0, 2), [fl(3, 2, 4)]),
    ("diag/vector", "a:diag()", lambda a: a.diag(), [fl(3)]),
    ("diag/vector_k", "a:diag(-2)", lambda a: a.diag(-2), [fl(3)]),
    ("diag/matrix", "torch.diag(a, 1)", lambda a: torch.diag(a, 1), [fl(3, 4)]),
    ("trace", "a:trace()", lambda a: a.trace(), [fl(3, 4)]),
    ("trace/int", "a:trace()", lambda a: a.trace(), [ints(list(range(6)), (3, 2))]),
    ("masked_fill/number", "a:masked_fill(m, 2.5)", lambda a, m: a.masked_fill(m, 2.5), [fl(3, 4), mask(4)]),
    ("masked_fill/tensor", "a:masked_fill(m, b)", lambda a, m, b: a.masked_fill(m, b),
     [fl(3, 4), mask(3, 1), scalar(1.5)]),
    ("masked_fill/beyond", "a:masked_fill(m, -1)", lambda a, m: a.masked_fill(m, -1), [fl(3, 4), mask(2, 3, 4)]),
    ("masked_fill/int", "a:masked_fill(m, 7)", lambda a, m: a.masked_fill(m, 7), [ints([1, 2, 3, 4]), mask(4)]),
    ("masked_fill_", "(a * 1):masked_fill_(m, 3)", lambda a, m: (a * 1).masked_fill_(m, 3), [fl(3, 4), mask(4, k=1)]),
    ("masked_select", "a:masked_select(m)", lambda a, m: a.masked_select(m), [fl(3, 4), mask(3, 4)]),
    ("masked_select/broadcast", "a:masked_select(m)", lambda a, m: a.masked_select(m), [fl(4), mask(2, 4, k=1)]),
    ("nonzero", "a:nonzero()", lambda a: a.nonzero(), [ints([0, 3, 0, 1, 2, 0], (2, 3))]),
    ("nonzero/bool", "torch.nonzero(m)", lambda m: torch.nonzero(m), [mask(2, 3, 2)]),
    ("nonzero/tuple", "m:nonzero({as_tuple = true})", lambda m: m.nonzero(as_tuple=True), [mask(3, 4)]),
    ("where/cond", "torch.where(m)", lambda m: torch.where(m), [mask(2, 5, k=2)]),
    ("nonzero/float", "a:nonzero()", lambda a: a.nonzero(), [torch.tensor([0.0, 1.5, -0.0, 2.0])]),
    ("chunk", "a:chunk(3)", lambda a: a.chunk(3), [fl(7, 2)]),
    ("chunk/dim", "a:chunk(2, 2)", lambda a: a.chunk(2, 1), [fl(2, 5)]),
    ("split", "a:split(2)", lambda a: a.split(2), [fl(5, 2)]),
    ("split/sizes", "a:split({1, 3}, 2)", lambda a: a.split([1, 3], 1), [fl(2, 4)]),
    ("split/option", "torch.split(a, 3, {dim = -1})", lambda a: torch.split(a, 3, dim=-1), [fl(2, 4)]),
    ("tensor_split/sections", "a:tensor_split(3)", lambda a: a.tensor_split(3), [fl(7)]),
    ("tensor_split/indices", "a:tensor_split({1, 3}, 2)", lambda a: a.tensor_split([1, 3], 1), [fl(2, 5)]),
    ("tensor_split/unsorted", "a:tensor_split({4, 1})", lambda a: a.tensor_split([4, 1]), [fl(6)]),
    ("addmm", "torch.addmm(a, b, c)", torch.addmm, [fl(3, k=1), fl(2, 4), fl(4, 3, k=2)]),
    ("addmm/beta_alpha", "a:addmm(b, c, {beta = 0.5, alpha = -2})",
     lambda a, b, c: a.addmm(b, c, beta=0.5, alpha=-2), [fl(2, 3, k=1), fl(2, 4), fl(4, 3, k=2)]),
    ("addmm/beta0", "torch.addmm(a, b, c, {beta = 0})", lambda a, b, c: torch.addmm(a, b, c, beta=0),
     [fl(2, 1, k=1), fl(2, 4), fl(4, 3, k=2)]),
    ("baddbmm", "torch.baddbmm(a, b, c, {alpha = 3})", lambda a, b, c: torch.baddbmm(a, b, c, alpha=3),
     [fl(2, 1, 3, k=1), fl(2, 2, 4), fl(2, 4, 3, k=2)]),
    ("bmm", "a:bmm(b)", lambda a, b: a.bmm(b), [fl(2, 2, 4), fl(2, 4, 3, k=2)]),
    ("outer", "torch.outer(a, b)", torch.outer, [fl(3), fl(4, k=1)]),
    ("outer/method", "a:outer(b)", lambda a, b: a.outer(b), [fl(2), fl(2, k=1)]),
    ("einsum/matmul", 'torch.einsum("ij,jk->ik", a, b)', lambda a, b: torch.einsum("ij,jk->ik", a, b),
     [fl(2, 3), fl(3, 4, k=1)]),
    ("einsum/batched", 'torch.einsum("bij,bjk->bik", a, b)', lambda a, b: torch.einsum("bij,bjk->bik", a, b),
     [fl(2, 2, 3), fl(2, 3, 4, k=1)]),
    ("einsum/outer", 'torch.einsum("i,j->ij", a, b)', lambda a, b: torch.einsum("i,j->ij", a, b),
     [fl(3), fl(4, k=1)]),
    ("einsum/dot", 'torch.einsum("i,i->", a, b)', lambda a, b: torch.einsum("i,i->", a, b), [fl(5), fl(5, k=1)]),
    ("einsum/transpose", 'torch.einsum("ij->ji", a)', lambda a: torch.einsum("ij->ji", a), [fl(2, 3)]),
    ("einsum/trace", 'torch.einsum("ii->", a)', lambda a: torch.einsum("ii->", a), [fl(3, 3)]),
    ("einsum/diagonal", 'torch.einsum("ii->i", a)', lambda a: torch.einsum("ii->i", a), [fl(3, 3)]),
    ("einsum/sum", 'torch.einsum("ij->", a)', lambda a: torch.einsum("ij->", a), [fl(2, 3)]),
    ("einsum/rowsum", 'torch.einsum("ij->i", a)', lambda a: torch.einsum("ij->i", a), [fl(2, 3)]),
    ("einsum/elementwise", 'torch.einsum("ij,ij->ij", a, b)', lambda a, b: torch.einsum("ij,ij->ij", a, b),
     [fl(2, 3), fl(2, 3, k=1)]),
    ("einsum/implicit", 'torch.einsum("ij,jk", a, b)', lambda a, b: torch.einsum("ij,jk", a, b),
     [fl(2, 3), fl(3, 4, k=1)]),
    ("einsum/implicit_transpose", 'torch.einsum("ba", a)', lambda a: torch.einsum("ba", a), [fl(2, 3)]),
    ("einsum/bilinear", 'torch.einsum("bi,oij,bj->bo", a, b, c)',
     lambda a, b, c: torch.einsum("bi,oij,bj->bo", a, b, c), [fl(2, 3), fl(4, 3, 5, k=1), fl(2, 5, k=2)]),
    ("einsum/list", 'torch.einsum("ij,kj->ki", {a, b})', lambda a, b: torch.einsum("ij,kj->ki", [a, b]),
     [fl(2, 3), fl(4, 3, k=1)]),
    ("einsum/sum_one_operand", 'torch.einsum("ij,k->jk", a, b)', lambda a, b: torch.einsum("ij,k->jk", a, b),
     [fl(2, 3), fl(4, k=1)]),
    ("meshgrid/ij", "torch.meshgrid(a, b, {indexing = 'ij'})", lambda a, b: torch.meshgrid(a, b, indexing="ij"),
     [fl(3), fl(2, k=1)]),
    ("meshgrid/xy", "torch.meshgrid({a, b, c}, {indexing = 'xy'})",
     lambda a, b, c: torch.meshgrid([a, b, c], indexing="xy"), [fl(3), fl(2, k=1), fl(4, k=2)]),
    ("meshgrid/default", "torch.meshgrid(a, b)", lambda a, b: torch.meshgrid(a, b, indexing="ij"),
     [ints([1, 2]), ints([3, 4, 5])]),
    ("cartesian_prod", "torch.cartesian_prod(a, b, c)", torch.cartesian_prod, [fl(2), fl(3, k=1), fl(2, k=2)]),
    ("cartesian_prod/one", "torch.cartesian_prod(a)", torch.cartesian_prod, [ints([4, 5])]),
    ("repeat_interleave/int", "a:repeat_interleave(2)", lambda a: a.repeat_interleave(2), [fl(2, 3)]),
    ("repeat_interleave/dim", "a:repeat_interleave(3, 2)", lambda a: a.repeat_interleave(3, 1), [fl(2, 3)]),
    ("repeat_interleave/tensor", "torch.repeat_interleave(a, b, 1)",
     lambda a, b: torch.repeat_interleave(a, b, 0), [fl(3, 2), ints([2, 0, 1])]),
    ("repeat_interleave/positions", "torch.repeat_interleave(a)", lambda a: torch.repeat_interleave(a),
     [ints([1, 0, 3])]),
    # errors: both must fail
    ("error/repeat_fewer", 'a["repeat"](a, 2)', lambda a: a.repeat(2), [fl(2, 3)], "error"),
    ("error/chunk0", "a:chunk(0)", lambda a: a.chunk(0), [fl(2, 3)], "error"),
    ("error/roll_align", "a:roll({1, 2}, 1)", lambda a: a.roll((1, 2), 0), [fl(2, 3)], "error"),
    ("error/einsum_size", 'torch.einsum("ij,jk->ik", a, b)', lambda a, b: torch.einsum("ij,jk->ik", a, b),
     [fl(2, 3), fl(2, 3)], "error"),
    ("error/trace3d", "a:trace()", lambda a: a.trace(), [fl(2, 2, 2)], "error"),
    ("error/masked_fill_beyond", "a:detach():masked_fill_(m, 1)", lambda a, m: a.detach().masked_fill_(m, 1),
     [fl(3), mask(2, 3)], "error"),
    ("error/split_sum", "a:split({1, 1})", lambda a: a.split([1, 1]), [fl(3)], "error"),
    ("error/addmm_shapes", "torch.addmm(a, b, b)", lambda a, b: torch.addmm(a, b, b), [fl(2, 3), fl(2, 3)],
     "error"),
]

DTYPES = {F32: "float32", F64: "float64", torch.int64: "int64", torch.bool: "bool"}


def describe(t):
    return {"values": t.detach().reshape(-1).tolist(), "shape": list(t.shape), "dtype": DTYPES[t.dtype]}


def weight(t, k):
    return torch.tensor([round(math.cos(0.9 * i + k), 4) for i in range(t.numel())], dtype=t.dtype).reshape(t.shape)


def run(case):
    name, lua, fn, inputs = case[:4]
    error = len(case) > 4
    rec = {"name": name, "lua": lua, "inputs": [dict(describe(t), grad=t.requires_grad) for t in inputs]}
    args = [t.detach().clone().requires_grad_(t.requires_grad) for t in inputs]
    try:
        out = fn(*args)
    except (RuntimeError, IndexError, ValueError) as e:
        assert error, "%s failed in PyTorch: %s" % (name, e)
        rec["error"] = str(e).split("\n")[0]
        return rec
    assert not error, "%s should fail" % name
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    rec["tuple"] = isinstance(out, (tuple, list))
    rec["outputs"] = [dict(describe(o), grad_fn=o.grad_fn.name() if o.grad_fn else "") for o in outs]
    weights = [weight(o, k) if o.dtype.is_floating_point else None for k, o in enumerate(outs)]
    rec["weights"] = [w.reshape(-1).tolist() if w is not None else {} for w in weights]
    loss = sum((o * w).sum() for o, w in zip(outs, weights) if w is not None and o.requires_grad)
    if torch.is_tensor(loss):
        loss.backward()
    rec["grads"] = [a.grad.reshape(-1).tolist() if a.grad is not None else False for a in args]
    return rec


write_records(sys.argv[1], "make_shape_reference.py", [run(c) for c in CASES])
