"""Reference for tests/peer/test_half_parity.lua: float16 and bfloat16 as
PyTorch 1.13 has them.

  make_half_reference.py OUT        writes the cases to OUT (a Lua file) and
                                    PyTorch's files to OUT.d/ (torch.pt,
                                    torch.safetensors)
  make_half_reference.py --check D  loads the files ember wrote back into D
                                    (ember.pt, ember.safetensors) and checks
                                    that they hold PyTorch's dtypes and bits

The cases: float32 -> float16 / bfloat16 conversions of a sample of floats
(random bit patterns, values in float16's range, around its subnormals and
exact halfway points) and of a few float64 values (rounded twice, through
float32, as c10::Half does); ops on 16-bit inputs (where PyTorch 1.13's CPU
has no float16 kernel - exp, relu, matmul ... - the reference is the op in
float32 rounded to the dtype, which is what ember does and what later
PyTorch versions do); printing; type promotion; gradients."""
import math
import os
import struct
import sys
import zipfile

import torch

from peerlib import write_records

HALF = {"float16": torch.float16, "bfloat16": torch.bfloat16}


def f32(u):
    return struct.unpack("<f", struct.pack("<I", u))[0]


def floats(t):
    return [float(v) for v in t.detach().float().reshape(-1).tolist()]


def conversion_cases():
    g = torch.Generator().manual_seed(22)
    groups = {
        "bit patterns": torch.randint(0, 2 ** 32, (3000,), generator=g, dtype=torch.int64).tolist(),
        "float16 range": (torch.rand(3000, generator=g, dtype=torch.float64) * 140000 - 70000).float(),
        "subnormals": (torch.rand(2000, generator=g, dtype=torch.float64) * 2 ** -12 - 2 ** -13).float(),
        "near one": (1 + (torch.rand(2000, generator=g, dtype=torch.float64) - 0.5) * 2 ** -6).float(),
    }
    # every group as float32 bit patterns
    out = []
    for name, v in groups.items():
        bits = v if isinstance(v, list) else v.view(torch.int32).tolist()
        bits = [b & 0xFFFFFFFF for b in bits]
        # halfway points between neighbouring float16 and bfloat16 values, and
        # the floats either side of them
        if name == "near one":
            mids = []
            for k in range(0, 1024, 7):
                lo = 1 + k * 2 ** -10
                mid = struct.unpack("<I", struct.pack("<f", lo + 2 ** -11))[0]
                mids += [mid - 1, mid, mid + 1]
            for k in range(0, 128, 3):
                mid = struct.unpack("<I", struct.pack("<f", 1 + k * 2 ** -7 + 2 ** -8))[0]
                mids += [mid - 1, mid, mid + 1]
            bits += mids
        specials = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001,
                    0x477FE000, 0x477FEFFF, 0x477FF000, 0x477FF001, 0x38800000, 0x387FFFFF, 0x33800000,
                    0x33000000, 0x33000001, 0x32FFFFFF, 0x00000001, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F7F8000]
        if name == "bit patterns":
            bits += specials
        x = torch.tensor(bits, dtype=torch.int64).to(torch.int32).view(torch.float32)
        out.append({"name": "convert " + name, "kind": "convert", "bits": bits,
                    "float16": floats(x.half()), "bfloat16": floats(x.bfloat16())})
    doubles = [1 + 2 ** -11 + 2 ** -40, 1 + 2 ** -8 + 2 ** -40, 65519.99999999, 1e-300, -1e300, 0.1, 1 / 3]
    x = torch.tensor(doubles, dtype=torch.float64)
    out.append({"name": "convert float64", "kind": "convert64", "values": doubles,
                "float16": floats(x.half()), "bfloat16": floats(x.bfloat16())})
    ints = [0, 1, -7, 2049, 65519, 65520, 100000, 2 ** 24 + 1, -(2 ** 40) - 12345]
    x = torch.tensor(ints, dtype=torch.int64)
    out.append({"name": "convert int64", "kind": "convert_int", "values": ints,
                "float16": floats(x.half()), "bfloat16": floats(x.bfloat16())})
    back = torch.tensor([1.5, -2.7, 300.7, -0.0, 65504.0, 1e-7], dtype=torch.float32)
    for dt in HALF:
        h = back.to(HALF[dt])
        out.append({"name": "convert %s to others" % dt, "kind": "convert_out", "dtype": dt, "values": floats(h),
                    "int64": h.long().tolist(), "uint8": h.to(torch.uint8).tolist(), "bool": h.bool().tolist(),
                    "float64": h.double().tolist(), "other": floats(h.to(HALF["bfloat16" if dt == "float16" else
                                                                                 "float16"]))})
    return out


