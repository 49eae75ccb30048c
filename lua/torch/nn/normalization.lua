-- nn.LayerNorm and nn.GroupNorm: PyTorch's constructor arguments,
-- parameters (weight = ones, bias = zeros, state-dict keys "weight",
-- "bias") and print format, over torch.layer_norm / torch.group_norm
-- (lua/torch/layer_functions.lua, composed from ops with autograd). Not
-- here: BatchNorm (torch.nn.layers, a fused engine function).
local torch = require "torch"
local M = require "torch.nn.module"
local args = require "torch.nn.args"
local Module, Parameter = M.Module, M.Parameter

local normalization = {}

-- A float as Python's repr writes it (1e-05, 0.001, 1.0).
local function pyfloat(v)
  local s
  for p = 1, 17 do
    s = string.format("%." .. p .. "g", v)
    if tonumber(s) == v then break end
  end
  if not s:find("[%.eEni]") then s = s .. ".0" end
  return s
end

local function pybool(v) return v and "True" or "False" end

local function sizes(t)
  local s = {}
  for i = 1, t:dim() do s[i] = t:size(i) end
  return s
end

local LAYERNORM = args.declare("nn.LayerNorm", {{"eps", 1e-5}, {"elementwise_affine", true}}, "device dtype")

--- nn.LayerNorm(normalized_shape[, eps = 1e-5[, elementwise_affine = true]])
-- Layer normalisation: normalises each sample over its last dims, whose
-- sizes are normalized_shape (an integer or a list such as {3, 4}):
-- (x - mean) / sqrt(var + eps), the biased variance, then * weight + bias
-- (elementwise, shape normalized_shape; ones and zeros at first; none with
-- elementwise_affine = false). Statistics come from each input alone, so
-- train and eval behave alike. Options positionally or as a trailing table.
-- Differs from PyTorch: composed from reshape, mean and rsqrt, so the
-- result's grad_fn is AddBackward0, not NativeLayerNormBackward0 (the
-- values and gradients are PyTorch's).
-- Example:
--   local ln = nn.LayerNorm(8)                 -- transformer style: (N, L, 8)
--   ln(torch.randn(2, 5, 8)):size()  --> torch.Size([2, 5, 8])
local LayerNorm = Module:extend("LayerNorm")
function LayerNorm:__init(normalized_shape, ...)
  Module.__init(self)
  local o = LAYERNORM:parse(...)
  local shape = {}
  if math.type(normalized_shape) == "integer" then shape = {normalized_shape}
  elseif type(normalized_shape) == "table" or type(normalized_shape) == "userdata" then
    local ok, n = pcall(function() return #normalized_shape end)
    for i = 1, ok and n or 0 do shape[i] = normalized_shape[i] end
  end
  if #shape == 0 then
    LAYERNORM:error("normalized_shape must be an integer or a non-empty list of integers, got %s",
      tostring(normalized_shape))
  end
  for _, d in ipairs(shape) do
    if math.type(d) ~= "integer" or d < 1 then
      LAYERNORM:error("normalized_shape must hold positive integers, got %s", tostring(d))
    end
  end
  if type(o.eps) ~= "number" then LAYERNORM:error("eps must be a number, got %s", tostring(o.eps)) end
  if type(o.elementwise_affine) ~= "boolean" then
    LAYERNORM:error("elementwise_affine must be a boolean, got %s", tostring(o.elementwise_affine))
  end
  self.normalized_shape, self.eps, self.elementwise_affine = shape, o.eps, o.elementwise_affine
  if o.elementwise_affine then
    self.weight = Parameter.new(torch.ones(shape))
    self.bias = Parameter.new(torch.zeros(shape))
  else
    self:register_parameter("weight", nil)
    self:register_parameter("bias", nil)
  end
end
--- ln:forward(x) -> Tensor
-- torch.layer_norm(x, normalized_shape, weight, bias, eps); call ln(x). x's
-- last dims must be normalized_shape (an error names both shapes).
function LayerNorm:forward(x)
  local shape = self.normalized_shape
  if torch.is_tensor(x) then
    local xs, k = sizes(x), #shape
    local ok = #xs >= k
    for i = 1, k do ok = ok and xs[#xs - k + i] == shape[i] end
    if not ok then
      error(string.format("nn.LayerNorm: expected input with shape [*, %s] (normalized_shape=(%s)), got input of " ..
        "shape [%s]", table.concat(shape, ", "), table.concat(shape, ", "), table.concat(xs, ", ")), 2)
    end
  end
  return torch.layer_norm(x, shape, self.weight, self.bias, self.eps)
end
--- ln:extra_repr() -> "(8,), eps=1e-05, elementwise_affine=True"
function LayerNorm:extra_repr()
  local s = self.normalized_shape
  return string.format("(%s%s), eps=%s, elementwise_affine=%s", table.concat(s, ", "), #s == 1 and "," or "",
    pyfloat(self.eps), pybool(self.elementwise_affine))
end
normalization.LayerNorm = LayerNorm

local GROUPNORM = args.declare("nn.GroupNorm", {{"eps", 1e-5}, {"affine", true}}, "device dtype")

--- nn.GroupNorm(num_groups, num_channels[, eps = 1e-5[, affine = true]])
-- Group normalisation of (N, C, ...) input, C = num_channels: the channels
-- are split into num_groups groups, and each group of each sample is
-- normalised over its channels and positions, (x - mean) / sqrt(var + eps);
-- then * weight + bias per channel (ones and zeros at first; none with
-- affine = false). num_channels must be divisible by num_groups. Like
-- LayerNorm, it does not depend on the batch (works with batch size 1).
-- Differs from PyTorch: composed from other ops, so the result's grad_fn
-- is AddBackward0, not NativeGroupNormBackward0 (same values and gradients).
-- Example:
--   local gn = nn.GroupNorm(2, 8)
--   gn(torch.randn(1, 8, 4, 4)):size()  --> torch.Size([1, 8, 4, 4])
local GroupNorm = Module:extend("GroupNorm")
function GroupNorm:__init(num_groups, num_channels, ...)
  Module.__init(self)
  local o = GROUPNORM:parse(...)
  for _, p in ipairs({{"num_groups", num_groups}, {"num_channels", num_channels}}) do
    if math.type(p[2]) ~= "integer" or p[2] < 1 then
      GROUPNORM:error("%s must be a positive integer, got %s", p[1], tostring(p[2]))
    end
  end
  if num_channels % num_groups ~= 0 then
    GROUPNORM:error("num_channels must be divisible by num_groups (num_channels=%d, num_groups=%d)", num_channels,
      num_groups)
  end
  if type(o.eps) ~= "number" then GROUPNORM:error("eps must be a number, got %s", tostring(o.eps)) end
  if type(o.affine) ~= "boolean" then GROUPNORM:error("affine must be a boolean, got %s", tostring(o.affine)) end
  self.num_groups, self.num_channels, self.eps, self.affine = num_groups, num_channels, o.eps, o.affine
  if o.affine then
    self.weight = Parameter.new(torch.ones(num_channels))
    self.bias = Parameter.new(torch.zeros(num_channels))
  else
    self:register_parameter("weight", nil)
    self:register_parameter("bias", nil)
  end
end
--- gn:forward(x) -> Tensor
-- torch.group_norm(x, num_groups, weight, bias, eps); call gn(x). x must be
-- (N, num_channels, ...) (an error names the shapes).
function GroupNorm:forward(x)
  if torch.is_tensor(x) and (x:dim() < 2 or x:size(2) ~= self.num_channels) then
    error(string.format("nn.GroupNorm: expected input (N, %d, ...) with num_channels=%d in dim 2, got input of " ..
      "shape [%s]", self.num_channels, self.num_channels, table.concat(sizes(x), ", ")), 2)
  end
  return torch.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)
end
--- gn:extra_repr() -> "2, 8, eps=1e-05, affine=True"
function GroupNorm:extra_repr()
  return string.format("%d, %d, eps=%s, affine=%s", self.num_groups, self.num_channels, pyfloat(self.eps),
    pybool(self.affine))
end
normalization.GroupNorm = GroupNorm

return normalization
