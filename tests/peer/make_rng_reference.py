#!/usr/bin/env python3
"""Reference random streams for ember's generator from real PyTorch 1.13.

Each case seeds the global generator and runs a list of steps (rand, randn,
randint, randperm, normal_, uniform_, layer constructions, get/set_rng_state,
torch.Generator draws); every step records what PyTorch produced. The Lua test
(tests/peer/test_rng_parity.lua) replays the same steps in ember.

Values are stored compactly: up to 128 values as the hex of their IEEE bits
(int64 values as integers), larger results as a 64-bit hash of the bits plus
the first and last 16 values. hash = sum_i bits_i * (2i+1) * K mod 2^64 with
K = 0x9E3779B97F4A7C15 (bits: the uint32 of a float32, the uint64 of a
float64 or int64); any single changed value changes it. A generator state
(5056 bytes) is compared through the same hash over its 632 little-endian
uint64 words, with its first 24 and last 40 bytes in hex for diagnosis; a
state that ember must load is stored whole (mt words as 8 hex digits).

Writes a Lua data file (argv[1]). Run with /usr/bin/python3. PyTorch's float
kernels depend on its CPU capability (AVX2 build with FMA, or DEFAULT when
ATEN_CPU_CAPABILITY=default); the file records which one ran.
"""
import math
import sys

import numpy as np
import torch

from peerlib import lua_value as peer_lua_value

SEEDS = [0, 1, 42, 1234, 2**31 - 1]
SIZES = [1, 5, 15, 16, 17, 100, 1000, 100003]
PERM_NS = [1, 10, 1000, 60000]
FULL_LIMIT = 128
K = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1
DTYPES = {"float32": torch.float32, "float64": torch.float64}


class Hex:
    """A uint64 written as a Lua hex integer literal (Lua wraps it to int64)."""

    def __init__(self, v):
        self.v = int(v) & MASK