# name -> (arguments, how PyTorch computes it)
UNARY = {
    "neg": lambda a: -a, "abs": torch.abs, "relu": torch.relu, "exp": torch.exp, "sigmoid": torch.sigmoid,
    "tanh": torch.tanh, "sqrt": lambda a: torch.sqrt(a.abs()), "log": lambda a: torch.log(a.abs()),
    "square": lambda a: a * a, "sum": torch.sum, "mean": torch.mean, "sum_dim2": lambda a: a.sum(1),
    "max": torch.max, "softmax": lambda a: torch.softmax(a, 1), "scalar_add": lambda a: a + 0.1,
    "scalar_mul": lambda a: a * 3, "clamp": lambda a: a.clamp(-1, 2),
    # a number compares with the tensor as its dtype holds it: float16(0.1) == 0.1
    "eq_scalar": lambda a: (a * 0 + 0.1).eq(0.1), "lt_scalar": lambda a: a.lt(0.1),
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "maximum": torch.maximum,
    "matmul": lambda a, b: a @ b.t(), "where": lambda a, b: torch.where(a > b, a, b),
}
# results that are sums of many terms: rounded sums may differ in the last place
SUMS = {"sum", "mean", "sum_dim2", "matmul", "softmax"}


def op_cases():
    g = torch.Generator().manual_seed(7)
    a32 = torch.randn(4, 6, generator=g) * 3
    b32 = torch.randn(4, 6, generator=g) * 3
    out = []
    for dt, tdt in HALF.items():
        a, b = a32.to(tdt), b32.to(tdt)
        for name, fn in list(UNARY.items()) + list(BINARY.items()):
            args = (a,) if name in UNARY else (a, b)
            try:
                r, how = fn(*args), "native"
            except RuntimeError:   # no CPU kernel for this dtype in 1.13: float32, rounded
                r, how = fn(*[x.float() for x in args]).to(tdt), "float32"
            out.append({"name": "%s %s" % (dt, name), "kind": "op", "op": name, "dtype": dt, "how": how,
                        "a": floats(a), "b": floats(b), "shape": list(a.shape), "out_shape": list(r.shape),
                        "out_dtype": str(r.dtype), "values": floats(r), "ulps": 1 if name in SUMS else 0})
    return out


def print_cases():
    specs = [([1.0, 2.5], None), ([1e-5, 1.0], None), ([70000.0, 1.0], None), ([0.1, -0.25, 3.0], (3,)),
             ([1.0, 2.0, 3.0, 4.0], (2, 2)), ([float("nan"), float("inf"), -1.5], None), ([3.25], ()),
             ([], (0,)), ([123456.0, 0.001], None), (list(range(12)), (3, 4)), ([1 / 3, 2 / 3], None)]
    out = []
    for dt, tdt in HALF.items():
        for i, (vals, shape) in enumerate(specs):
            t = torch.tensor(vals, dtype=tdt)
            if shape is not None:
                t = t.reshape(shape)
            out.append({"name": "print %s %d" % (dt, i), "kind": "print", "dtype": dt, "values": floats(t),
                        "shape": list(t.shape), "repr": repr(t)})
        t = torch.tensor([1.5, -2.0], dtype=tdt, requires_grad=True)
        out.append({"name": "print %s requires_grad" % dt, "kind": "print", "dtype": dt, "values": floats(t),
                    "shape": [2], "requires_grad": True, "repr": repr(t)})
    return out


