"""Reference for tests/peer/test_mathr_parity.lua: the math of issue 22's
"elementwise and reduction" part (cumsum, cumprod, logsumexp, amax/amin,
norm, linalg.vector_norm/matrix_norm, std/var with correction, std_mean,
isnan & co., isclose, nan_to_num, clamp with tensor bounds, lerp, any/all,
count_nonzero, normal, the *_like creators, linspace, logspace) computed by
real PyTorch 1.13. The cases, inputs and records are make_op_reference.py's
(values, dtypes, the gradients of sum(out * w)); here every grad_fn name
is recorded, not only those named after the op.
Usage: /usr/bin/python3 tests/peer/make_mathr_reference.py OUT.lua
"""
import sys

import torch

import make_op_reference as base
from make_op_reference import G, L, case, d
from peerlib import write_records

NAN, INF = float("nan"), float("inf")
ONE = (None,)


def sign_cases():
    edge = L([-2.0, -0.0, 0.0, 3.0, NAN, INF, -INF])
    case("sign/nan_inf", "x1:sign()", torch.sign, [edge])
    # sgn's gradient is a ZeroTensor (no storage to record): values only
    case("sgn/function", "torch.sgn(x1)", torch.sgn, [L([-2.0, -0.0, 0.0, 3.0, NAN, INF, -INF], grad=False)])
    case("sign/bool", "x1:sign()", torch.sign, [L([True, False], "bool")], dtypes=ONE)
    case("sign/int", "torch.sign(x1)", torch.sign, [L([-3, 0, 5], "int64")], dtypes=ONE)


def cumulative_cases():
    x = [G(2, 3, 4)]
    for op in ("cumsum", "cumprod"):
        f = getattr(torch, op)
        for dim in (1, 2, 3, -1):
            case("%s/dim%d" % (op, dim), "x1:%s(%d)" % (op, dim), lambda a, f=f, dim=dim: f(a, d(dim)), x)
        case(op + "/function", "torch.%s(x1, 1)" % op, lambda a, f=f: f(a, 0), [G(5)])
        case(op + "/opts", "torch.%s(x1, {dim = 2})" % op, lambda a, f=f: f(a, 1), [G(3, 2)])
        case(op + "/int", "x1:%s(1)" % op, lambda a, f=f: f(a, 0), [L([1, 2, 3, 4], "int64")], dtypes=ONE)
        case(op + "/int32", "x1:%s(1)" % op, lambda a, f=f: f(a, 0), [L([1, 2, 3], "int32")], dtypes=ONE)
        case(op + "/bool", "x1:%s(1)" % op, lambda a, f=f: f(a, 0), [L([True, True, False], "bool")],
             dtypes=ONE)
        case(op + "/dtype", "x1:%s(1, {dtype = torch.float64})" % op,
             lambda a, f=f: f(a, 0, dtype=torch.float64), [L([1, 2, 3], "int64")], dtypes=ONE)
        case(op + "/0dim", "x1:%s(1)" % op, lambda a, f=f: f(a, 0), [L(1.5)])
        case(op + "/transposed", "x1:t():%s(2)" % op, lambda a, f=f: f(a.t(), 1), [G(3, 4)])
    # cumprod's gradient with zeros: one zero, two zeros, a zero first / last
    for name, data in (("one_zero", [2.0, 0.0, 3.0, 0.5]), ("two_zeros", [2.0, 0.0, 3.0, 0.0, 1.5]),
                       ("zero_first", [0.0, 2.0, 3.0]), ("zero_last", [2.0, 3.0, 0.0])):
        case("cumprod/" + name, "x1:cumprod(1)", lambda a: a.cumprod(0), [L(data)])
    case("cumprod/zeros_2d", "x1:cumprod(2)", lambda a: a.cumprod(1),
         [L([[1.0, 0.0, 2.0], [3.0, 4.0, 0.0], [0.0, 0.0, 5.0]])])
    case("cumsum/big", "x1:cumsum(1)", lambda a: a.cumsum(0), [G(300, lo=-1.0, hi=1.0)])


