"""Writes a Lua data file of reference results from real PyTorch for ember's
spatial layers (issue 22, layers group B): F.conv1d / nn.Conv1d,
F.conv_transpose2d / nn.ConvTranspose2d, adaptive average and max pooling,
F.dropout2d / nn.Dropout2d (PyTorch's random stream), F.interpolate /
nn.Upsample (nearest, nearest-exact, bilinear with and without
align_corners, area), F.pad (constant, reflect, replicate) and F.unfold /
F.fold / nn.Unfold / nn.Fold. Outputs, the gradients of every input and
parameter, grad_fn names, error messages, float32 and float64. Module cases
also carry PyTorch's print(module) text, state_dict keys and parameter
shapes, which the Lua call checks (layersb_module, test_layersb_parity.lua)
before it runs the module with the case's inputs as its parameters; init
cases compare the default initialisation after the same manual_seed.
The cases use make_nn_reference.py's machinery; the checks are
test_nn_parity.lua's. Usage: /usr/bin/python3 tests/peer/make_layersb_reference.py OUT.lua
"""

import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_nn_reference import CASES, G, L, case, run_case
from peerlib import lua_value, write_records

ONE = ("float32",)


def module_case(name, lua_ctor, mod, fn, inputs, params=("weight", "bias"), forward="m(x1)", dtypes=None,
                grad_fn=True):
    """A module case: the Lua call builds lua_ctor, checks it against the
    PyTorch module mod (repr, state_dict keys and shapes), makes x2, x3, ...
    its parameters (so their gradients are compared) and returns forward."""
    sd = mod.state_dict()
    keys = list(sd.keys())
    shapes = [list(v.shape) for v in sd.values()]
    assign = "".join("m.%s = x%d; " % (p, i + 2) for i, p in enumerate(params))
    call = "local m = %s; layersb_module(m, %s, %s, %s); %sreturn %s" % (
        lua_ctor, json.dumps(repr(mod)), lua_value(keys), lua_value(shapes), assign, forward)
    kw = {} if dtypes is None else {"dtypes": dtypes}
    case(name, call, fn, inputs, grad_fn=grad_fn, **kw)


def init_case(name, lua_ctor, make):
    """The default initialisation after manual_seed(0): weight, then bias."""
    def fn():
        torch.manual_seed(0)
        m = make()
        return (m.weight.detach(), m.bias.detach())
    case(name, "torch.manual_seed(0); local m = %s; return m.weight:detach(), m.bias:detach()" % lua_ctor, fn, [],
         dtypes=ONE)


