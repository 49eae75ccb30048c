"""Writes a Lua data file of reference results from real PyTorch for ember's nn functions.

Each case pairs an ember Lua call (inputs bound to x1, x2, ...) with the same
computation in PyTorch 1.13 on fixed inputs (a deterministic formula; the values
are written into the file), in float64 and float32. It records the first
output, any further outputs (max_pool2d's indices, batch_norm's running stats
after the update), the grad_fn name where ember promises PyTorch's, and the
gradients of sum(out * w) for a fixed w. Random cases (dropout, bernoulli) seed
both generators alike, so they check that ember draws the same masks.
Not a test itself: tests/peer/test_nn_parity.lua compares, tests/peer/peer.sh nn runs both.
Usage: /usr/bin/python3 tests/peer/make_nn_reference.py OUT.lua
"""

import math
import sys

import torch
import torch.nn.functional as F

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


def G(*shape, lo=-2.0, hi=2.0, grad=True):
    """A generated input of the case's float dtype."""
    return {"shape": shape, "lo": lo, "hi": hi, "grad": grad}


def L(data, dtype=None, grad=False):
    """A literal input; dtype None means the case's float dtype."""
    return {"data": data, "dtype": dtype, "grad": grad}


def I(data):
    """Class indices (int64)."""
    return L(data, "int64")


CASES = []


def case(name, call, fn, inputs=(), dtypes=FLOATS, grad_fn=True, error=None):
    """Registers one case per dtype. call: a Lua chunk body or an expression.

    grad_fn: compare the output's grad_fn name with PyTorch's (False where
    PyTorch's graph ends in a different internal node, e.g. a view)."""
    if "return" not in call:
        call = "return " + call
    for dt in dtypes:
        CASES.append(dict(name=name + "_" + SUFFIX[dt], call=call, fn=fn, inputs=inputs, dtype=dt,
                          grad_fn=grad_fn, error=error))


def layer_cases():
    case("linear", "torch.linear(x1, x2, x3)", F.linear, [G(3, 4), G(5, 4), G(5)])
    case("linear/no_bias", "torch.linear(x1, x2)", F.linear, [G(3, 4), G(2, 4)])
    case("linear/3d", "torch.linear(x1, x2, x3)", F.linear, [G(2, 3, 4), G(5, 4), G(5)])
    case("linear/1d", "torch.linear(x1, x2, x3)", F.linear, [G(4), G(3, 4), G(3)], grad_fn=False)
    case("conv2d/same", "torch.conv2d(x1, x2, x3, 1, 1)", lambda x, w, b: F.conv2d(x, w, b, 1, 1),
         [G(2, 1, 6, 6), G(4, 1, 3, 3), G(4)])
    case("conv2d/multichannel", "torch.conv2d(x1, x2, x3, 1, 1)", lambda x, w, b: F.conv2d(x, w, b, 1, 1),
         [G(2, 3, 5, 5), G(4, 3, 3, 3), G(4)])
    case("conv2d/strided", "torch.conv2d(x1, x2, nil, {2, 1}, {1, 0})",
         lambda x, w: F.conv2d(x, w, None, (2, 1), (1, 0)), [G(2, 3, 7, 5), G(4, 3, 3, 2)])
    case("conv2d/pointwise", "torch.conv2d(x1, x2, x3)", F.conv2d, [G(2, 3, 4, 3), G(5, 3, 1, 1), G(5)])
    case("conv2d/unbatched", "torch.conv2d(x1, x2, x3, 2)", lambda x, w, b: F.conv2d(x, w, b, 2),
         [G(2, 6, 6), G(3, 2, 3, 3), G(3)])
    case("max_pool2d", "torch.max_pool2d(x1, 2)", lambda x: F.max_pool2d(x, 2), [G(2, 3, 6, 6)])
    case("max_pool2d/indices", "torch.max_pool2d(x1, 3, 2, 1, nil, nil, true)",
         lambda x: F.max_pool2d(x, 3, 2, 1, return_indices=True), [G(2, 2, 7, 5)])
    case("max_pool2d/unbatched", "torch.max_pool2d(x1, {2, 3}, {1, 2})",
         lambda x: F.max_pool2d(x, (2, 3), (1, 2)), [G(2, 5, 7)])
    case("avg_pool2d", "torch.avg_pool2d(x1, 2)", lambda x: F.avg_pool2d(x, 2), [G(2, 3, 6, 6)])
    case("avg_pool2d/padded", "torch.avg_pool2d(x1, 3, 2, 1)", lambda x: F.avg_pool2d(x, 3, 2, 1),
         [G(2, 2, 7, 5)])


