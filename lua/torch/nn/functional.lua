-- nn.functional — the stateless forms of layers and losses, as
-- torch.nn.functional: F.relu(x), F.cross_entropy(logits, labels), ...
-- Thin wrappers over engine functions; losses with a `reduction` option
-- ("mean" default, "sum", "none").
local torch = require "torch"

local F = {}

F.relu = function(x) return x:relu() end
F.sigmoid = function(x) return x:sigmoid() end
F.tanh = function(x) return x:tanh() end
F.linear = function(x, w, b) return torch.linear(x, w, b) end
F.conv2d = function(x, w, b, stride, padding) return torch.conv2d(x, w, b, stride, padding) end
F.max_pool2d = function(x, k, stride, padding) return torch.max_pool2d(x, k, stride, padding) end
F.softmax = function(x, dim) return torch.softmax(x, dim) end
F.log_softmax = function(x, dim) return torch.log_softmax(x, dim) end
--- F.batch_norm(x, running_mean, running_var[, weight[, bias[, training[, momentum[, eps]]]]])
--- (PyTorch's argument order; torch.batch_norm takes weight and bias first).
function F.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
  return torch.batch_norm(x, weight, bias, running_mean, running_var, training or false, momentum or 0.1,
    eps or 1e-5)
end

--- F.dropout(x[, p=0.5[, training=true]])
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

--- F.mse_loss(input, target[, {reduction=}]): mean of (input - target)^2.
function F.mse_loss(input, target, opts)
  check_pair("mse_loss", input, target)
  return reduce((input - target):square(), opts and opts.reduction, "mse_loss")
end

--- F.l1_loss(input, target[, {reduction=}]): mean of |input - target|.
function F.l1_loss(input, target, opts)
  check_pair("l1_loss", input, target)
  return reduce((input - target):abs(), opts and opts.reduction, "l1_loss")
end

--- F.cross_entropy(logits, labels[, {reduction=, weight=, ignore_index=, label_smoothing=}])
--- logits (N, C); labels int64 class indices 0..C-1 (0-based: they are data).
F.cross_entropy = function(input, target, opts) return torch.cross_entropy(input, target, opts) end
F.nll_loss = function(input, target, opts) return torch.nll_loss(input, target, opts) end
F.binary_cross_entropy_with_logits = function(input, target, opts)
  return torch.binary_cross_entropy_with_logits(input, target, opts)
end

return F
