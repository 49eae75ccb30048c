"""Reference for tests/peer/test_vmath_parity.lua: the float32 ops built on
src/backend/cpu/cpu_vmath.h (exp, log, log1p, tanh, erf and the activations
made of them: sigmoid, silu, softplus, mish, elu, selu, gelu both ways)
computed by real PyTorch 1.13 on edge values (+-inf, NaN, +-0, subnormals,
the largest floats, the points where exp overflows or its result becomes
subnormal or 0, log of 0 and negatives, log1p at and near -1) and a dense
sample (log-spaced magnitudes of both signs and an even grid). The inputs
are float32 values, written exactly; the test asks for 1e-6 relative.
Usage: /usr/bin/python3 tests/peer/make_vmath_reference.py OUT.lua
"""
import math
import struct
import sys

import torch
import torch.nn.functional as F

from peerlib import write_records

NAN, INF = float("nan"), float("inf")


def f32(v):
    """v rounded to float32 (as a Python float, which holds it exactly)."""
    return struct.unpack("f", struct.pack("f", v))[0]


def bits(u):
    """The float32 with bit pattern u."""
    return struct.unpack("f", struct.pack("I", u))[0]


EDGE = [0.0, -0.0, INF, -INF, NAN, bits(1), -bits(1), 1e-40, -1e-40, bits(0x00800000), -bits(0x00800000),
        bits(0x7f7fffff), -bits(0x7f7fffff), 1e-30, -1e-30, 1e-7, -1e-7, 1.0, -1.0, 0.5, -0.5, 2.0,
        88.72, 88.73, -88.72, -88.73, 89.0, -89.0, -87.3, -87.4, -100.0, -103.9, -104.0, -150.0, 100.0,
        1e10, -1e10, 0.625, -0.625, bits(0x3f1fffff), -bits(0x3f1fffff), 1.0 - 2 ** -24, -(1.0 - 2 ** -24),
        3.9, 4.0, 4.1, 5.0, -5.0, 9.0, -9.0, 10.0, -10.0, 20.0, -20.0, 50.0, -50.0]


def sample(lo, hi, n):
    """n log-spaced magnitudes 10^lo .. 10^hi, both signs, and an even grid on [-12, 12]."""
    out = []
    for i in range(n):
        m = 10.0 ** (lo + (hi - lo) * i / (n - 1))
        out += [m, -m]
    out += [-12.0 + 24.0 * i / (n - 1) for i in range(n)]
    return out


def near(c, n):
    """n float32 neighbours above and below c."""
    u = struct.unpack("I", struct.pack("f", c))[0]
    return [bits(u + k) for k in range(-n, n + 1) if c != 0 or k >= 0]


GENERAL = EDGE + sample(-40, 38, 1200)
LOGS = GENERAL + near(1.0, 40) + [bits(u) for u in range(1, 1 << 23, 99991)] + \
    [2.0 ** (e / 7) for e in range(-1000, 900)]
# PyTorch's log1p (SLEEF) gives inf from about 1.7e38 on (log1p(FLT_MAX) is
# 88.7); ember keeps the true value, so the sample stops at 1e38.
LOG1PS = [v for v in GENERAL if not v > 1e38] + near(-1.0, 40) + near(0.0, 20) + [-1.0 + 2.0 ** -k for k in range(1, 25)] + \
    [-1.0 + i / 2000 for i in range(4000)]

# Where a step of PyTorch's formula cancels, two engines whose exp, tanh or
# erf differ by an ulp differ by that ulp of 1 in absolute terms: elu and
# selu (e^x - 1, times alpha [and scale]) get atol = 2 ulps of 1 times that
# factor; gelu (PyTorch's x (1 + erf) / 2, x (1 + tanh) / 2) gets 2e-7 |x|,
# which also covers PyTorch's own erf in GELU (oneDNN's, within 1.5e-7 of
# erf for contiguous float32 input); ember's float32 gelu 'none' has no
# cancellation (x E / 2 with E = erfc(-x/sqrt2) computed directly, within 7
# ulps of the true value, cpu_vmath.h), so where PyTorch's 1 + erf cancels
# (x < -3) the two differ by PyTorch's error, inside that 2e-7 |x|.
# gelu's zeros may differ in sign: PyTorch gives +0 for contiguous float32
# input (oneDNN) and -0 otherwise, as ember.
ELU = dict(atol=2 ** -22)
SELU = dict(atol=2 ** -22 * 1.6732632423543772 * 1.0507009873554805)
GELU = dict(atol_x=2e-7, zero_sign=False)

# name, ember call on x1, PyTorch function, inputs[, tolerances]
OPS = [
    ("exp", "x1:exp()", torch.exp, GENERAL + [-104.0 + i / 40 for i in range(8000)]),
    ("log", "x1:log()", torch.log, LOGS),
    ("log1p", "x1:log1p()", torch.log1p, LOG1PS),
    ("tanh", "x1:tanh()", torch.tanh, GENERAL),
    ("erf", "torch.erf(x1)", torch.erf, GENERAL),
    ("sigmoid", "x1:sigmoid()", torch.sigmoid, GENERAL),
    ("silu", "torch.nn.functional.silu(x1)", F.silu, GENERAL),
    ("softplus", "torch.nn.functional.softplus(x1)", F.softplus, GENERAL),
    ("softplus/beta", "torch.nn.functional.softplus(x1, 2, 10)", lambda a: F.softplus(a, 2, 10), GENERAL),
    ("mish", "torch.nn.functional.mish(x1)", F.mish, GENERAL),
    ("elu", "torch.nn.functional.elu(x1)", F.elu, GENERAL, ELU),
    ("elu/alpha", "torch.nn.functional.elu(x1, 0.5)", lambda a: F.elu(a, 0.5), GENERAL, ELU),
    ("selu", "torch.selu(x1)", torch.selu, GENERAL, SELU),
    ("gelu", "torch.nn.functional.gelu(x1)", F.gelu, GENERAL, GELU),
    ("gelu/tanh", "torch.nn.functional.gelu(x1, {approximate = 'tanh'})",
     lambda a: F.gelu(a, approximate="tanh"), GENERAL, GELU),
]


def main():
    torch.set_num_threads(1)
    records = []
    for name, call, fn, xs, *tols in OPS:
        x = torch.tensor([f32(v) for v in xs], dtype=torch.float32)
        y = fn(x)
        records.append(dict(name=name, call=call, x=x.tolist(), y=y.tolist(), **(tols[0] if tols else {})))
    write_records(sys.argv[1], "make_vmath_reference.py", records)


if __name__ == "__main__":
    main()