# operands: "f16" a 1-D tensor, "f16_0d" a 0-dim tensor, "num_f" a Lua float, "num_i" an integer, "bool" true
OPERANDS = {
    "f16": lambda: torch.ones(2, dtype=torch.float16), "bf16": lambda: torch.ones(2, dtype=torch.bfloat16),
    "f32": lambda: torch.ones(2), "f64": lambda: torch.ones(2, dtype=torch.float64),
    "i64": lambda: torch.ones(2, dtype=torch.int64), "i32": lambda: torch.ones(2, dtype=torch.int32),
    "u8": lambda: torch.ones(2, dtype=torch.uint8), "b": lambda: torch.ones(2, dtype=torch.bool),
    "f16_0d": lambda: torch.tensor(1.0, dtype=torch.float16), "bf16_0d": lambda: torch.tensor(1.0, dtype=torch.bfloat16),
    "f32_0d": lambda: torch.tensor(1.0), "i64_0d": lambda: torch.tensor(1),
    "num_f": lambda: 2.5, "num_i": lambda: 2,
}


def promote_cases():
    pairs = [("f16", "f32"), ("f16", "f64"), ("f16", "i64"), ("f16", "i32"), ("f16", "u8"), ("f16", "b"),
             ("f16", "bf16"), ("bf16", "f32"), ("bf16", "i64"), ("f16", "num_f"), ("f16", "num_i"),
             ("bf16", "num_f"), ("f32_0d", "f16"), ("f16_0d", "f32"), ("f16_0d", "i64"), ("f16_0d", "bf16"),
             ("bf16_0d", "f16"), ("f16_0d", "bf16_0d"), ("i64", "f16_0d"), ("i64_0d", "f16"), ("f16", "f16_0d")]
    out = []
    for x, y in pairs:
        r = OPERANDS[x]() + OPERANDS[y]()
        out.append({"name": "promote %s + %s" % (x, y), "kind": "promote", "a": x, "b": y, "dtype": str(r.dtype)})
    return out


def grad_cases():
    g = torch.Generator().manual_seed(3)
    x32 = torch.randn(3, 4, generator=g)
    w32 = torch.randn(4, 2, generator=g)
    cases = {
        "mul_add": ("float16", lambda x, w: (x * x + x).sum()),
        "div_mean": ("float16", lambda x, w: (x / 3).mean()),
        "pow": ("float16", lambda x, w: (x ** 2).sum()),
        "matmul_relu": ("bfloat16", lambda x, w: torch.relu(x @ w).sum()),
        "exp": ("bfloat16", lambda x, w: torch.exp(x).sum()),
        "matmul_both": ("bfloat16", lambda x, w: (x @ w).sum()),
    }
    out = []
    for name, (dt, fn) in cases.items():
        x = x32.to(HALF[dt]).requires_grad_()
        w = w32.to(HALF[dt]).requires_grad_()
        y = fn(x, w)
        y.backward()
        # the same in float32, gradients rounded to dt: PyTorch 1.13's bfloat16
        # gemm accumulates some products in bfloat16, ember in float32 (rounded once)
        x32_, w32_ = x.detach().float().requires_grad_(), w.detach().float().requires_grad_()
        fn(x32_, w32_).backward()
        out.append({"name": "grad %s %s" % (dt, name), "kind": "grad", "op": name, "dtype": dt,
                    "x": floats(x), "w": floats(w), "y": float(y), "y_dtype": str(y.dtype),
                    "grad_fn": type(y.grad_fn).__name__, "gx": floats(x.grad), "gx_dtype": str(x.grad.dtype),
                    "gw": floats(w.grad) if w.grad is not None else None,
                    "gx_f32": floats(x32_.grad.to(x.dtype)),
                    "gw_f32": floats(w32_.grad.to(w.dtype)) if w32_.grad is not None else None})
    return out


# --- files ---
FILE_TENSORS = {
    "h": (torch.float16, [1.0, -2.5, 65504.0, 2 ** -24, -(2 ** -14), -0.0, float("inf"), float("nan"), 0.1]),
    "b": (torch.bfloat16, [1.0, -2.5, 3.3895313892515355e38, 2 ** -133, -0.0, float("-inf"), float("nan"), 0.1]),
    "f": (torch.float32, [1.5, 0.1]),
}


