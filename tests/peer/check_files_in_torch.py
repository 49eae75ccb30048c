#!/usr/bin/python3
"""check_files_in_torch.py PAIRS - for each line "ORIGINAL<TAB>EMBER<TAB>legacy|zip<TAB>PROTOCOL" of
PAIRS, loads the file real PyTorch wrote (ORIGINAL) and the file ember wrote
back after loading it (EMBER) with torch.load, and checks that they hold the
same value exactly: the same types (list/tuple, dict/OrderedDict, int/float/
bool/str/None, Tensor/Parameter), dict keys of the same types in the same
order, _metadata, ints and floats bit for bit, tensors with the same shape,
stride, offset, requires_grad and values (dtypes ember lacks come back
widened: int16/int8 -> int32, values equal; float16/bfloat16 come back as
themselves, bit for bit),
the same pattern of storage sharing; and that EMBER is in the format asked
for (zip or legacy) with that pickle protocol, and loads with
weights_only=True whenever ORIGINAL does. Exit 0 = all good."""
import collections
import math
import sys
import zipfile

import torch

WIDENED = {torch.int16: torch.int32, torch.int8: torch.int32}
failures = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        failures.append(msg)


def same(a, b, path, ptrs_a, ptrs_b):
    if isinstance(a, torch.Tensor):
        check(type(a) is type(b), f"{path}: {type(a).__name__} came back as {type(b).__name__}")
        if not isinstance(b, torch.Tensor):
            return
        want = WIDENED.get(a.dtype, a.dtype)
        check(b.dtype == want, f"{path}: dtype {a.dtype} came back as {b.dtype} (expected {want})")
        check(tuple(a.shape) == tuple(b.shape), f"{path}: shape {tuple(a.shape)} vs {tuple(b.shape)}")
        check(a.stride() == b.stride(), f"{path}: stride {a.stride()} vs {b.stride()}")
        check(a.storage_offset() == b.storage_offset(), f"{path}: offset {a.storage_offset()} vs {b.storage_offset()}")
        check(a.requires_grad == b.requires_grad, f"{path}: requires_grad {a.requires_grad} vs {b.requires_grad}")
        if b.dtype == want and a.shape == b.shape:
            check(torch.equal(a.detach().to(want), b.detach()), f"{path}: values differ")
            if a.dtype in (torch.float16, torch.bfloat16):
                check(torch.equal(a.detach().contiguous().view(torch.int16), b.detach().contiguous().view(torch.int16)),
                      f"{path}: {a.dtype} bits differ")
        ptrs_a.append(a.storage().data_ptr())
        ptrs_b.append(b.storage().data_ptr())
        return
    check(type(a) is type(b), f"{path}: {type(a).__name__} {a!r:.60} came back as {type(b).__name__} {b!r:.60}")
    if type(a) is not type(b):
        return
    if isinstance(a, float):
        check((math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b)),
              f"{path}: {a!r} vs {b!r}")
    elif isinstance(a, (list, tuple)):
        check(len(a) == len(b), f"{path}: length {len(a)} vs {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]", ptrs_a, ptrs_b)
    elif isinstance(a, dict):
        ka, kb = list(a.keys()), list(b.keys())
        check(len(ka) == len(kb), f"{path}: {len(ka)} keys vs {len(kb)}")
        for x, y in zip(ka, kb):
            check(type(x) is type(y) and x == y, f"{path}: key {x!r} ({type(x).__name__}) vs {y!r} ({type(y).__name__})")
            if type(x) is type(y) and x == y:
                same(a[x], b[y], f"{path}[{x!r}]", ptrs_a, ptrs_b)
        ma, mb = getattr(a, "_metadata", None), getattr(b, "_metadata", None)
        check((ma is None) == (mb is None), f"{path}: _metadata {ma!r:.60} vs {mb!r:.60}")
        if ma is not None and mb is not None:
            same(dict(ma), dict(mb), f"{path}._metadata", [], [])
    else:
        check(a == b, f"{path}: {a!r:.60} vs {b!r:.60}")


def sharing(ptrs):
    ids = {}
    return [ids.setdefault(p, len(ids)) for p in ptrs]


def main(pairs):
    for line in open(pairs):
        orig, ember, fmt, protocol = line.rstrip("\n").split("\t")
        a = torch.load(orig)
        try:
            b = torch.load(ember)
        except Exception as e:       # noqa: BLE001 - reported as a failure
            failures.append(f"{ember}: PyTorch cannot load it: {e}")
            continue
        ptrs_a, ptrs_b = [], []
        same(a, b, ember, ptrs_a, ptrs_b)
        check(sharing(ptrs_a) == sharing(ptrs_b), f"{ember}: storage sharing {sharing(ptrs_a)} vs {sharing(ptrs_b)}")
        check(zipfile.is_zipfile(ember) == (fmt == "zip"), f"{ember}: not in the {fmt} format")
        head = open(ember, "rb").read(64)
        if fmt == "legacy":
            check(head[:2] == bytes([0x80, int(protocol)]), f"{ember}: the legacy magic pickle is not protocol {protocol}")
        elif zipfile.is_zipfile(ember):
            with zipfile.ZipFile(ember) as z:
                pkl = [n for n in z.namelist() if n.endswith("data.pkl")][0]
                check(z.read(pkl)[:2] == bytes([0x80, int(protocol)]), f"{ember}: data.pkl is not protocol {protocol}")
        try:
            torch.load(orig, weights_only=True)
            safe = True
        except Exception:            # noqa: BLE001 - torch 1.13's safe loader has no BINFLOAT
            safe = False
        if safe:
            try:
                torch.load(ember, weights_only=True)
            except Exception as e:   # noqa: BLE001
                failures.append(f"{ember}: weights_only=True refuses it ({e}) but loads the original")
    for f in failures:
        print("FAIL", f)
    print(f"check_files_in_torch: {checks} checks, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