def softmax_cases():
    case("softmax", "torch.softmax(x1, 2)", lambda x: torch.softmax(x, 1), [G(3, 5)])
    case("softmax/dim1", "torch.softmax(x1, 1)", lambda x: torch.softmax(x, 0), [G(3, 5)])
    case("softmax/middle", "x1:softmax(2)", lambda x: x.softmax(1), [G(2, 3, 4)])
    case("softmax/large", "torch.softmax(x1, -1)", lambda x: torch.softmax(x, -1), [G(4, 6, lo=-80, hi=80)])
    case("log_softmax", "torch.log_softmax(x1, 2)", lambda x: torch.log_softmax(x, 1), [G(3, 5)])
    case("log_softmax/middle", "x1:log_softmax(2)", lambda x: x.log_softmax(1), [G(2, 3, 4)])
    case("log_softmax/large", "torch.log_softmax(x1, -1)", lambda x: torch.log_softmax(x, -1),
         [G(4, 6, lo=-80, hi=80)])


def loss_cases():
    t4 = I([1, 0, 4, 2])
    w5 = L([0.5, 1.0, 2.0, 1.5, 0.25])
    for red in ("mean", "sum", "none"):
        opts = '{reduction = "%s"}' % red
        case("cross_entropy/" + red, "torch.cross_entropy(x1, x2, %s)" % opts,
             lambda x, t, r=red: F.cross_entropy(x, t, reduction=r), [G(4, 5), t4])
        case("nll_loss/" + red, "torch.nll_loss(x1, x2, %s)" % opts,
             lambda x, t, r=red: F.nll_loss(x, t, reduction=r), [G(4, 5), t4])
    case("cross_entropy/weight", "torch.cross_entropy(x1, x2, {weight = x3})",
         lambda x, t, w: F.cross_entropy(x, t, weight=w), [G(4, 5), t4, w5])
    case("cross_entropy/ignore", "torch.cross_entropy(x1, x2, {weight = x3, ignore_index = 2})",
         lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=2), [G(4, 5), t4, w5])
    case("cross_entropy/ignore_default", "torch.cross_entropy(x1, x2)", F.cross_entropy,
         [G(4, 5), I([1, -100, 4, 2])])
    case("cross_entropy/smoothing", "torch.cross_entropy(x1, x2, {label_smoothing = 0.1})",
         lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1), [G(4, 5), t4])
    case("cross_entropy/smoothing_weight",
         "torch.cross_entropy(x1, x2, {label_smoothing = 0.2, weight = x3, ignore_index = 0})",
         lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2, ignore_index=0),
         [G(4, 5), t4, w5])
    case("cross_entropy/smoothing_none", "torch.cross_entropy(x1, x2, {label_smoothing = 0.3, reduction = 'none'})",
         lambda x, t: F.cross_entropy(x, t, label_smoothing=0.3, reduction="none"), [G(4, 5), t4], grad_fn=False)
    case("cross_entropy/large", "torch.cross_entropy(x1, x2)", F.cross_entropy, [G(4, 5, lo=-60, hi=60), t4])
    case("cross_entropy/spatial", "torch.cross_entropy(x1, x2)", F.cross_entropy,
         [G(2, 3, 2, 2), I([[[0, 1], [2, 2]], [[1, 0], [2, 1]]])])
    case("cross_entropy/spatial_none", "torch.cross_entropy(x1, x2, {reduction = 'none'})",
         lambda x, t: F.cross_entropy(x, t, reduction="none"), [G(2, 3, 4), I([[0, 1, 2, 2], [1, 0, 2, 1]])],
         grad_fn=False)
    case("nll_loss/weight", "torch.nll_loss(x1, x2, {weight = x3})", lambda x, t, w: F.nll_loss(x, t, weight=w),
         [G(4, 5), t4, w5])
    case("nll_loss/ignore", "torch.nll_loss(x1, x2, {ignore_index = 4})",
         lambda x, t: F.nll_loss(x, t, ignore_index=4), [G(4, 5), t4])
    case("nll_loss/spatial", "torch.nll_loss(x1, x2)", F.nll_loss,
         [G(2, 3, 2, 2), I([[[0, 1], [2, 2]], [[1, 0], [2, 1]]])])
    bce = "torch.binary_cross_entropy_with_logits"
    for red in ("mean", "sum", "none"):
        case("bce_with_logits/" + red, "%s(x1, x2, {reduction = '%s'})" % (bce, red),
             lambda x, y, r=red: F.binary_cross_entropy_with_logits(x, y, reduction=r),
             [G(3, 4), G(3, 4, lo=0.0, hi=1.0)])
    case("bce_with_logits/pos_weight", "%s(x1, x2, {pos_weight = x3})" % bce,
         lambda x, y, p: F.binary_cross_entropy_with_logits(x, y, pos_weight=p),
         [G(3, 4), G(3, 4, lo=0.0, hi=1.0), L([2.0, 0.5, 1.0, 3.0])])
    case("bce_with_logits/both_weights", "%s(x1, x2, {pos_weight = x3, weight = x4, reduction = 'sum'})" % bce,
         lambda x, y, p, w: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=p, reduction="sum"),
         [G(3, 4), G(3, 4, lo=0.0, hi=1.0), L([2.0, 0.5, 1.0, 3.0]), L([[1.0], [0.5], [2.0]])])
    case("bce_with_logits/large", "%s(x1, x2)" % bce, F.binary_cross_entropy_with_logits,
         [G(3, 4, lo=-90, hi=90), G(3, 4, lo=0.0, hi=1.0)])