def conv1d_cases():
    case("conv1d/basic", "F.conv1d(x1, x2, x3)", F.conv1d, [G(2, 3, 7), G(4, 3, 3), G(4)])
    case("conv1d/stride_pad_dilation", "F.conv1d(x1, x2, x3, 2, 1, 2)",
         lambda x, w, b: F.conv1d(x, w, b, 2, 1, 2), [G(2, 3, 9), G(4, 3, 3), G(4)])
    case("conv1d/options", "F.conv1d(x1, x2, nil, {stride = {2}, padding = {3}, dilation = 1})",
         lambda x, w: F.conv1d(x, w, None, stride=(2,), padding=(3,)), [G(2, 2, 6), G(3, 2, 4)])
    case("conv1d/groups", "F.conv1d(x1, x2, x3, {groups = 2, padding = 1})",
         lambda x, w, b: F.conv1d(x, w, b, padding=1, groups=2), [G(2, 4, 6), G(6, 2, 3), G(6)])
    case("conv1d/depthwise", "F.conv1d(x1, x2, x3, 1, 0, 1, 3)",
         lambda x, w, b: F.conv1d(x, w, b, 1, 0, 1, 3), [G(2, 3, 8), G(6, 1, 2), G(6)])
    case("conv1d/same_even", "F.conv1d(x1, x2, x3, 1, 'same')", lambda x, w, b: F.conv1d(x, w, b, 1, "same"),
         [G(2, 2, 7), G(3, 2, 4), G(3)])
    case("conv1d/same_dilated", "F.conv1d(x1, x2, x3, {padding = 'same', dilation = 2})",
         lambda x, w, b: F.conv1d(x, w, b, padding="same", dilation=2), [G(1, 2, 8), G(2, 2, 3), G(2)])
    case("conv1d/valid", "F.conv1d(x1, x2, x3, 2, 'valid')", lambda x, w, b: F.conv1d(x, w, b, 2, "valid"),
         [G(2, 2, 9), G(3, 2, 3), G(3)])
    case("conv1d/unbatched", "F.conv1d(x1, x2, x3, {padding = 1})", lambda x, w, b: F.conv1d(x, w, b, padding=1),
         [G(3, 7), G(2, 3, 3), G(2)], grad_fn=False)
    module_case("conv1d/module", "nn.Conv1d(3, 4, 3, {padding = 1, dilation = 2})",
                nn.Conv1d(3, 4, 3, padding=1, dilation=2),
                lambda x, w, b: F.conv1d(x, w, b, padding=1, dilation=2), [G(2, 3, 8), G(4, 3, 3), G(4)])
    module_case("conv1d/module_no_bias", "nn.Conv1d(4, 4, 3, 2, 0, 1, 2, false)",
                nn.Conv1d(4, 4, 3, 2, 0, 1, 2, False),
                lambda x, w: F.conv1d(x, w, None, 2, 0, 1, 2), [G(2, 4, 9), G(4, 2, 3)], params=("weight",))
    module_case("conv1d/module_same", "nn.Conv1d(2, 3, 4, {padding = 'same'})", nn.Conv1d(2, 3, 4, padding="same"),
                lambda x, w, b: F.conv1d(x, w, b, padding="same"), [G(2, 2, 6), G(3, 2, 4), G(3)])
    module_case("conv1d/module_reflect", "nn.Conv1d(2, 3, 3, {padding = 2, padding_mode = 'reflect'})",
                nn.Conv1d(2, 3, 3, padding=2, padding_mode="reflect"),
                lambda x, w, b: F.conv1d(F.pad(x, (2, 2), mode="reflect"), w, b), [G(2, 2, 6), G(3, 2, 3), G(3)])
    module_case("conv1d/module_replicate_same",
                "nn.Conv1d(2, 3, 4, {padding = 'same', padding_mode = 'replicate'})",
                nn.Conv1d(2, 3, 4, padding="same", padding_mode="replicate"),
                lambda x, w, b: F.conv1d(F.pad(x, (1, 2), mode="replicate"), w, b), [G(2, 2, 6), G(3, 2, 4), G(3)])
    init_case("conv1d/init", "nn.Conv1d(3, 5, 4)", lambda: nn.Conv1d(3, 5, 4))


def conv_transpose_cases():
    ct = "F.conv_transpose2d"
    case("conv_transpose2d/basic", "%s(x1, x2, x3)" % ct, F.conv_transpose2d, [G(2, 3, 4, 4), G(3, 2, 3, 3), G(2)])
    case("conv_transpose2d/stride_padding_output_padding", "%s(x1, x2, x3, 2, 1, 1)" % ct,
         lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1), [G(2, 2, 3, 4), G(2, 3, 3, 3), G(3)])
    case("conv_transpose2d/groups_dilation",
         "%s(x1, x2, x3, {stride = {2, 1}, padding = {1, 0}, output_padding = {1, 0}, groups = 2, dilation = 2})" % ct,
         lambda x, w, b: F.conv_transpose2d(x, w, b, (2, 1), (1, 0), (1, 0), 2, 2),
         [G(1, 4, 3, 3), G(4, 3, 3, 2), G(6)])
    case("conv_transpose2d/no_bias_rect", "%s(x1, x2, nil, {3, 2})" % ct,
         lambda x, w: F.conv_transpose2d(x, w, None, (3, 2)), [G(2, 2, 2, 3), G(2, 2, 2, 3)])
    case("conv_transpose2d/unbatched", "%s(x1, x2, x3, 2)" % ct, lambda x, w, b: F.conv_transpose2d(x, w, b, 2),
         [G(2, 3, 3), G(2, 2, 2, 2), G(2)], grad_fn=False)
    module_case("conv_transpose2d/module", "nn.ConvTranspose2d(4, 6, 3, 2, 1, 1, 2)",
                nn.ConvTranspose2d(4, 6, 3, 2, 1, 1, 2),
                lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1, 2), [G(2, 4, 3, 3), G(4, 3, 3, 3), G(6)])
    module_case("conv_transpose2d/module_output_size",
                "nn.ConvTranspose2d(2, 3, {3, 2}, {stride = 2, padding = 1, bias = false, dilation = {1, 2}})",
                nn.ConvTranspose2d(2, 3, (3, 2), stride=2, padding=1, bias=False, dilation=(1, 2)),
                lambda x, w: F.conv_transpose2d(x, w, None, 2, 1, 1, 1, (1, 2)), [G(1, 2, 3, 4), G(2, 3, 3, 2)],
                params=("weight",), forward="m(x1, {6, 8})")
    init_case("conv_transpose2d/init", "nn.ConvTranspose2d(4, 6, 3, {groups = 2})",
              lambda: nn.ConvTranspose2d(4, 6, 3, groups=2))


