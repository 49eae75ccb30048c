"""Reference for tests/peer/test_fwdhooks_parity.lua: module forward hooks
and forward pre-hooks as PyTorch 1.13 calls them. Each case builds a small
model with fixed weights (sin of the position), registers hooks that log
every call, runs it on a fixed input and records the log (which hook, on
which module, the shapes and sums of the arguments and the output it saw)
and the final output: call order across nested modules, registration
order, a pre-hook replacing the arguments (one tensor or a tuple), a
forward hook replacing the output, removal (twice too) and a hook removing
another during a call. The Lua test builds the same cases by name."""
import math
import sys

import torch
import torch.nn as nn

from peerlib import write_records


def fill(model):
    with torch.no_grad():
        for k, (_, p) in enumerate(model.named_parameters()):
            n = p.numel()
            p.copy_(torch.tensor([math.sin(0.7 * i + k) for i in range(n)]).reshape(p.shape))
    return model


def inp(*shape, k=0):
    n = math.prod(shape)
    return torch.tensor([math.cos(0.3 * i + k) for i in range(n)], dtype=torch.float32).reshape(shape)


def desc(v):
    if isinstance(v, torch.Tensor):
        return {"shape": list(v.shape), "sum": float(v.detach().sum())}
    if isinstance(v, tuple):
        return [desc(x) for x in v]
    return repr(v)


class Mul(nn.Module):
    def forward(self, a, b):
        return a * b


class Split(nn.Module):
    def forward(self, x):
        return x[:, :1], x[:, 1:]


def nested():
    return fill(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2), nn.Tanh())))


records = []


def logger(log, name, kind, tag=""):
    if kind == "pre":
        def hook(m, args):
            log.append({"hook": kind + tag, "module": name, "args": desc(args)})
        return hook

    def hook(m, args, out):
        log.append({"hook": kind + tag, "module": name, "args": desc(args), "out": desc(out)})
    return hook


def record(name, log, out):
    records.append({"name": name, "log": log, "out": desc(out)})


# 1. every module of a nested model, pre and forward hooks: PyTorch's order
log = []
m = nested()
for n, mod in m.named_modules():
    mod.register_forward_pre_hook(logger(log, n, "pre"))
    mod.register_forward_hook(logger(log, n, "fwd"))
record("nested_order", log, m(inp(2, 3)))

# 2. several hooks on one module, each replacing: a pre-hook's tensor
#    becomes the one argument; the next pre-hook, forward and forward hooks
#    see it; a forward hook's result becomes the output
log = []
m = fill(nn.Linear(3, 2))
m.register_forward_pre_hook(logger(log, "", "pre", "1"))
m.register_forward_pre_hook(lambda mod, args: args[0] * 2)
m.register_forward_pre_hook(logger(log, "", "pre", "2"))
m.register_forward_pre_hook(lambda mod, args: None)
m.register_forward_hook(logger(log, "", "fwd", "1"))
m.register_forward_hook(lambda mod, args, out: out + 1)
m.register_forward_hook(logger(log, "", "fwd", "2"))
m.register_forward_hook(lambda mod, args, out: None)
record("replace_chain", log, m(inp(2, 3)))

# 3. a pre-hook returning a tuple replaces all the arguments (two-argument forward)
log = []
m = Mul()
m.register_forward_pre_hook(lambda mod, args: (args[1], args[0] + 1))
m.register_forward_pre_hook(logger(log, "", "pre"))
m.register_forward_hook(logger(log, "", "fwd"))
record("tuple_args", log, m(inp(2, 2), inp(2, 2, k=1)))

# 4. removal: the middle of three hooks; removing twice is harmless
log = []
m = fill(nn.Linear(3, 2))
h1 = m.register_forward_hook(logger(log, "", "fwd", "1"))
h2 = m.register_forward_hook(logger(log, "", "fwd", "2"))
h3 = m.register_forward_hook(logger(log, "", "fwd", "3"))
p1 = m.register_forward_pre_hook(logger(log, "", "pre", "1"))
h2.remove()
h2.remove()
p1.remove()
m(inp(1, 3))
h1.remove()
h3.remove()
record("remove", log, m(inp(1, 3)))

# 5. a hook removing a later one during a call: the later one still runs in
#    that call (PyTorch iterates over a snapshot), not in the next
log = []
m = fill(nn.Linear(3, 2))
handles = {}
def remover(mod, args, out):
    log.append({"hook": "remover", "module": "", "args": desc(args), "out": desc(out)})
    handles["victim"].remove()
m.register_forward_hook(remover)
handles["victim"] = m.register_forward_hook(logger(log, "", "fwd", "victim"))
m(inp(1, 3))
record("remove_during_call", log, m(inp(1, 3)))

# 6. hooks on inner modules only, replacing inside the model: the outer
#    result follows the replaced inner output
log = []
m = nested()
m[0].register_forward_hook(lambda mod, args, out: out * 0.5)
m[2][0].register_forward_pre_hook(lambda mod, args: args[0] - 1)
m[2].register_forward_hook(logger(log, "2", "fwd"))
m.register_forward_hook(logger(log, "", "fwd"))
record("inner_replace", log, m(inp(3, 3)))

# 7. a forward returning a tuple: the hook sees the tuple, and a tuple it
#    returns is the result
log = []
m = Split()
m.register_forward_hook(logger(log, "", "fwd"))
m.register_forward_hook(lambda mod, args, out: (out[1], out[0] * 3))
record("tuple_output", log, m(inp(2, 3)))

write_records(sys.argv[1], "make_fwdhooks_reference.py", records)
