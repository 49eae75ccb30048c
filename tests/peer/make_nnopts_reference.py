"""Writes a Lua data file of reference results from real PyTorch for the options
of ember's conv2d, pooling and batch norm (issue 20): conv2d with dilation,
groups (depthwise too), padding "same" (odd and even kernels, dilation: PyTorch
pads the odd one out at the bottom / right) and "valid"; max_pool2d with
ceil_mode, dilation and padding, with ties (the gradient goes where PyTorch's
indices point); avg_pool2d with ceil_mode, count_include_pad and
divisor_override; BatchNorm with momentum=None (the cumulative average) over
several batches, its running statistics and num_batches_tracked. Outputs and
all gradients, float32 (oneDNN's convolutions) and float64 (im2col + gemm).
The cases use the machinery of make_nn_reference.py; the checks are
test_nn_parity.lua's (test_nnopts_parity.lua runs them on this file).
Usage: /usr/bin/python3 tests/peer/make_nnopts_reference.py OUT.lua
"""

import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_nn_reference import CASES, G, L, case, run_case
from peerlib import write_records


def conv_cases():
    case("conv2d/dilation", "torch.conv2d(x1, x2, x3, 1, 0, 2)", lambda x, w, b: F.conv2d(x, w, b, 1, 0, 2),
         [G(2, 2, 7, 7), G(3, 2, 3, 3), G(3)])
    case("conv2d/dilation_hw_options", "torch.conv2d(x1, x2, x3, {stride = {1, 2}, padding = {2, 1}, dilation = {2, 1}})",
         lambda x, w, b: F.conv2d(x, w, b, stride=(1, 2), padding=(2, 1), dilation=(2, 1)),
         [G(2, 3, 6, 7), G(4, 3, 3, 2), G(4)])
    case("conv2d/groups", "torch.conv2d(x1, x2, x3, {padding = 1, groups = 2})",
         lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=2), [G(2, 4, 6, 5), G(6, 2, 3, 3), G(6)])
    case("conv2d/groups_positional", "torch.conv2d(x1, x2, nil, 2, 1, 1, 3)",
         lambda x, w: F.conv2d(x, w, None, 2, 1, 1, 3), [G(2, 6, 7, 6), G(3, 2, 3, 3)])
    case("conv2d/depthwise", "torch.conv2d(x1, x2, x3, {groups = 3, padding = 1})",
         lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=3), [G(2, 3, 6, 6), G(3, 1, 3, 3), G(3)])
    case("conv2d/depthwise_multiplier", "torch.conv2d(x1, x2, x3, {groups = 3, stride = 2, dilation = 2})",
         lambda x, w, b: F.conv2d(x, w, b, stride=2, dilation=2, groups=3), [G(2, 3, 9, 8), G(6, 1, 3, 3), G(6)])
    case("conv2d/groups_pointwise", "torch.conv2d(x1, x2, x3, {groups = 2})",
         lambda x, w, b: F.conv2d(x, w, b, groups=2), [G(2, 4, 3, 5), G(6, 2, 1, 1), G(6)])
    case("conv2d/groups_unbatched", "torch.conv2d(x1, x2, x3, {groups = 2, padding = 'same'})",
         lambda x, w, b: F.conv2d(x, w, b, padding="same", groups=2), [G(4, 5, 5), G(2, 2, 3, 3), G(2)],
         grad_fn=False)
    case("conv2d/same_odd", "torch.conv2d(x1, x2, x3, 1, 'same')", lambda x, w, b: F.conv2d(x, w, b, 1, "same"),
         [G(2, 2, 5, 6), G(3, 2, 3, 3), G(3)])
    case("conv2d/same_even", "torch.conv2d(x1, x2, x3, {padding = 'same'})",
         lambda x, w, b: F.conv2d(x, w, b, padding="same"), [G(1, 2, 6, 5), G(2, 2, 4, 4), G(2)])
    case("conv2d/same_mixed", "torch.conv2d(x1, x2, nil, {padding = 'same', dilation = {1, 2}})",
         lambda x, w: F.conv2d(x, w, None, padding="same", dilation=(1, 2)), [G(2, 2, 5, 7), G(3, 2, 2, 3)])
    case("conv2d/same_dilated", "torch.conv2d(x1, x2, x3, {padding = 'same', dilation = 2})",
         lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=2), [G(2, 3, 7, 6), G(2, 3, 3, 3), G(2)])
    case("conv2d/same_even_groups", "torch.conv2d(x1, x2, x3, {padding = 'same', groups = 2})",
         lambda x, w, b: F.conv2d(x, w, b, padding="same", groups=2), [G(2, 4, 5, 5), G(4, 2, 2, 2), G(4)])
    case("conv2d/valid", "torch.conv2d(x1, x2, x3, 2, 'valid')", lambda x, w, b: F.conv2d(x, w, b, 2, "valid"),
         [G(2, 2, 7, 6), G(3, 2, 3, 3), G(3)])
    case("conv2d/module", "torch.manual_seed(1); local c = nn.Conv2d(4, 6, 3, {groups = 2, dilation = 2, "
         "padding = 'same'}); c:to(x1.dtype); torch.no_grad(function() c.weight:copy_(x2); c.bias:copy_(x3) end); "
         "return c(x1)",
         lambda x, w, b: F.conv2d(x, w, b, padding="same", dilation=2, groups=2),
         [G(2, 4, 7, 7), G(6, 2, 3, 3, grad=False), G(6, grad=False)])


