"""Reference for tests/peer/test_sort_parity.lua: sort, msort, argsort, topk,
kthvalue, median, unique, searchsorted, bucketize, bincount and histc as
PyTorch 1.13 computes them on the CPU: values, dtypes, shapes, and the
indices exactly where PyTorch defines them (stable sort, median, unique,
searchsorted ...), on inputs with ties and NaN; where PyTorch leaves the
order of ties unspecified (see tie_rule) ember's own rule is checked for
validity instead.
For the differentiable ones also the gradient of sum(values * w) and the
grad_fn's name.

Each case: the input x (flat values, shape, dtype), the Lua call (fn, and
positional args after x with ember's 1-based dims, then opts; a
{tensor = ...} arg is a tensor), and what PyTorch returned (out: one entry per result)."""
import math
import sys

import torch

from peerlib import write_records

NAN = float("nan")
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.int32: "int32",
      torch.uint8: "uint8", torch.bool: "bool"}


def flat(t):
    v = t.detach().reshape(-1).tolist()
    return [float(a) if t.dtype.is_floating_point else (int(a) if not isinstance(a, bool) else a) for a in v]


def tensor_rec(t):
    return {"values": flat(t), "shape": list(t.shape), "dtype": DT[t.dtype]}


records = []


def tie_rule(fn, a):
    """Where PyTorch leaves the order of equal values unspecified (sort with
    stable=False, argsort, topk, kthvalue; msort returns values only), which index comes back
    among ties is not compared: ember's rule is its own (position order).
    The test checks the values exactly and that each index points at an
    element equal to the one PyTorch's index points at. Returns the Lua dim
    and keepdim of the indices, or None where the answer is unique."""
    opts = a.get("opts", {})
    if fn in ("sort", "argsort"):
        if opts.get("stable"):
            return None
        return {"dim": a.get(1, opts.get("dim", -1)), "keepdim": True, "permutation": True}
    if fn == "topk":
        # sorted=False: PyTorch's order of the k values is unspecified too
        return {"dim": a.get(2, opts.get("dim", -1)), "keepdim": True, "permutation": False,
                "unordered": opts.get("sorted", True) is False}
    if fn == "kthvalue":
        return {"dim": a.get(2, opts.get("dim", -1)), "keepdim": a.get(3, opts.get("keepdim", False)),
                "permutation": False}
    return None


def case(name, x, lua_fn, lua_args, torch_call, grad=False):
    x = x.clone()
    xg = x.clone().requires_grad_(grad)
    res = torch_call(xg)
    if isinstance(res, torch.Tensor):
        res = (res,)
    n = max([k for k in lua_args if isinstance(k, int)], default=0)
    rec = {"name": name, "fn": lua_fn, "x": tensor_rec(x), "nargs": n,
           "args": [lua_args.get(i) for i in range(1, n + 1)], "out": [tensor_rec(r) for r in res]}
    if "opts" in lua_args:
        rec["opts"] = lua_args["opts"]
    ties = tie_rule(lua_fn, lua_args)
    if ties:
        rec["ties_any"] = ties
    if grad:
        v = res[0]
        w = torch.linspace(0.5, 2.0, v.numel(), dtype=v.dtype).reshape(v.shape) if v.numel() else v.detach()
        (v * w).sum().backward()
        rec["grad"] = flat(xg.grad)
        rec["grad_fn"] = v.grad_fn.name()
    records.append(rec)


def T(data, dtype=torch.float32):
    return torch.tensor(data, dtype=dtype)


g = torch.Generator().manual_seed(22)


def ties(n, hi, dtype=torch.float32, nans=0):
    t = torch.randint(0, hi + 1, (n,), generator=g).to(dtype)
    for _ in range(nans):
        t[torch.randint(0, n, (1,), generator=g)] = NAN
    return t


small = T([3.0, NAN, 1.0, NAN, 2.0, 1.0, -0.0, 0.0, float("inf"), -float("inf")])
mat = T([[1.0, 5.0, 2.0, 5.0], [4.0, 3.0, 6.0, 3.0], [NAN, 0.0, 0.0, 7.0]])
big = ties(300, 6, nans=4)
big2 = ties(6 * 150, 9).reshape(6, 150)