def file_tensors():
    d = {k: torch.tensor(v, dtype=dt) for k, (dt, v) in FILE_TENSORS.items()}
    d["h2"] = torch.arange(12, dtype=torch.float16).reshape(3, 4).t()   # a non-contiguous view
    return d


def st_dtype(dt):
    return {torch.float16: "F16", torch.bfloat16: "BF16", torch.float32: "F32"}[dt]


def write_safetensors(path, tensors):
    """The safetensors layout by hand (the library is not installed): an
    8-byte header length, the JSON header, the bytes in header order."""
    import json
    header, data = {}, b""
    for name, t in tensors.items():
        raw = t.contiguous().view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": st_dtype(t.dtype), "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def read_safetensors(path):
    import json
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    dts = {"F16": torch.float16, "BF16": torch.bfloat16, "F32": torch.float32}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        lo, hi = e["data_offsets"]
        raw = bytearray(b[8 + n + lo:8 + n + hi])
        out[name] = torch.frombuffer(raw, dtype=torch.uint8).view(dts[e["dtype"]]).reshape(e["shape"]) if raw \
            else torch.empty(e["shape"], dtype=dts[e["dtype"]])
    return out


def bits(t):
    t = t.detach().contiguous()
    return t.view(torch.int16 if t.element_size() == 2 else torch.int32)


def check(folder):
    want = file_tensors()
    want["made_h"] = torch.tensor([0.1, 1 / 3, 65519.0, 65520.0, 1e-8, -3e-8], dtype=torch.float16)
    want["made_b"] = torch.tensor([0.1, 1 / 3, 3.4e38, 1e-40], dtype=torch.bfloat16)
    failures = []
    for fname, loaded in (("ember.pt", torch.load(os.path.join(folder, "ember.pt"))),
                          ("ember.safetensors", read_safetensors(os.path.join(folder, "ember.safetensors")))):
        for k, w in want.items():
            if fname.endswith(".safetensors") and k == "h2":
                w = w.contiguous()
            got = loaded.get(k)
            if got is None:
                failures.append("%s: %s missing" % (fname, k))
            elif got.dtype != w.dtype or tuple(got.shape) != tuple(w.shape):
                failures.append("%s: %s is %s %s, expected %s %s" % (fname, k, got.dtype, tuple(got.shape), w.dtype,
                                                                     tuple(w.shape)))
            elif not torch.equal(bits(got), bits(w)):
                failures.append("%s: %s bits differ: %s vs %s" % (fname, k, bits(got).tolist(), bits(w).tolist()))
            elif fname.endswith(".pt") and got.stride() != w.stride():
                failures.append("%s: %s stride %s vs %s" % (fname, k, got.stride(), w.stride()))
    with zipfile.ZipFile(os.path.join(folder, "ember.pt")) as z:
        pkl = next(z.read(n) for n in z.namelist() if n.endswith("data.pkl"))
        for cls in (b"HalfStorage", b"BFloat16Storage"):
            if cls not in pkl:
                failures.append("ember.pt: no %s in data.pkl" % cls.decode())
    for f in failures:
        print("FAIL", f)
    print("checked %d tensors in 2 files, %d failures" % (len(want), len(failures)))
    return 0 if not failures else 1


def file_cases(out_path):
    folder = out_path + ".d"
    os.makedirs(folder, exist_ok=True)
    d = file_tensors()
    torch.save(d, os.path.join(folder, "torch.pt"))
    st = dict(d)
    st["h2"] = st["h2"].contiguous()
    write_safetensors(os.path.join(folder, "torch.safetensors"), st)
    return [{"name": "files", "kind": "files", "dir": folder,
             "tensors": {k: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
                             "stride": list(t.stride()), "values": floats(t)} for k, t in d.items()}}]


def main():
    if sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2]))
    records = conversion_cases() + op_cases() + print_cases() + promote_cases() + grad_cases() + \
        file_cases(sys.argv[1])
    write_records(sys.argv[1], "make_half_reference.py", records)


if __name__ == "__main__":
    main()
