-- Layers with parameters: Linear, Conv2d, BatchNorm1d/2d — each a small
-- Module over one fused engine function (torch.linear, torch.conv2d,
-- torch.batch_norm), initialised as PyTorch does.
local torch = require "torch"
local M = require "torch.nn.module"
local init = require "torch.nn.initializers"
local args = require "torch.nn.args"
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

-- self.weight, a new parameter of the given sizes, and self.bias, one of
-- size bias_size (or registered as nil when bias_size is false), drawn
-- as PyTorch's reset_parameters.
local function new_weight_and_bias(self, weight_sizes, bias_size)
  self.weight = Parameter.new(torch.empty(table.unpack(weight_sizes)))
  if bias_size then
    self.bias = Parameter.new(torch.empty(bias_size))
  else
    self:register_parameter("bias", nil)
  end
  reset_weight_and_bias(self)
end

-- padding = "same" or "valid", checked as PyTorch's _ConvNd ("same" with
-- stride 1 only)
local function check_padding_string(decl, padding, stride)
  if padding ~= "same" and padding ~= "valid" then
    decl:error("Invalid padding string '%s', should be one of {'valid', 'same'}", padding)
  end
  for _, s in ipairs(stride) do
    if padding == "same" and s ~= 1 then decl:error("padding='same' is not supported for strided convolutions") end
  end
end

local function check_size(decl, what, v)
  if math.type(v) ~= "integer" or v <= 0 then decl:error("%s must be a positive integer, got %s", what, tostring(v)) end
end

local function check_bool(decl, what, v)
  if type(v) ~= "boolean" then decl:error("%s must be a boolean, got %s", what, tostring(v)) end
end

local function check_groups(decl, in_channels, out_channels, groups)
  if math.type(groups) ~= "integer" or groups <= 0 then decl:error("groups must be a positive integer") end
  if in_channels % groups ~= 0 then decl:error("in_channels must be divisible by groups") end
  if out_channels % groups ~= 0 then decl:error("out_channels must be divisible by groups") end
end

-- shared with the other layer families (torch.nn.spatial); _names are not public
layers._new_weight_and_bias, layers._check_padding_string = new_weight_and_bias, check_padding_string
layers._check_size, layers._check_bool, layers._check_groups = check_size, check_bool, check_groups

-- PyTorch's factory options (device, dtype) are not implemented: the
-- parameters are float32 on the CPU; layer:double() / :to() convert them.
local LINEAR = args.declare("nn.Linear", {{"bias", true}}, "device dtype")

--- nn.Linear(in_features, out_features[, bias = true]) or (..., {bias = false})
-- Applies y = x W^T + b to the last dimension of its input:
-- x (..., in_features) -> y (..., out_features).
-- weight: (out_features, in_features), bias: (out_features), both drawn from
-- U(-1/sqrt(in_features), 1/sqrt(in_features)) as PyTorch does.
-- Example:
--   local layer = nn.Linear(3, 1)
--   layer(torch.ones(2, 3)):size()  --> torch.Size([2, 1])
local Linear = Module:extend("Linear")
function Linear:__init(in_features, out_features, ...)
  Module.__init(self)
  local o = LINEAR:parse(...)
  check_size(LINEAR, "in_features", in_features)
  check_size(LINEAR, "out_features", out_features)
  check_bool(LINEAR, "bias", o.bias)
  self.in_features, self.out_features = in_features, out_features
  new_weight_and_bias(self, {out_features, in_features}, o.bias and out_features)
end
--- linear:forward(x) -> Tensor
-- torch.linear(x, weight, bias); call the layer itself, linear(x). Raises a
-- clear error when x's last dim is not in_features.
function Linear:forward(x)
  if not torch.is_tensor(x) then error("nn.Linear: expected a tensor input, got " .. type(x), 2) end
  return torch.linear(x, self.weight, self.bias)
end
-- What an input that does not fit lacks (for the error naming the layer,
-- nn/layer_errors.lua), or nil.
function Linear:_expected_input(x)
  if torch.is_tensor(x) and (x:dim() == 0 or x:size(-1) ~= self.in_features) then
    return string.format("expected last dim %d (in_features)", self.in_features)
  end
end
--- linear:extra_repr() -> "in_features=3, out_features=1, bias=True"
function Linear:extra_repr()
  return string.format("in_features=%d, out_features=%d, bias=%s", self.in_features, self.out_features,
    tostring(self.bias ~= nil):gsub("^%l", string.upper))
end
layers.Linear = Linear