# --- sort / argsort ---
for nm, x in [("small", small), ("mat", mat), ("ties300", big), ("ties6x150", big2)]:
    case("sort/%s" % nm, x, "sort", {}, lambda a: torch.sort(a), grad=True)
    case("sort/%s/desc" % nm, x, "sort", {1: -1, 2: True}, lambda a: torch.sort(a, -1, True), grad=True)
    case("sort/%s/stable" % nm, x, "sort", {"opts": {"stable": True}}, lambda a: torch.sort(a, stable=True),
         grad=True)
    case("sort/%s/stable desc" % nm, x, "sort", {"opts": {"stable": True, "descending": True}},
         lambda a: torch.sort(a, descending=True, stable=True), grad=True)
    case("argsort/%s" % nm, x, "argsort", {}, lambda a: torch.argsort(a))
    case("argsort/%s/desc" % nm, x, "argsort", {1: -1, 2: True}, lambda a: torch.argsort(a, -1, True))
case("sort/mat dim 1", mat, "sort", {1: 1}, lambda a: torch.sort(a, 0), grad=True)
case("sort/ties6x150 dim 1 desc", big2, "sort", {1: 1, 2: True}, lambda a: torch.sort(a, 0, True), grad=True)
case("msort/mat", mat, "msort", {}, lambda a: torch.msort(a), grad=True)
case("msort/ties6x150", big2, "msort", {}, lambda a: torch.msort(a), grad=True)
case("sort/0-dim", T(2.5), "sort", {}, lambda a: torch.sort(a), grad=True)
case("sort/empty rows", torch.zeros(0, 3), "sort", {1: 2}, lambda a: torch.sort(a, 1))
case("sort/float64", ties(40, 3, torch.float64, nans=2), "sort", {}, lambda a: torch.sort(a), grad=True)
for dt in (torch.int64, torch.int32, torch.uint8, torch.bool):
    x = ties(50, 1 if dt == torch.bool else 7, dt)
    case("sort/%s" % DT[dt], x, "sort", {}, lambda a: torch.sort(a))
    case("sort/%s/desc" % DT[dt], x, "sort", {2: True}, lambda a: torch.sort(a, descending=True))
case("sort/int64 big", T([2**62 + 1, 2**62, -2**62, 2**62 + 1], torch.int64), "sort", {},
     lambda a: torch.sort(a))

# --- topk: partial_sort when k * 64 <= n, else nth_element (+ sort) ---
for nm, x, k in [("small", small, 3), ("ties300 k4", big, 4), ("ties300 k40", big, 40), ("ties300 k300", big, 300),
                 ("ties6x150 k2", big2, 2), ("ties6x150 k70", big2, 70)]:
    case("topk/%s" % nm, x, "topk", {1: k}, lambda a: torch.topk(a, k), grad=True)
    case("topk/%s/smallest" % nm, x, "topk", {1: k, 2: -1, 3: False}, lambda a: torch.topk(a, k, -1, False),
         grad=True)
    case("topk/%s/unsorted" % nm, x, "topk", {1: k, "opts": {"sorted": False}},
         lambda a: torch.topk(a, k, sorted=False), grad=True)
case("topk/mat dim 1", mat, "topk", {1: 2, 2: 1}, lambda a: torch.topk(a, 2, 0), grad=True)
case("topk/k 0", mat, "topk", {1: 0}, lambda a: torch.topk(a, 0))
case("topk/int64", ties(100, 5, torch.int64), "topk", {1: 10}, lambda a: torch.topk(a, 10))
case("topk/uint8", ties(30, 5, torch.uint8), "topk", {1: 7, 2: 1, 3: False}, lambda a: torch.topk(a, 7, 0, False))

# --- kthvalue ---
for nm, x, k in [("small", small, 1), ("small k5", small, 5), ("small k9", small, 9), ("small k10", small, 10),
                 ("ties300 k150", big, 150), ("ties300 k299", big, 299), ("ties6x150 k75", big2, 75)]:
    case("kthvalue/%s" % nm, x, "kthvalue", {1: k}, lambda a: torch.kthvalue(a, k), grad=True)
case("kthvalue/mat dim 1 keepdim", mat, "kthvalue", {1: 2, 2: 1, 3: True},
     lambda a: torch.kthvalue(a, 2, 0, True), grad=True)
case("kthvalue/mat dim -1 opts", mat, "kthvalue", {1: 3, "opts": {"dim": -1, "keepdim": True}},
     lambda a: torch.kthvalue(a, 3, -1, keepdim=True), grad=True)
