"""Writes a Lua data file of reference results from real PyTorch 1.13 for the
layers of issue 22 group A: layer_norm, group_norm, embedding (padding_idx),
softmin, one_hot, normalize, cosine_similarity, pairwise_distance,
BatchNorm1d on (N, C, L) input, and the modules LayerNorm, GroupNorm,
Embedding, BatchNorm1d, Softmin, Unflatten, Identity, ModuleList,
ModuleDict, ParameterList.

Two kinds of records:
  * function cases (make_nn_reference.py's machinery): outputs and the
    gradients of sum(out * w) of every input, float64 and float32;
  * module cases (kind = "module"): print(model) and the state_dict keys as
    PyTorch writes them, the parameters drawn after torch.manual_seed(0) (so
    ember's initialisation draws the same numbers), then, with PyTorch's
    parameters loaded into ember's module through load_state_dict, the output
    and the gradients of the input and of every parameter, by name.
tests/peer/test_layersa_parity.lua compares; tests/peer/peer.sh layersa runs both.
Usage: /usr/bin/python3 tests/peer/make_layersa_reference.py OUT.lua
"""

import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_nn_reference import CASES, G, I, L, case, gen_values, run_case, tensor_record
from peerlib import write_records


def function_cases():
    fn = "nn.functional."
    # layer_norm: one and two normalized dims, weight and bias, options table
    case("layer_norm", "torch.layer_norm(x1, {4}, x2, x3)", lambda x, w, b: F.layer_norm(x, (4,), w, b),
         [G(2, 3, 4), G(4), G(4)], grad_fn=False)
    case("layer_norm/2d_shape", fn + "layer_norm(x1, {3, 4})", lambda x: F.layer_norm(x, (3, 4)), [G(2, 3, 4)],
         grad_fn=False)
    case("layer_norm/options", fn + "layer_norm(x1, 5, {weight = x2, eps = 1e-3})",
         lambda x, w: F.layer_norm(x, (5,), w, None, 1e-3), [G(3, 5, lo=-5, hi=9), G(5)], grad_fn=False)
    case("layer_norm/1d", fn + "layer_norm(x1, 6, x2, x3)", lambda x, w, b: F.layer_norm(x, (6,), w, b),
         [G(6), G(6), G(6)], grad_fn=False)
    # group_norm: 3-d and 4-d, with and without affine
    case("group_norm", fn + "group_norm(x1, 2, x2, x3)", lambda x, w, b: F.group_norm(x, 2, w, b),
         [G(2, 4, 3), G(4), G(4)], grad_fn=False)
    case("group_norm/4d", fn + "group_norm(x1, 3, x2, x3, 1e-3)", lambda x, w, b: F.group_norm(x, 3, w, b, 1e-3),
         [G(2, 6, 2, 3), G(6), G(6)], grad_fn=False)
    case("group_norm/no_affine", fn + "group_norm(x1, 1)", lambda x: F.group_norm(x, 1), [G(3, 2, 5)],
         grad_fn=False)
    # (weight None with a bias: PyTorch 1.13's backward fails, "tensor does not have a device")
    case("group_norm/instance", fn + "group_norm(x1, 4, {weight = x2})", lambda x, w: F.group_norm(x, 4, w),
         [G(2, 4, 3, 2), G(4)], grad_fn=False)
    # embedding: repeated ids accumulate; the padding row gets no gradient
    case("embedding", fn + "embedding(x1, x2)", F.embedding, [I([[1, 4, 1], [0, 9, 4]]), G(10, 3)], grad_fn=False)
    case("embedding/torch", "torch.embedding(x2, x1)", lambda i, w: torch.embedding(w, i),
         [I([3, 3, 7, 0]), G(8, 2)], grad_fn=False)
    case("embedding/padding", fn + "embedding(x1, x2, 0)", lambda i, w: F.embedding(i, w, 0),
         [I([[0, 2, 0], [1, 0, 3]]), G(5, 4)], grad_fn=False)
    case("embedding/padding_negative", fn + "embedding(x1, x2, {padding_idx = -1})",
         lambda i, w: F.embedding(i, w, padding_idx=-1), [I([4, 1, 4, 2]), G(5, 3)], grad_fn=False)
    # softmin
    case("softmin", fn + "softmin(x1, 2)", lambda x: F.softmin(x, 1), [G(3, 5)], grad_fn=False)
    case("softmin/dim1", fn + "softmin(x1, 1)", lambda x: F.softmin(x, 0), [G(3, 4)], grad_fn=False)
    case("softmin/module", "nn.Softmin(-1)(x1)", lambda x: nn.Softmin(-1)(x), [G(2, 3, 4)], grad_fn=False)
    # one_hot: int64, exact
    case("one_hot", fn + "one_hot(x1)", F.one_hot, [I([0, 3, 1, 1])], dtypes=("float32",))
    case("one_hot/num_classes", fn + "one_hot(x1, 5)", lambda x: F.one_hot(x, 5), [I([[0, 2], [4, 1]])],
         dtypes=("float32",))
    case("one_hot/options", fn + "one_hot(x1, {num_classes = 3})", lambda x: F.one_hot(x, num_classes=3),
         [I([2, 0])], dtypes=("float32",))
    # normalize: default dim (PyTorch's 1, ember's 2), p, dim, a zero row
    case("normalize", fn + "normalize(x1)", F.normalize, [G(3, 4)], grad_fn=False)
    case("normalize/p1_dim1", fn + "normalize(x1, 1, 1)", lambda x: F.normalize(x, 1.0, 0), [G(3, 4)],
         grad_fn=False)
    case("normalize/p3_options", fn + "normalize(x1, {p = 3, dim = -1, eps = 1e-6})",
         lambda x: F.normalize(x, 3.0, -1, 1e-6), [G(2, 3, 4)], grad_fn=False)
    case("normalize/inf", fn + "normalize(x1, math.huge, 2)", lambda x: F.normalize(x, float("inf"), 1),
         [G(3, 4)], grad_fn=False)
    case("normalize/zero_row", fn + "normalize(x1)", F.normalize,
         [L([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]], grad=True)], grad_fn=False)
    # cosine_similarity: PyTorch 1.13's normalise-first formula, broadcasting
    case("cosine_similarity", fn + "cosine_similarity(x1, x2)", F.cosine_similarity, [G(3, 5), G(3, 5)],
         grad_fn=False)
    case("cosine_similarity/dim", fn + "cosine_similarity(x1, x2, 1)", lambda a, b: F.cosine_similarity(a, b, 0),
         [G(4, 3), G(4, 3)], grad_fn=False)
    case("cosine_similarity/broadcast", fn + "cosine_similarity(x1, x2, {dim = -1})",
         lambda a, b: F.cosine_similarity(a, b, dim=-1), [G(2, 3, 4), G(1, 4)], grad_fn=False)
    case("cosine_similarity/tiny", fn + "cosine_similarity(x1, x2, 2, 1e-3)",
         lambda a, b: F.cosine_similarity(a, b, 1, 1e-3),
         [L([[1e-4, 2e-4], [1.0, 2.0]], grad=True), L([[3e-4, -1e-4], [0.5, 0.25]], grad=True)], grad_fn=False)
    # pairwise_distance: ||x1 - x2 + eps||_p over the last dim
    case("pairwise_distance", fn + "pairwise_distance(x1, x2)", F.pairwise_distance, [G(4, 3), G(4, 3)],
         grad_fn=False)
    case("pairwise_distance/p1_keepdim", fn + "pairwise_distance(x1, x2, 1, 1e-6, true)",
         lambda a, b: F.pairwise_distance(a, b, 1.0, 1e-6, True), [G(3, 5), G(3, 5)], grad_fn=False)
    case("pairwise_distance/p3_broadcast", fn + "pairwise_distance(x1, x2, {p = 3, eps = 0})",
         lambda a, b: F.pairwise_distance(a, b, 3.0, 0.0), [G(2, 4), G(1, 4)], grad_fn=False)
    # BatchNorm1d on (N, C, L): training (running stats updated) and eval
    stats = [L([0.1, -0.2, 0.3]), L([1.0, 2.0, 0.5])]
    bn = "torch.batch_norm(x1, x2, x3, x4, x5, %s, 0.1, 1e-5); return y, x4, x5"
    case("batch_norm/train_3d", "local y = " + bn % "true",
         lambda x, w, b, rm, rv: (F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5), rm, rv),
         [G(4, 3, 5), G(3), G(3)] + stats)
    case("batch_norm/eval_3d", "local y = " + bn % "false",
         lambda x, w, b, rm, rv: (F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5), rm, rv),
         [G(4, 3, 5), G(3), G(3)] + stats)


