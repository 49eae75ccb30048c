-- torch.doc.nn — help texts of the neural-network engine functions written
-- in C (src/bind/lua_nn.c): torch.linear, conv2d, max_pool2d, avg_pool2d,
-- softmax, log_softmax, the losses, batch_norm, dropout. The layers and
-- nn.functional (Lua, lua/torch/nn) are documented next to their code.
local M = {}

M["torch.linear"] = [=[
torch.linear(x, weight[, bias]) -> Tensor
x W^T + b: the affine map of nn.Linear, on the last dim of x.
weight is (out_features x in_features), bias (out_features); x (..., in)
gives (..., out). F.linear is the same.
Example:
  local x = torch.tensor({{1.0, 2.0}})
  local w = torch.tensor({{1.0, 0.0}, {0.0, 1.0}, {1.0, 1.0}})
  torch.linear(x, w)                      --> tensor([[1., 2., 3.]])
  torch.linear(x, w, torch.ones(3))       --> tensor([[2., 3., 4.]])]=]

M["torch.conv2d"] = [=[
torch.conv2d(x, weight[, bias, stride, padding, dilation, groups]) -> Tensor
2-D convolution (PyTorch's cross-correlation) of a batch of images.
Defaults: stride 1, padding 0, dilation 1, groups 1. x is (N x C_in x H x W)
or (C_in x H x W), weight (C_out x C_in/groups x kH x kW), bias (C_out).
stride, padding and dilation are an integer or {h, w}; padding may also be
"valid" (none) or "same" (the output keeps H and W; stride 1 only; an odd
total pads one more at the bottom/right, as PyTorch). dilation spaces the
kernel's taps; groups splits the channels into independent convolutions
(groups = C_in: depthwise). PyTorch's positional order, or a trailing
table {bias=, stride=, padding=, dilation=, groups=}.
Output size: floor((H + 2 padding - dilation (kH - 1) - 1) / stride) + 1.
Example:
  local img = torch.arange(16.0):view(1, 1, 4, 4)
  torch.conv2d(img, torch.ones(1, 1, 2, 2)):size()  --> torch.Size([1, 1, 3, 3])
  torch.conv2d(img, torch.ones(1, 1, 2, 2), {stride = 2})
  --> tensor([[[[10., 18.], [42., 50.]]]])
  torch.conv2d(img, torch.ones(1, 1, 2, 2), {dilation = 2})
  --> tensor([[[[20., 24.], [36., 40.]]]])
  torch.conv2d(img, torch.ones(1, 1, 2, 2), {padding = "same"}):size()
  --> torch.Size([1, 1, 4, 4])]=]

M["torch.max_pool2d"] = [=[
torch.max_pool2d(x, kernel_size[, stride, padding, dilation, ceil_mode, ...])
The largest value of each kernel_size window of each channel (and, with
return_indices = true, the 0-based positions of the maxima in each plane).
x is (N x C x H x W) or (C x H x W); sizes are an integer or {h, w}.
stride defaults to kernel_size (0 is an error); padding (at most half the
kernel) counts as -inf; dilation spaces the window's taps; ceil_mode rounds
the output size up (a last, partial window counts when it starts inside
the input or the left padding). F.max_pool2d's positional order (the last
is return_indices), or a trailing table {stride=, ceil_mode=, ...}.
Example:
  local img = torch.arange(16.0):view(1, 1, 4, 4)
  torch.max_pool2d(img, 2)  --> tensor([[[[ 5.,  7.], [13., 15.]]]])
  torch.max_pool2d(img, 3, {stride = 2, ceil_mode = true})
  --> tensor([[[[10., 11.], [14., 15.]]]])]=]

M["torch.avg_pool2d"] = [=[
torch.avg_pool2d(x, kernel_size[, stride, padding, ceil_mode, ...]) -> Tensor
The mean of each kernel_size window of each channel. stride defaults to
kernel_size; padding (at most half the kernel) adds zeros, which count in
the mean unless count_include_pad = false; ceil_mode as max_pool2d (a
window past the end divides by its part inside the padded input);
divisor_override divides every sum by that number instead. Positionally in
the order stride, padding, ceil_mode, count_include_pad, divisor_override,
or a trailing options table.
Example:
  local img = torch.arange(16.0):view(1, 1, 4, 4)
  torch.avg_pool2d(img, 2)
  --> tensor([[[[ 2.5000,  4.5000], [10.5000, 12.5000]]]])
  torch.avg_pool2d(img, 3, {stride = 2, ceil_mode = true})
  --> tensor([[[[ 5.0000,  6.5000], [11.0000, 12.5000]]]])]=]