case("kthvalue/int32", ties(60, 4, torch.int32), "kthvalue", {1: 20}, lambda a: torch.kthvalue(a, 20))

# --- median ---
for nm, x in [("small", small), ("mat", mat), ("ties300", big), ("no nan", ties(101, 5)), ("even", ties(100, 5)),
              ("ties6x150", big2)]:
    case("median/%s" % nm, x, "median", {}, lambda a: torch.median(a), grad=True)
    case("median/%s/dim -1" % nm, x, "median", {1: -1}, lambda a: torch.median(a, -1), grad=True)
case("median/mat dim 1 keepdim", mat, "median", {1: 1, 2: True}, lambda a: torch.median(a, 0, True), grad=True)
case("median/0-dim dim", T(4.0), "median", {1: 1}, lambda a: torch.median(a, 0), grad=True)
case("median/empty", T([]), "median", {}, lambda a: torch.median(a))
case("median/int64", ties(31, 6, torch.int64), "median", {}, lambda a: torch.median(a))
case("median/int64 dim", ties(4 * 9, 6, torch.int64).reshape(4, 9), "median", {1: 2},
     lambda a: torch.median(a, 1))

# --- unique (no NaN: PyTorch 1.13's NaN handling depends on a hash set's order) ---
u = T([3.0, 1.0, 2.0, 1.0, 3.0, -0.0, 0.0, 7.5])
case("unique/float", u, "unique", {}, lambda a: torch.unique(a))
case("unique/inverse counts", u, "unique", {"opts": {"return_inverse": True, "return_counts": True}},
     lambda a: torch.unique(a, return_inverse=True, return_counts=True))
case("unique/positional", u, "unique", {1: True, 2: True}, lambda a: torch.unique(a, True, True))
case("unique/2-D int", T([[2, 1], [1, 3]], torch.int64), "unique", {"opts": {"return_inverse": True}},
     lambda a: torch.unique(a, return_inverse=True))
case("unique/bool", T([True, False, True]), "unique", {"opts": {"return_counts": True}},
     lambda a: torch.unique(a, return_counts=True))
case("unique/0-dim", T(5.0), "unique", {"opts": {"return_inverse": True, "return_counts": True}},
     lambda a: torch.unique(a, return_inverse=True, return_counts=True))
case("unique/empty", T([]), "unique", {"opts": {"return_inverse": True, "return_counts": True}},
     lambda a: torch.unique(a, return_inverse=True, return_counts=True))
rows = T([[2, 1, 0], [1, 3, 0], [2, 1, 0], [0, 9, 9]], torch.int64)
case("unique/dim 1", rows, "unique", {"opts": {"dim": 1, "return_inverse": True, "return_counts": True}},
     lambda a: torch.unique(a, dim=0, return_inverse=True, return_counts=True))
case("unique/dim 2", rows, "unique", {"opts": {"dim": 2, "return_inverse": True, "return_counts": True}},
     lambda a: torch.unique(a, dim=1, return_inverse=True, return_counts=True))
case("unique/dim -1 float", T([[1.0, 1.0, 2.0], [3.0, 3.0, 0.5]]), "unique", {"opts": {"dim": -1}},
     lambda a: torch.unique(a, dim=-1))
case("unique/ties300", torch.nan_to_num(big, 4.0), "unique", {"opts": {"return_inverse": True, "return_counts": True}},
     lambda a: torch.unique(a, return_inverse=True, return_counts=True))

# --- searchsorted / bucketize ---
s = T([1.0, 3.0, 5.0, 5.0, 7.0, 9.0])
v = T([[0.0, 3.0, 5.0, 6.0], [9.0, 10.0, NAN, 5.0]])
tv = {"tensor": tensor_rec(v)}
case("searchsorted/left", s, "searchsorted", {1: tv}, lambda a: torch.searchsorted(a, v))
case("searchsorted/right", s, "searchsorted", {1: tv, "opts": {"right": True}},
     lambda a: torch.searchsorted(a, v, right=True))
case("searchsorted/side right", s, "searchsorted", {1: tv, "opts": {"side": "right"}},
     lambda a: torch.searchsorted(a, v, side="right"))
case("searchsorted/int32", s, "searchsorted", {1: tv, "opts": {"out_int32": True}},
     lambda a: torch.searchsorted(a, v, out_int32=True))
