#!/usr/bin/python3
"""check_saved_in_torch.py OUTDIR - loads every NAME.pt that ember's torch.save
wrote (tests/peer/save_cases.lua) with real PyTorch and checks it against
NAME.json (the structure ember saved): types, key order, tensor dtype, shape,
stride, offset, requires_grad, Parameter-ness, value sums, storage sharing.
Also: the zip layout (records, 64-byte alignment, CRCs, version), the
weights_only loader (must succeed, except BINFLOAT files on torch 1.x, whose
safe loader cannot read floats: formats/pytorch-pt.md 5.1), and that
load_state_dict works for the model and both optimizers. When the shared
format tools are there (EMBER_PT_TOOLS, default /work/shared/tools), each file
also goes through pt_inspect.py, and float-free, Parameter-free files are
compared byte for byte with pt_ref_writer.py. Exit 0 = all good."""
import collections
import json
import os
import struct
import subprocess
import sys
import zipfile

import torch
import torch.nn as nn

OUT = sys.argv[1]
TOOLS = os.environ.get("EMBER_PT_TOOLS", "/work/shared/tools")
TORCH_MAJOR = int(torch.__version__.split(".")[0])
failures = []
counts = collections.Counter()


def check(cond, msg):
    counts["checks"] += 1
    if not cond:
        failures.append(msg)


# --- structure ---------------------------------------------------------------
def key_of(k):
    return k


def storage_ptr(t):
    return t.untyped_storage().data_ptr() if hasattr(t, "untyped_storage") else t.storage().data_ptr()


def sums(t):
    s = w = 0.0
    flat = t.detach().double().reshape(-1).tolist() if t.numel() else []
    for i, x in enumerate(flat):
        s += x
        w += x * (i % 7 + 1)
    return s, w


def compare(obj, d, path, shares):
    t = d["t"]
    if t == "none":
        check(obj is None, f"{path}: expected None, got {type(obj).__name__}")
    elif t == "bool":
        check(type(obj) is bool and obj == d["v"], f"{path}: expected bool {d['v']}, got {obj!r}")
    elif t == "int":
        check(type(obj) is int and obj == d["v"], f"{path}: expected int {d['v']}, got {obj!r}")
    elif t == "float":
        check(type(obj) is float and obj == float(d["v"]), f"{path}: expected float {d['v']}, got {obj!r}")
    elif t == "str":
        check(type(obj) is str and obj == d["v"], f"{path}: expected str {d['v']!r}, got {obj!r}")
    elif t in ("list", "tuple"):
        want = list if t == "list" else tuple
        check(type(obj) is want, f"{path}: expected {t}, got {type(obj).__name__}")
        if type(obj) is want:
            check(len(obj) == len(d["items"]), f"{path}: length {len(obj)} != {len(d['items'])}")
            for i, (o, dd) in enumerate(zip(obj, d["items"])):
                compare(o, dd, f"{path}[{i}]", shares)
    elif t in ("dict", "odict"):
        want = collections.OrderedDict if t == "odict" else dict
        check(type(obj) is want, f"{path}: expected {want.__name__}, got {type(obj).__name__}")
        if isinstance(obj, dict):
            keys = [k for k, _ in d["items"]]
            check(list(obj.keys()) == keys, f"{path}: keys {list(obj.keys())} != {keys}")
            for k, dd in d["items"]:
                if k in obj:
                    compare(obj[k], dd, f"{path}[{k!r}]", shares)
        if t == "odict":
            meta = getattr(obj, "_metadata", None)
            if d["meta"] is None:
                check(meta is None, f"{path}: unexpected _metadata")
            else:
                compare(meta, d["meta"], f"{path}._metadata", shares)
    elif t == "tensor":
        check(isinstance(obj, torch.Tensor), f"{path}: expected a tensor, got {type(obj).__name__}")
        if not isinstance(obj, torch.Tensor):
            return
        counts["tensors"] += 1
        counts["elements"] += obj.numel()
        check(isinstance(obj, nn.Parameter) == d["param"], f"{path}: Parameter is {isinstance(obj, nn.Parameter)}")
        check(str(obj.dtype) == "torch." + d["dtype"], f"{path}: dtype {obj.dtype} != {d['dtype']}")
        check(list(obj.shape) == d["shape"], f"{path}: shape {list(obj.shape)} != {d['shape']}")
        check(list(obj.stride()) == d["stride"], f"{path}: stride {obj.stride()} != {d['stride']}")
        check(obj.storage_offset() == d["offset"], f"{path}: offset {obj.storage_offset()} != {d['offset']}")
        check(obj.requires_grad == d["rg"], f"{path}: requires_grad {obj.requires_grad} != {d['rg']}")
        s, w = sums(obj)
        check(s == float(d["sum"]) and w == float(d["wsum"]),
              f"{path}: value sums {s!r}/{w!r} != {d['sum']}/{d['wsum']}")
        if d["share"] is not None:
            shares.setdefault(d["share"], set()).add(storage_ptr(obj))
    else:
        check(False, f"{path}: unknown description {t}")


