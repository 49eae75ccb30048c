#!/usr/bin/env python3
"""Files written by real PyTorch, for ember to load exactly and write back.

For every case (a list with None, nested containers with None values, dict
keys of every kind, 64-bit ints, None alone, a state_dict with _metadata,
tensors of every dtype with views sharing storage, a training checkpoint)
and every format (the zip format with pickle protocols 2 and 4, the legacy
format of _use_new_zipfile_serialization=False with protocols 2 and 5),
torch.save writes <argv[1]>.d/<case>.<format>.pt. The Lua data file argv[1]
describes each value exactly (kinds, keys in order, ints, floats, tensor
dtype, shape, stride, values, which tensors share a storage), for
test_files_parity.lua, which loads each file in ember, compares, writes it
back in the same format and has check_files_in_torch.py load ember's file
in PyTorch and compare it with the original. Run with /usr/bin/python3.
"""
import collections
import math
import os
import sys

import torch
import torch.nn as nn

FORMATS = [("zip2", True, 2), ("zip4", True, 4), ("legacy2", False, 2), ("legacy5", False, 5)]


def cases():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    base = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model(torch.randn(5, 3)).sum().backward()
    opt.step()
    return [
        ("list_none", [1, 2.5, None, True, "s", None]),
        ("nested", {"a": [None, [None], (None, [None, 1])], "n": None, "e": [], "t": (), "d": {"x": None},
                    "od": collections.OrderedDict([("z", None), ("y", [])]), "s": "caf\u00e9 \u20ac"}),
        # 1 == True and 0 == False in Python: keys that do not collide
        ("keys", {3: "int", 1.5: "float", 2.0: "two", True: "bool", False: "no", "s": "str", None: "none",
                  (1, "a", None): "tuple", -2**63: "min"}),
        ("ints", [9007199254740993, 2**63 - 1, -2**63, -9007199254740993, 2**53, 0, -1]),
        ("none", None),
        ("floats", [0.1, -0.0, 1e308, 5e-324, float("inf"), -float("inf")]),
        ("state_dict", model.state_dict()),
        ("dtypes", {"f32": torch.tensor([1.5, -2.25, 3.0e-8]), "f64": torch.tensor([0.1, -1e300], dtype=torch.float64),
                    "i64": torch.tensor([2**62 + 1, -2**63, 2**63 - 1, 9007199254740993]),
                    "i32": torch.tensor([-2**31, 2**31 - 1], dtype=torch.int32),
                    "u8": torch.tensor([0, 255, 7], dtype=torch.uint8), "b": torch.tensor([True, False]),
                    "f16": torch.tensor([1.5, -65504.0, 6e-8], dtype=torch.float16),
                    "bf16": torch.tensor([1.5, -3.0e38], dtype=torch.bfloat16),
                    "i16": torch.tensor([-32768, 32767], dtype=torch.int16),
                    "i8": torch.tensor([-128, 127], dtype=torch.int8),
                    "scalar": torch.tensor(3.5), "empty": torch.zeros(0, 3)}),
        ("views", collections.OrderedDict([("base", base), ("t", base.t()), ("row", base[1]),
                                           ("cols", base[:, 1:3]), ("other", torch.ones(2))])),
        ("checkpoint", {"epoch": 3, "model": model.state_dict(), "optimizer": opt.state_dict(),
                        "losses": [0.5, 0.25], "best": None, "history": []}),
    ]


def lua_str(s):
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        out.append(c if 32 <= b < 127 and c not in '"\\' else "\\%d" % b if c not in '"\\' else "\\" + c)
    return '"' + "".join(out) + '"'


def lua_num(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return "math.mininteger" if v == -2**63 else str(v)
    if math.isnan(v):
        return "0/0"
    if math.isinf(v):
        return "1/0" if v > 0 else "-1/0"
    if v == 0 and math.copysign(1, v) < 0:
        return "-0.0"
    r = repr(v)
    return r if ("." in r or "e" in r or "inf" in r) else r + ".0"


def describe(v, storages):
    """A Lua literal describing v; storages maps data_ptr -> id (first seen)."""
    if v is None:
        return '{t="none"}'
    if isinstance(v, bool):
        return '{t="bool", v=%s}' % lua_num(v)
    if isinstance(v, int):
        return '{t="int", v=%s}' % lua_num(v)
    if isinstance(v, float):
        return '{t="float", v=%s}' % lua_num(v)
    if isinstance(v, str):
        return '{t="str", v=%s}' % lua_str(v)
    if isinstance(v, torch.Tensor):
        ptr = v.storage().data_ptr()
        if ptr not in storages:
            storages[ptr] = len(storages)
        flat = v.detach().reshape(-1)
        if v.dtype in (torch.float16, torch.bfloat16):
            flat = flat.float()
        vals = ", ".join(lua_num(x) for x in flat.tolist())
        return ('{t="tensor", dtype="%s", shape={%s}, stride={%s}, offset=%d, storage=%d, param=%s, rg=%s, '
                'values={%s}}' % (str(v.dtype).replace("torch.", ""), ", ".join(map(str, v.shape)),
                                  ", ".join(map(str, v.stride())), v.storage_offset(), storages[ptr],
                                  lua_num(isinstance(v, nn.Parameter)), lua_num(v.requires_grad), vals))
    if isinstance(v, (list, tuple)):
        return '{t="%s", items={%s}}' % ("list" if isinstance(v, list) else "tuple",
                                         ", ".join(describe(x, storages) for x in v))
    if isinstance(v, dict):
        kind = "odict" if type(v) is collections.OrderedDict else "dict"
        items = ", ".join("{%s, %s}" % (describe(k, storages), describe(x, storages)) for k, x in v.items())
        meta = getattr(v, "_metadata", None)
        return '{t="%s", items={%s}, meta=%s}' % (kind, items, describe(meta, storages) if meta is not None else "nil")
    raise TypeError("cannot describe %r" % (v,))


def main(out):
    folder = (out[:-4] if out.endswith(".tmp") else out) + ".d"   # peer.sh writes OUT.tmp, then renames it
    os.makedirs(folder, exist_ok=True)
    with open(out, "w") as f:
        f.write("-- generated by tests/peer/make_files_reference.py with torch %s\n" % torch.__version__)
        f.write("return {dir = %s, cases = {\n" % lua_str(folder))
        for name, value in cases():
            for fmt, zipfmt, protocol in FORMATS:
                path = os.path.join(folder, "%s.%s.pt" % (name, fmt))
                torch.save(value, path, _use_new_zipfile_serialization=zipfmt, pickle_protocol=protocol)
                f.write("  {name = %s, path = %s, legacy = %s, protocol = %d,\n   expect = %s},\n" % (
                    lua_str(name + "." + fmt), lua_str(path), lua_num(not zipfmt), protocol, describe(value, {})))
        f.write("}}\n")


if __name__ == "__main__":
    main(sys.argv[1])
