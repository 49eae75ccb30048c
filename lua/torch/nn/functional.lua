-- nn.functional — the stateless forms of layers and losses, as
-- torch.nn.functional: F.relu(x), F.cross_entropy(logits, labels), ...
-- Thin wrappers over engine functions; losses with a `reduction` option
-- ("mean" default, "sum", "none"). Every options table is checked: by the
-- engine function (conv2d, pooling, softmax, the class losses) or by the
-- declarations below (torch.nn.args).
local torch = require "torch"
local core = require "torch.core"
local args = require "torch.nn.args"

local F = {}

-- The options of every loss, declared once (F checks them, and the loss
-- modules of torch.nn.loss are built from the same lists): known, then
-- PyTorch's options ember lacks. The class losses are the engine's own
-- lists (src/bind/lua_nn.c).
F._loss_options = {
  mse_loss = {"reduction", "size_average reduce"},
  l1_loss = {"reduction", "size_average reduce"},
  cross_entropy = core._nn_options.cross_entropy,
  nll_loss = core._nn_options.nll_loss,
  binary_cross_entropy_with_logits = core._nn_options.binary_cross_entropy_with_logits,
}

local RELU = args.declare("F.relu", {{"inplace", false}})

--- F.relu(x[, inplace = false]) -> Tensor
-- max(0, x) elementwise; the same as x:relu() and the layer nn.ReLU().
-- inplace = true is PyTorch's, not ember's (an error).
-- Example: F.relu(torch.tensor{-1.0, 2.0})  --> tensor([0., 2.])
F.relu = function(x, ...)
  if select("#", ...) > 0 and RELU:parse(...).inplace ~= false then
    RELU:error("inplace=true is not implemented in ember (only inplace=false)")
  end
  return x:relu()
end

-- F.sigmoid, F.tanh, ...: the op table's functional ops (src/core/op_table.h,
-- the rows marked for F), each the op's own function.
for _, row in ipairs(core._ops) do
  if row.F and F[row.name] == nil then F[row.name] = row.fn end
end

--- F.linear(x, weight[, bias]) -> Tensor
-- x W^T + b on the last dim: x (..., in), weight (out, in), bias (out)
-- -> (..., out). What nn.Linear computes; the same as torch.linear.
F.linear = function(x, w, b) return torch.linear(x, w, b) end

--- F.conv2d(x, weight[, bias[, stride = 1[, padding = 0[, dilation = 1[, groups = 1]]]]]) -> Tensor
-- 2-D convolution: x (N, C_in, H, W), weight (C_out, C_in / groups, kh, kw),
-- bias (C_out) -> (N, C_out, H', W'). stride, padding, dilation: a number or
-- {h, w}; padding may be "same" (stride 1) or "valid"; groups splits the
-- channels. Positionally in PyTorch's order or as a trailing options table
-- {stride =, padding =, dilation =, groups =}. The same as torch.conv2d.
-- Example:
--   local y = F.conv2d(torch.ones(1, 1, 4, 4), torch.ones(2, 1, 3, 3), nil, 1, 1)
--   y:size()  --> torch.Size([1, 2, 4, 4])
F.conv2d = function(...) return torch.conv2d(...) end

--- F.max_pool2d(x, kernel_size[, stride[, padding[, dilation[, ceil_mode[, return_indices]]]]]) -> Tensor
-- The maximum of each window of (N, C, H, W) or (C, H, W) input; sizes are
-- a number or {h, w}; stride defaults to kernel_size. Positionally in
-- PyTorch's order or as a trailing options table {stride =, ceil_mode =, ...};
-- return_indices = true also returns each max's flat position in its plane.
-- The same as torch.max_pool2d (and nn.MaxPool2d).
F.max_pool2d = function(...) return torch.max_pool2d(...) end