M["torch.softmax"] = [=[
torch.softmax(x, dim[, {dtype=}]) -> Tensor
exp(x) / sum(exp(x)) along dim (1-based; -1 = last): non-negative values
that sum to 1, computed stably. dim is required (as in PyTorch).
Example:
  torch.softmax(torch.tensor({1.0, 2.0, 3.0}), 1)
  --> tensor([0.0900, 0.2447, 0.6652])]=]
M["Tensor.softmax"] = {"torch.softmax", "x:softmax(dim[, {dtype=}]) -> Tensor"}

M["torch.log_softmax"] = [=[
torch.log_softmax(x, dim[, {dtype=}]) -> Tensor
log(softmax(x, dim)), computed stably; pairs with nll_loss (together they
make cross_entropy).
Example:
  torch.log_softmax(torch.tensor({0.0, 0.0}), 1)  --> tensor([-0.6931, -0.6931])]=]
M["Tensor.log_softmax"] = {"torch.log_softmax", "x:log_softmax(dim[, {dtype=}]) -> Tensor"}

local LOSS_OPTS = [=[
Options: {reduction = "mean" | "sum" | "none"}.]=]

M["torch.cross_entropy"] = [=[
torch.cross_entropy(logits, target[, opts]) -> Tensor
The cross-entropy loss of raw scores (logits, N x C) against class labels
(target: int64, 0-BASED class numbers, as in PyTorch), i.e.
nll_loss(log_softmax(logits, 2), target).
]=] .. LOSS_OPTS .. [=[

Also weight= (a tensor of C class weights), ignore_index=-100,
label_smoothing=0. size_average and reduce (PyTorch's deprecated
options) are refused.
Example:
  local logits = torch.tensor({{2.0, 0.5, -1.0}, {0.1, 0.2, 3.0}})
  local labels = torch.tensor({0, 2})
  torch.cross_entropy(logits, labels)     --> tensor(0.1755)
  torch.cross_entropy(logits, labels, {reduction = "none"})
  --> tensor([0.2413, 0.1096])]=]

M["torch.nll_loss"] = [=[
torch.nll_loss(log_probs, target[, opts]) -> Tensor
The negative log-likelihood loss: -log_probs[i][target[i]], averaged.
log_probs (N x C) are log-probabilities (log_softmax's output); target has
0-BASED class numbers (int64).
]=] .. LOSS_OPTS .. [=[

Also weight=, ignore_index=-100.
Example:
  local logits = torch.tensor({{2.0, 0.5, -1.0}, {0.1, 0.2, 3.0}})
  torch.nll_loss(logits:log_softmax(2), torch.tensor({0, 2}))
  --> tensor(0.1755)]=]

M["torch.binary_cross_entropy_with_logits"] = [=[
torch.binary_cross_entropy_with_logits(logits, target[, opts]) -> Tensor
Binary cross-entropy of raw scores against targets in [0, 1].
target is a float tensor of logits' size. A sigmoid and the BCE loss in
one numerically stable formula.
]=] .. LOSS_OPTS .. [=[

Also weight=, pos_weight= (tensors).
Example:
  local logits, target = torch.tensor({0.0, 2.0}), torch.tensor({0.0, 1.0})
  torch.binary_cross_entropy_with_logits(logits, target)
  --> tensor(0.4100)]=]

M["torch.batch_norm"] = [=[
torch.batch_norm(x, w, b, running_mean, running_var, training, momentum, eps)
Normalises each channel (dim 2) of x to mean 0, variance 1, then scales by
w and shifts by b (weight and bias; nil for none). In training it uses the
batch's statistics and updates running_mean/var in place (with momentum);
else the running ones. F.batch_norm takes PyTorch's order instead
(x, running_mean, running_var, weight, bias, ...).
Example:
  local x = torch.tensor({{1.0}, {3.0}})
  torch.batch_norm(x, nil, nil, nil, nil, true, 0.1, 1e-5)
  --> tensor([[-1.0000], [ 1.0000]])]=]

M["torch.dropout"] = [=[
torch.dropout(x[, p=0.5][, train=true][, {generator=}]) -> Tensor
In training, zeroes each element with probability p and scales the others
by 1 / (1 - p); with train = false, returns x itself. The random draws are
PyTorch's for the same seed.
Example:
  torch.manual_seed(0)
  torch.dropout(torch.ones(4), 0.5, true) --> tensor([0., 0., 2., 0.])]=]

return M