def reduction_cases():
    x = [G(2, 3, 4)]
    case("logsumexp/dim", "x1:logsumexp(2)", lambda a: a.logsumexp(1), x)
    case("logsumexp/dims_keepdim", "torch.logsumexp(x1, {1, 3}, true)",
         lambda a: torch.logsumexp(a, (0, 2), keepdim=True), x)
    case("logsumexp/opts", "x1:logsumexp({dim = -1, keepdim = true})",
         lambda a: a.logsumexp(-1, keepdim=True), x)
    case("logsumexp/large", "x1:logsumexp(1)", lambda a: a.logsumexp(0), [L([1000.0, 1000.5, -1000.0])])
    case("logsumexp/inf", "x1:logsumexp(2)", lambda a: a.logsumexp(1),
         [L([[-INF, -INF], [INF, 1.0]], grad=False)])
    case("logsumexp/int", "x1:logsumexp(1)", lambda a: a.logsumexp(0), [L([1, 2, 3], "int64")], dtypes=ONE)
    for op in ("amax", "amin"):
        f = getattr(torch, op)
        case(op, "x1:%s()" % op, lambda a, f=f: f(a), x)
        case(op + "/dim", "x1:%s(2)" % op, lambda a, f=f: f(a, 1), x)
        case(op + "/dims_keepdim", "torch.%s(x1, {1, -1}, true)" % op,
             lambda a, f=f: f(a, (0, -1), keepdim=True), x)
        case(op + "/ties", "x1:%s(2)" % op, lambda a, f=f: f(a, 1),
             [L([[1.0, 3.0, 3.0], [-2.0, -2.0, -2.0]])])
        case(op + "/ties_all", "x1:%s()" % op, lambda a, f=f: f(a), [L([2.0, 2.0, -2.0, -2.0])])
        case(op + "/int", "x1:%s(1)" % op, lambda a, f=f: f(a, 0), [L([[1, 5], [7, -2]], "int64")],
             dtypes=ONE)
    case("count_nonzero", "torch.count_nonzero(x1)", torch.count_nonzero,
         [L([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]], grad=False)])
    case("count_nonzero/dim", "x1:count_nonzero(2)", lambda a: a.count_nonzero(1),
         [L([[0, 1, 0], [2, 0, 3]], "int64")], dtypes=ONE)
    case("count_nonzero/dims", "x1:count_nonzero({1, 2})", lambda a: a.count_nonzero((0, 1)),
         [L([[0, 1, 0], [2, 0, 3]], "int64")], dtypes=ONE)
    for op in ("any", "all"):
        f = getattr(torch, op)
        data = L([[True, False, True], [True, True, True]], "bool")
        case(op + "/dim", "x1:%s(2)" % op, lambda a, f=f: f(a, 1), [data], dtypes=ONE)
        case(op + "/keepdim", "torch.%s(x1, 1, true)" % op, lambda a, f=f: f(a, 0, keepdim=True), [data],
             dtypes=ONE)
        case(op + "/float", "x1:%s({dim = -1})" % op, lambda a, f=f: f(a, -1),
             [L([[0.0, 1.0], [2.0, 3.0]], grad=False)])
    # var / std: correction and unbiased as options (ember's positional third
    # argument is keepdim, see docs/DECISIONS.md)
    for op in ("var", "std"):
        f = getattr(torch, op)
        case(op + "/correction0", "x1:%s(2, {correction = 0})" % op, lambda a, f=f: f(a, 1, correction=0), x)
        case(op + "/correction2", "torch.%s(x1, {1, 3}, {correction = 2})" % op,
             lambda a, f=f: f(a, (0, 2), correction=2), x)
        case(op + "/unbiased_false", "x1:%s({unbiased = false})" % op, lambda a, f=f: f(a, unbiased=False), x)
        case(op + "/keepdim", "x1:%s(-1, {keepdim = true})" % op, lambda a, f=f: f(a, -1, keepdim=True), x)
        # PyTorch's positions: (dim, unbiased, keepdim), and (unbiased) alone
        case(op + "/positional", "x1:%s(-1, false, true)" % op, lambda a, f=f: f(a, -1, False, True), x)
        case(op + "/unbiased_only", "x1:%s(false)" % op, lambda a, f=f: f(a, False), x)
    for op in ("std_mean", "var_mean"):
        f = getattr(torch, op)
        case(op, "return torch.%s(x1)" % op, lambda a, f=f: f(a), x)
        case(op + "/dim", "return torch.%s(x1, 2, {correction = 0})" % op,
             lambda a, f=f: f(a, 1, correction=0), x)
        case(op + "/positional", "return torch.%s(x1, 2, false, true)" % op,
             lambda a, f=f: f(a, 1, False, True), x)