--- F.avg_pool2d(x, kernel_size[, stride[, padding[, ceil_mode[, count_include_pad[, divisor_override]]]]])
-- The mean of each window of (N, C, H, W) or (C, H, W) input; stride
-- defaults to kernel_size; zero padding counts unless count_include_pad =
-- false. Also as a trailing options table. The same as torch.avg_pool2d
-- (and nn.AvgPool2d).
-- Example: F.avg_pool2d(torch.ones(1, 1, 4, 4), 2):size()  --> torch.Size([1, 1, 2, 2])
F.avg_pool2d = function(...) return torch.avg_pool2d(...) end

--- F.softmax(x, dim) -> Tensor
-- exp(x) / sum(exp(x)) along dim (1-based; -1 = last), so each slice sums
-- to 1. dim is required. The same as torch.softmax / x:softmax(dim).
-- Example: F.softmax(torch.zeros(2), 1)  --> tensor([0.5000, 0.5000])
F.softmax = function(...) return torch.softmax(...) end

--- F.log_softmax(x, dim) -> Tensor
-- log(softmax(x, dim)), computed stably; feed it to F.nll_loss (or use
-- F.cross_entropy on raw logits). dim is 1-based and required.
F.log_softmax = function(...) return torch.log_softmax(...) end

local BATCH_NORM = args.declare("F.batch_norm", {{"weight", args.NONE}, {"bias", args.NONE}, {"training", false},
  {"momentum", 0.1}, {"eps", 1e-5}})

--- F.batch_norm(x, running_mean, running_var[, weight, bias, training, momentum, eps])
-- Normalises each channel (dim 2) of x, as nn.BatchNorm1d/2d do: with the
-- batch's statistics when training (updating the running ones in place),
-- else with running_mean/var. Then momentum (0.1) and eps (1e-5); training
-- defaults to false. PyTorch's argument order, or a trailing options table
-- {weight =, bias =, training =, momentum =, eps =} (torch.batch_norm takes
-- weight and bias first).
function F.batch_norm(x, running_mean, running_var, ...)
  local o = BATCH_NORM:parse(...)
  if type(o.training) ~= "boolean" then BATCH_NORM:error("training must be a boolean, got %s", tostring(o.training)) end
  for _, k in ipairs({"momentum", "eps"}) do
    if type(o[k]) ~= "number" then BATCH_NORM:error("%s must be a number, got %s", k, tostring(o[k])) end
  end
  return torch.batch_norm(x, o.weight, o.bias, running_mean, running_var, o.training, o.momentum, o.eps)
end

local DROPOUT = args.declare("F.dropout", {{"p", 0.5}, {"training", true}, {"inplace", false}})

