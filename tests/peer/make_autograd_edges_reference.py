#!/usr/bin/env python3
"""Reference for tests/peer/test_autograd_edges_parity.lua: autograd at its
edges in real PyTorch 1.13.

Each case is a small program (its Lua twin, with the same name, is in the
parity test): a tensor saved for backward and then modified in place (the
version counter), in-place ops on leaves, and a second backward through a
graph whose saved tensors were freed. For each we record whether it
succeeds, the exact error message when it does not, and the .grad of the
tensors it returns. Values are fixed (no random numbers), so ember can
repeat them. Writes a Lua data file (argv[1]). Run with /usr/bin/python3.
"""
import sys

import torch

from peerlib import lua_value

CASES = {}


def case(fn):
    CASES[fn.__name__] = fn
    return fn


def leaf(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


# --- the version counter: a saved tensor modified in place ---

@case
def relu_then_mul_():          # ReluBackward0 saves its output: self after relu_
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.relu_()
    h.mul_(3)
    h.sum().backward()
    return [p]


@case
def exp_output_mul_():         # ExpBackward0 saves its output
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y.mul_(3)
    y.sum().backward()
    return [p]


@case
def saved_input_add_():        # MulBackward0 saved a; a now has AddBackward0
    p = leaf([1.0, -2.0, 3.0])
    b = leaf([0.5, 0.25, 2.0])
    a = p * 2
    y = a * b
    a.add_(1)
    y.sum().backward()
    return [p, b]


@case
def saved_input_no_grad():     # modified under no_grad: a keeps MulBackward0
    p = leaf([1.0, -2.0, 3.0])
    b = leaf([0.5, 0.25, 2.0])
    a = p * 2
    y = a * b
    with torch.no_grad():
        a.add_(1)
    y.sum().backward()
    return [p, b]


@case
def saved_constant():          # a tensor without history: no "which is output"
    a = torch.tensor([1.0, 2.0, 3.0])
    b = leaf([0.5, 0.25, 2.0])
    y = a * b
    a.add_(1)
    y.sum().backward()
    return [b]


@case
def double_2x3_twice():        # DoubleTensor [2, 3] at version 2
    a = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=torch.float64)
    b = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], torch.float64)
    y = a * b
    a.add_(1)
    a.sub_(1)
    y.sum().backward()
    return [b]


@case
def scalar_0d():               # a 0-d tensor: [torch.FloatTensor []]
    a = torch.tensor(2.0)
    b = leaf([0.5, 0.25, 2.0])
    y = b * a
    a.add_(1)
    y.sum().backward()
    return [b]