-- A size as {h, w}: a number for both, or a table of two; min is the
-- smallest value allowed.
local function pair(decl, what, v, min)
  local p = type(v) == "table" and {v[1], v[2]} or {v, v}
  if type(v) == "table" and (#v ~= 2 or getmetatable(v) ~= nil) then p = {} end
  for i = 1, 2 do
    if math.type(p[i]) ~= "integer" or p[i] < min then
      decl:error("%s must be %s integer or a table of two {h, w}, got %s", what,
        min > 0 and "a positive" or "a non-negative", type(v) == "table" and "a table" or tostring(v))
    end
  end
  return p
end

local function tuple(p) return "(" .. p[1] .. ", " .. p[2] .. ")" end

local PADDING_MODES = {zeros = true, reflect = false, replicate = false, circular = false}

-- The parameters of nn.Conv2d after (in_channels, out_channels,
-- kernel_size), in PyTorch's order, with PyTorch's defaults.
local CONV2D = args.declare("nn.Conv2d", {{"stride", 1}, {"padding", 0}, {"dilation", 1}, {"groups", 1},
  {"bias", true}, {"padding_mode", "zeros"}}, "device dtype")

--- nn.Conv2d(in_channels, out_channels, kernel_size[, stride[, padding[, dilation[, groups[, bias]]]]])
-- 2-D convolution (cross-correlation, as PyTorch): x (N, in_channels, H, W)
-- -> (N, out_channels, H', W'), H' = (H + 2 padding - dilation (kh - 1) - 1) // stride + 1.
-- kernel_size, stride (1), padding (0), dilation (1): a number or {h, w};
-- padding may also be "same" (output size = input size, stride 1 only) or
-- "valid" (no padding). groups (1): in_channels and out_channels split into
-- groups convolved separately (groups = in_channels: depthwise). bias = true.
-- The options may come positionally in PyTorch's order or as a trailing
-- table: nn.Conv2d(1, 8, 3, {padding = 1}). weight: (out_channels,
-- in_channels / groups, kh, kw), bias: (out_channels), initialised as PyTorch.
-- Example:
--   local conv = nn.Conv2d(1, 8, 3, {padding = 1})
--   conv(torch.ones(2, 1, 28, 28)):size()  --> torch.Size([2, 8, 28, 28])
local Conv2d = Module:extend("Conv2d")
function Conv2d:__init(in_channels, out_channels, kernel_size, ...)
  Module.__init(self)
  local o = CONV2D:parse(...)
  check_size(CONV2D, "in_channels", in_channels)
  check_size(CONV2D, "out_channels", out_channels)
  check_groups(CONV2D, in_channels, out_channels, o.groups)
  if PADDING_MODES[o.padding_mode] == nil then
    CONV2D:error("padding_mode must be one of {'zeros', 'replicate', 'reflect', 'circular'}, but got " ..
      "padding_mode='%s'", tostring(o.padding_mode))
  elseif not PADDING_MODES[o.padding_mode] then
    CONV2D:error("padding_mode='%s' is PyTorch's but not implemented in ember (only 'zeros')", o.padding_mode)
  end
  check_bool(CONV2D, "bias", o.bias)
  self.in_channels, self.out_channels, self.groups = in_channels, out_channels, o.groups
  self.kernel_size = pair(CONV2D, "kernel_size", kernel_size, 1)
  self.stride = pair(CONV2D, "stride", o.stride, 1)
  self.dilation = pair(CONV2D, "dilation", o.dilation, 1)
  self.padding_mode = o.padding_mode
  if type(o.padding) == "string" then
    check_padding_string(CONV2D, o.padding, self.stride)
    self.padding = o.padding
  else
    self.padding = pair(CONV2D, "padding", o.padding, 0)
  end
  new_weight_and_bias(self, {out_channels, in_channels // o.groups, self.kernel_size[1], self.kernel_size[2]},
    o.bias and out_channels)
end
--- conv:forward(x) -> Tensor
-- torch.conv2d(x, weight, bias, stride, padding, dilation, groups); call conv(x).
function Conv2d:forward(x)
  return torch.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
end
-- What an input that does not fit lacks (nn/layer_errors.lua), or nil.
function Conv2d:_expected_input(x)
  if not torch.is_tensor(x) then return nil end
  if x:dim() ~= 3 and x:dim() ~= 4 then
    return string.format("expected a 4-D input (N, %d, H, W) or a 3-D one (%d, H, W)", self.in_channels,
      self.in_channels)
  end
  if x:size(-3) ~= self.in_channels then
    return string.format("expected %d channels (in_channels) in dim %d", self.in_channels, x:dim() - 2)
  end
end
--- conv:extra_repr() -> "1, 8, kernel_size=(3, 3), stride=(1, 1), ..."
-- As PyTorch: padding, dilation, groups, bias and padding_mode only where
-- they differ from their defaults.
function Conv2d:extra_repr()
  local function differs(name, v)
    local d = CONV2D:default(name)
    if type(v) == "table" then return v[1] ~= d or v[2] ~= d end
    return v ~= d
  end
  local s = string.format("%d, %d, kernel_size=%s, stride=%s", self.in_channels, self.out_channels,
    tuple(self.kernel_size), tuple(self.stride))
  if differs("padding", self.padding) then
    s = s .. ", padding=" .. (type(self.padding) == "table" and tuple(self.padding) or self.padding)
  end
  if differs("dilation", self.dilation) then s = s .. ", dilation=" .. tuple(self.dilation) end
  if differs("groups", self.groups) then s = s .. ", groups=" .. self.groups end
  if self.bias == nil then s = s .. ", bias=False" end
  if differs("padding_mode", self.padding_mode) then s = s .. ", padding_mode=" .. self.padding_mode end
  return s
end
layers.Conv2d = Conv2d

-- The parameters of BatchNorm1d/2d after num_features; momentum may be
-- torch.None (PyTorch's None: a cumulative moving average).
local function bn_decl(name)
  return args.declare("nn." .. name, {{"eps", 1e-5}, {"momentum", 0.1}, {"affine", true},
    {"track_running_stats", true}}, "device dtype")
end

-- BatchNorm1d and BatchNorm2d: one class each, sharing this code.
local function batchnorm(name, dims_ok)
  local BN = Module:extend(name)
  local decl = bn_decl(name)
  BN._version = 2
  function BN:__init(num_features, ...)
    Module.__init(self)
    local o = decl:parse(...)
    check_size(decl, "num_features", num_features)
    if type(o.eps) ~= "number" then decl:error("eps must be a number, got %s", tostring(o.eps)) end
    if type(o.momentum) ~= "number" and not rawequal(o.momentum, torch.None) then
      decl:error("momentum must be a number or torch.None (a cumulative moving average), got %s",
        tostring(o.momentum))
    end
    check_bool(decl, "affine", o.affine)
    check_bool(decl, "track_running_stats", o.track_running_stats)
    self.num_features = num_features
    self.eps, self.momentum = o.eps, o.momentum
    self.affine, self.track_running_stats = o.affine, o.track_running_stats
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
  -- What an input that does not fit lacks (nn/layer_errors.lua), or nil.
  function BN:_expected_input(x)
    if not torch.is_tensor(x) then return nil end
    if not dims_ok[x:dim()] then
      return string.format("expected a %s input", name == "BatchNorm1d" and "2-D (N, C) or 3-D (N, C, L)"
        or "4-D (N, C, H, W)")
    end
    if x:size(2) ~= self.num_features then
      return string.format("expected %d features (num_features) in dim 2", self.num_features)
    end
  end
  --- bn:forward(x) -> Tensor
  -- Normalises each channel (dim 2) of x: with the batch's statistics in
  -- training mode (updating running_mean/var and num_batches_tracked), with
  -- the running statistics in eval mode. Call bn(x). With momentum = None
  -- the running statistics are the cumulative average of every batch so far
  -- (factor 1 / num_batches_tracked), as PyTorch.
  function BN:forward(x)
    if not dims_ok[x:dim()] then
      error(string.format("nn.%s: expected %s input, got %d-D (shape %s)", name,
        name == "BatchNorm1d" and "2-D or 3-D" or "4-D", x:dim(), tostring(x:size())), 2)
    end
    if x:size(2) ~= self.num_features then
      error(string.format("nn.%s: expected %d channels (dim 2), got %d", name, self.num_features, x:size(2)), 2)
    end
    local momentum = self.momentum
    local cumulative = momentum == nil or rawequal(momentum, torch.None)
    local use_batch = self.training or not self.track_running_stats
    if self.training and self.track_running_stats then
      torch.no_grad(function() self.num_batches_tracked:add_(1) end)
      if cumulative then momentum = 1.0 / self.num_batches_tracked:item() end
    elseif cumulative then
      momentum = 0.0
    end
    return torch.batch_norm(x, self.weight, self.bias,
      (not self.training or self.track_running_stats) and self.running_mean or nil,
      (not self.training or self.track_running_stats) and self.running_var or nil,
      use_batch, momentum, self.eps)
  end
  --- bn:extra_repr() -> "16, eps=1e-05, momentum=0.1, affine=True, ..."
  function BN:extra_repr()
    local function py(v) return type(v) == "boolean" and (v and "True" or "False") or tostring(v) end
    local momentum = self.momentum == nil and "None" or tostring(self.momentum)
    return string.format("%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s", self.num_features,
      string.format("%g", self.eps), momentum, py(self.affine), py(self.track_running_stats))
  end
  return BN
end
--- nn.BatchNorm1d(num_features[, {eps =, momentum =, affine =, ...}])
-- Batch normalisation over (N, C) or (N, C, L) input, C = num_features:
-- (x - mean) / sqrt(var + eps) * weight + bias per channel, with the batch's
-- statistics in training and running_mean/running_var (buffers) in eval.
-- Defaults: eps = 1e-5, momentum = 0.1 (torch.None: a cumulative average
-- of all batches, PyTorch's momentum=None), affine = true,
-- track_running_stats = true; positionally in that order too. Call
-- model:eval() to test.
-- Example: nn.BatchNorm1d(16, {momentum = torch.None})
layers.BatchNorm1d = batchnorm("BatchNorm1d", {[2] = true, [3] = true})

--- nn.BatchNorm2d(num_features[, {eps =, momentum =, affine =, ...}])
-- Batch normalisation over (N, C, H, W) input, per channel C = num_features:
-- statistics over N, H and W in training, running_mean/running_var in eval
-- (model:eval()). Options and defaults as nn.BatchNorm1d; weight and bias
-- start at ones and zeros.
-- Example: nn.Sequential(nn.Conv2d(1, 16, 3), nn.BatchNorm2d(16), nn.ReLU())
layers.BatchNorm2d = batchnorm("BatchNorm2d", {[4] = true})

return layers