def error_cases():
    one = ("float32",)
    fn = "nn.functional."
    case("error/layer_norm_shape", fn + "layer_norm(x1, 4)", lambda x: F.layer_norm(x, (4,)), [G(2, 3)],
         dtypes=one, error="Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]")
    case("error/group_norm_groups", fn + "group_norm(x1, 2)", lambda x: F.group_norm(x, 2), [G(2, 3, 4)],
         dtypes=one, error="Expected number of channels in input to be divisible by num_groups, but got input of "
                           "shape [2, 3, 4] and num_groups=2")
    case("error/embedding_float_ids", fn + "embedding(x1, x2)", F.embedding, [L([1.0, 2.0]), G(4, 2)], dtypes=one,
         error="Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int")
    case("error/embedding_range", fn + "embedding(x1, x2)", F.embedding, [I([1, 4]), G(4, 2)], dtypes=one,
         error="index out of range in self")
    case("error/one_hot_float", fn + "one_hot(x1)", F.one_hot, [L([1.0])], dtypes=one,
         error="one_hot is only applicable to index tensor")
    case("error/one_hot_small", fn + "one_hot(x1, 2)", lambda x: F.one_hot(x, 2), [I([0, 2])], dtypes=one,
         error="Class values must be smaller than num_classes.")
    case("error/one_hot_negative", fn + "one_hot(x1)", F.one_hot, [I([0, -1])], dtypes=one,
         error="Class values must be non-negative.")