# --- the zip container ----------------------------------------------------------
def check_zip(path, name):
    raw = open(path, "rb").read()
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        check(z.testzip() is None, f"{name}: a CRC-32 is wrong")
        ndata = sum(1 for n in names if n.startswith(name + "/data/"))
        nonempty = sum(1 for i in infos if i.filename.startswith(name + "/data/") and i.file_size > 0)
        want = [f"{name}/data.pkl", f"{name}/byteorder"] + [f"{name}/data/{k}" for k in range(ndata)] + [f"{name}/version"]
        check(names == want, f"{name}: records {names} != {want}")
        check(z.read(f"{name}/version") == b"3\n", f"{name}: version record")
        check(z.read(f"{name}/byteorder") == b"little", f"{name}: byteorder record")
        for i in infos:
            check(i.compress_type == zipfile.ZIP_STORED, f"{name}: {i.filename} is compressed")
            off = i.header_offset
            nlen, elen = struct.unpack("<HH", raw[off + 26:off + 30])
            check((off + 30 + nlen + elen) % 64 == 0, f"{name}: {i.filename} data not 64-byte aligned")
    check(raw[-22:-18] == b"PK\x05\x06" and raw[-42:-38] == b"PK\x06\x07", f"{name}: end records")
    return ndata, nonempty


def storages_in(obj, acc):
    if isinstance(obj, torch.Tensor):
        st = obj.untyped_storage() if hasattr(obj, "untyped_storage") else obj.storage()
        nbytes = st.nbytes() if hasattr(st, "nbytes") else st.size() * obj.element_size()
        acc[storage_ptr(obj)] = nbytes
    elif isinstance(obj, dict):
        for v in obj.values():
            storages_in(v, acc)
        storages_in(getattr(obj, "_metadata", None), acc)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            storages_in(v, acc)
    return acc


# --- PyTorch models matching the Lua ones -----------------------------------------
from peerlib import MNISTClassifier  # noqa: E402  (the model matching the Lua one)


def load(name, weights_only):
    return torch.load(os.path.join(OUT, name + ".pt"), map_location="cpu", weights_only=weights_only)


def semantic_checks(loaded):
    model = MNISTClassifier()
    r = model.load_state_dict(loaded["mnist_state"])
    check(not r.missing_keys and not r.unexpected_keys, f"mnist_state: load_state_dict {r}")
    model.eval()
    probe = loaded["mnist_probe"]
    with torch.no_grad():
        got = model(probe["input"])
    err = (got - probe["output"]).abs().max().item()
    check(err < 1e-5, f"mnist_probe: PyTorch output differs from ember's by {err}")
    print(f"  MNISTClassifier loaded; probe output max |diff| = {err:.3g}")

    m = MNISTClassifier()
    m.load_state_dict(loaded["sgd_model"])
    sgd = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    sgd.load_state_dict(loaded["sgd_momentum_opt"])
    bufs = [sgd.state[p]["momentum_buffer"] for p in m.parameters()]
    check(all(b.shape == p.shape for b, p in zip(bufs, m.parameters())), "sgd: momentum buffer shapes")
    check(sgd.param_groups[0]["momentum"] == 0.9 and sgd.param_groups[0]["lr"] == 0.01, "sgd: hyper-parameters")
    m(torch.randn(4, 784)).sum().backward()
    sgd.step()
    print("  SGD(momentum) state loaded into torch.optim.SGD and stepped")

    ckpt = loaded["checkpoint"]
    m2 = MNISTClassifier()
    m2.load_state_dict(ckpt["model_state_dict"])
    adam = torch.optim.Adam(m2.parameters(), lr=0.001)
    adam.load_state_dict(ckpt["optimizer_state_dict"])
    st = adam.state[next(iter(m2.parameters()))]
    check(float(st["step"]) == 3.0, f"adam: step {st['step']}")
    check(ckpt["epoch"] == 3 and isinstance(ckpt["train_loss"], float), "checkpoint: epoch/train_loss")
    m2(torch.randn(4, 784)).sum().backward()
    adam.step()
    check(float(adam.state[next(iter(m2.parameters()))]["step"]) == 4.0, "adam: step after one more step")
    adam2 = torch.optim.Adam(MNISTClassifier().parameters(), lr=0.001)
    adam2.load_state_dict(loaded["adam_opt"])
    print("  checkpoint: model + Adam state loaded and stepped (step 3 -> 4)")