TIES = [[[[1, 3, 3, 2, 0], [3, 1, 3, 3, 2], [0, 3, 2, 3, 1], [2, 2, 3, 1, 3], [3, 0, 1, 3, 3]],
         [[2, 2, 2, 2, 2], [2, 2, 2, 2, 2], [1, 1, 2, 1, 1], [2, 1, 1, 1, 2], [0, 2, 2, 2, 0]]]]


def adaptive_cases():
    aa, am = "F.adaptive_avg_pool2d", "F.adaptive_max_pool2d"
    case("adaptive_avg/down", "%s(x1, {3, 4})" % aa, lambda x: F.adaptive_avg_pool2d(x, (3, 4)), [G(2, 3, 5, 7)])
    case("adaptive_avg/up", "%s(x1, {5, 4})" % aa, lambda x: F.adaptive_avg_pool2d(x, (5, 4)), [G(2, 2, 3, 3)])
    case("adaptive_avg/none", "%s(x1, {torch.None, 3})" % aa, lambda x: F.adaptive_avg_pool2d(x, (None, 3)),
         [G(1, 2, 4, 7)])
    case("adaptive_avg/global", "%s(x1, 1)" % aa, lambda x: F.adaptive_avg_pool2d(x, 1), [G(2, 3, 4, 5)])
    case("adaptive_avg/unbatched", "%s(x1, 2)" % aa, lambda x: F.adaptive_avg_pool2d(x, 2), [G(3, 5, 5)])
    module_case("adaptive_avg/module", "nn.AdaptiveAvgPool2d({2, 3})", nn.AdaptiveAvgPool2d((2, 3)),
                lambda x: F.adaptive_avg_pool2d(x, (2, 3)), [G(2, 2, 7, 8)], params=())
    module_case("adaptive_avg/module_none", "nn.AdaptiveAvgPool2d({torch.None, 2})", nn.AdaptiveAvgPool2d((None, 2)),
                lambda x: F.adaptive_avg_pool2d(x, (None, 2)), [G(1, 2, 3, 5)], params=())
    case("adaptive_max/down", "%s(x1, {3, 4}, true)" % am,
         lambda x: F.adaptive_max_pool2d(x, (3, 4), True), [G(2, 3, 5, 7)])
    case("adaptive_max/up", "return %s(x1, {5, 4}, {return_indices = true})" % am,
         lambda x: F.adaptive_max_pool2d(x, (5, 4), return_indices=True), [G(2, 2, 3, 3)])
    case("adaptive_max/ties", "%s(x1, {2, 3}, true)" % am, lambda x: F.adaptive_max_pool2d(x, (2, 3), True),
         [L(TIES, grad=True)])
    case("adaptive_max/global", "%s(x1, 1, true)" % am, lambda x: F.adaptive_max_pool2d(x, 1, True), [G(2, 3, 4, 5)])
    case("adaptive_max/unbatched", "%s(x1, {2, 3})" % am, lambda x: F.adaptive_max_pool2d(x, (2, 3)), [G(2, 5, 7)])
    module_case("adaptive_max/module", "nn.AdaptiveMaxPool2d(2, true)", nn.AdaptiveMaxPool2d(2, True),
                lambda x: F.adaptive_max_pool2d(x, 2, True), [G(2, 2, 5, 6)], params=())