# ---------------------------------------------------------------- modules
MODULES = []


def module_case(name, lua, make, input_spec=None, repr_compare=True):
    """lua: a chunk returning ember's module; make(): PyTorch's, after the same seed."""
    MODULES.append(dict(name=name, lua=lua, make=make, input=input_spec, repr_compare=repr_compare))


class LayersaListNet(nn.Module):
    """A ModuleList and a ModuleDict inside a model, looped in forward."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(4, 4) for _ in range(2)])
        self.layers.append(nn.LayerNorm(4))
        self.heads = nn.ModuleDict({"cls": nn.Linear(4, 3), "aux": nn.Linear(4, 1)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(3)), nn.Parameter(torch.zeros(1))])

    def forward(self, x):
        for layer in self.layers:
            x = F.gelu(layer(x), approximate="tanh")
        return self.heads["cls"](x) * self.scales[0] + self.heads["aux"](x) + self.scales[1]


LISTNET_LUA = """
local Net = nn.Module:extend("LayersaListNet")
function Net:__init()
  nn.Module.__init(self)
  self.layers = nn.ModuleList({nn.Linear(4, 4), nn.Linear(4, 4)})
  self.layers:append(nn.LayerNorm(4))
  self.heads = nn.ModuleDict({{"cls", nn.Linear(4, 3)}, {"aux", nn.Linear(4, 1)}})
  self.scales = nn.ParameterList({torch.ones(3), torch.zeros(1)})
end
function Net:forward(x)
  for _, layer in ipairs(self.layers) do x = nn.functional.gelu(layer(x), {approximate = "tanh"}) end
  return self.heads["cls"](x) * self.scales[1] + self.heads.aux(x) + self.scales[2]