def norm_cases():
    x = [G(2, 3, 4)]
    for p, lua in ((2, "2"), (1, "1"), (3, "3"), (0.5, "0.5"), (INF, "math.huge"), (-INF, "-math.huge"),
                   (0, "0"), (1.5, "1.5")):
        case("norm/p%s" % lua, "torch.norm(x1, %s)" % lua, lambda a, p=p: torch.norm(a, p), x)
        case("norm/p%s_dim" % lua, "x1:norm(%s, 2)" % lua, lambda a, p=p: a.norm(p, 1), x)
        case("linalg.vector_norm/%s" % lua, "torch.linalg.vector_norm(x1, %s, {1, 3}, true)" % lua,
             lambda a, p=p: torch.linalg.vector_norm(a, p, (0, 2), True), x)
    case("norm", "x1:norm()", lambda a: a.norm(), x)
    case("norm/fro", "x1:norm('fro')", lambda a: a.norm("fro"), x)
    case("norm/fro_dims", "x1:norm('fro', {1, 2})", lambda a: a.norm("fro", (0, 1)), x)
    case("norm/keepdim", "x1:norm({p = 2, dim = -1, keepdim = true})", lambda a: a.norm(2, -1, True), x)
    case("norm/zero_row", "x1:norm(2, 2)", lambda a: a.norm(2, 1), [L([[0.0, 0.0], [3.0, 4.0]])])
    case("norm/inf_ties", "x1:norm(math.huge)", lambda a: a.norm(INF), [L([-2.0, 2.0, 1.0])])
    case("linalg.vector_norm", "torch.linalg.vector_norm(x1)", torch.linalg.vector_norm, x)
    case("linalg.vector_norm/opts", "torch.linalg.vector_norm(x1, {ord = 1, dim = 2})",
         lambda a: torch.linalg.vector_norm(a, 1, 1), x)
    m = [G(3, 4)]
    for ord_, lua in (("fro", "'fro'"), (1, "1"), (-1, "-1"), (INF, "math.huge"), (-INF, "-math.huge")):
        case("linalg.matrix_norm/%s" % lua.strip("'"), "torch.linalg.matrix_norm(x1, %s)" % lua,
             lambda a, o=ord_: torch.linalg.matrix_norm(a, o), m)
        case("linalg.matrix_norm/%s_batch" % lua.strip("'"), "torch.linalg.matrix_norm(x1, %s)" % lua,
             lambda a, o=ord_: torch.linalg.matrix_norm(a, o), x)
    case("linalg.matrix_norm/dims_keepdim", "torch.linalg.matrix_norm(x1, 1, {3, 1}, true)",
         lambda a: torch.linalg.matrix_norm(a, 1, (2, 0), True), x)
    case("linalg.matrix_norm/opts", "torch.linalg.matrix_norm(x1, {ord = math.huge, dim = {1, 2}})",
         lambda a: torch.linalg.matrix_norm(a, INF, (0, 1)), x)