def ref_writer_equal(name, obj):
    """Byte-compare with the shared torch-free reference writer (optional)."""
    sys.path.insert(0, TOOLS)
    import pt_ref_writer as R
    storages = {}

    def conv(o):
        if isinstance(o, nn.Parameter):
            raise TypeError("Parameter")
        if isinstance(o, torch.Tensor):
            key = storage_ptr(o)
            if key not in storages:
                full = torch.tensor([], dtype=o.dtype).set_(o.storage(), 0, (o.storage().size(),), (1,))
                storages[key] = R.Storage(full.numpy())
            return R.Tensor(storage=storages[key], shape=o.shape, stride=o.stride(),
                            offset=o.storage_offset(), requires_grad=o.requires_grad)
        if isinstance(o, collections.OrderedDict):
            r = collections.OrderedDict((k, conv(v)) for k, v in o.items())
            if hasattr(o, "_metadata"):
                r._metadata = conv(o._metadata)
            return r
        if isinstance(o, dict):
            return {k: conv(v) for k, v in o.items()}
        if isinstance(o, list):
            return [conv(v) for v in o]
        if isinstance(o, tuple):
            return tuple(conv(v) for v in o)
        return o

    try:
        ref = conv(obj)
    except TypeError:
        return None
    blob = R.save(ref, os.path.join(OUT, name + ".ref.pt"), archive=name)
    os.remove(os.path.join(OUT, name + ".ref.pt"))
    return blob == open(os.path.join(OUT, name + ".pt"), "rb").read()


def main():
    names = sorted(f[:-5] for f in os.listdir(OUT) if f.endswith(".json"))
    check(len(names) >= 9, f"only {len(names)} cases written")
    loaded = {}
    have_tools = os.path.exists(os.path.join(TOOLS, "pt_inspect.py"))
    for name in names:
        desc = json.load(open(os.path.join(OUT, name + ".json")))
        path = os.path.join(OUT, name + ".pt")
        ndata, nonempty = check_zip(path, name)
        obj = load(name, False)
        loaded[name] = obj
        shares = {}
        before = len(failures)
        compare(obj, desc["value"], name, shares)
        for label, ptrs in shares.items():
            check(len(ptrs) == 1, f"{name}: tensors labelled {label!r} use {len(ptrs)} storages")
        ptr_sets = list(shares.values())
        check(len(set().union(*ptr_sets)) == len(ptr_sets) if ptr_sets else True, f"{name}: share groups collide")
        sizes = storages_in(obj, {})   # empty storages all have data_ptr 0: count the others
        nz = sum(1 for p, n in sizes.items() if n > 0)
        check(nz == nonempty, f"{name}: {nz} distinct non-empty storages loaded, {nonempty} records")
        try:
            load(name, True)
            wo = "weights_only=True ok"
        except Exception as e:  # noqa: BLE001 - report what torch said
            msg = str(e)
            expected = desc["floats"] and TORCH_MAJOR < 2 and "Unsupported operand 71" in msg
            check(expected, f"{name}: weights_only=True failed: {msg[:300]}")
            wo = "weights_only=True refused BINFLOAT (torch 1.x limit, expected)"
        extra = ""
        if have_tools:
            r = subprocess.run([sys.executable, os.path.join(TOOLS, "pt_inspect.py"), path],
                               capture_output=True, text=True)
            check(r.returncode == 0, f"{name}: pt_inspect failed: {r.stdout[-300:]}{r.stderr[-300:]}")
            same = ref_writer_equal(name, obj)
            check(same is not False, f"{name}: bytes differ from pt_ref_writer.py")
            extra = ", pt_inspect ok" + ("" if same is None else ", bytes == pt_ref_writer")
        status = "ok" if len(failures) == before else "FAILED"
        print(f"{name}: {status} ({ndata} storages, {wo}{extra})")
    if not failures:
        semantic_checks(loaded)
    print(f"torch {torch.__version__}: {len(names)} files, {counts['tensors']} tensors, "
          f"{counts['elements']} elements, {counts['checks']} checks, {len(failures)} failures")
    for f in failures[:40]:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


main()