TIES = [[[[1, 3, 3, 2, 0], [3, 1, 3, 3, 2], [0, 3, 2, 3, 1], [2, 2, 3, 1, 3], [3, 0, 1, 3, 3]],
         [[2, 2, 2, 2, 2], [2, 2, 2, 2, 2], [1, 1, 2, 1, 1], [2, 1, 1, 1, 2], [0, 2, 2, 2, 0]]]]


def pool_cases():
    mp = "torch.max_pool2d"
    case("max_pool2d/ceil", "%s(x1, 2, {stride = 2, ceil_mode = true})" % mp,
         lambda x: F.max_pool2d(x, 2, 2, ceil_mode=True), [G(2, 2, 5, 5)])
    case("max_pool2d/ceil_trimmed", "%s(x1, 2, 2, 1, 1, true)" % mp,
         lambda x: F.max_pool2d(x, 2, 2, 1, 1, True), [G(1, 2, 5, 5)])
    case("max_pool2d/ceil_padded", "%s(x1, 3, 2, 1, 1, true)" % mp,
         lambda x: F.max_pool2d(x, 3, 2, 1, 1, True), [G(2, 2, 6, 7)])
    case("max_pool2d/dilation", "%s(x1, 3, {stride = 1, dilation = 2})" % mp,
         lambda x: F.max_pool2d(x, 3, 1, dilation=2), [G(1, 3, 7, 7)])
    case("max_pool2d/dilation_ceil_indices", "%s(x1, {3, 2}, {2, 1}, {1, 1}, {2, 3}, true, true)" % mp,
         lambda x: F.max_pool2d(x, (3, 2), (2, 1), (1, 1), (2, 3), True, True), [G(2, 2, 8, 7)])
    case("max_pool2d/unbatched_dilation", "%s(x1, 2, 1, 1, 2)" % mp, lambda x: F.max_pool2d(x, 2, 1, 1, 2),
         [G(2, 5, 6)])
    case("max_pool2d/ties", "%s(x1, 3, 1, 1, 1, false, true)" % mp,
         lambda x: F.max_pool2d(x, 3, 1, 1, 1, False, True), [L(TIES, grad=True)])
    case("max_pool2d/ties_ceil_dilation", "return %s(x1, 2, {stride = 2, dilation = 2, ceil_mode = true, "
         "return_indices = true})" % mp,
         lambda x: F.max_pool2d(x, 2, 2, 0, 2, True, True), [L(TIES, grad=True)])
    case("max_pool2d/ties_2x2", "return %s(x1, 2, {return_indices = true})" % mp,
         lambda x: F.max_pool2d(x, 2, return_indices=True), [L(TIES, grad=True)])
    case("max_pool2d/module", "return nn.MaxPool2d(3, 2, 1, 2, true, true)(x1)",
         lambda x: nn.MaxPool2d(3, 2, 1, 2, True, True)(x), [G(2, 2, 9, 8)])
    ap = "torch.avg_pool2d"
    case("avg_pool2d/ceil", "%s(x1, 2, {ceil_mode = true})" % ap, lambda x: F.avg_pool2d(x, 2, ceil_mode=True),
         [G(2, 2, 5, 5)])
    case("avg_pool2d/ceil_padded", "%s(x1, 3, 2, 1, true)" % ap, lambda x: F.avg_pool2d(x, 3, 2, 1, True),
         [G(2, 2, 6, 7)])
    case("avg_pool2d/exclude_pad", "%s(x1, 3, 2, 1, true, false)" % ap,
         lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), [G(2, 2, 6, 7)])
    case("avg_pool2d/exclude_pad_floor", "%s(x1, {3, 2}, 1, {1, 1}, {count_include_pad = false})" % ap,
         lambda x: F.avg_pool2d(x, (3, 2), 1, (1, 1), count_include_pad=False), [G(1, 2, 5, 4)])
    case("avg_pool2d/divisor", "%s(x1, 3, 2, 1, {divisor_override = 4})" % ap,
         lambda x: F.avg_pool2d(x, 3, 2, 1, divisor_override=4), [G(2, 2, 7, 6)])
    case("avg_pool2d/module", "return nn.AvgPool2d(3, 2, 1, true, false)(x1)",
         lambda x: nn.AvgPool2d(3, 2, 1, True, False)(x), [G(2, 3, 8, 5)])