--- F.dropout(x[, p = 0.5[, training = true]]) -> Tensor
-- Zeroes each element with probability p and scales the rest by 1/(1-p);
-- training = false returns x. Pass self.training inside a module's forward
-- (PyTorch's default is training=True too). Also F.dropout(x, {p =, training =});
-- inplace = true is PyTorch's, not ember's (an error).
function F.dropout(x, ...)
  if select("#", ...) == 0 then return torch.dropout(x, 0.5, true) end
  local o = DROPOUT:parse(...)
  if o.inplace ~= false then DROPOUT:error("inplace=%s is not implemented in ember (only inplace=false)", tostring(o.inplace)) end
  if type(o.training) ~= "boolean" then DROPOUT:error("training must be a boolean, got %s", tostring(o.training)) end
  return torch.dropout(x, o.p, o.training)
end

local REDUCTIONS = {mean = true, sum = true, none = true}

-- Raises unless reduction is "mean", "sum" or "none" (PyTorch's check and
-- its words, then the valid values; more: other valid ones, kl_div's).
function F._check_reduction(name, reduction, more)
  if not REDUCTIONS[reduction] then
    args.error(name .. ": " .. tostring(reduction) .. " is not a valid value for reduction: reduction must be " ..
      (more or "") .. "'mean', 'sum' or 'none', got '" .. tostring(reduction) .. "'")
  end
end

local function check_pair(name, input, target)
  if not torch.is_tensor(input) or not torch.is_tensor(target) then
    error(name .. ": expected two tensors (input, target)", 3)
  end
end

local MSE = args.declare("F.mse_loss", {{"reduction", "mean"}}, F._loss_options.mse_loss[2], 0)
local L1 = args.declare("F.l1_loss", {{"reduction", "mean"}}, F._loss_options.l1_loss[2], 0)

-- The losses after their options are checked (the loss modules call these).
function F._mse_loss(input, target, reduction)
  check_pair("mse_loss", input, target)
  -- one op and one graph node (src/autograd/grad_nn.c); the same as
  -- reduce((input - target):square(), reduction)
  return core._mse_loss(input, target, reduction)
end

function F._l1_loss(input, target, reduction)
  check_pair("l1_loss", input, target)
  local loss = (input - target):abs()
  if reduction == "mean" then return loss:mean() end
  if reduction == "sum" then return loss:sum() end
  return loss
end

--- F.mse_loss(input, target[, {reduction = "mean"}]) -> Tensor
-- The mean of (input - target)^2 ("sum": the sum; "none": elementwise).
-- Example:
--   F.mse_loss(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(2.)
function F.mse_loss(input, target, opts)
  local reduction = "mean"
  if opts ~= nil then
    reduction = MSE:parse(opts).reduction
    F._check_reduction("mse_loss", reduction)
  end
  return F._mse_loss(input, target, reduction)
end

--- F.l1_loss(input, target[, {reduction = "mean"}]) -> Tensor
-- The mean of |input - target| ("sum": the sum; "none": elementwise).
-- Example:
--   F.l1_loss(torch.tensor{1.0, 2.0}, torch.tensor{1.0, 4.0})  --> tensor(1.)
function F.l1_loss(input, target, opts)
  local reduction = "mean"
  if opts ~= nil then
    reduction = L1:parse(opts).reduction
    F._check_reduction("l1_loss", reduction)
  end
  return F._l1_loss(input, target, reduction)
end

-- A float target of the input's shape holds class probabilities (PyTorch
-- 1.13): F._cross_entropy_probs (torch.nn.functional_loss).
local CE = require("torch.options").spec("F.cross_entropy", core._nn_options.cross_entropy[1],
  core._nn_options.cross_entropy[2])

--- F.cross_entropy(logits, labels[, {reduction =, weight =, ...}]) -> Tensor
-- The classification loss of raw scores: nll_loss(log_softmax(logits, 2), labels).
-- logits (N, C); labels int64 class numbers 0..C-1 (0-based, as in PyTorch:
-- they are data). Options: reduction = "mean" | "sum" | "none", weight (C),
-- ignore_index = -100, label_smoothing = 0. The same as torch.cross_entropy.
-- labels may also be class probabilities: a float tensor of the logits'
-- shape (each row sums to 1), giving -sum(t log_softmax(logits)) per row.
-- Example: F.cross_entropy(torch.tensor{{2.0, 0.5, -1.0}}, torch.tensor{0})
F.cross_entropy = function(input, target, opts)
  if torch.is_tensor(input) and torch.is_tensor(target) and target:dim() == input:dim()
      and target:dim() > 0 and tostring(target:size()) == tostring(input:size()) then
    return F._cross_entropy_probs(input, target, CE:check(opts))
  end
  return torch.cross_entropy(input, target, opts)
end
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

-- The rest loads on first use (torch.lazy): F.layer_norm, F.group_norm,
-- F.embedding, F.softmin, F.one_hot, F.normalize, F.cosine_similarity,
-- F.pairwise_distance (torch.nn.functional_layers); binary_cross_entropy,
-- smooth_l1_loss, huber_loss, kl_div, the margin losses and cross_entropy
-- with class probabilities (torch.nn.functional_loss); the spatial functions
-- conv1d, conv_transpose2d, adaptive pooling, dropout2d, interpolate, pad,
-- unfold, fold (torch.nn.spatial_functional). A name F does not have is an
-- error suggesting the closest.
return require("torch.lazy").namespace(F, {
  id = "torch.nn.functional", name = "F",
  families = {"torch.nn.functional_layers", "torch.nn.functional_loss", "torch.nn.spatial_functional"},
})