def predicate_cases():
    vals = L([1.0, NAN, INF, -INF, -0.0, 2.5], grad=False)
    for op in ("isnan", "isinf", "isposinf", "isneginf", "isfinite"):
        f = getattr(torch, op)
        case(op, "x1:%s()" % op, f, [vals])
        case(op + "/function", "torch.%s(x1)" % op, f, [vals])
        case(op + "/int", "x1:%s()" % op, f, [L([1, 2], "int64")], dtypes=ONE)
    a = L([1.0, 1.0, NAN, INF, -INF, 1e-9, 100.0, 0.0], grad=False)
    b = L([1.0 + 1e-6, 1.1, NAN, INF, INF, 0.0, 100.001, 1e-7], grad=False)
    case("isclose", "torch.isclose(x1, x2)", torch.isclose, [a, b])
    case("isclose/equal_nan", "x1:isclose(x2, {equal_nan = true})", lambda p, q: p.isclose(q, equal_nan=True),
         [a, b])
    case("isclose/tolerances", "torch.isclose(x1, x2, 1e-2, 1e-6)",
         lambda p, q: torch.isclose(p, q, 1e-2, 1e-6), [a, b])
    case("isclose/zero_tol", "torch.isclose(x1, x2, {rtol = 0, atol = 0})",
         lambda p, q: torch.isclose(p, q, rtol=0, atol=0), [a, b])
    case("isclose/int", "torch.isclose(x1, x2)", torch.isclose,
         [L([1, 100000, 3], "int64"), L([1, 100001, 4], "int64")], dtypes=ONE)
    case("isclose/broadcast", "torch.isclose(x1, x2)", torch.isclose,
         [L([[1.0], [2.0]], grad=False), L([1.0, 2.0 + 1e-6, 3.0], grad=False)])
    case("isclose/dtype_mismatch", "torch.isclose(x1, x2)", torch.isclose,
         [L([1.0], "float32"), L([1.0], "float64")], dtypes=ONE, error="did not match")
    nt = L([1.0, NAN, INF, -INF, -2.5])
    case("nan_to_num", "x1:nan_to_num()", lambda p: p.nan_to_num(), [nt])
    case("nan_to_num/values", "torch.nan_to_num(x1, 0.5, 100, -100)",
         lambda p: torch.nan_to_num(p, 0.5, 100.0, -100.0), [nt])
    case("nan_to_num/opts", "torch.nan_to_num(x1, {posinf = 7})", lambda p: torch.nan_to_num(p, posinf=7.0),
         [nt])
    case("nan_to_num/int", "x1:nan_to_num()", lambda p: p.nan_to_num(), [L([1, -2], "int64")], dtypes=ONE)


def clamp_lerp_cases():
    x, lo, hi = G(2, 3), G(3, lo=-1.0, hi=0.0), G(2, 1, lo=0.0, hi=1.0)
    case("clamp/tensors", "x1:clamp(x2, x3)", lambda a, b, c: a.clamp(b, c), [x, lo, hi])
    case("clamp/tensor_min", "torch.clamp(x1, x2)", lambda a, b: torch.clamp(a, b), [x, lo])
    case("clamp/tensor_max", "torch.clamp(x1, nil, x2)", lambda a, b: torch.clamp(a, None, b), [x, hi])
    case("clamp/tensor_opts", "x1:clamp({min = x2, max = x3})", lambda a, b, c: a.clamp(min=b, max=c),
         [x, lo, hi])
    case("clip/tensors", "torch.clip(x1, x2, x3)", lambda a, b, c: torch.clip(a, b, c), [x, lo, hi])
    # min > max: the result is max; where x is below min, min gets no gradient
    case("clamp/crossed", "x1:clamp(x2, x3)", lambda a, b, c: a.clamp(b, c),
         [L([-3.0, 0.5, 3.0, 0.25]), L([1.0, 1.0, -1.0, 0.0]), L([0.0, 0.0, 2.0, 0.5])])
    case("clamp/nan", "x1:clamp(x2, x3)", lambda a, b, c: a.clamp(b, c),
         [L([NAN, 1.0], grad=False), L([0.0, 0.0], grad=False), L([0.5, 0.5], grad=False)])
    a, b = G(2, 3), G(2, 3, lo=1.0, hi=3.0)
    for w in (0.25, 0.75, -0.5, 1.5):
        case("lerp/%g" % w, "torch.lerp(x1, x2, %r)" % w, lambda p, q, w=w: torch.lerp(p, q, w), [a, b])
    case("lerp/method", "x1:lerp(x2, 0.3)", lambda p, q: p.lerp(q, 0.3), [a, b])
    case("lerp/tensor_weight", "torch.lerp(x1, x2, x3)", lambda p, q, w: torch.lerp(p, q, w),
         [a, b, L([[0.1, 0.6, -0.7], [0.49, 0.5, 1.2]])])
    case("lerp/broadcast", "torch.lerp(x1, x2, x3)", lambda p, q, w: torch.lerp(p, q, w),
         [G(2, 3), G(3), L([0.2, 0.8, 0.5])])