def batch_norm_cases():
    # momentum=None: the running statistics are the plain average of every
    # batch so far (factor 1 / num_batches_tracked); 4 batches, then eval
    def cumulative(bn_class, x, w, b):
        bn = bn_class(x.shape[2], momentum=None).to(x.dtype)
        with torch.no_grad():
            bn.weight.copy_(w)
            bn.bias.copy_(b)
        for i in range(x.shape[0]):
            y = bn(x[i])
        bn.eval()
        return (y, bn.running_mean, bn.running_var, bn.num_batches_tracked, bn(x[0]))

    lua = ("local bn = nn.%s(%d, {momentum = torch.None}):to(x1.dtype); "
           "torch.no_grad(function() bn.weight:copy_(x2); bn.bias:copy_(x3) end); "
           "local y; for i = 1, x1:size(1) do y = bn(x1[i]) end; bn:eval(); "
           "return y, bn.running_mean, bn.running_var, bn.num_batches_tracked, bn(x1[1])")
    case("batch_norm/momentum_none_1d", lua % ("BatchNorm1d", 3),
         lambda x, w, b: cumulative(nn.BatchNorm1d, x, w, b), [G(4, 5, 3), G(3, grad=False), G(3, grad=False)],
         grad_fn=False)
    case("batch_norm/momentum_none_2d", lua % ("BatchNorm2d", 2),
         lambda x, w, b: cumulative(nn.BatchNorm2d, x, w, b),
         [G(3, 2, 2, 3, 3), G(2, grad=False), G(2, grad=False)], grad_fn=False)
    case("batch_norm/momentum_none_positional",
         "local bn = nn.BatchNorm1d(4, 1e-3, torch.None):to(x1.dtype); local y; "
         "for i = 1, x1:size(1) do y = bn(x1[i]) end; return y, bn.running_mean, bn.running_var",
         lambda x: (lambda bn: ([bn(x[i]) for i in range(x.shape[0])][-1], bn.running_mean, bn.running_var))(
             nn.BatchNorm1d(4, 1e-3, None).to(x.dtype)), [G(3, 6, 4)], grad_fn=False)
    case("batch_norm/functional_options",
         "local rm, rv = x2:clone(), x3:clone(); local y = F.batch_norm(x1, rm, rv, "
         "{training = true, momentum = 0.3, eps = 1e-3}); return y, rm, rv",
         lambda x, rm, rv: (lambda m, v: (F.batch_norm(x, m, v, training=True, momentum=0.3, eps=1e-3), m, v))(
             rm.clone(), rv.clone()), [G(5, 3), L([0.1, -0.2, 0.3]), L([1.0, 2.0, 0.5])], grad_fn=False)