def batch_norm_cases():
    bn = "torch.batch_norm(x1, x2, x3, x4, x5, %s, 0.1, 1e-5); return y, x4, x5"

    def train(x, w, b, rm, rv):
        return F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5), rm, rv

    def evaluate(x, w, b, rm, rv):
        return F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5), rm, rv

    stats = [L([0.1, -0.2, 0.3]), L([1.0, 2.0, 0.5])]
    case("batch_norm/train_2d", "local y = " + bn % "true", train, [G(6, 3), G(3), G(3)] + stats)
    case("batch_norm/train_4d", "local y = " + bn % "true", train, [G(2, 3, 3, 2), G(3), G(3)] + stats)
    case("batch_norm/eval_4d", "local y = " + bn % "false", evaluate, [G(2, 3, 3, 2), G(3), G(3)] + stats)
    case("batch_norm/no_affine", "torch.batch_norm(x1, nil, nil, nil, nil, true, 0.1, 1e-5)",
         lambda x: F.batch_norm(x, None, None, None, None, True, 0.1, 1e-5), [G(5, 4, 3)])


def random_cases():
    for seed, p, shape in ((0, 0.5, (4, 5)), (1, 0.2, (3, 7, 2)), (2, 0.8, (50,)), (3, 0.5, (6, 9))):
        case("dropout/seed%d" % seed, "torch.manual_seed(%d); return torch.dropout(x1, %r, true)" % (seed, p),
             lambda x, s=seed, q=p: (torch.manual_seed(s), torch.dropout(x, q, True))[1], [G(*shape)])
    case("dropout/after_draws", "torch.manual_seed(5); torch.rand(3); return torch.dropout(x1, 0.5, true)",
         lambda x: (torch.manual_seed(5), torch.rand(3), torch.dropout(x, 0.5, True))[2], [G(8, 8)])
    # 2100 masks = 4200 draws after an odd number of them: the fill crosses
    # several twists, some samples with their two draws on both sides of one
    case("dropout/across_twists", "torch.manual_seed(9); torch.rand(1); return torch.dropout(x1, 0.3, true)",
         lambda x: (torch.manual_seed(9), torch.rand(1), torch.dropout(x, 0.3, True))[2], [G(7, 300)])
    for seed in (0, 7):
        case("bernoulli_/seed%d" % seed,
             "torch.manual_seed(%d); return torch.zeros(40, {dtype = x1.dtype}):bernoulli_(0.3)" % seed,
             lambda x, s=seed: (torch.manual_seed(s), torch.zeros(40, dtype=x.dtype).bernoulli_(0.3))[1],
             [G(1, grad=False)])
        case("bernoulli/tensor_p%d" % seed, "torch.manual_seed(%d); return torch.bernoulli(x1)" % seed,
             lambda x, s=seed: (torch.manual_seed(s), torch.bernoulli(x))[1], [G(30, lo=0.0, hi=1.0, grad=False)])


