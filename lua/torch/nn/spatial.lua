-- Spatial layers: Conv1d, ConvTranspose2d, AdaptiveAvgPool2d,
-- AdaptiveMaxPool2d, Dropout2d, Upsample, Unfold, Fold and the padding
-- layers (ZeroPad2d, ConstantPad1d/2d, ReflectionPad1d/2d,
-- ReplicationPad1d/2d) — each a small
-- Module over one function of torch.nn.spatial_functional, with PyTorch's
-- constructor arguments (declared once each, torch.nn.args), parameters,
-- initialisation and print(layer) text.
local torch = require "torch"
local M = require "torch.nn.module"
local layers = require "torch.nn.layers"
local args = require "torch.nn.args"
local SF = require "torch.nn.spatial_functional"
local Module = M.Module

local spatial = {}
local sizes, call = SF._sizes, SF._call

-- PyTorch's _ConvNd parameters, their reset_parameters and the constructor
-- checks, as nn.Linear and nn.Conv2d (torch.nn.layers)
local new_weight_and_bias, check_padding_string = layers._new_weight_and_bias, layers._check_padding_string
local check_channels, check_bool, check_groups = layers._check_size, layers._check_bool, layers._check_groups

-- Python's repr of a tuple of integers: (3,) or (3, 3)
local function tuple(p)
  if #p == 1 then return "(" .. p[1] .. ",)" end
  return "(" .. table.concat(p, ", ") .. ")"
end