def lua_value(v):
    if isinstance(v, Hex):
        return "0x%016x" % v.v
    if isinstance(v, dict):
        return "{" + ", ".join("%s = %s" % (k, lua_value(x)) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(lua_value(x) for x in v) + "}"
    return peer_lua_value(v)


def bits_of(t):
    a = t.detach().contiguous().reshape(-1).numpy()
    if a.dtype == np.float32:
        return a.view(np.uint32).astype(np.uint64), "float32"
    if a.dtype == np.float64:
        return a.view(np.uint64), "float64"
    return a.astype(np.int64).view(np.uint64), "int64"


def word_hash(words):
    n = len(words)
    idx = np.arange(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mult = (idx * np.uint64(2) + np.uint64(1)) * np.uint64(K)
        return Hex(int(np.sum(words * mult, dtype=np.uint64)))


def hexs(words, dtype):
    width = 8 if dtype == "float32" else 16
    return "".join("%0*x" % (width, int(w)) for w in words)


def encode(t):
    """A tensor's values: shape, dtype and either all values or a hash."""
    words, dtype = bits_of(t)
    n = len(words)
    rec = {"shape": list(t.shape), "dtype": dtype, "n": n}
    if n <= FULL_LIMIT:
        if dtype == "int64":
            rec["ints"] = [int(x) for x in t.reshape(-1).tolist()]
        else:
            rec["hex"] = hexs(words, dtype)
        return rec
    rec["hash"] = word_hash(words)
    if dtype == "int64":
        flat = t.reshape(-1).tolist()
        rec["head"], rec["tail"] = flat[:16], flat[-16:]
    else:
        rec["head"], rec["tail"] = hexs(words[:16], dtype), hexs(words[-16:], dtype)
    return rec


def state_summary(state):
    b = bytes(state.numpy())
    return {"hash": word_hash(np.frombuffer(b, dtype="<u8")), "head": b[:24].hex(), "tail": b[5016:].hex()}


def state_whole(state):
    b = bytes(state.numpy())
    mt = np.frombuffer(b[24:5016], dtype="<u8")
    assert (mt >> np.uint64(32)).max() == 0
    return {"head": b[:24].hex(), "mt": "".join("%08x" % int(w) for w in mt), "tail": b[5016:].hex()}


class Runner:
    """Runs steps with torch and records each step's result."""

    def __init__(self):
        self.gens = {}
        self.saved = {}

    def gen(self, step):
        return self.gens[step["gen"]] if "gen" in step else None

    def kw(self, step):
        g = self.gen(step)
        return {"generator": g} if g is not None else {}

    def run(self, step):
        op = step["op"]
        kw = self.kw(step)
        if op in ("rand", "randn"):
            fn = torch.rand if op == "rand" else torch.randn
            return encode(fn(*step["size"], dtype=DTYPES[step.get("dtype", "float32")], **kw))
        if op == "randint":
            return encode(torch.randint(step["low"], step["high"], tuple(step["size"]), **kw))
        if op == "randperm":
            return encode(torch.randperm(step["n"], **kw))
        if op in ("normal_", "uniform_"):
            shape = step["size"]
            x = torch.empty(*(shape[::-1] if step.get("transposed") else shape),
                            dtype=DTYPES[step.get("dtype", "float32")])
            if step.get("transposed"):
                x = x.t()
            if op == "normal_":
                x.normal_(step["a"], step["b"], **kw)
            else:
                x.uniform_(step["a"], step["b"], **kw)
            return encode(x)
        if op == "layer":
            mod = getattr(torch.nn, step["kind"])(*step["args"])
            return [encode(p) for p in mod.parameters()] + [encode(b) for b in mod.buffers()]
        if op == "get_state":
            s = self.gens[step["gen"]].get_state() if "gen" in step else torch.get_rng_state()
            return state_summary(s)
        if op == "save":
            self.saved[step["slot"]] = torch.get_rng_state()
            return None
        if op == "restore":
            torch.set_rng_state(self.saved[step["slot"]])
            return None
        if op == "set_state":     # a state made by PyTorch, given to ember as bytes
            s = torch.get_rng_state()
            if step.get("legacy"):
                s = s[:5048].clone()
            torch.set_rng_state(s)
            return state_whole(s)
        if op == "new_gen":
            g = torch.Generator()
            if "seed" in step:
                g.manual_seed(step["seed"])
            self.gens[step["name"]] = g
            return {"initial_seed": g.initial_seed()}
        if op == "initial_seed":
            return {"value": torch.initial_seed()}
        raise ValueError(op)


def cases():
    out = []
    for s in SEEDS:
        for dt in ("float32", "float64"):
            for op in ("randn", "rand"):
                out.append(("seed %d: %s %s" % (s, op, dt), s,
                            [{"op": op, "size": [n], "dtype": dt} for n in SIZES]))
        out.append(("seed %d: normal_ and uniform_" % s, s, [
            {"op": "normal_", "size": [n], "a": 0.5, "b": 2.0, "dtype": dt} for n in (3, 16, 100003)
            for dt in ("float32", "float64")] + [
            {"op": "uniform_", "size": [n], "a": -0.3, "b": 0.7, "dtype": dt} for n in (5, 1000, 100003)
            for dt in ("float32", "float64")] + [
            {"op": "uniform_", "size": [1000], "a": -1 / math.sqrt(784), "b": 1 / math.sqrt(784)},
            {"op": "normal_", "size": [5, 7], "a": -1.0, "b": 0.1, "transposed": True},
            {"op": "uniform_", "size": [4, 6], "a": 0.0, "b": 3.0, "transposed": True},
        ]))
        out.append(("seed %d: randint and randperm" % s, s, [
            {"op": "randint", "low": 0, "high": 10, "size": [1000]},
            {"op": "randint", "low": -7, "high": 13, "size": [3, 5]},
            {"op": "randint", "low": 0, "high": 2**32 - 1, "size": [100]},
            {"op": "randint", "low": -2**40, "high": 2**41 + 3, "size": [100]},
            {"op": "randint", "low": 0, "high": 60000, "size": [100003]},
        ] + [{"op": "randperm", "n": n} for n in PERM_NS]))
        out.append(("seed %d: interleaved (cached normal)" % s, s, [
            {"op": "initial_seed"},
            {"op": "randn", "size": [3]}, {"op": "get_state"},
            {"op": "rand", "size": [2]}, {"op": "randn", "size": [20]}, {"op": "randn", "size": [1]},
            {"op": "get_state"},
            {"op": "randn", "size": [1], "dtype": "float64"}, {"op": "normal_", "size": [3], "a": 1.0, "b": 3.0},
            {"op": "randint", "low": 0, "high": 5, "size": [4]}, {"op": "randn", "size": [5]},
            {"op": "randperm", "n": 7}, {"op": "rand", "size": [1], "dtype": "float64"},
            {"op": "randn", "size": [2, 3]}, {"op": "get_state"},
        ]))
        out.append(("seed %d: save and restore" % s, s, [
            {"op": "randn", "size": [1]}, {"op": "save", "slot": "a"},         # a normal is cached
            {"op": "randn", "size": [7]}, {"op": "restore", "slot": "a"},
            {"op": "randn", "size": [7]}, {"op": "get_state"},
            {"op": "randn", "size": [100]}, {"op": "save", "slot": "b"},       # nothing cached
            {"op": "rand", "size": [5]}, {"op": "restore", "slot": "b"}, {"op": "rand", "size": [5]},
            {"op": "randn", "size": [3]}, {"op": "set_state"},                 # PyTorch's bytes into ember
            {"op": "randn", "size": [4]},
            {"op": "randn", "size": [1]}, {"op": "set_state", "legacy": True},  # 5048-byte legacy state
            {"op": "randn", "size": [3]}, {"op": "get_state"},
        ]))
        out.append(("seed %d: generators" % s, s, [
            {"op": "new_gen", "name": "g", "seed": s + 17}, {"op": "new_gen", "name": "d"},
            {"op": "randn", "size": [5], "gen": "g"}, {"op": "randn", "size": [3]},
            {"op": "rand", "size": [40], "gen": "g"}, {"op": "randint", "low": 0, "high": 9, "size": [6], "gen": "g"},
            {"op": "randperm", "n": 1000, "gen": "g"}, {"op": "randn", "size": [2], "gen": "d"},
            {"op": "normal_", "size": [3], "a": 0.0, "b": 1.0, "gen": "g"},
            {"op": "get_state", "gen": "g"}, {"op": "get_state", "gen": "d"}, {"op": "rand", "size": [4]},
        ]))
        out.append(("seed %d: layer initialisation" % s, s, [
            {"op": "layer", "kind": "Linear", "args": [784, 256]}, {"op": "rand", "size": [1]},
            {"op": "layer", "kind": "Linear", "args": [3, 2]},
            {"op": "layer", "kind": "Conv2d", "args": [1, 32, 3]}, {"op": "rand", "size": [1]},
            {"op": "layer", "kind": "Conv2d", "args": [3, 6, 5]},
            {"op": "layer", "kind": "BatchNorm2d", "args": [32]}, {"op": "rand", "size": [1]},
            {"op": "layer", "kind": "BatchNorm1d", "args": [10]}, {"op": "get_state"},
        ]))
    return out


def main(path):
    lines = ["-- generated by tests/peer/make_rng_reference.py with torch %s" % torch.__version__,
             "return {",
             "  capability = %s," % lua_value(torch.backends.cpu.get_cpu_capability()
                                         if hasattr(torch.backends, "cpu") and
                                         hasattr(torch.backends.cpu, "get_cpu_capability")
                                         else capability_from_config()),
             "  generator_seed = %d," % torch.Generator().initial_seed(),
             "  cases = {"]
    for name, seed, steps in cases():
        torch.manual_seed(seed)
        r = Runner()
        recs = []
        for st in steps:
            res = r.run(st)
            rec = dict(st)
            if res is not None:
                rec["out"] = res
            recs.append(rec)
        lines.append("    {name = %s, seed = %d, steps = {" % (lua_value(name), seed))
        for rec in recs:
            lines.append("      %s," % lua_value(rec))
        lines.append("    }},")
    lines += ["  },", "}", ""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def capability_from_config():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return "unknown"


if __name__ == "__main__":
    main(sys.argv[1])