def avg_pool_cases():
    """nn.AvgPool2d (existing) with the options of issue 22's list: repr, values, gradients."""
    module_case("avg_pool2d/module_ceil_no_pad_count", "nn.AvgPool2d(3, 2, 1, true, false)",
                nn.AvgPool2d(3, 2, 1, True, False), lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), [G(2, 2, 6, 7)],
                params=())
    module_case("avg_pool2d/module_divisor", "nn.AvgPool2d({2, 3}, {stride = 1, divisor_override = 2})",
                nn.AvgPool2d((2, 3), stride=1, divisor_override=2),
                lambda x: F.avg_pool2d(x, (2, 3), 1, divisor_override=2), [G(1, 2, 4, 5)], params=())
    module_case("avg_pool2d/module_unbatched_ceil", "nn.AvgPool2d(2, {ceil_mode = true})",
                nn.AvgPool2d(2, ceil_mode=True), lambda x: F.avg_pool2d(x, 2, ceil_mode=True), [G(3, 5, 5)],
                params=())


def dropout2d_cases():
    for seed, p, shape in ((0, 0.5, (2, 3, 2, 2)), (1, 0.2, (4, 5, 3, 1)), (2, 0.7, (3, 8, 2, 3))):
        case("dropout2d/seed%d" % seed, "torch.manual_seed(%d); return F.dropout2d(x1, %r)" % (seed, p),
             lambda x, s=seed, q=p: (torch.manual_seed(s), F.dropout2d(x, q))[1], [G(*shape)])
    case("dropout2d/3d_is_ncl", "torch.manual_seed(4); torch.rand(3); return F.dropout2d(x1, 0.5, true)",
         lambda x: (torch.manual_seed(4), torch.rand(3), F.dropout2d(x, 0.5, True))[2], [G(3, 4, 5)])
    case("dropout2d/eval", "F.dropout2d(x1, 0.5, false)", lambda x: F.dropout2d(x, 0.5, False), [G(2, 3, 2, 2)],
         grad_fn=False)
    case("dropout2d/p1", "F.dropout2d(x1, 1.0)", lambda x: F.dropout2d(x, 1.0), [G(2, 3, 2, 2)])
    module_case("dropout2d/module", "(function() torch.manual_seed(6); return nn.Dropout2d(0.4) end)()",
                nn.Dropout2d(0.4), lambda x: (torch.manual_seed(6), F.dropout2d(x, 0.4))[1], [G(3, 4, 2, 2)],
                params=())