-- Python's repr of a size as the user gave it: 2, (2, 3) or (None, 3)
local function size_repr(v)
  if type(v) ~= "table" or torch.is_tensor(v) or rawequal(v, torch.None) then
    return rawequal(v, torch.None) and "None" or tostring(v)
  end
  local parts = {}
  for i = 1, math.max(#v, 2) do
    if i > #v and v[i] == nil then break end
    parts[i] = (v[i] == nil or rawequal(v[i], torch.None)) and "None" or tostring(v[i])
  end
  return "(" .. table.concat(parts, ", ") .. ")"
end

-- Python's repr of a float: 2.0, 2.5
local function float_repr(v)
  if math.type(v) == "integer" then v = v + 0.0 end
  return tostring(v)
end

local PADDING_MODES = {zeros = true, reflect = true, replicate = true, circular = false}

local function check_padding_mode(decl, mode, only_zeros)
  if PADDING_MODES[mode] == nil then
    decl:error("padding_mode must be one of {'zeros', 'replicate', 'reflect', 'circular'}, but got padding_mode='%s'",
      tostring(mode))
  end
  if only_zeros and mode ~= "zeros" then decl:error('Only "zeros" padding mode is supported for %s', decl.fn:sub(4)) end
  if not PADDING_MODES[mode] then
    decl:error("padding_mode='%s' is PyTorch's but not implemented in ember (zeros, reflect, replicate)", mode)
  end
end

local CONV1D = args.declare("nn.Conv1d", {{"stride", 1}, {"padding", 0}, {"dilation", 1}, {"groups", 1},
  {"bias", true}, {"padding_mode", "zeros"}}, "device dtype")

--- nn.Conv1d(in_channels, out_channels, kernel_size[, stride[, padding[, dilation[, groups[, bias[, padding_mode]]]]]])
-- 1-D convolution over (N, in_channels, L) or (in_channels, L) input ->
-- (N, out_channels, L'), L' = (L + 2 padding - dilation (k - 1) - 1) // stride + 1.
-- kernel_size, stride (1), padding (0), dilation (1): an integer or a table
-- of one; padding may also be "same" (stride 1 only) or "valid". groups (1)
-- splits the channels; bias = true; padding_mode "zeros", "reflect" or
-- "replicate" ("circular" is PyTorch's, not ember's). weight: (out_channels,
-- in_channels / groups, k), bias: (out_channels), initialised as PyTorch.
-- Options positionally in PyTorch's order or as a trailing table.
-- Example:
--   local conv = nn.Conv1d(2, 4, 3, {padding = 1})
--   conv(torch.ones(8, 2, 10)):size()  --> torch.Size([8, 4, 10])
local Conv1d = Module:extend("Conv1d")
function Conv1d:__init(in_channels, out_channels, kernel_size, ...)
  Module.__init(self)
  local o = CONV1D:parse(...)
  check_channels(CONV1D, "in_channels", in_channels)
  check_channels(CONV1D, "out_channels", out_channels)
  check_groups(CONV1D, in_channels, out_channels, o.groups)
  check_padding_mode(CONV1D, o.padding_mode)
  check_bool(CONV1D, "bias", o.bias)
  self.in_channels, self.out_channels, self.groups = in_channels, out_channels, o.groups
  self.kernel_size = sizes(CONV1D, "kernel_size", kernel_size, 1, 1)
  self.stride = sizes(CONV1D, "stride", o.stride, 1, 1)
  self.dilation = sizes(CONV1D, "dilation", o.dilation, 1, 1)
  self.padding_mode = o.padding_mode
  if type(o.padding) == "string" then
    check_padding_string(CONV1D, o.padding, self.stride)
    self.padding = o.padding
  else
    self.padding = sizes(CONV1D, "padding", o.padding, 1, 0)
  end
  new_weight_and_bias(self, {out_channels, in_channels // o.groups, self.kernel_size[1]}, o.bias and out_channels)
end
--- conv:forward(x) -> Tensor
-- F.conv1d(x, weight, bias, stride, padding, dilation, groups); with a
-- padding_mode other than "zeros", x is first padded by F.pad in that
-- mode, as PyTorch. Call conv(x).
function Conv1d:forward(x)
  if self.padding_mode ~= "zeros" then
    local before, after
    if self.padding == "same" then
      local total = self.dilation[1] * (self.kernel_size[1] - 1)
      before, after = total // 2, total - total // 2
    elseif self.padding == "valid" then
      before, after = 0, 0
    else
      before, after = self.padding[1], self.padding[1]
    end
    local padded = call("nn.Conv1d", SF.pad, x, {before, after}, self.padding_mode)
    return call("nn.Conv1d", SF.conv1d, padded, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
  end
  return call("nn.Conv1d", SF.conv1d, x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
end
--- conv:extra_repr() -> "2, 4, kernel_size=(3,), stride=(1,), ..."
-- As PyTorch: padding, dilation, groups, bias and padding_mode only where
-- they differ from their defaults.
function Conv1d:extra_repr()
  local s = string.format("%d, %d, kernel_size=%s, stride=%s", self.in_channels, self.out_channels,
    tuple(self.kernel_size), tuple(self.stride))
  if type(self.padding) == "string" then   -- PyTorch prints both "same" and "valid"
    s = s .. ", padding=" .. self.padding
  elseif self.padding[1] ~= 0 then
    s = s .. ", padding=" .. tuple(self.padding)
  end
  if self.dilation[1] ~= 1 then s = s .. ", dilation=" .. tuple(self.dilation) end
  if self.groups ~= 1 then s = s .. ", groups=" .. self.groups end
  if self.bias == nil then s = s .. ", bias=False" end
  if self.padding_mode ~= "zeros" then s = s .. ", padding_mode=" .. self.padding_mode end
  return s
end
spatial.Conv1d = Conv1d

local CONV_T2D = args.declare("nn.ConvTranspose2d", {{"stride", 1}, {"padding", 0}, {"output_padding", 0},
  {"groups", 1}, {"bias", true}, {"dilation", 1}, {"padding_mode", "zeros"}}, "device dtype")

--- nn.ConvTranspose2d(in_channels, out_channels, kernel_size[, stride[, padding[, output_padding[, groups[, bias[, dilation]]]]]])
-- The transposed 2-D convolution ("deconvolution"; the gradient of a
-- conv2d with respect to its input): (N, in_channels, H, W) ->
-- (N, out_channels, H', W'), H' = (H - 1) stride - 2 padding +
-- dilation (kH - 1) + output_padding + 1; a stride-2 layer doubles the
-- size. Sizes are an integer or {h, w}; output_padding (0) must be smaller
-- than the stride. weight: (in_channels, out_channels / groups, kH, kW),
-- bias: (out_channels), initialised as PyTorch. PyTorch's positional
-- order (note: groups before bias, dilation after) or a trailing table.
-- Example:
--   local up = nn.ConvTranspose2d(8, 4, 2, {stride = 2})
--   up(torch.ones(1, 8, 7, 7)):size()  --> torch.Size([1, 4, 14, 14])
local ConvTranspose2d = Module:extend("ConvTranspose2d")
function ConvTranspose2d:__init(in_channels, out_channels, kernel_size, ...)
  Module.__init(self)
  local o = CONV_T2D:parse(...)
  check_channels(CONV_T2D, "in_channels", in_channels)
  check_channels(CONV_T2D, "out_channels", out_channels)
  check_groups(CONV_T2D, in_channels, out_channels, o.groups)
  check_padding_mode(CONV_T2D, o.padding_mode, true)
  check_bool(CONV_T2D, "bias", o.bias)
  if type(o.padding) == "string" then
    CONV_T2D:error("padding='%s' is not supported for transposed convolutions (an integer or {h, w})", o.padding)
  end
  self.in_channels, self.out_channels, self.groups = in_channels, out_channels, o.groups
  self.kernel_size = sizes(CONV_T2D, "kernel_size", kernel_size, 2, 1)
  self.stride = sizes(CONV_T2D, "stride", o.stride, 2, 1)
  self.padding = sizes(CONV_T2D, "padding", o.padding, 2, 0)
  self.output_padding = sizes(CONV_T2D, "output_padding", o.output_padding, 2, 0)
  self.dilation = sizes(CONV_T2D, "dilation", o.dilation, 2, 1)
  self.padding_mode = o.padding_mode
  new_weight_and_bias(self, {in_channels, out_channels // o.groups, self.kernel_size[1], self.kernel_size[2]},
    o.bias and out_channels)
end

-- PyTorch's _output_padding: the output_padding that gives output_size
-- ({h, w}, or {n, c, h, w}), checked against the sizes the layer can reach.
function ConvTranspose2d:_output_padding(x, output_size)
  if output_size == nil then return self.output_padding end
  local size = {}
  for i = 1, #output_size do size[i] = output_size[i] end
  local non_spatial = x:dim() == 4 and 2 or 1
  if #size == non_spatial + 2 then size = {size[non_spatial + 1], size[non_spatial + 2]} end
  if #size ~= 2 then
    error(string.format("ConvTranspose2D: for %dD input, output_size must have 2 or %d elements (got %d)", x:dim(),
      non_spatial + 2, #output_size), 3)
  end
  local res = {}
  for d = 1, 2 do
    local min = (x:size(d + non_spatial) - 1) * self.stride[d] - 2 * self.padding[d] +
      self.dilation[d] * (self.kernel_size[d] - 1) + 1
    local max = min + self.stride[d] - 1
    if math.type(size[d]) ~= "integer" or size[d] < min or size[d] > max then
      error(string.format("requested an output size of {%s, %s}, but valid sizes range from {%d, %d} to {%d, %d} " ..
        "(for an input of %s)", tostring(size[1]), tostring(size[2]),
        (x:size(non_spatial + 1) - 1) * self.stride[1] - 2 * self.padding[1] + self.dilation[1] * (self.kernel_size[1] - 1) + 1,
        (x:size(non_spatial + 2) - 1) * self.stride[2] - 2 * self.padding[2] + self.dilation[2] * (self.kernel_size[2] - 1) + 1,
        (x:size(non_spatial + 1) - 1) * self.stride[1] - 2 * self.padding[1] + self.dilation[1] * (self.kernel_size[1] - 1) + self.stride[1],
        (x:size(non_spatial + 2) - 1) * self.stride[2] - 2 * self.padding[2] + self.dilation[2] * (self.kernel_size[2] - 1) + self.stride[2],
        tostring(x:size())), 3)
    end
    res[d] = size[d] - min
  end
  return res
end
--- convt:forward(x[, output_size]) -> Tensor
-- F.conv_transpose2d with the layer's options; output_size ({h, w}, or the
-- whole shape) picks the output_padding that reaches that size, as
-- PyTorch's forward(input, output_size). Call convt(x).
function ConvTranspose2d:forward(x, output_size)
  local op = torch.is_tensor(x) and self:_output_padding(x, output_size) or self.output_padding
  return call("nn.ConvTranspose2d", SF.conv_transpose2d, x, self.weight, self.bias, self.stride, self.padding, op,
    self.groups, self.dilation)
end
--- convt:extra_repr() -> "8, 4, kernel_size=(2, 2), stride=(2, 2)"
-- As PyTorch: padding, output_padding, dilation, groups and bias only where
-- they differ from their defaults.
function ConvTranspose2d:extra_repr()
  local function nonzero(p) return p[1] ~= 0 or p[2] ~= 0 end
  local s = string.format("%d, %d, kernel_size=%s, stride=%s", self.in_channels, self.out_channels,
    tuple(self.kernel_size), tuple(self.stride))
  if nonzero(self.padding) then s = s .. ", padding=" .. tuple(self.padding) end
  if self.dilation[1] ~= 1 or self.dilation[2] ~= 1 then s = s .. ", dilation=" .. tuple(self.dilation) end
  if nonzero(self.output_padding) then s = s .. ", output_padding=" .. tuple(self.output_padding) end
  if self.groups ~= 1 then s = s .. ", groups=" .. self.groups end
  if self.bias == nil then s = s .. ", bias=False" end
  return s
end
spatial.ConvTranspose2d = ConvTranspose2d

-- output_size: an integer or {h, w}, torch.None keeping the input's size
local function check_output_size(decl, v)
  local ok = math.type(v) == "integer" and v >= 0
  if type(v) == "table" then   -- a list or a torch.Size
    ok = true
    for i = 1, 2 do
      local e = v[i]
      if not (rawequal(e, torch.None) or (math.type(e) == "integer" and e >= 0)) then ok = false end
    end
  end
  if not ok then
    decl:error("output_size must be a non-negative integer or {h, w} (torch.None keeps that size), got %s",
      type(v) == "table" and "a table" or tostring(v))
  end
end

local ADAPTIVE_AVG = args.declare("nn.AdaptiveAvgPool2d", {})

--- nn.AdaptiveAvgPool2d(output_size)
-- Averages (N, C, H, W) or (C, H, W) input over windows that tile it into
-- exactly output_size (an integer, or {h, w}; torch.None keeps that size
-- of the input), whatever the input's size: nn.AdaptiveAvgPool2d(1) is a
-- global average pool. Windows as F.adaptive_avg_pool2d.
-- Example:
--   nn.AdaptiveAvgPool2d({2, 3})(torch.ones(1, 8, 9, 10)):size()  --> torch.Size([1, 8, 2, 3])
local AdaptiveAvgPool2d = Module:extend("AdaptiveAvgPool2d")
function AdaptiveAvgPool2d:__init(output_size, ...)
  Module.__init(self)
  ADAPTIVE_AVG:parse(...)
  check_output_size(ADAPTIVE_AVG, output_size)
  self.output_size = output_size
end
--- pool:forward(x) -> Tensor
-- F.adaptive_avg_pool2d(x, output_size); call pool(x).
function AdaptiveAvgPool2d:forward(x) return call("nn.AdaptiveAvgPool2d", SF.adaptive_avg_pool2d, x, self.output_size) end
--- pool:extra_repr() -> "output_size=2"
function AdaptiveAvgPool2d:extra_repr() return "output_size=" .. size_repr(self.output_size) end
spatial.AdaptiveAvgPool2d = AdaptiveAvgPool2d

local ADAPTIVE_MAX = args.declare("nn.AdaptiveMaxPool2d", {{"return_indices", false}})

--- nn.AdaptiveMaxPool2d(output_size[, return_indices = false])
-- The maximum over windows that tile (N, C, H, W) or (C, H, W) input into
-- exactly output_size (an integer or {h, w}; torch.None keeps that size).
-- return_indices = true also returns each maximum's position in its plane.
-- Example:
--   nn.AdaptiveMaxPool2d(1)(torch.arange(4.0):view(1, 1, 2, 2))  --> tensor([[[[3.]]]])
local AdaptiveMaxPool2d = Module:extend("AdaptiveMaxPool2d")
function AdaptiveMaxPool2d:__init(output_size, ...)
  Module.__init(self)
  local o = ADAPTIVE_MAX:parse(...)
  check_output_size(ADAPTIVE_MAX, output_size)
  check_bool(ADAPTIVE_MAX, "return_indices", o.return_indices)
  self.output_size, self.return_indices = output_size, o.return_indices
end
--- pool:forward(x) -> Tensor[, indices]
-- F.adaptive_max_pool2d(x, output_size, return_indices); call pool(x).
function AdaptiveMaxPool2d:forward(x)
  return call("nn.AdaptiveMaxPool2d", SF.adaptive_max_pool2d, x, self.output_size, self.return_indices)
end
--- pool:extra_repr() -> "output_size=2"
function AdaptiveMaxPool2d:extra_repr() return "output_size=" .. size_repr(self.output_size) end
spatial.AdaptiveMaxPool2d = AdaptiveMaxPool2d

local DROPOUT2D = args.declare("nn.Dropout2d", {{"p", 0.5}, {"inplace", false}})

--- nn.Dropout2d([p = 0.5])
-- Channel dropout: in training mode zeroes each whole channel of (N, C, H, W)
-- input with probability p and scales the rest by 1/(1-p); in eval mode
-- (model:eval()) returns its input. Draws as PyTorch's (torch.manual_seed).
-- inplace = true is PyTorch's, not ember's (an error).
local Dropout2d = Module:extend("Dropout2d")
function Dropout2d:__init(...)
  Module.__init(self)
  local o = DROPOUT2D:parse(...)
  if type(o.p) ~= "number" or not (o.p >= 0 and o.p <= 1) then
    DROPOUT2D:error("dropout probability has to be between 0 and 1, but got %s", tostring(o.p))
  end
  if o.inplace ~= false then DROPOUT2D:error("inplace=%s is not implemented in ember (only inplace=false)", tostring(o.inplace)) end
  self.p, self.inplace = o.p, false
end
--- dropout:forward(x) -> Tensor
-- F.dropout2d(x, p, self.training); call dropout(x).
function Dropout2d:forward(x) return call("nn.Dropout2d", SF.dropout2d, x, self.p, self.training) end
--- dropout:extra_repr() -> "p=0.5, inplace=False"
function Dropout2d:extra_repr() return string.format("p=%s, inplace=False", tostring(self.p)) end
spatial.Dropout2d = Dropout2d

local UPSAMPLE = args.declare("nn.Upsample", {{"size", args.NONE}, {"scale_factor", args.NONE}, {"mode", "nearest"},
  {"align_corners", args.NONE}, {"recompute_scale_factor", args.NONE}})

--- nn.Upsample([size[, scale_factor[, mode = "nearest"[, align_corners[, recompute_scale_factor]]]]])
-- Resizes its input with F.interpolate: to size (an integer or {h, w}) or
-- by scale_factor (a number or {sh, sw}); mode "nearest", "nearest-exact",
-- "bilinear" (align_corners) or "area". Usually as options:
-- nn.Upsample({scale_factor = 2, mode = "bilinear"}).
-- Example:
--   nn.Upsample({scale_factor = 2})(torch.ones(1, 3, 4, 4)):size()  --> torch.Size([1, 3, 8, 8])
local Upsample = Module:extend("Upsample")
function Upsample:__init(...)
  Module.__init(self)
  local o = UPSAMPLE:parse(...)
  if type(o.mode) ~= "string" then UPSAMPLE:error("mode must be a string, got %s", tostring(o.mode)) end
  local sf = o.scale_factor
  if type(sf) == "table" and getmetatable(sf) == nil then
    local f = {}
    for i, v in ipairs(sf) do f[i] = type(v) == "number" and v + 0.0 or v end
    sf = f
  elseif type(sf) == "number" then
    sf = sf + 0.0
  end
  self.size, self.scale_factor, self.mode = o.size, sf, o.mode
  self.align_corners, self.recompute_scale_factor = o.align_corners, o.recompute_scale_factor
end
--- up:forward(x) -> Tensor
-- F.interpolate(x, size, scale_factor, mode, align_corners,
-- recompute_scale_factor); call up(x).
function Upsample:forward(x)
  return call("nn.Upsample", SF.interpolate, x, self.size, self.scale_factor, self.mode, self.align_corners,
    self.recompute_scale_factor)
end
--- up:extra_repr() -> "scale_factor=2.0, mode=nearest"
function Upsample:extra_repr()
  local info
  if self.scale_factor ~= nil then
    local sf = self.scale_factor
    if type(sf) == "table" then
      local parts = {}
      for i, v in ipairs(sf) do parts[i] = float_repr(v) end
      info = "scale_factor=(" .. table.concat(parts, ", ") .. ")"
    else
      info = "scale_factor=" .. float_repr(sf)
    end
  else
    info = "size=" .. size_repr(self.size)
  end
  return info .. ", mode=" .. self.mode
end
spatial.Upsample = Upsample

local UNFOLD = args.declare("nn.Unfold", {{"dilation", 1}, {"padding", 0}, {"stride", 1}})

--- nn.Unfold(kernel_size[, dilation = 1[, padding = 0[, stride = 1]]])
-- The sliding blocks of (N, C, H, W) input as columns (N, C kH kW, L), as
-- F.unfold (im2col). Sizes are an integer or {h, w}.
-- Example: nn.Unfold(2)(torch.ones(1, 3, 4, 4)):size()  --> torch.Size([1, 12, 9])
local Unfold = Module:extend("Unfold")
function Unfold:__init(kernel_size, ...)
  Module.__init(self)
  local o = UNFOLD:parse(...)
  sizes(UNFOLD, "kernel_size", kernel_size, 2, 1)
  self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, o.dilation, o.padding, o.stride
end
--- unfold:forward(x) -> Tensor
-- F.unfold(x, kernel_size, dilation, padding, stride); call unfold(x).
function Unfold:forward(x)
  return call("nn.Unfold", SF.unfold, x, self.kernel_size, self.dilation, self.padding, self.stride)
end
--- unfold:extra_repr() -> "kernel_size=2, dilation=1, padding=0, stride=1"
function Unfold:extra_repr()
  return string.format("kernel_size=%s, dilation=%s, padding=%s, stride=%s", size_repr(self.kernel_size),
    size_repr(self.dilation), size_repr(self.padding), size_repr(self.stride))
end
spatial.Unfold = Unfold

local FOLD = args.declare("nn.Fold", {{"dilation", 1}, {"padding", 0}, {"stride", 1}})

--- nn.Fold(output_size, kernel_size[, dilation = 1[, padding = 0[, stride = 1]]])
-- Sums columns of blocks (N, C kH kW, L) back into (N, C, H, W) images,
-- output_size = {H, W}, as F.fold (col2im, the adjoint of nn.Unfold).
-- Example: nn.Fold({4, 4}, 2)(torch.ones(1, 12, 9)):size()  --> torch.Size([1, 3, 4, 4])
local Fold = Module:extend("Fold")
function Fold:__init(output_size, kernel_size, ...)
  Module.__init(self)
  local o = FOLD:parse(...)
  sizes(FOLD, "output_size", output_size, 2, 1)
  sizes(FOLD, "kernel_size", kernel_size, 2, 1)
  self.output_size, self.kernel_size = output_size, kernel_size
  self.dilation, self.padding, self.stride = o.dilation, o.padding, o.stride
end
--- fold:forward(x) -> Tensor
-- F.fold(x, output_size, kernel_size, dilation, padding, stride); call fold(x).
function Fold:forward(x)
  return call("nn.Fold", SF.fold, x, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)
end
--- fold:extra_repr() -> "output_size=(4, 4), kernel_size=2, dilation=1, padding=0, stride=1"
function Fold:extra_repr()
  return string.format("output_size=%s, kernel_size=%s, dilation=%s, padding=%s, stride=%s",
    size_repr(self.output_size), size_repr(self.kernel_size), size_repr(self.dilation), size_repr(self.padding),
    size_repr(self.stride))
end
spatial.Fold = Fold

-- The padding layers: F.pad with a fixed mode. padding is an integer (the
-- same on every side) or a table of 2 (1d: left, right) or 4 (2d: left,
-- right, top, bottom) values, as PyTorch.
local function pad_layer(name, n, mode, has_value)
  local L = Module:extend(name)
  local decl = args.declare("nn." .. name, has_value and {{"value", args.NONE}} or {})
  function L:__init(padding, ...)
    Module.__init(self)
    local o = decl:parse(...)
    self.padding = sizes(decl, "padding", padding, 2 * n)
    self.mode = mode
    if has_value then
      if type(o.value) ~= "number" then decl:error("value must be a number, got %s", tostring(o.value)) end
      self.value = o.value
    elseif name == "ZeroPad2d" then
      self.value = 0.0
    end
  end
  --- pad:forward(x) -> Tensor
  -- F.pad(x, padding, mode[, value]) with the layer's padding; call pad(x).
  function L:forward(x)
    return call("nn." .. name, SF.pad, x, self.padding, self.mode, mode == "constant" and self.value or nil)
  end
  --- pad:extra_repr() -> "(1, 1, 2, 0)"
  -- As PyTorch: the padding, and for ConstantPad the value.
  function L:extra_repr()
    if has_value then return string.format("padding=%s, value=%s", tuple(self.padding), tostring(self.value)) end
    return tuple(self.padding)
  end
  spatial[name] = L
end

--- nn.ZeroPad2d(padding)
-- Pads the last two dims with zeros: padding an integer or {left, right,
-- top, bottom} (negative values crop), as F.pad(x, padding).
-- Example: nn.ZeroPad2d(1)(torch.ones(1, 1, 2, 2)):size()  --> torch.Size([1, 1, 4, 4])
pad_layer("ZeroPad2d", 2, "constant", false)
--- nn.ConstantPad1d(padding, value)
-- Pads the last dim with value: padding an integer or {left, right}.
-- Example: nn.ConstantPad1d(1, 3.5)(torch.zeros(1, 2))  --> tensor([[3.5000, 0.0000, 0.0000, 3.5000]])
pad_layer("ConstantPad1d", 1, "constant", true)
--- nn.ConstantPad2d(padding, value)
-- Pads the last two dims with value: padding an integer or {left, right, top, bottom}.
pad_layer("ConstantPad2d", 2, "constant", true)
--- nn.ReflectionPad1d(padding)
-- Pads the last dim of (N, C, W) or (C, W) input with its reflection (the
-- edge not repeated): padding an integer or {left, right}, each smaller than W.
-- Example: nn.ReflectionPad1d(2)(torch.tensor({{1.0, 2.0, 3.0}}))  --> tensor([[3., 2., 1., 2., 3., 2., 1.]])
pad_layer("ReflectionPad1d", 1, "reflect", false)
--- nn.ReflectionPad2d(padding)
-- Pads the last two dims of (N, C, H, W) or (C, H, W) input with their
-- reflection: padding an integer or {left, right, top, bottom}.
pad_layer("ReflectionPad2d", 2, "reflect", false)
--- nn.ReplicationPad1d(padding)
-- Pads the last dim of (N, C, W) or (C, W) input by repeating its edge
-- values: padding an integer or {left, right}.
pad_layer("ReplicationPad1d", 1, "replicate", false)
--- nn.ReplicationPad2d(padding)
-- Pads the last two dims of (N, C, H, W) or (C, H, W) input by repeating
-- the edge values: padding an integer or {left, right, top, bottom}.
pad_layer("ReplicationPad2d", 2, "replicate", false)

return spatial
