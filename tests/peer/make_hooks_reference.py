#!/usr/bin/env python3
"""Reference for tests/peer/test_hooks_parity.lua: hooks and
torch.autograd.grad in real PyTorch 1.13.

Each case is a small program (its Lua twin, with the same name, is in the
parity test) that records a log: every hook call in the order PyTorch makes
it, with the hook's label and the gradients it was given (flattened; "none"
for None), then the final .grad of the tensors the case returns. Tensor
hooks (one replacing the gradient, hooks before and after retain_grad, a
leaf used twice, a branching graph that shows the engine's order), full
backward hooks on modules (order, grad_input/grad_output, a replacement),
and autograd.grad values. Values are fixed, so ember can repeat them.
Writes a Lua data file (argv[1]). Run with /usr/bin/python3.
"""
import sys

import torch

from peerlib import lua_value

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def leaf(values):
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)


def flat(t):
    return "none" if t is None else t.detach().reshape(-1).tolist()


def logger(log, label, replace=None):
    def hook(g):
        log.append([label, flat(g)])
        return replace(g) if replace else None
    return hook


@case
def tensor_hook_replaces(log):
    x = leaf([1.0, -2.0, 3.0])
    y = x * 2
    y.register_hook(logger(log, "y first", lambda g: g * 10))
    y.register_hook(logger(log, "y second"))
    x.register_hook(logger(log, "x"))
    (y * y).sum().backward()
    return [x]


@case
def hooks_around_retain_grad(log):
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(logger(log, "before retain", lambda g: g + 1))
    y.retain_grad()
    y.register_hook(logger(log, "after retain", lambda g: g * 3))
    (y * y).sum().backward()
    log.append(["y.grad", flat(y.grad)])
    return [x]


@case
def leaf_used_twice(log):
    x = leaf([1.0, 2.0])
    x.register_hook(logger(log, "x"))
    (x * 3 + x.exp() * 5).sum().backward()
    return [x]


@case
def branching_order(log):
    x = leaf([0.5, -1.0, 2.0])
    a = x * 2
    b = x.exp()
    c = a.tanh()
    d = b + c
    e = d * a
    for name, t in [("a", a), ("b", b), ("c", c), ("d", d), ("e", e)]:
        t.register_hook(logger(log, name))
    x.register_hook(logger(log, "x"))
    e.sum().backward()
    return [x]


@case
def hook_on_root_leaf(log):
    x = leaf([1.0, 2.0])
    x.register_hook(logger(log, "x", lambda g: g * 2))
    x.backward(torch.tensor([3.0, 4.0]))
    return [x]


def mlp():
    torch.manual_seed(0)
    lin1 = torch.nn.Linear(3, 4)
    lin2 = torch.nn.Linear(4, 2)
    with torch.no_grad():
        lin1.weight.copy_(torch.arange(12.0).reshape(4, 3) / 10 - 0.5)
        lin1.bias.copy_(torch.tensor([0.1, -0.2, 0.3, -0.4]))
        lin2.weight.copy_(torch.arange(8.0).reshape(2, 4) / 8 - 0.3)
        lin2.bias.copy_(torch.tensor([0.05, -0.05]))
    return torch.nn.Sequential(lin1, torch.nn.ReLU(), lin2)


def module_logger(log, label, replace=None):
    def hook(m, gin, gout):
        log.append([label, [flat(g) for g in gin], [flat(g) for g in gout]])
        if replace:
            return replace(gin)
    return hook


@case
def full_backward_hooks_mlp(log):
    model = mlp()
    for name in ["0", "1", "2"]:
        model._modules[name].register_full_backward_hook(module_logger(log, "layer " + name))
    model.register_full_backward_hook(module_logger(log, "model"))
    x = leaf([[1.0, -1.0, 0.5], [0.2, 0.3, -0.7]])
    model(x).sum().backward()
    return [x, model[0].weight, model[2].bias]


@case
def full_backward_hook_replaces(log):
    model = mlp()
    model[1].register_full_backward_hook(module_logger(log, "relu", lambda gin: (gin[0] * 0.5,)))
    x = leaf([[1.0, -1.0, 0.5], [0.2, 0.3, -0.7]])
    model(x).sum().backward()
    return [x, model[0].weight]


@case
def full_backward_hook_input_without_grad(log):
    model = mlp()
    model[0].register_full_backward_hook(module_logger(log, "first"))
    x = torch.tensor([[1.0, -1.0, 0.5]])
    model(x).sum().backward()
    return [model[0].weight]


@case
def autograd_grad_values(log):
    x = leaf([1.0, 2.0, 3.0])
    w = leaf([0.5, -1.0, 2.0])
    y = (x * w).exp()
    gx, gw = torch.autograd.grad(y, [x, w], grad_outputs=torch.tensor([1.0, 0.5, 0.25]))
    log.append(["gx", flat(gx)])
    log.append(["gw", flat(gw)])
    z = (x * x).sum()
    (gz,) = torch.autograd.grad(z, x, retain_graph=True)
    log.append(["gz", flat(gz)])
    u = leaf([1.0])
    gu = torch.autograd.grad(z, [x, u], allow_unused=True)
    log.append(["unused", flat(gu[1])])
    try:
        torch.autograd.grad((x * 2).sum(), [x, u])
    except RuntimeError as e:
        log.append(["error", str(e)])
    return [x, w]


@case
def autograd_grad_hooks(log):
    # 1.13: no AccumulateGrad runs under autograd.grad (leaf hooks stay
    # silent), a captured non-leaf is taken before its hooks, and a node
    # that leads to no input is not run (nor its hooks)
    x = leaf([1.0, 2.0])
    x.register_hook(logger(log, "leaf", lambda g: g * 10))
    log.append(["grad x", flat(torch.autograd.grad((x * 3).sum(), x)[0])])
    y = x * 2
    y.register_hook(logger(log, "y", lambda g: g * 10))
    log.append(["grad y", flat(torch.autograd.grad((y * 3).sum(), y)[0])])
    log.append(["grad x through y", flat(torch.autograd.grad((y * 3).sum(), x)[0])])
    return [x]


def main(out):
    lines = ["-- generated by tests/peer/make_hooks_reference.py with torch %s" % torch.__version__,
             "return {"]
    for name, fn in CASES.items():
        log = []
        grads = [flat(t.grad) for t in fn(log)]
        lines.append("  %s = {log = %s, grads = %s}," % (name, lua_value(log), lua_value(grads)))
    lines.append("}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