def interpolate_cases():
    it = "F.interpolate"
    near = [("size", "%s(x1, {5, 7})", lambda x: F.interpolate(x, (5, 7)), (2, 2, 3, 4)),
            ("scale2", "%s(x1, {scale_factor = 2})", lambda x: F.interpolate(x, scale_factor=2), (1, 2, 3, 4)),
            ("scale1_5", "%s(x1, nil, 1.5)", lambda x: F.interpolate(x, None, 1.5), (1, 2, 4, 5)),
            ("scale_hw", "%s(x1, {scale_factor = {2, 3}})", lambda x: F.interpolate(x, scale_factor=(2, 3)),
             (1, 1, 3, 2)),
            ("down", "%s(x1, {3, 2})", lambda x: F.interpolate(x, (3, 2)), (1, 2, 7, 5)),
            ("scale0_6", "%s(x1, {scale_factor = 0.6})", lambda x: F.interpolate(x, scale_factor=0.6), (1, 2, 7, 9)),
            ("1d", "%s(x1, 7)", lambda x: F.interpolate(x, 7), (2, 3, 4)),
            ("1d_scale", "%s(x1, {scale_factor = 2.5})", lambda x: F.interpolate(x, scale_factor=2.5), (1, 2, 3))]
    for name, call, fn, shape in near:
        case("interpolate/nearest_" + name, call % it, fn, [G(*shape)])
    case("interpolate/nearest_exact", "%s(x1, {scale_factor = 1.7, mode = 'nearest-exact'})" % it,
         lambda x: F.interpolate(x, scale_factor=1.7, mode="nearest-exact"), [G(1, 2, 4, 3)])
    case("interpolate/nearest_exact_size", "%s(x1, {5, 3}, nil, 'nearest-exact')" % it,
         lambda x: F.interpolate(x, (5, 3), None, "nearest-exact"), [G(1, 2, 3, 7)])
    bil = [("size", "%s(x1, {5, 7}, nil, 'bilinear')", lambda x: F.interpolate(x, (5, 7), None, "bilinear"),
            (2, 2, 3, 4)),
           ("scale1_5", "%s(x1, {scale_factor = 1.5, mode = 'bilinear'})",
            lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"), (1, 2, 3, 3)),
           ("recompute", "%s(x1, {scale_factor = 1.5, mode = 'bilinear', recompute_scale_factor = true})",
            lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear", recompute_scale_factor=True), (1, 2, 3, 3)),
           ("align", "%s(x1, {6, 5}, nil, 'bilinear', true)",
            lambda x: F.interpolate(x, (6, 5), None, "bilinear", True), (2, 2, 3, 4)),
           ("align_down", "%s(x1, {size = {3, 1}, mode = 'bilinear', align_corners = true})",
            lambda x: F.interpolate(x, size=(3, 1), mode="bilinear", align_corners=True), (1, 2, 7, 6)),
           ("down", "%s(x1, {3, 4}, nil, 'bilinear')", lambda x: F.interpolate(x, (3, 4), None, "bilinear"),
            (1, 3, 7, 9)),
           ("scale_hw", "%s(x1, {scale_factor = {2, 0.5}, mode = 'bilinear'})",
            lambda x: F.interpolate(x, scale_factor=(2, 0.5), mode="bilinear"), (1, 1, 3, 6))]
    for name, call, fn, shape in bil:
        case("interpolate/bilinear_" + name, call % it, fn, [G(*shape)])
    case("interpolate/area", "%s(x1, {2, 3}, nil, 'area')" % it, lambda x: F.interpolate(x, (2, 3), None, "area"),
         [G(1, 2, 5, 7)])
    module_case("interpolate/upsample_nearest", "nn.Upsample({scale_factor = 2})", nn.Upsample(scale_factor=2),
                lambda x: F.interpolate(x, scale_factor=2), [G(1, 2, 3, 3)], params=())
    module_case("interpolate/upsample_bilinear", "nn.Upsample({4, 5}, nil, 'bilinear', true)",
                nn.Upsample((4, 5), None, "bilinear", True),
                lambda x: F.interpolate(x, (4, 5), None, "bilinear", True), [G(1, 2, 3, 3)], params=())
    module_case("interpolate/upsample_scale_hw", "nn.Upsample({scale_factor = {2, 3}, mode = 'bilinear'})",
                nn.Upsample(scale_factor=(2, 3), mode="bilinear"),
                lambda x: F.interpolate(x, scale_factor=(2, 3), mode="bilinear"), [G(1, 1, 2, 3)], params=())


def pad_cases():
    case("pad/constant_1d", "F.pad(x1, {1, 2})", lambda x: F.pad(x, (1, 2)), [G(2, 3)])
    case("pad/constant_value", "F.pad(x1, {1, 1, 2, 0}, 'constant', 0.5)", lambda x: F.pad(x, (1, 1, 2, 0), "constant", 0.5),
         [G(1, 2, 3, 3)])
    case("pad/constant_negative", "F.pad(x1, {-1, 2, 1, -2})", lambda x: F.pad(x, (-1, 2, 1, -2)), [G(2, 4, 5)])
    case("pad/constant_three_dims", "F.pad(x1, {1, 0, 0, 2, 1, 1}, {value = -1})",
         lambda x: F.pad(x, (1, 0, 0, 2, 1, 1), value=-1.0), [G(2, 3, 2)])
    case("pad/reflect_1d", "F.pad(x1, {2, 1}, 'reflect')", lambda x: F.pad(x, (2, 1), "reflect"), [G(2, 3, 4)])
    case("pad/reflect_2d", "F.pad(x1, {1, 2, 2, 1}, {mode = 'reflect'})", lambda x: F.pad(x, (1, 2, 2, 1), "reflect"),
         [G(2, 2, 3, 4)])
    case("pad/reflect_unbatched", "F.pad(x1, {2, 2, 1, 1}, 'reflect')", lambda x: F.pad(x, (2, 2, 1, 1), "reflect"),
         [G(2, 3, 3)])
    case("pad/replicate_1d", "F.pad(x1, {3, 1}, 'replicate')", lambda x: F.pad(x, (3, 1), "replicate"), [G(3, 4)])
    case("pad/replicate_2d", "F.pad(x1, {2, 0, 1, 3}, 'replicate')", lambda x: F.pad(x, (2, 0, 1, 3), "replicate"),
         [G(1, 2, 3, 3)])


def pad_layer_cases():
    layers = [("ZeroPad2d", "nn.ZeroPad2d({1, 2, 0, 1})", nn.ZeroPad2d((1, 2, 0, 1)), (1, 2, 0, 1), "constant", 0.0,
               (1, 2, 3, 3)),
              ("ConstantPad1d", "nn.ConstantPad1d(2, 3.5)", nn.ConstantPad1d(2, 3.5), (2, 2), "constant", 3.5, (2, 3, 4)),
              ("ConstantPad2d", "nn.ConstantPad2d({1, 0, 2, -1}, 1)", nn.ConstantPad2d((1, 0, 2, -1), 1),
               (1, 0, 2, -1), "constant", 1.0, (1, 2, 3, 3)),
              ("ReflectionPad1d", "nn.ReflectionPad1d({3, 1})", nn.ReflectionPad1d((3, 1)), (3, 1), "reflect", None,
               (2, 3, 5)),
              ("ReflectionPad2d", "nn.ReflectionPad2d(2)", nn.ReflectionPad2d(2), (2, 2, 2, 2), "reflect", None,
               (1, 2, 3, 4)),
              ("ReplicationPad1d", "nn.ReplicationPad1d(2)", nn.ReplicationPad1d(2), (2, 2), "replicate", None,
               (3, 4)),
              ("ReplicationPad2d", "nn.ReplicationPad2d({0, 2, 1, 3})", nn.ReplicationPad2d((0, 2, 1, 3)),
               (0, 2, 1, 3), "replicate", None, (2, 3, 3))]
    for name, ctor, mod, pad, mode, value, shape in layers:
        fn = (lambda x, p=pad, v=value: F.pad(x, p, "constant", v)) if mode == "constant" else \
            (lambda x, p=pad, m=mode: F.pad(x, p, m))
        module_case("pad_layer/" + name, ctor, mod, fn, [G(*shape)], params=())


def fold_cases():
    case("unfold/basic", "F.unfold(x1, 2)", lambda x: F.unfold(x, 2), [G(2, 3, 4, 4)])
    case("unfold/options", "F.unfold(x1, {2, 3}, {dilation = {1, 2}, padding = 1, stride = {2, 1}})",
         lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [G(2, 2, 5, 6)])
    case("unfold/unbatched", "F.unfold(x1, 3, 1, 1, 2)", lambda x: F.unfold(x, 3, 1, 1, 2), [G(2, 5, 5)])
    case("fold/basic", "F.fold(x1, {3, 3}, 2)", lambda x: F.fold(x, (3, 3), 2), [G(2, 8, 4)])
    case("fold/options", "F.fold(x1, {5, 6}, {2, 3}, {dilation = {1, 2}, padding = 1, stride = {2, 1}})",
         lambda x: F.fold(x, (5, 6), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [G(2, 12, 12)])
    case("fold/unbatched", "F.fold(x1, {4, 5}, 2, 1, 0, 1)", lambda x: F.fold(x, (4, 5), 2, 1, 0, 1), [G(8, 12)])
    module_case("unfold/module", "nn.Unfold({2, 3}, 1, 1, 2)", nn.Unfold((2, 3), 1, 1, 2),
                lambda x: F.unfold(x, (2, 3), 1, 1, 2), [G(1, 2, 4, 5)], params=())
    module_case("fold/module", "nn.Fold({4, 4}, 2)", nn.Fold((4, 4), 2), lambda x: F.fold(x, (4, 4), 2),
                [G(1, 8, 9)], params=())


def error_cases():
    err = [
        ("conv1d_channels", "F.conv1d(x1, x2)", F.conv1d, [G(1, 3, 5), G(2, 2, 3)],
         "conv1d: Given groups=1, weight of size [2, 2, 3], expected input[1, 3, 5] to have 2 channels, but got 3 "
         "channels instead"),
        ("conv1d_dims", "F.conv1d(x1, x2)", F.conv1d, [G(1, 2, 2, 3), G(2, 2, 3)],
         "Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: [1, 2, 2, 3]"),
        ("conv1d_kernel", "F.conv1d(x1, x2)", F.conv1d, [G(1, 2, 2), G(2, 2, 3)],
         "Calculated padded input size per channel: (2). Kernel size: (3). Kernel size can't be greater than actual "
         "input size"),
        ("conv1d_stride", "F.conv1d(x1, x2, nil, 0)", lambda x, w: F.conv1d(x, w, None, 0), [G(1, 2, 5), G(2, 2, 3)],
         "non-positive stride is not supported"),
        ("conv1d_same_strided", "F.conv1d(x1, x2, nil, 2, 'same')", lambda x, w: F.conv1d(x, w, None, 2, "same"),
         [G(1, 2, 5), G(2, 2, 3)], "padding='same' is not supported for strided convolutions"),
        ("conv_transpose2d_channels", "F.conv_transpose2d(x1, x2)", F.conv_transpose2d,
         [G(1, 3, 2, 2), G(2, 1, 3, 3)],
         "Given transposed=1, weight of size [2, 1, 3, 3], expected input[1, 3, 2, 2] to have 2 channels, but got 3 "
         "channels instead"),
        ("conv_transpose2d_bias", "F.conv_transpose2d(x1, x2, x3)", F.conv_transpose2d,
         [G(1, 2, 2, 2), G(2, 1, 3, 3), G(2)],
         "Given transposed=1, weight of size [2, 1, 3, 3], expected bias to be 1-dimensional with 1 elements, but got "
         "bias of size [2] instead"),
        ("conv_transpose2d_output_padding", "F.conv_transpose2d(x1, x2, nil, 1, 0, 1)",
         lambda x, w: F.conv_transpose2d(x, w, None, 1, 0, 1), [G(1, 2, 2, 2), G(2, 1, 3, 3)],
         "output padding must be smaller than either stride or dilation, but got output_padding_height: 1 "
         "output_padding_width: 1 stride_height: 1 stride_width: 1 dilation_height: 1 dilation_width: 1"),
        ("conv_transpose2d_too_small", "F.conv_transpose2d(x1, x2, nil, 1, 3)",
         lambda x, w: F.conv_transpose2d(x, w, None, 1, 3), [G(1, 2, 2, 2), G(2, 1, 3, 3)],
         "Given input size per channel: (2 x 2). Calculated output size per channel: (-2 x -2). Output size is too small"),
        ("conv_transpose2d_dims", "F.conv_transpose2d(x1, x2)", F.conv_transpose2d, [G(2, 2), G(2, 1, 3, 3)],
         "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: [2, 2]"),
        ("adaptive_avg_dims", "F.adaptive_avg_pool2d(x1, 2)", lambda x: F.adaptive_avg_pool2d(x, 2), [G(5, 5)],
         "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [5, 5]"),
        ("adaptive_avg_sizes", "F.adaptive_avg_pool2d(x1, {1, 2, 3})",
         lambda x: F.adaptive_avg_pool2d(x, (1, 2, 3)), [G(1, 1, 3, 3)], "output_size must be 2"),
        ("interpolate_both", "F.interpolate(x1, 3, 2)", lambda x: F.interpolate(x, 3, 2), [G(1, 1, 3, 3)],
         "only one of size or scale_factor should be defined"),
        ("interpolate_none", "F.interpolate(x1)", lambda x: F.interpolate(x), [G(1, 1, 3, 3)],
         "either size or scale_factor should be defined"),
        ("interpolate_align_nearest", "F.interpolate(x1, {scale_factor = 2, align_corners = true})",
         lambda x: F.interpolate(x, scale_factor=2, align_corners=True), [G(1, 1, 3, 3)],
         "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"),
        ("interpolate_bilinear_3d", "F.interpolate(x1, {scale_factor = 2, mode = 'bilinear'})",
         lambda x: F.interpolate(x, scale_factor=2, mode="bilinear"), [G(1, 1, 3)],
         "Got 3D input, but bilinear mode needs 4D input"),
        ("interpolate_mode", "F.interpolate(x1, {scale_factor = 2, mode = 'foo'})",
         lambda x: F.interpolate(x, scale_factor=2, mode="foo"), [G(1, 1, 3, 3)],
         "Only 3D, 4D and 5D input Tensors supported (got 4D) for the modes: nearest | linear | bilinear | bicubic | "
         "trilinear | area | nearest-exact (got foo)"),
        ("pad_odd", "F.pad(x1, {1, 1, 1})", lambda x: F.pad(x, (1, 1, 1)), [G(1, 1, 3, 3)],
         "Padding length must be divisible by 2"),
        ("pad_too_long", "F.pad(x1, {1, 1, 1, 1})", lambda x: F.pad(x, (1, 1, 1, 1)), [G(3)], "Padding length too large"),
        ("pad_reflect_size", "F.pad(x1, {3, 3, 0, 0}, 'reflect')", lambda x: F.pad(x, (3, 3, 0, 0), mode="reflect"),
         [G(1, 1, 3, 3)], "Padding size should be less than the corresponding input dimension, but got: padding (3, 3)"),
        ("pad_value_reflect", "F.pad(x1, {1, 1}, 'reflect', 2)", lambda x: F.pad(x, (1, 1), mode="reflect", value=2),
         [G(1, 3, 3)], "Padding mode \"reflect\" doesn't take in value argument"),
        ("unfold_too_small", "F.unfold(x1, 3)", lambda x: F.unfold(x, 3), [G(1, 1, 2, 2)],
         "Given input with spatial size (2, 2), kernel_size=(3, 3), dilation=(1, 1), padding=(0, 0), calculated shape "
         "of the array of sliding blocks as (0, 0), but its components must be at least one."),
        ("fold_blocks", "F.fold(x1, {3, 3}, 2)", lambda x: F.fold(x, (3, 3), 2), [G(1, 4, 3)],
         "Given output_size=(3, 3), kernel_size=(2, 2), dilation=(1, 1), padding=(0, 0), stride=(1, 1), expected size "
         "of input's dimension 3 to match the calculated number of sliding blocks 2 * 2 = 4, but got input.size(3)=3."),
        ("fold_divisible", "F.fold(x1, {3, 3}, 2)", lambda x: F.fold(x, (3, 3), 2), [G(1, 5, 4)],
         "Expected size of input's dimension 2 to be divisible by the product of kernel_size, but got "
         "input.size(2)=5 and kernel_size=(2, 2)."),
    ]
    for name, call, fn, inputs, msg in err:
        case("error/" + name, call, fn, inputs, dtypes=ONE, error=msg)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_layersb_reference.py OUT.lua")
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)
    for build in (conv1d_cases, conv_transpose_cases, adaptive_cases, avg_pool_cases, dropout2d_cases,
                  interpolate_cases, pad_cases, pad_layer_cases, fold_cases, error_cases):
        build()
    write_records(sys.argv[1], "make_layersb_reference.py", [run_case(c) for c in CASES])


if __name__ == "__main__":
    main()