def creation_cases():
    for seed, call, fn in (
        (0, "torch.normal(torch.zeros(5), torch.ones(5))", lambda: torch.normal(torch.zeros(5), torch.ones(5))),
        (1, "torch.normal(torch.arange(20.0), torch.linspace(0.5, 3, 20))",
         lambda: torch.normal(torch.arange(20.0), torch.linspace(0.5, 3, 20))),
        (2, "torch.normal(torch.arange(20.0), 2.5)", lambda: torch.normal(torch.arange(20.0), 2.5)),
        (3, "torch.normal(1.5, torch.linspace(0.1, 2, 20))", lambda: torch.normal(1.5, torch.linspace(0.1, 2, 20))),
        (4, "torch.normal(2.0, 3.0, {4, 5})", lambda: torch.normal(2.0, 3.0, (4, 5))),
        (5, "torch.normal(2.0, 3.0, {3}, {dtype = torch.float64})",
         lambda: torch.normal(2.0, 3.0, (3,), dtype=torch.float64)),
        (6, "torch.normal(torch.zeros(2, 1), torch.ones(3))", lambda: torch.normal(torch.zeros(2, 1), torch.ones(3))),
        (7, "torch.rand_like(torch.zeros(2, 3))", lambda: torch.rand_like(torch.zeros(2, 3))),
        (8, "torch.randn_like(torch.zeros(20), {dtype = torch.float64})",
         lambda: torch.randn_like(torch.zeros(20), dtype=torch.float64)),
        (9, "torch.randint_like(torch.zeros(6), 10)", lambda: torch.randint_like(torch.zeros(6), 10)),
        (10, "torch.randint_like(torch.zeros(2, 3, {dtype = torch.int64}), -5, 5)",
         lambda: torch.randint_like(torch.zeros(2, 3, dtype=torch.int64), -5, 5)),
    ):
        case("normal/seed%d" % seed if "normal" in call else "like/seed%d" % seed,
             "torch.manual_seed(%d); return %s" % (seed, call),
             lambda fn=fn, seed=seed: (torch.manual_seed(seed), fn())[1], dtypes=ONE)
    x = [G(2, 3)]
    case("full_like/dtype", "torch.full_like(x1, 7, {dtype = torch.int64})",
         lambda a: torch.full_like(a, 7, dtype=torch.int64), x)
    case("zeros_like/int", "torch.zeros_like(x1)", torch.zeros_like, [L([1, 2], "int64")], dtypes=ONE)
    case("ones_like/requires_grad", "torch.ones_like(x1, {requires_grad = true})",
         lambda a: torch.ones_like(a, requires_grad=True), [L([1.0, 2.0], grad=False)])
    case("empty_like/shape", "torch.empty_like(x1):fill_(3)", lambda a: torch.empty_like(a).fill_(3), x)
    for args, lua in (((0, 1, 5), "0, 1, 5"), ((-1, 1, 4), "-1, 1, 4"), ((0, 1, 1), "0, 1, 1"),
                      ((2, -3, 7), "2, -3, 7"), ((0, 0.1, 11), "0, 0.1, 11")):
        case("linspace/%s" % lua, "torch.linspace(%s)" % lua, lambda a=args: torch.linspace(*a), dtypes=ONE)
    for args, kw, lua in (((0, 2, 3), {}, "0, 2, 3"), ((0, 2, 3), {"base": 2}, "0, 2, 3, 2"),
                          ((-1, 1, 5), {}, "-1, 1, 5"), ((0, 1, 1), {}, "0, 1, 1"),
                          ((0.1, 2.5, 7), {"base": 3.0}, "0.1, 2.5, 7, {base = 3.0}"),
                          ((0, 3, 4), {"dtype": torch.float64}, "0, 3, 4, {dtype = torch.float64}"),
                          ((0, 3, 4), {"dtype": torch.int64}, "0, 3, 4, {dtype = torch.int64}"),
                          ((-2, 2, 20), {}, "-2, 2, 20")):
        case("logspace/%s" % lua, "torch.logspace(%s)" % lua, lambda a=args, k=kw: torch.logspace(*a, **k),
             dtypes=ONE)