@case
def long_indices():            # max saves its int64 indices
    x = leaf([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    v, i = x.max(1)
    i.add_(1)
    v.sum().backward()
    return [x]


@case
def output_through_view():     # a view shares the version counter
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    v = y.view(-1)
    v.add_(1)
    y.sum().backward()
    return [p]


@case
def input_through_view():      # a's history becomes CopySlices
    p = leaf([1.0, -2.0, 3.0])
    b = leaf([0.5, 0.25, 2.0])
    a = p * 2
    y = a * b
    a.view(-1).add_(1)
    y.sum().backward()
    return [p, b]


@case
def saved_view_base_changed():  # the saved view's history is regenerated
    p = leaf([1.0, -2.0, 3.0])
    b = leaf([0.5, 0.25])
    a = p * 2
    y = a.narrow(0, 0, 2) * b
    a.add_(1)
    y.sum().backward()
    return [p, b]


@case
def inplace_on_view_then_base():  # exp_ on a view saves the view
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    v = h.narrow(0, 0, 2)
    v.exp_()
    h.add_(1)
    h.sum().backward()
    return [p]


@case
def detach_shares_version():   # detach() shares the version counter
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y.detach().mul_(3)
    y.sum().backward()
    return [p]


@case
def detach_zero_twice():
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).sigmoid()
    y.detach().zero_()
    y.detach().zero_()
    y.sum().backward()
    return [p]


@case
def setitem():
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y[0] = 5
    y.sum().backward()
    return [p]


@case
def fill_():
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y.fill_(2)
    y.sum().backward()
    return [p]


@case
def copy_():
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y.copy_(torch.ones(3))
    y.sum().backward()
    return [p]


@case
def clamp_():
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y.clamp_(0, 1)
    y.sum().backward()
    return [p]


@case
def h_times_h_mul_():          # both saved inputs are h; h now has MulBackward0
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    y = h * h
    h.mul_(3)
    y.sum().backward()
    return [p]


@case
def mul_self():                # other is self: saved as it is, so it fails
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.mul_(h)
    h.sum().backward()
    return [p]


@case
def div_self():
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.div_(h)
    h.sum().backward()
    return [p]


@case
def sqrt_then_mul_():
    p = leaf([1.0, 2.0, 3.0])
    h = p * 2
    h.sqrt_()
    h.mul_(2)
    h.sum().backward()
    return [p]


@case
def pow_tensor_then_add_():    # pow_(tensor) saves its result
    p = leaf([1.0, 2.0, 3.0])
    q = leaf([1.0, 2.0, 3.0])
    h = p * 2
    h.pow_(q)
    h.add_(1)
    h.sum().backward()
    return [p, q]


@case
def sgd_step():                # an optimizer step modifies a saved parameter
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    y = (w * w).sum()
    opt = torch.optim.SGD([w], lr=0.1)
    w.grad = torch.ones(3)
    opt.step()
    y.backward()
    return [w]


@case
def adam_step():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    y = (w * w).sum()
    opt = torch.optim.Adam([w], lr=0.1)
    w.grad = torch.ones(3)
    opt.step()
    y.backward()
    return [w]


@case
def normal_saved():
    p = leaf([1.0, -2.0, 3.0])
    y = (p * 2).exp()
    y.normal_()
    y.sum().backward()
    return [p]


# --- in-place ops that succeed: the modified tensor is not needed ---

@case
def normal_non_leaf():         # random values are constants: NormalBackward0 passes 0
    torch.manual_seed(0)
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.normal_()
    h.sum().backward()
    return [p]


@case
def uniform_view_of_non_leaf():
    torch.manual_seed(0)
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.narrow(0, 0, 2).uniform_()
    h.sum().backward()
    return [p]


@case
def unsaved_modified():
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    y = h + 1
    h.mul_(3)
    y.sum().backward()
    return [p]


@case
def exp_input_modified():      # exp saves its output, not its input
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    y = h.exp()
    h.add_(1)
    y.sum().backward()
    return [p]


@case
def add_self():
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.add_(h)
    h.sum().backward()
    return [p]


@case
def mul_other():               # the original self is saved for other's gradient
    p = leaf([1.0, -2.0, 3.0])
    q = leaf([0.5, 0.25, 2.0])
    x = p * 2
    x.mul_(q)
    x.add_(1)
    x.sum().backward()
    return [p, q]


@case
def log_then_mul_():
    p = leaf([1.0, 2.0, 3.0])
    h = p * 2
    h.log_()
    h.mul_(2)
    h.sum().backward()
    return [p]


@case
def pow_scalar_then_add_():
    p = leaf([1.0, 2.0, 3.0])
    h = p * 2
    h.pow_(2)
    h.add_(1)
    h.sum().backward()
    return [p]


@case
def relu_alone():
    p = leaf([1.0, -2.0, 3.0])
    h = p * 2
    h.relu_()
    h.sum().backward()
    return [p]


# --- in-place ops on leaves that require grad ---

@case
def leaf_add_():
    p = leaf([1.0, -2.0, 3.0])
    p.add_(1)
    return [p]


@case
def leaf_setitem():
    p = leaf([1.0, -2.0, 3.0])
    p[0] = 1
    return [p]


@case
def leaf_view_add_():
    p = leaf([1.0, -2.0, 3.0])
    p.view(-1).add_(1)
    return [p]


@case
def leaf_normal_():
    p = leaf([1.0, -2.0, 3.0])
    p.normal_()
    return [p]


@case
def leaf_no_grad():
    p = leaf([1.0, -2.0, 3.0])
    with torch.no_grad():
        p.add_(1)
    (p * p).sum().backward()
    return [p]


# --- a second backward without retain_graph ---

def twice(fn):
    """Runs y = fn(x) backward twice and returns x."""
    def run():
        x = leaf([1.0, 2.0, 3.0, 4.0])
        y = fn(x)
        y.backward()
        y.backward()
        return [x]
    run.__name__ = "twice_" + fn.__name__
    CASES[run.__name__] = run
    return fn


@case
def twice_retain_grad():       # a non-leaf's retained .grad accumulates too
    x = leaf([1.0, 2.0, 3.0, 4.0])
    h = x + 1
    h.retain_grad()
    y = h.sum()
    y.backward()
    y.backward()
    return [x, h]


@twice
def add_sum(x): return (x + 1).sum()
@twice
def sum_only(x): return x.sum()
@twice
def mean(x): return x.mean()
@twice
def views(x): return x.view(2, 2).expand(3, 2, 2).transpose(1, 2).permute(2, 0, 1).sum()
@twice
def reshape_flatten(x): return x.reshape(2, 2).unsqueeze(0).squeeze(0).flatten().sum()
@twice
def narrow_select(x): return x.narrow(0, 1, 2).sum() + x.select(0, 3)
@twice
def cat_stack(x): return torch.cat([x, x]).sum() + torch.stack([x, x]).sum()
@twice
def clone_sub(x): return (x.clone() - x.t()).sum() + x.add(x, alpha=2).sum()
@twice
def to_double(x): return x.double().sum()
@twice
def mul_scalar(x): return (x * 2).sum()
@twice
def div_scalar(x): return (x / 2).sum()
@twice
def mul(x): return (x * x).sum()
@twice
def exp(x): return x.exp().sum()
@twice
def relu(x): return x.relu().sum()
@twice
def matmul(x): return (x.view(2, 2) @ torch.ones(2, 2)).sum()
@twice
def index_select(x): return x.index_select(0, torch.tensor([0, 2])).sum()
@twice
def max_all(x): return x.max()


def main(out):
    lines = ["-- generated by tests/peer/make_autograd_edges_reference.py with torch %s" % torch.__version__,
             "return {"]
    for name, fn in CASES.items():
        ok, message, grads = True, None, None
        try:
            grads = [None if t.grad is None else t.grad.reshape(-1).tolist() for t in fn()]
        except RuntimeError as e:
            ok, message = False, str(e)
        lines.append("  {name = %s, ok = %s, message = %s, grads = %s}," % (
            lua_value(name), lua_value(ok), lua_value(message),
            lua_value(grads) if grads is None else
            "{" + ", ".join("false" if g is None else lua_value(g) for g in grads) + "}"))
    lines.append("}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
