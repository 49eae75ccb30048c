-- Layers with parameters: Linear, Conv2d, BatchNorm1d/2d — each a small
-- Module over one fused engine function (torch.linear, torch.conv2d,
-- torch.batch_norm), initialised as PyTorch does.
local torch = require "torch"
local M = require "torch.nn.module"
local init = require "torch.nn.initializers"
local Module, Parameter = M.Module, M.Parameter

local layers = {}

-- Weight then bias, as PyTorch's reset_parameters: kaiming_uniform_(a=sqrt(5))
-- and U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
local function reset_weight_and_bias(self)
  init.kaiming_uniform_(self.weight, {a = math.sqrt(5)})
  if self.bias ~= nil then
    local fan_in = init.calculate_fan_in_and_fan_out(self.weight)
    local bound = fan_in > 0 and 1 / math.sqrt(fan_in) or 0
    init.uniform_(self.bias, -bound, bound)
  end
end

local function check_size(name, what, v)
  if math.type(v) ~= "integer" or v <= 0 then
    error(string.format("%s: %s must be a positive integer, got %s", name, what, tostring(v)), 3)
  end
end

--- nn.Linear(in_features, out_features[, {bias = true}])
-- Applies y = x W^T + b to the last dimension of its input:
-- x (..., in_features) -> y (..., out_features).
-- weight: (out_features, in_features), bias: (out_features), both drawn from
-- U(-1/sqrt(in_features), 1/sqrt(in_features)) as PyTorch does.
-- Example:
--   local layer = nn.Linear(3, 1)
--   layer(torch.ones(2, 3)):size()  --> torch.Size([2, 1])
local Linear = Module:extend("Linear")
function Linear:__init(in_features, out_features, opts)
  Module.__init(self)
  check_size("nn.Linear", "in_features", in_features)
  check_size("nn.Linear", "out_features", out_features)
  self.in_features, self.out_features = in_features, out_features
  self.weight = Parameter.new(torch.empty(out_features, in_features))
  if not (opts and opts.bias == false) then
    self.bias = Parameter.new(torch.empty(out_features))
  else
    self:register_parameter("bias", nil)
  end
  reset_weight_and_bias(self)
end
--- linear:forward(x) -> Tensor
-- torch.linear(x, weight, bias); call the layer itself, linear(x). Raises a
-- clear error when x's last dim is not in_features.
function Linear:forward(x)
  if not torch.is_tensor(x) then error("nn.Linear: expected a tensor input, got " .. type(x), 2) end
  if x:dim() == 0 or x:size(-1) ~= self.in_features then
    error(string.format("nn.Linear: expected input with last dim %d (in_features), got shape %s",
      self.in_features, tostring(x:size())), 2)
  end
  return torch.linear(x, self.weight, self.bias)
end
--- linear:extra_repr() -> "in_features=3, out_features=1, bias=True"
function Linear:extra_repr()
  return string.format("in_features=%d, out_features=%d, bias=%s", self.in_features, self.out_features,
    tostring(self.bias ~= nil):gsub("^%l", string.upper))
end
layers.Linear = Linear

local function pair(v, name)
  if type(v) == "table" then return {v[1], v[2] or v[1]} end
  if math.type(v) ~= "integer" or v < 0 then error(name .. " must be a non-negative integer or {h, w}", 3) end
  return {v, v}
end

local function tuple(p) return "(" .. p[1] .. ", " .. p[2] .. ")" end

--- nn.Conv2d(in_channels, out_channels, kernel_size[, {stride =, padding =, ...}])
-- 2-D convolution (cross-correlation, as PyTorch): x (N, in_channels, H, W)
-- -> (N, out_channels, H', W'), H' = (H + 2*padding - kh) // stride + 1.
-- kernel_size, stride (1), padding (0): a number or {h, w}; bias = true.
-- weight: (out_channels, in_channels, kh, kw), bias: (out_channels),
-- initialised as PyTorch does.
-- Example:
--   local conv = nn.Conv2d(1, 8, 3, {padding = 1})
--   conv(torch.ones(2, 1, 28, 28)):size()  --> torch.Size([2, 8, 28, 28])
local Conv2d = Module:extend("Conv2d")
function Conv2d:__init(in_channels, out_channels, kernel_size, opts)
  Module.__init(self)
  opts = opts or {}
  check_size("nn.Conv2d", "in_channels", in_channels)
  check_size("nn.Conv2d", "out_channels", out_channels)
  self.in_channels, self.out_channels = in_channels, out_channels
  self.kernel_size = pair(kernel_size, "nn.Conv2d: kernel_size")
  self.stride = pair(opts.stride or 1, "nn.Conv2d: stride")
  self.padding = pair(opts.padding or 0, "nn.Conv2d: padding")
  self.weight = Parameter.new(torch.empty(out_channels, in_channels, self.kernel_size[1], self.kernel_size[2]))
  if opts.bias ~= false then
    self.bias = Parameter.new(torch.empty(out_channels))
  else
    self:register_parameter("bias", nil)
  end
  reset_weight_and_bias(self)