end
return Net()
"""


def module_cases():
    module_case("LayerNorm", "return nn.LayerNorm(4)", lambda: nn.LayerNorm(4), G(2, 3, 4))
    module_case("LayerNorm/shape_eps", "return nn.LayerNorm({3, 4}, 1e-3)", lambda: nn.LayerNorm([3, 4], 1e-3),
                G(2, 3, 4))
    module_case("LayerNorm/no_affine", "return nn.LayerNorm(5, {elementwise_affine = false})",
                lambda: nn.LayerNorm(5, elementwise_affine=False), G(3, 5))
    module_case("GroupNorm", "return nn.GroupNorm(2, 4)", lambda: nn.GroupNorm(2, 4), G(2, 4, 3, 2))
    module_case("GroupNorm/options", "return nn.GroupNorm(3, 6, {eps = 1e-3, affine = false})",
                lambda: nn.GroupNorm(3, 6, eps=1e-3, affine=False), G(2, 6, 4))
    module_case("Embedding", "return nn.Embedding(10, 3)", lambda: nn.Embedding(10, 3),
                I([[1, 2, 4], [4, 3, 9]]))
    module_case("Embedding/padding", "return nn.Embedding(6, 4, {padding_idx = 2})",
                lambda: nn.Embedding(6, 4, padding_idx=2), I([[2, 0, 2], [5, 2, 1]]))
    module_case("Embedding/padding_negative", "return nn.Embedding(20, 2, -3)",
                lambda: nn.Embedding(20, 2, -3), I([17, 0, 17]))
    module_case("BatchNorm1d/3d", "return nn.BatchNorm1d(3)", lambda: nn.BatchNorm1d(3), G(4, 3, 5))
    module_case("Softmin", "return nn.Softmin(2)", lambda: nn.Softmin(1), G(2, 5), repr_compare=False)
    module_case("Unflatten", "return nn.Unflatten(2, {2, 3})", lambda: nn.Unflatten(1, (2, 3)), G(4, 6),
                repr_compare=False)
    module_case("Identity", "return nn.Identity(54, {unused_argument1 = 0.1})",
                lambda: nn.Identity(54, unused_argument1=0.1), G(2, 3))
    module_case("GELU/tanh", "return nn.GELU('tanh')", lambda: nn.GELU("tanh"), G(3, 4, lo=-4, hi=4))
    module_case("ModuleList", "return nn.ModuleList({nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)})",
                lambda: nn.ModuleList([nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)]))
    module_case("ModuleList/insert", "local l = nn.ModuleList({nn.Linear(2, 2), nn.Linear(2, 3)}); "
                "l:insert(2, nn.Tanh()); l:extend({nn.Linear(3, 1)}); l:insert(1, nn.Linear(1, 2)); return l",
                lambda: _insert_list())
    module_case("ModuleDict", "return nn.ModuleDict({{'b', nn.Linear(2, 2)}, {'a', nn.ReLU()}, "
                "{'c', nn.LayerNorm(2)}})",
                lambda: nn.ModuleDict({"b": nn.Linear(2, 2), "a": nn.ReLU(), "c": nn.LayerNorm(2)}))
    module_case("ParameterList", "return nn.ParameterList({torch.randn(3, 4), nn.Parameter(torch.zeros(2))})",
                lambda: nn.ParameterList([torch.randn(3, 4), nn.Parameter(torch.zeros(2))]))
    module_case("ListNet", LISTNET_LUA, LayersaListNet, G(2, 4))


def _insert_list():
    lst = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 3)])
    lst.insert(1, nn.Tanh())
    lst.extend([nn.Linear(3, 1)])
    lst.insert(0, nn.Linear(1, 2))
    return lst


def make_input(spec, dtype):
    if "shape" in spec:
        n = 1
        for s in spec["shape"]:
            n *= s
        t = torch.tensor(gen_values(n, 1, spec["lo"], spec["hi"]), dtype=dtype).reshape(spec["shape"])
    else:
        t = torch.tensor(spec["data"], dtype=getattr(torch, spec["dtype"]) if spec["dtype"] else dtype)
    return t


def run_module(c, dtype_name):
    dtype = getattr(torch, dtype_name)
    torch.manual_seed(0)
    m = c["make"]()
    rec = {"name": "module/%s_%s" % (c["name"], "f64" if dtype_name == "float64" else "f32"), "kind": "module",
           "lua": c["lua"], "dtype": dtype_name,
           "repr": repr(m) if c["repr_compare"] else None,
           "keys": list(m.state_dict().keys()),
           "init": [[k, tensor_record(v)] for k, v in m.state_dict().items()]}
    m = m.to(dtype)
    rec["state"] = [[k, tensor_record(v)] for k, v in m.state_dict().items()]
    if c["input"] is None:
        return rec
    x = make_input(c["input"], dtype)
    if x.is_floating_point():
        x.requires_grad_(True)
    rec["input"] = {"dtype": str(x.dtype)[6:], "data": x.detach().tolist(), "grad": x.requires_grad}
    out = m(x)
    rec["out"] = tensor_record(out)
    w = torch.tensor(gen_values(max(out.numel(), 1), 7, -1.0, 1.0), dtype=out.dtype).reshape(out.shape)
    rec["w"] = w.tolist()
    (out * w).sum().backward()
    rec["input_grad"] = tensor_record(x.grad) if x.requires_grad else False
    rec["param_grads"] = [[k, tensor_record(p.grad)] for k, p in m.named_parameters() if p.grad is not None]
    rec["buffers_after"] = [[k, tensor_record(b)] for k, b in m.named_buffers()]
    return rec


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_layersa_reference.py OUT.lua")
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)
    function_cases()
    error_cases()
    module_cases()
    records = [run_case(c) for c in CASES]
    for c in MODULES:
        for dt in ("float64", "float32"):
            records.append(run_module(c, dt))
    write_records(sys.argv[1], "make_layersa_reference.py", records)


if __name__ == "__main__":
    main()
