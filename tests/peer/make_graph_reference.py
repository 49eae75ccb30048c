#!/usr/bin/env python3
"""Reference for tests/peer/test_graph_parity.lua: the graphs torchviz's
make_dot draws for real PyTorch 1.13 autograd graphs.

The torchviz package is not needed: this script walks grad_fn and
next_functions in the order torchviz's make_dot does (the output tensor,
then each backward node depth first: a leaf's variable, the node, an edge
from each next function followed by its walk; a view output's base with a
dotted edge) and records every node statement (label and fill colour) and
edge statement. Node ids are renumbered in order of first mention, so the
Lua side (which parses ember's DOT text) can compare statement by statement.
Cases: the lesson's MNISTClassifier in eval and in train mode (dropout's
MulBackward0, cross-entropy loss), and small expressions (a value used
twice, 0-dim tensors, two outputs, a view). Writes a Lua data file
(argv[1]). Run with /usr/bin/python3.
"""
import sys

import torch
import torch.nn.functional as F

from peerlib import MNISTClassifier, write_records


def size_to_str(size):
    return "(" + ", ".join("%d" % v for v in size) + ")"


def torchviz_statements(outputs, params):
    """torchviz.make_dot's body (show_attrs and show_saved off) as a list of
    ("node", key, label, color) and ("edge", key_from, key_to, attrs)."""
    param_map = {id(v): k for k, v in params.items()}
    body, seen = [], set()

    def var_name(v):
        return "%s\n %s" % (param_map.get(id(v), ""), size_to_str(v.size()))

    def add_nodes(fn):
        if fn in seen:
            return
        seen.add(fn)
        if hasattr(fn, "variable"):
            v = fn.variable
            seen.add(v)
            body.append(("node", id(v), var_name(v), "lightblue"))
            body.append(("edge", id(v), id(fn), None))
        body.append(("node", id(fn), type(fn).__name__, None))
        for u, _ in fn.next_functions:
            if u is not None:
                body.append(("edge", id(u), id(fn), None))
                add_nodes(u)

    def add_base_tensor(v, color="darkolivegreen1"):
        if v in seen:
            return
        seen.add(v)
        body.append(("node", id(v), var_name(v), color))
        if v.grad_fn:
            add_nodes(v.grad_fn)
            body.append(("edge", id(v.grad_fn), id(v), None))
        if v._is_view():
            add_base_tensor(v._base, color="darkolivegreen3")
            body.append(("edge", id(v._base), id(v), "style=dotted"))

    for v in outputs:
        add_base_tensor(v)
    return body


def canonical(body):
    """Statements with ids numbered from 1 in order of first mention."""
    ids = {}

    def num(key):
        if key not in ids:
            ids[key] = len(ids) + 1
        return ids[key]

    out = []
    for s in body:
        if s[0] == "node":
            out.append({"kind": "node", "id": num(s[1]), "label": s[2], "color": s[3]})
        else:
            out.append({"kind": "edge", "from": num(s[1]), "to": num(s[2]), "attrs": s[3]})
    return out


def leaf(values):
    return torch.tensor(values, requires_grad=True)


def mnist(train):
    torch.manual_seed(0)
    model = MNISTClassifier()
    model.train(train)
    x = torch.zeros(64, 784)
    y = model(x)
    if train:
        y = F.cross_entropy(y, torch.zeros(64, dtype=torch.long))
    return [y], dict(model.named_parameters())


def expr_twice():              # a used twice: one AccumulateGrad, two edges
    a, b = leaf([2.0, -1.0, 3.0]), leaf([0.5, 0.25, 2.0])
    y = ((a * b + a).tanh() * 2).sum()
    return [y], {"a": a, "b": b}


def expr_neuron():             # lesson 2's neuron: 0-dim tensors
    o = dict(dtype=torch.float64, requires_grad=True)
    x1, x2 = torch.tensor(2.0, **o), torch.tensor(0.0, **o)
    w1, w2 = torch.tensor(-3.0, **o), torch.tensor(1.0, **o)
    b = torch.tensor(6.8813735870195432, **o)
    y = (x1 * w1 + x2 * w2 + b).tanh()
    return [y], {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b}


def expr_two_outputs_view():   # two outputs, the second a view (dark green base, dotted)
    a = leaf([[1.0, 2.0], [3.0, 4.0]])
    w = leaf([[0.5], [-1.0]])
    h = a.mm(w)
    s = (h ** 2).mean()
    v = h.view(2)
    return [s, v], {"a": a, "w": w}


def expr_no_params():          # no names: leaves show only their shapes
    a = leaf([1.0, 2.0, 3.0])
    y = a.exp().log().sum() / 3
    return [y], {}


CASES = {
    "mnist_eval": lambda: mnist(False),
    "mnist_train_loss": lambda: mnist(True),
    "expr_twice": expr_twice,
    "expr_neuron": expr_neuron,
    "expr_two_outputs_view": expr_two_outputs_view,
    "expr_no_params": expr_no_params,
}


def main():
    records = []
    for name, make in CASES.items():
        outputs, params = make()
        body = canonical(torchviz_statements(outputs, params))
        # torchviz's resize_graph: 0.15 inch per statement, at least 12
        size = max(12, len(body) * 0.15)
        records.append({"name": name, "statements": body, "size": "%s,%s" % (size, size)})
    write_records(sys.argv[1], "make_graph_reference.py", records)


if __name__ == "__main__":
    main()