end
--- conv:forward(x) -> Tensor
-- torch.conv2d(x, weight, bias, stride, padding); call conv(x).
function Conv2d:forward(x) return torch.conv2d(x, self.weight, self.bias, self.stride, self.padding) end
--- conv:extra_repr() -> "1, 8, kernel_size=(3, 3), stride=(1, 1), ..."
function Conv2d:extra_repr()
  local s = string.format("%d, %d, kernel_size=%s, stride=%s", self.in_channels, self.out_channels,
    tuple(self.kernel_size), tuple(self.stride))
  if self.padding[1] ~= 0 or self.padding[2] ~= 0 then s = s .. ", padding=" .. tuple(self.padding) end
  if self.bias == nil then s = s .. ", bias=False" end
  return s
end
layers.Conv2d = Conv2d

-- BatchNorm1d and BatchNorm2d: one class each, sharing this code.
local function batchnorm(name, dims_ok)
  local BN = Module:extend(name)
  BN._version = 2
  function BN:__init(num_features, opts)
    Module.__init(self)
    opts = opts or {}
    check_size("nn." .. name, "num_features", num_features)
    self.num_features = num_features
    self.eps = opts.eps or 1e-5
    self.momentum = opts.momentum == nil and 0.1 or opts.momentum
    self.affine = opts.affine ~= false
    self.track_running_stats = opts.track_running_stats ~= false
    if self.affine then
      self.weight = Parameter.new(torch.ones(num_features))
      self.bias = Parameter.new(torch.zeros(num_features))
    end
    if self.track_running_stats then
      self:register_buffer("running_mean", torch.zeros(num_features))
      self:register_buffer("running_var", torch.ones(num_features))
      self:register_buffer("num_batches_tracked", torch.tensor(0))
    end
  end
  --- bn:forward(x) -> Tensor
  -- Normalises each channel (dim 2) of x: with the batch's statistics in
  -- training mode (updating running_mean/var and num_batches_tracked), with
  -- the running statistics in eval mode. Call bn(x).
  function BN:forward(x)
    if not dims_ok[x:dim()] then
      error(string.format("nn.%s: expected %s input, got %d-D (shape %s)", name,
        name == "BatchNorm1d" and "2-D or 3-D" or "4-D", x:dim(), tostring(x:size())), 2)
    end
    if x:size(2) ~= self.num_features then
      error(string.format("nn.%s: expected %d channels (dim 2), got %d", name, self.num_features, x:size(2)), 2)
    end
    local momentum = self.momentum
    local use_batch = self.training or not self.track_running_stats
    if self.training and self.track_running_stats then
      torch.no_grad(function() self.num_batches_tracked:add_(1) end)
      if momentum == nil then   -- cumulative moving average
        momentum = 1.0 / self.num_batches_tracked:item()
      end
    end
    return torch.batch_norm(x, self.weight, self.bias,
      (not self.training or self.track_running_stats) and self.running_mean or nil,
      (not self.training or self.track_running_stats) and self.running_var or nil,
      use_batch, momentum or 0.0, self.eps)
  end
  --- bn:extra_repr() -> "16, eps=1e-05, momentum=0.1, affine=True, ..."
  function BN:extra_repr()
    return string.format("%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s", self.num_features,
      string.format("%g", self.eps), tostring(self.momentum),
      self.affine and "True" or "False", self.track_running_stats and "True" or "False")
  end
  return BN
end
--- nn.BatchNorm1d(num_features[, {eps =, momentum =, affine =, ...}])
-- Batch normalisation over (N, C) or (N, C, L) input, C = num_features:
-- (x - mean) / sqrt(var + eps) * weight + bias per channel, with the batch's
-- statistics in training and running_mean/running_var (buffers) in eval.
-- Defaults: eps = 1e-5, momentum = 0.1 (nil: a cumulative average),
-- affine = true, track_running_stats = true. Call model:eval() to test.
layers.BatchNorm1d = batchnorm("BatchNorm1d", {[2] = true, [3] = true})

--- nn.BatchNorm2d(num_features[, {eps =, momentum =, affine =, ...}])
-- Batch normalisation over (N, C, H, W) input, per channel C = num_features:
-- statistics over N, H and W in training, running_mean/running_var in eval
-- (model:eval()). Options and defaults as nn.BatchNorm1d; weight and bias
-- start at ones and zeros.
-- Example: nn.Sequential(nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16), nn.ReLU())
layers.BatchNorm2d = batchnorm("BatchNorm2d", {[4] = true})

return layers