case("searchsorted/number", s, "searchsorted", {1: 4.0}, lambda a: torch.searchsorted(a, 4.0))
case("searchsorted/int values", s, "searchsorted", {1: {"tensor": tensor_rec(T([1, 2, 3, 5], torch.int64))}},
     lambda a: torch.searchsorted(a, T([1, 2, 3, 5], torch.int64)))
s2 = T([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
v2 = T([[3.0, 4.0], [3.0, 4.0]])
case("searchsorted/2-D", s2, "searchsorted", {1: {"tensor": tensor_rec(v2)}}, lambda a: torch.searchsorted(a, v2))
case("searchsorted/nan boundary", T([1.0, NAN]), "searchsorted",
     {1: {"tensor": tensor_rec(T([NAN, 2.0, 1.0]))}}, lambda a: torch.searchsorted(a, T([NAN, 2.0, 1.0])))
unsorted = T([3.0, 1.0, 2.0, 9.0])
srt = T([1, 2, 0, 3], torch.int64)
case("searchsorted/sorter", unsorted, "searchsorted",
     {1: {"tensor": tensor_rec(T([2.5, 0.0, 9.0]))}, "opts": {"sorter": {"tensor": tensor_rec(srt)}}},
     lambda a: torch.searchsorted(a, T([2.5, 0.0, 9.0]), sorter=srt))
case("bucketize/left", v, "bucketize", {1: {"tensor": tensor_rec(s)}}, lambda a: torch.bucketize(a, s))
case("bucketize/right", v, "bucketize", {1: {"tensor": tensor_rec(s)}, "opts": {"right": True}},
     lambda a: torch.bucketize(a, s, right=True))
case("bucketize/int32", v, "bucketize", {1: {"tensor": tensor_rec(s)}, "opts": {"out_int32": True}},
     lambda a: torch.bucketize(a, s, out_int32=True))

# --- bincount ---
b = T([1, 1, 3, 0, 7, 3, 3], torch.int64)
case("bincount/plain", b, "bincount", {}, lambda a: torch.bincount(a))
case("bincount/minlength", b, "bincount", {"opts": {"minlength": 10}}, lambda a: torch.bincount(a, minlength=10))
w32 = T([0.5, 0.25, 1.0, 2.0, 0.1, 0.2, 0.3])
case("bincount/weights float32", b, "bincount", {1: {"tensor": tensor_rec(w32)}},
     lambda a: torch.bincount(a, w32))
w64 = w32.double()
case("bincount/weights float64", b, "bincount", {1: {"tensor": tensor_rec(w64)}, 2: 9},
     lambda a: torch.bincount(a, w64, 9))
wi = T([1, 2, 3, 4, 5, 6, 7], torch.int64)
case("bincount/weights int", b, "bincount", {"opts": {"weights": {"tensor": tensor_rec(wi)}}},
     lambda a: torch.bincount(a, weights=wi))
case("bincount/int32", b.int(), "bincount", {}, lambda a: torch.bincount(a))
case("bincount/uint8", b.to(torch.uint8), "bincount", {}, lambda a: torch.bincount(a))
case("bincount/empty", T([], torch.int64), "bincount", {"opts": {"minlength": 3}},
     lambda a: torch.bincount(a, minlength=3))

# --- histc ---
h = torch.randn(500, generator=g)
case("histc/default", h, "histc", {}, lambda a: torch.histc(a))
case("histc/range", h, "histc", {1: 7, 2: -1.0, 3: 1.5}, lambda a: torch.histc(a, 7, -1.0, 1.5))
case("histc/opts", h, "histc", {"opts": {"bins": 13, "min": -0.3, "max": 0.7}},
     lambda a: torch.histc(a, bins=13, min=-0.3, max=0.7))
case("histc/float64", h.double(), "histc", {1: 11}, lambda a: torch.histc(a, 11))
case("histc/one value", T([1.0, 1.0, 1.0]), "histc", {1: 4}, lambda a: torch.histc(a, 4))
case("histc/edges", T([0.0, 0.1, 0.2, 0.3, 0.7, 0.9, 1.0, NAN, 2.0]), "histc", {1: 10, 2: 0.0, 3: 1.0},
     lambda a: torch.histc(a, 10, 0.0, 1.0))
case("histc/empty", T([]), "histc", {1: 4}, lambda a: torch.histc(a, 4))

write_records(sys.argv[1], "make_sort_reference.py", records)