def kernel_path_cases():
    """Inputs long enough for the CPU kernels' fast paths (float32 sums in
    blocks of 1024, cumsum in pieces from 4096, all/any in blocks of 4096),
    and the edges of the vectorised maximum/minimum and pow."""
    # built in Lua and PyTorch alike from exact integer arithmetic
    n = 200003
    lx = "((torch.arange(0, %d) * 7919) %% 10007 - 5003):float() * 0.0078125" % n
    px = lambda: ((torch.arange(0, n) * 7919) % 10007 - 5003).float() * 0.0078125
    case("sum/large_cancel", "return (%s):sum()" % lx, lambda: px().sum(), dtypes=ONE)
    case("sum/large_offset", "return ((%s) + 1000):sum()" % lx, lambda: (px() + 1000).sum(), dtypes=ONE)
    case("mean/large_offset", "return ((%s) + 1000):mean()" % lx, lambda: (px() + 1000).mean(), dtypes=ONE)
    case("sum/large_nan", "local x = %s; x[150000] = 0/0; return x:sum()" % lx,
         lambda: (lambda x: (x.__setitem__(149999, NAN), x.sum())[1])(px()), dtypes=ONE)
    case("sum/large_inf", "local x = %s; x[7] = 1/0; return x:sum()" % lx,
         lambda: (lambda x: (x.__setitem__(6, INF), x.sum())[1])(px()), dtypes=ONE)
    case("sum/large_dim", "return (%s):view(1000, -1):sum(2)" % lx.replace(str(n), "200000"),
         lambda: (((torch.arange(0, 200000) * 7919) % 10007 - 5003).float() * 0.0078125).view(1000, -1).sum(1),
         dtypes=ONE)
    case("norm/large", "return (%s):norm()" % lx, lambda: px().norm(), dtypes=ONE)
    case("logsumexp/large", "return ((%s) * 0.125):logsumexp(1)" % lx, lambda: (px() * 0.125).logsumexp(0), dtypes=ONE)
    case("cumsum/long", "x1:cumsum(1)", lambda a: a.cumsum(0), [G(5000)])
    case("cumsum/long_offset", "return ((%s) + 1000):cumsum(1)" % lx, lambda: (px() + 1000).cumsum(0), dtypes=ONE)
    case("cumsum/long_inf", "local x = %s; x[5000] = 1/0; x[9000] = -1/0; return x:cumsum(1)" % lx,
         lambda: (lambda x: (x.__setitem__(4999, INF), x.__setitem__(8999, -INF), x.cumsum(0))[2])(px()),
         dtypes=ONE)
    case("cumprod/long", "return ((%s) * 0.01 + 1):cumprod(1)" % lx, lambda: (px() * 0.01 + 1).cumprod(0), dtypes=ONE)
    # all/any: the deciding element first, in the middle, last, or none
    for where in (1, 5000, 9001, None):
        for dt, ldt in (("float32", "float"), ("int64", "long"), ("int32", "int"), ("uint8", "byte"), ("bool", "bool")):
            def mk(fill, where=where, dt=dt):
                x = torch.full((9001,), fill, dtype=getattr(torch, dt))
                if where:
                    x[where - 1] = 1 - fill
                return x
            tag = "%s_%s" % (where or "none", dt)
            for op, fill in (("all", 1), ("any", 0)):
                set_lua = "x[%d] = %d; " % (where, 1 - fill) if where else ""
                case("%s/long_%s" % (op, tag), "local x = torch.full({9001}, %d):%s(); %sreturn x:%s()"
                     % (fill, ldt, set_lua, op), lambda mk=mk, op=op, fill=fill: getattr(mk(fill), op)(), dtypes=ONE)
    case("amax/long_int", "return ((torch.arange(0, 9001) * 7919) % 10007 - 5003):amax()",
         lambda: (((torch.arange(0, 9001) * 7919) % 10007) - 5003).amax(), dtypes=ONE)
    case("amin/long_int32", "return ((torch.arange(0, 9001) * 7919) % 10007 - 5003):int():amin()",
         lambda: (((torch.arange(0, 9001) * 7919) % 10007) - 5003).int().amin(), dtypes=ONE)
    # maximum/minimum: a NaN on either side wins (PyTorch propagates it)
    a = L([1.0, NAN, NAN, -INF, 2.0, 0.0, -0.0, INF, 3.0, -1.0], grad=False)
    b = L([NAN, 1.0, NAN, 3.0, -INF, -0.0, 0.0, NAN, 2.0, -1.0], grad=False)
    for op in ("maximum", "minimum"):
        f = getattr(torch, op)
        case(op + "/nan", "torch.%s(x1, x2)" % op, f, [a, b])
        case(op + "/nan_scalar", "torch.%s(x1, torch.tensor(0/0))" % op,
             lambda p, f=f: f(p, torch.tensor(NAN)), [a], dtypes=("float32",))
    # pow: PyTorch's special exponents, negative bases, and the general case
    base_edge = L([-2.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, NAN, INF, -INF], grad=False)
    for e in (2, 3, 0.5, -0.5, -1, -2, 0, 1, 5, -3, 0.7, -1.5, 7.25):
        case("pow/edge_%g" % e, "x1:pow(%r)" % e, lambda p, e=e: p.pow(e), [base_edge])
    case("pow/tensor_edges", "x1:pow(x2)", torch.pow,
         [L([-2.0, -2.0, -8.0, 0.0, -0.0, 0.0, 1.0, NAN, INF, -INF, 2.0, 0.5], grad=False),
          L([3.0, 0.5, 1.0 / 3, -1.0, -1.0, 0.0, NAN, 0.0, -2.0, 3.0, 200.0, -200.0], grad=False)])
    case("pow/tensor_long", "x1:pow(x2)", torch.pow, [G(3000, lo=0.1, hi=3.0), G(3000, lo=-3.0, hi=3.0)])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_mathr_reference.py OUT.lua")
    torch.set_default_dtype(torch.float32)
    base.grad_fn_is_plain = lambda fn_name, op: "Backward" in fn_name   # record every node name
    for build in (sign_cases, cumulative_cases, reduction_cases, norm_cases, predicate_cases,
                  clamp_lerp_cases, creation_cases, kernel_path_cases):
        build()
    write_records(sys.argv[1], "make_mathr_reference.py", [base.run_case(c) for c in base.CASES])


if __name__ == "__main__":
    main()