def error_cases():
    one = ("float32",)
    case("error/same_strided", "torch.conv2d(x1, x2, nil, 2, 'same')", lambda x, w: F.conv2d(x, w, None, 2, "same"),
         [G(1, 2, 6, 6), G(2, 2, 3, 3)], dtypes=one,
         error="conv2d: padding='same' is not supported for strided convolutions")
    case("error/groups_weight", "torch.conv2d(x1, x2, nil, {groups = 2})", lambda x, w: F.conv2d(x, w, None, groups=2),
         [G(1, 2, 6, 6), G(3, 1, 3, 3)], dtypes=one,
         error="Given groups=2, expected weight to be divisible by 2 at dimension 0")
    case("error/groups_input", "torch.conv2d(x1, x2, nil, {groups = 2})", lambda x, w: F.conv2d(x, w, None, groups=2),
         [G(1, 3, 6, 6), G(4, 1, 3, 3)], dtypes=one,
         error="Given groups=2, weight of size [4, 1, 3, 3], expected input[1, 3, 6, 6] to have 2 channels, but "
               "got 3 channels instead")
    case("error/groups_zero", "torch.conv2d(x1, x2, nil, {groups = 0})", lambda x, w: F.conv2d(x, w, None, groups=0),
         [G(1, 2, 6, 6), G(2, 2, 3, 3)], dtypes=one, error="non-positive groups is not supported")
    case("error/dilation_zero", "torch.conv2d(x1, x2, nil, 1, 0, 0)", lambda x, w: F.conv2d(x, w, None, 1, 0, 0),
         [G(1, 2, 6, 6), G(2, 2, 3, 3)], dtypes=one, error="dilation should be greater than zero, but got [0, 0]")
    case("error/dilated_too_big", "torch.conv2d(x1, x2, nil, 1, 0, 3)", lambda x, w: F.conv2d(x, w, None, 1, 0, 3),
         [G(1, 2, 6, 6), G(2, 2, 3, 3)], dtypes=one,
         error="Calculated padded input size per channel: (6 x 6). Kernel size: (7 x 7). Kernel size can't be "
               "greater than actual input size")
    case("error/pool_stride_zero", "torch.max_pool2d(x1, 2, 0)", lambda x: F.max_pool2d(x, 2, 0), [G(1, 1, 5, 5)],
         dtypes=one, error="max_pool2d: stride should not be zero")
    case("error/avg_pool_stride_zero", "torch.avg_pool2d(x1, 2, 0)", lambda x: F.avg_pool2d(x, 2, 0),
         [G(1, 1, 5, 5)], dtypes=one, error="avg_pool2d: stride should not be zero")
    case("error/pool_dilation_zero", "torch.max_pool2d(x1, 2, 2, 0, 0)", lambda x: F.max_pool2d(x, 2, 2, 0, 0),
         [G(1, 1, 5, 5)], dtypes=one, error="dilation should be greater than zero, but got dilationH: 0 dilationW: 0")
    case("error/pool_too_small", "torch.max_pool2d(x1, 3, {dilation = 3})", lambda x: F.max_pool2d(x, 3, dilation=3),
         [G(1, 1, 5, 5)], dtypes=one,
         error="Given input size: (1x5x5). Calculated output size: (1x0x0). Output size is too small")
    case("error/pool_pad", "torch.max_pool2d(x1, {2, 3}, 1, {0, 2})", lambda x: F.max_pool2d(x, (2, 3), 1, (0, 2)),
         [G(1, 1, 5, 5)], dtypes=one, error="pad should be at most half of kernel size, but got pad=2 and kernel_size=3")
    case("error/divisor_zero", "torch.avg_pool2d(x1, 2, {divisor_override = 0})",
         lambda x: F.avg_pool2d(x, 2, divisor_override=0), [G(1, 1, 5, 5)], dtypes=one,
         error="divisor must be not zero")
    case("error/bernoulli_p", "x1:bernoulli(2.0)", lambda x: x.bernoulli(2.0), [G(3, lo=0.0, hi=1.0, grad=False)],
         dtypes=one, error="expects p to be in [0, 1], but got p=2")
    case("error/bernoulli_tensor_p", "torch.bernoulli(x1)", torch.bernoulli, [L([0.5, 2.0, 0.1])], dtypes=one,
         error="p_in >= 0 && p_in <= 1")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_nnopts_reference.py OUT.lua")
    torch.set_default_dtype(torch.float32)
    torch.set_num_threads(1)
    for build in (conv_cases, pool_cases, batch_norm_cases, error_cases):
        build()
    write_records(sys.argv[1], "make_nnopts_reference.py", [run_case(c) for c in CASES])


if __name__ == "__main__":
    main()