def error_cases():
    one = ("float32",)
    case("error/ce_out_of_bounds", "torch.cross_entropy(x1, x2)", F.cross_entropy, [G(3, 10), I([1, 12, 3])],
         dtypes=one, error="cross_entropy: target 12 is out of bounds for 10 classes")
    case("error/ce_float_target", "torch.cross_entropy(x1, x2)", F.cross_entropy, [G(3, 10), L([1.0, 2.0, 3.0])],
         dtypes=one, error="expected target of dtype int64 (class indices), got float32")
    case("error/ce_batch", "torch.cross_entropy(x1, x2)", F.cross_entropy, [G(3, 10), I([1, 2, 3, 4])],
         dtypes=one, error="expected input batch_size (3) to match target batch_size (4)")
    case("error/conv_channels", "torch.conv2d(x1, x2)", F.conv2d, [G(1, 3, 5, 5), G(2, 1, 3, 3)], dtypes=one,
         error="conv2d: Given groups=1, weight of size [2, 1, 3, 3], expected input[1, 3, 5, 5] to have 1 channels, "
               "but got 3 channels instead")
    case("error/conv_dims", "torch.conv2d(x1, x2)", F.conv2d, [G(5, 5), G(2, 1, 3, 3)], dtypes=one,
         error="conv2d: expected input with 4 dims (N, C, H, W), got [5, 5]")
    case("error/pool_pad", "torch.max_pool2d(x1, 2, 2, 2)", lambda x: F.max_pool2d(x, 2, 2, 2), [G(1, 1, 4, 4)],
         dtypes=one, error="pad should be at most half of kernel size")


# ---------------------------------------------------------------- running
def make_input(spec, index, dtype):
    """Returns (tensor, record) for one input spec of a case."""
    if "shape" in spec:
        n = math.prod(spec["shape"])
        vals = gen_values(n, index, spec["lo"], spec["hi"])
        t = torch.tensor(vals, dtype=getattr(torch, dtype)).reshape(spec["shape"])
    else:
        t = torch.tensor(spec["data"], dtype=getattr(torch, spec["dtype"] or dtype))
    grad = spec["grad"] and t.is_floating_point()
    t.requires_grad_(grad)
    rec = {"dtype": str(t.dtype)[6:], "grad": grad, "data": t.detach().tolist()}
    return t, rec


def tensor_record(t):
    return {"dtype": str(t.dtype)[6:], "shape": list(t.shape), "values": t.detach().reshape(-1).tolist()}


def run_case(c):
    """Computes one case's record (a dict written to the Lua file)."""
    pairs = [make_input(s, i + 1, c["dtype"]) for i, s in enumerate(c["inputs"])]
    xs = [p[0] for p in pairs]
    rec = {"name": c["name"], "call": c["call"], "inputs": [p[1] for p in pairs]}
    if c["error"] is not None:
        try:
            c["fn"](*xs)
        except (RuntimeError, ValueError, IndexError):
            rec["error"] = c["error"]
            return rec
        raise AssertionError(c["name"] + ": PyTorch did not raise")
    res = c["fn"](*xs)
    outs = list(res) if isinstance(res, tuple) else [res]
    out = outs[0]
    rec["out"] = tensor_record(out)
    rec["extra"] = [tensor_record(t) for t in outs[1:]]
    if out.requires_grad:
        if c["grad_fn"]:
            rec["grad_fn"] = out.grad_fn.name()
        n = max(out.numel(), 1)
        w = torch.tensor(gen_values(n, 7, -1.0, 1.0), dtype=out.dtype).reshape(out.shape)
        rec["w"] = w.tolist()
        (out * w).sum().backward()
        rec["grads"] = [tensor_record(x.grad) if x.requires_grad and x.grad is not None else False for x in xs]
    return rec


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_nn_reference.py OUT.lua")
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)
    for build in (layer_cases, softmax_cases, loss_cases, batch_norm_cases, random_cases, error_cases):
        build()
    write_records(sys.argv[1], "make_nn_reference.py", [run_case(c) for c in CASES])


if __name__ == "__main__":
    main()
