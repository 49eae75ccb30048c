-- nn.functional — the stateless forms of layers and losses, as
-- torch.nn.functional: F.relu(x), F.cross_entropy(logits, labels), ...
-- Thin wrappers over engine functions; losses with a `reduction` option
-- ("mean" default, "sum", "none").
local torch = require "torch"
local core = require "torch.core"

local F = {}

--- F.relu(x) -> Tensor
-- max(0, x) elementwise; the same as x:relu() and the layer nn.ReLU().
-- Example: F.relu(torch.tensor{-1.0, 2.0})  --> tensor([0., 2.])
F.relu = function(x) return x:relu() end

--- F.sigmoid(x) -> Tensor
-- 1 / (1 + e^-x) elementwise; the same as x:sigmoid() (torch.sigmoid).
F.sigmoid = function(x) return x:sigmoid() end

--- F.tanh(x) -> Tensor
-- tanh(x) elementwise; the same as x:tanh() (torch.tanh).
F.tanh = function(x) return x:tanh() end

--- F.linear(x, weight[, bias]) -> Tensor
-- x W^T + b on the last dim: x (..., in), weight (out, in), bias (out)
-- -> (..., out). What nn.Linear computes; the same as torch.linear.
F.linear = function(x, w, b) return torch.linear(x, w, b) end

--- F.conv2d(x, weight[, bias[, stride = 1[, padding = 0]]]) -> Tensor
-- 2-D convolution: x (N, C_in, H, W), weight (C_out, C_in, kh, kw), bias
-- (C_out) -> (N, C_out, H', W'). stride, padding: a number or {h, w}, or a
-- trailing options table {stride =, padding =}. The same as torch.conv2d.
-- Example:
--   local y = F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(2, 1, 3, 3), nil, 1, 1)
--   y:size()  --> torch.Size([1, 2, 4, 4])
F.conv2d = function(...) return torch.conv2d(...) end

--- F.max_pool2d(x, kernel_size[, stride = kernel_size[, padding = 0]]) -> Tensor
-- The maximum of each window of (N, C, H, W) or (C, H, W) input; sizes are
-- a number or {h, w}. The same as torch.max_pool2d (and nn.MaxPool2d).
F.max_pool2d = function(...) return torch.max_pool2d(...) end

--- F.softmax(x, dim) -> Tensor
-- exp(x) / sum(exp(x)) along dim (1-based; -1 = last), so each slice sums
-- to 1. dim is required. The same as torch.softmax / x:softmax(dim).
-- Example: F.softmax(torch.zeros(2), 1)  --> tensor([0.5000, 0.5000])
F.softmax = function(...) return torch.softmax(...) end

--- F.log_softmax(x, dim) -> Tensor
-- log(softmax(x, dim)), computed stably; feed it to F.nll_loss (or use
-- F.cross_entropy on raw logits). dim is 1-based and required.
F.log_softmax = function(...) return torch.log_softmax(...) end

--- F.batch_norm(x, running_mean, running_var[, weight, bias, training, ...])
-- Normalises each channel (dim 2) of x, as nn.BatchNorm1d/2d do: with the
-- batch's statistics when training (updating the running ones in place),
-- else with running_mean/var. Then momentum (0.1) and eps (1e-5); training
-- defaults to false. PyTorch's argument order (torch.batch_norm takes weight and
-- bias first).
function F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
  return torch.batch_norm(x, weight, bias, running_mean, running_var, training or false, momentum or 0.1,
    eps or 1e-5)
end

--- F.dropout(x[, p = 0.5[, training = true]]) -> Tensor
-- Zeroes each element with probability p and scales the rest by 1/(1-p);
-- training = false returns x. Pass self.training inside a module's forward
-- (PyTorch's default is training=True too).
function F.dropout(x, p, training)
  if training == nil then training = true end
  return torch.dropout(x, p or 0.5, training)
end

local function reduce(loss, reduction, name)
  reduction = reduction or "mean"
  if reduction == "mean" then return loss:mean() end
  if reduction == "sum" then return loss:sum() end
  if reduction == "none" then return loss end
  error(name .. ": reduction must be 'mean', 'sum' or 'none', got '" .. tostring(reduction) .. "'", 3)
end

local function check_pair(name, input, target)
  if not torch.is_tensor(input) or not torch.is_tensor(target) then
    error(name .. ": expected two tensors (input, target)", 3)
  end
end

--- F.mse_loss(input, target[, {reduction = "mean"}]) -> Tensor
-- The mean of (input - target)^2 ("sum": the sum; "none": elementwise).
-- Example:
--   F.mse_loss(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(2.)
function F.mse_loss(input, target, opts)
  check_pair("mse_loss", input, target)
  local reduction = opts and opts.reduction or "mean"
  if reduction ~= "mean" and reduction ~= "sum" and reduction ~= "none" then reduce(nil, reduction, "mse_loss") end
  -- one op and one graph node (src/autograd/grad_nn.c); the same as
  -- reduce((input - target):square(), reduction)
  return core._mse_loss(input, target, reduction)
end

--- F.l1_loss(input, target[, {reduction = "mean"}]) -> Tensor
-- The mean of |input - target| ("sum": the sum; "none": elementwise).
-- Example:
--   F.l1_loss(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(1.)
function F.l1_loss(input, target, opts)
  check_pair("l1_loss", input, target)
  return reduce((input - target):abs(), opts and opts.reduction, "l1_loss")
end

--- F.cross_entropy(logits, labels[, {reduction =, weight =, ...}]) -> Tensor
-- The classification loss of raw scores: nll_loss(log_softmax(logits, 2), labels).
-- logits (N, C); labels int64 class numbers 0..C-1 (0-based, as in PyTorch:
-- they are data). Options: reduction = "mean" | "sum" | "none", weight (C),
-- ignore_index = -100, label_smoothing = 0. The same as torch.cross_entropy.
-- Example: F.cross_entropy(torch.tensor{{2.0, 0.5, -1.0}}, torch.tensor{0})
F.cross_entropy = function(input, target, opts) return torch.cross_entropy(input, target, opts) end
--- F.nll_loss(log_probs, labels[, {reduction =, weight =, ignore_index =}])
-- The negative log-likelihood: the mean of -log_probs[i][labels[i]].
-- log_probs (N, C) from F.log_softmax(logits, 2); labels int64, 0-based.
-- The same as torch.nll_loss.
F.nll_loss = function(input, target, opts) return torch.nll_loss(input, target, opts) end
--- F.binary_cross_entropy_with_logits(logits, target[, opts]) -> Tensor
-- Binary cross-entropy of raw scores against float targets in [0, 1]: a
-- sigmoid and the BCE loss in one stable formula (no nn.Sigmoid before it).
-- opts: {reduction = "mean", weight =, pos_weight =}, pos_weight a tensor
-- weighting the positive class. Same as torch.binary_cross_entropy_with_logits.
F.binary_cross_entropy_with_logits = function(input, target, opts)
  return torch.binary_cross_entropy_with_logits(input, target, opts)
end

return F
