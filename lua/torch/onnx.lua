-- torch.onnx — exporting a model to an ONNX file by tracing one forward pass,
-- as torch.onnx.export does: the model runs once on the example input, every
-- tensor operation that touches a traced tensor is recorded as an ONNX node,
-- and parameters and buffers become initializers under their state-dict
-- names. The file is written by protobuf-c from ONNX's own onnx.proto (C:
-- src/bind/lua_onnx.c), so any ONNX runtime can load it.
--
-- Supported: Linear, Conv2d, Conv1d, ConvTranspose2d, BatchNorm (eval),
-- LayerNorm (opset 17), Embedding, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d
-- (sizes that divide), Upsample / interpolate (nearest, bilinear), F.pad,
-- ReLU, Sigmoid, Tanh, Softmax, LogSoftmax, Dropout and Dropout2d (removed:
-- export runs in eval mode), Flatten, view/reshape, narrow,
-- add/sub/mul/div/neg/pow with tensors or numbers, matmul, addmm,
-- masked_fill, tile/repeat, tril/triu (opset 14 on), flip,
-- chunk/split/tensor_split, and Sequential and custom modules built from
-- these. An operation outside that list, applied to a traced tensor, stops
-- the export with an error naming it: nothing is silently baked in as a
-- constant.
-- Not here: importing ONNX files (`ember inspect` only describes them).
local torch = require "torch"
local core = require "torch.core"
local Module = require("torch.nn.module").Module
local options = require "torch.options"

local onnx = {}

local MIN_OPSET, MAX_OPSET, DEFAULT_OPSET = 13, 17, 17
local ELEM = {float32 = 1, uint8 = 2, int32 = 6, int64 = 7, bool = 9, float64 = 11}

-- --- the trace: values, nodes, initializers -----------------------------------

local Trace = {}
Trace.__index = Trace

local function new_trace(model)
  local self = setmetatable({
    names = setmetatable({}, {__mode = "k"}),   -- tensor -> ONNX value name
    nodes = {}, initializers = {}, used = {}, count = {},
    scope = {},                                 -- module path of the running forward
    module_names = {},
  }, Trace)
  for _, nm in ipairs(model:named_modules()) do self.module_names[nm[2]] = nm[1] end
  -- parameters and buffers: initializers named as in the state dict, added when used
  self.param_names = {}
  for _, np in ipairs(model:named_parameters()) do self.param_names[np[2]] = np[1] end
  for _, nb in ipairs(model:named_buffers()) do self.param_names[nb[2]] = nb[1] end
  return self
end

function Trace:unique(base)
  local n = self.count[base] or 0
  self.count[base] = n + 1
  return n == 0 and base or (base .. "_" .. n)
end

-- "/features/0" for the module running now ("" at the top).
function Trace:prefix()
  local path = self.scope[#self.scope]
  if not path or path == "" then return "" end
  return "/" .. path:gsub("%.", "/")
end

function Trace:add_initializer(name, t)
  self.initializers[#self.initializers + 1] = {name = name, tensor = t:detach():contiguous()}
  return name
end

-- The ONNX name of operand v: a traced value, a parameter or buffer (an
-- initializer under its state-dict name), another tensor (a constant made
-- from its current value), or a Lua number (a constant of dtype `like`).
function Trace:operand(v, like_dtype)
  if torch.is_tensor(v) then
    local name = self.names[v]
    if name then return name end
    local pname = self.param_names[v]
    if pname then
      if not self.used[pname] then
        self.used[pname] = true
        self:add_initializer(pname, v)
      end
      return pname
    end
    name = self:unique(self:prefix() .. "/Constant_output")
    self:add_initializer(name, v)
    self.names[v] = name
    return name
  end
  if type(v) == "number" then
    local name = self:unique(self:prefix() .. "/Constant_output")
    return self:add_initializer(name, torch.tensor(v, {dtype = like_dtype or torch.float32}))
  end
  error("torch.onnx.export: cannot use a " .. type(v) .. " as an operand", 0)
end

-- An int64 constant (shapes, axes).
function Trace:ints(list)
  local name = self:unique(self:prefix() .. "/Constant_output")
  return self:add_initializer(name, torch.tensor(list, {dtype = torch.int64}))
end

-- Records a node; returns its output name (bound to `result` when given).
function Trace:node(op_type, inputs, attributes, result)
  local base = self:prefix() .. "/" .. op_type
  local name = self:unique(base)
  local out = name .. "_output_0"
  self.nodes[#self.nodes + 1] = {op_type = op_type, name = name, inputs = inputs, outputs = {out},
                                 attributes = attributes or {}}
  if result ~= nil then self.names[result] = out end
  return out
end

-- --- how each operation becomes nodes -----------------------------------------

local function pair(v, default)
  if v == nil then return {default, default} end
  if type(v) == "number" then return {v, v} end
  if type(v) == "table" then return {v[1], v[2]} end
  error("torch.onnx.export: expected a number or {h, w}, got " .. tostring(v), 0)
end

-- Positional arguments from `first` on, or a trailing options table.
local function args_with_options(args, first, keys)
  local n = args.n
  local last = args[n]
  local out = {}
  if type(last) == "table" and not torch.is_tensor(last) and last[1] == nil and n >= first then   -- {stride =, ...}, not {h, w}
    for i, k in ipairs(keys) do
      out[k] = args[first + i - 1]
      if i + first - 1 >= n then out[k] = nil end
      if last[k] ~= nil then out[k] = last[k] end
    end
  else
    for i, k in ipairs(keys) do out[k] = args[first + i - 1] end
  end
  return out
end

local function elementwise(op_type)
  return function(tr, args, result)
    local a, b = args[1], args[2]
    if type(args[3]) == "table" and args[3].alpha ~= nil and args[3].alpha ~= 1 then
      error("torch.onnx.export: " .. op_type .. " with alpha is not supported", 0)
    end
    local dt = result.dtype
    return tr:node(op_type, {tr:operand(a, dt), tr:operand(b, dt)}, nil, result)
  end
end

local function unary(op_type)
  return function(tr, args, result) return tr:node(op_type, {tr:operand(args[1])}, nil, result) end
end

-- A reshape to result's shape that stays right for other batch sizes: the
-- leading dims that keep the input's size become 0 ("copy from input"), and
-- with none kept the first dim becomes -1 ("whatever is left").
local function reshape(tr, args, result)
  local x = args[1]
  local in_shape, out_shape = x:size(), result:size()
  if #in_shape >= 2 and #out_shape == 2 and out_shape[1] == in_shape[1] then
    return tr:node("Flatten", {tr:operand(x)}, {{name = "axis", i = 1}}, result)
  end
  local target, kept = {}, 0
  for i = 1, #out_shape do
    if kept == i - 1 and i <= #in_shape and out_shape[i] == in_shape[i] then
      target[i] = 0
      kept = i
    else
      target[i] = out_shape[i]
    end
  end
  if kept == 0 and #target > 0 then target[1] = -1 end
  return tr:node("Reshape", {tr:operand(x), tr:ints(target)}, nil, result)
end

local function passthrough(tr, args, result)
  tr.names[result] = tr:operand(args[1])
  return tr.names[result]
end

local function softmax(op_type)
  return function(tr, args, result)
    local dim = args[2]
    if type(dim) == "table" then dim = dim.dim end
    if type(dim) ~= "number" then error("torch.onnx.export: " .. op_type .. " needs dim", 0) end
    local axis = dim > 0 and dim - 1 or dim
    return tr:node(op_type, {tr:operand(args[1])}, {{name = "axis", i = axis}}, result)
  end
end

local function linear(tr, args, result)
  local x, w, b = args[1], args[2], args[3]
  if x:dim() == 2 then
    local inputs = {tr:operand(x), tr:operand(w)}
    if b ~= nil then inputs[3] = tr:operand(b) end
    return tr:node("Gemm", inputs, {{name = "alpha", f = 1.0}, {name = "beta", f = 1.0}, {name = "transB", i = 1}},
      result)
  end
  local wt = tr:add_initializer(tr:unique(tr:prefix() .. "/MatMul_weight"), w:t())
  local y = tr:node("MatMul", {tr:operand(x), wt}, nil, b == nil and result or nil)
  if b == nil then return y end
  return tr:node("Add", {y, tr:operand(b)}, nil, result)
end

-- torch.conv2d(x, w, b, stride, padding, dilation, groups) or a trailing
-- options table -> Conv. pads are [top, left, bottom, right]: padding =
-- "same" puts the odd one out at the bottom / right, as PyTorch computes it.
local function conv2d(tr, args, result)
  local x, w = args[1], args[2]
  local o = args_with_options(args, 3, {"bias", "stride", "padding", "dilation", "groups"})
  local k = {w:size(3), w:size(4)}
  local stride, dilation = pair(o.stride, 1), pair(o.dilation, 1)
  local pads
  if o.padding == "same" then
    pads = {}
    for i = 1, 2 do
      local total = dilation[i] * (k[i] - 1)
      pads[i], pads[i + 2] = total // 2, total - total // 2
    end
  elseif o.padding == "valid" then
    pads = {0, 0, 0, 0}
  else
    local p = pair(o.padding, 0)
    pads = {p[1], p[2], p[1], p[2]}
  end
  local groups = o.groups or 1
  local inputs = {tr:operand(x), tr:operand(w)}
  if o.bias ~= nil and not rawequal(o.bias, torch.None) then inputs[3] = tr:operand(o.bias) end
  return tr:node("Conv", inputs, {
    {name = "dilations", ints = dilation}, {name = "group", i = groups},
    {name = "kernel_shape", ints = k}, {name = "pads", ints = pads},
    {name = "strides", ints = stride}}, result)
end

-- torch.max_pool2d(x, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
-- torch.avg_pool2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
-- (or a trailing options table) -> MaxPool / AveragePool. ONNX's indices
-- count over the whole tensor, PyTorch's within each plane, and ONNX has no
-- divisor_override: those are refused.
local POOL_KEYS = {
  MaxPool = {"kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"},
  AveragePool = {"kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"},
}
local function pool(op_type)
  return function(tr, args, result)
    local o = args_with_options(args, 2, POOL_KEYS[op_type])
    local k = pair(o.kernel_size)
    local stride = o.stride
    if stride == nil or rawequal(stride, torch.None) or (type(stride) == "table" and #stride == 0) then stride = k end
    local s = pair(stride)
    local p = pair(o.padding, 0)
    local attrs = {{name = "kernel_shape", ints = k}, {name = "pads", ints = {p[1], p[2], p[1], p[2]}},
                   {name = "strides", ints = s}}
    if o.ceil_mode then attrs[#attrs + 1] = {name = "ceil_mode", i = 1} end
    if op_type == "MaxPool" then
      if o.return_indices then
        error("torch.onnx.export: max_pool2d with return_indices cannot be exported (ONNX's indices count over " ..
          "the whole tensor, PyTorch's within each plane)", 0)
      end
      local d = pair(o.dilation, 1)
      if d[1] ~= 1 or d[2] ~= 1 then attrs[#attrs + 1] = {name = "dilations", ints = d} end
    else
      if o.divisor_override ~= nil and not rawequal(o.divisor_override, torch.None) then
        error("torch.onnx.export: avg_pool2d with divisor_override cannot be exported (ONNX's AveragePool has no " ..
          "divisor)", 0)
      end
      if o.count_include_pad ~= false then attrs[#attrs + 1] = {name = "count_include_pad", i = 1} end
    end
    return tr:node(op_type, {tr:operand(args[1])}, attrs, result)
  end
end

-- torch.batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps)
local function batch_norm(tr, args, result)
  local x, w, b, mean, var, training, eps = args[1], args[2], args[3], args[4], args[5], args[6], args[8]
  if training then
    error("torch.onnx.export: batch_norm with training statistics (the model is exported in eval mode; " ..
      "a BatchNorm without running statistics cannot be exported)", 0)
  end
  local c = x:size(2)
  local dt = x.dtype
  w = w or torch.ones(c, {dtype = dt})
  b = b or torch.zeros(c, {dtype = dt})
  return tr:node("BatchNormalization", {tr:operand(x), tr:operand(w), tr:operand(b), tr:operand(mean),
    tr:operand(var)}, {{name = "epsilon", f = eps or 1e-5}}, result)
end

local function dropout(tr, args, result)
  local training = args[3]
  if type(training) == "table" then training = training.training end
  if training == nil or training == true then
    -- torch.dropout(x, p) defaults to training: only p = 0 is the identity
    if args[2] ~= 0 then
      error("torch.onnx.export: dropout in training mode (pass self.training, as nn.Dropout does, so that " ..
        "eval mode turns it off)", 0)
    end
  end
  return passthrough(tr, args, result)
end

-- x:narrow(dim, start, length), 1-based dim and start -> Slice
local function narrow(tr, args, result)
  local x, dim, start, length = args[1], args[2], args[3], args[4]
  local axis = dim > 0 and dim - 1 or x:dim() + dim
  local first = start > 0 and start - 1 or x:size(axis + 1) + start
  return tr:node("Slice", {tr:operand(x), tr:ints({first}), tr:ints({first + length}), tr:ints({axis})}, nil,
    result)
end

local function pow(tr, args, result)
  return tr:node("Pow", {tr:operand(args[1], result.dtype), tr:operand(args[2], result.dtype)}, nil, result)
end

local function to(tr, args, result)
  if result.dtype == args[1].dtype then return passthrough(tr, args, result) end
  local code = ELEM[tostring(result.dtype):gsub("^torch%.", "")]
  if not code then error("torch.onnx.export: a conversion to " .. tostring(result.dtype) .. " has no ONNX type", 0) end
  return tr:node("Cast", {tr:operand(args[1])}, {{name = "to", i = code}}, result)
end

-- torch.layer_norm(x, normalized_shape, weight, bias, eps) -> LayerNormalization
-- over the last #normalized_shape axes (ONNX has it from opset 17).
local function layer_norm(tr, args, result)
  local x, shape, w, b, eps = args[1], args[2], args[3], args[4], args[5]
  if tr.opset < 17 then
    error("torch.onnx.export: layer_norm needs opset_version 17 (ONNX's LayerNormalization), got " .. tr.opset, 0)
  end
  local k = math.type(shape) == "integer" and 1 or #shape
  local dims = {}
  for i = 1, k do dims[i] = x:size(x:dim() - k + i) end
  if w == nil or rawequal(w, torch.None) then w = torch.ones(dims, {dtype = x.dtype}) end
  local inputs = {tr:operand(x), tr:operand(w)}
  if b ~= nil and not rawequal(b, torch.None) then inputs[3] = tr:operand(b) end
  local e = (eps == nil or rawequal(eps, torch.None)) and 1e-5 or eps
  return tr:node("LayerNormalization", inputs, {{name = "axis", i = -k}, {name = "epsilon", f = e}}, result)
end

-- torch.embedding(weight, indices, ...) -> Gather(weight, indices) on axis 0
local function embedding(tr, args, result)
  return tr:node("Gather", {tr:operand(args[1]), tr:operand(args[2])}, {{name = "axis", i = 0}}, result)
end

local function group_norm()
  error("torch.onnx.export: group_norm cannot be exported (ONNX's GroupNormalization needs opset 18; ember " ..
    "writes 13 to 17)", 0)
end

-- --- the indexing, masking and shape ops (src/bind/lua_rearrange.c) ---

-- The axis (0-based) of a 1-based dim of x, from the first number among
-- args[from..] or an options table's `key` (default 1).
local function dim_axis(x, args, from, key)
  local dim
  for i = from, args.n do
    local v = args[i]
    if type(v) == "number" then dim = v break end
    if type(v) == "table" and not torch.is_tensor(v) and v[key] ~= nil then dim = v[key] break end
  end
  dim = dim or 1
  return dim > 0 and dim - 1 or x:dim() + dim
end

-- x:masked_fill(mask, value) -> Where(mask, value, x)
local function masked_fill(tr, args, result)
  local x, mask, value = args[1], args[2], args[3]
  return tr:node("Where", {tr:operand(mask), tr:operand(value, x.dtype), tr:operand(x)}, nil, result)
end

-- x:tile(sizes) / x["repeat"](x, sizes) -> Tile (as many sizes as dims)
local function tile(tr, args, result)
  local x = args[1]
  if result:dim() ~= x:dim() then
    error("torch.onnx.export: repeat/tile that adds dims cannot be exported (ONNX's Tile keeps the rank; " ..
      "unsqueeze first)", 0)
  end
  local reps = {}
  for i = 1, x:dim() do reps[i] = x:size(i) == 0 and 0 or result:size(i) // x:size(i) end
  return tr:node("Tile", {tr:operand(x), tr:ints(reps)}, nil, result)
end

-- x:tril(k) / x:triu(k) -> Trilu (opset 14 on)
local function trilu(upper)
  return function(tr, args, result)
    if tr.opset and tr.opset < 14 then
      error("torch.onnx.export: " .. (upper and "triu" or "tril") .. " needs opset_version 14 or later (Trilu)", 0)
    end
    local k = args[2]
    if type(k) == "table" then k = k.diagonal end
    return tr:node("Trilu", {tr:operand(args[1]), tr:ints({k or 0})}, {{name = "upper", i = upper and 1 or 0}},
      result)
  end
end

-- x:flip(dims) -> Slice with step -1 on each flipped axis
local function flip(tr, args, result)
  local x = args[1]
  local dims = {}
  for i = 2, args.n do
    local v = args[i]
    if type(v) == "number" then dims[#dims + 1] = v
    elseif type(v) == "table" then for _, d in ipairs(v.dims or v) do dims[#dims + 1] = d end end
  end
  local axes, starts, ends, steps = {}, {}, {}, {}
  for i, d in ipairs(dims) do
    axes[i], starts[i], ends[i], steps[i] = d > 0 and d - 1 or x:dim() + d, -1, math.mininteger, -1
  end
  return tr:node("Slice", {tr:operand(x), tr:ints(starts), tr:ints(ends), tr:ints(axes), tr:ints(steps)}, nil,
    result)
end

-- addmm(input, a, b, {beta, alpha}) -> Gemm
local function addmm(tr, args, result)
  local input, a, b = args[1], args[2], args[3]
  local o = args_with_options(args, 4, {"beta", "alpha"})
  return tr:node("Gemm", {tr:operand(a), tr:operand(b), tr:operand(input)},
    {{name = "alpha", f = o.alpha or 1.0}, {name = "beta", f = o.beta or 1.0}}, result)
end

-- chunk / split / tensor_split: one Slice per piece (each piece a narrow view of x)
local function pieces(tr, args, result)
  local x = args[1]
  local axis = dim_axis(x, args, 3, "dim")
  local stride = x:stride(axis + 1)
  for _, p in ipairs(result) do
    local first = stride > 0 and (p:storage_offset() - x:storage_offset()) // stride or 0
    tr:node("Slice", {tr:operand(x), tr:ints({first}), tr:ints({first + p:size(axis + 1)}), tr:ints({axis})}, nil, p)
  end
  return result
end

-- --- the spatial layers (torch.nn.spatial_functional calls these engine
-- functions of torch.core with fixed positional arguments) -----------------

-- _conv1d(x, w, b, stride, padding, dilation, groups) -> Conv on one axis
local function conv1d(tr, args, result)
  local x, w, b, stride, padding, dilation, groups = table.unpack(args, 1, 7)
  local k = w:size(3)
  local pads
  if padding == "same" then
    local total = dilation * (k - 1)
    pads = {total // 2, total - total // 2}
  elseif padding == "valid" then
    pads = {0, 0}
  else
    pads = {padding, padding}
  end
  local inputs = {tr:operand(x), tr:operand(w)}
  if b ~= nil then inputs[3] = tr:operand(b) end
  return tr:node("Conv", inputs, {{name = "dilations", ints = {dilation}}, {name = "group", i = groups},
    {name = "kernel_shape", ints = {k}}, {name = "pads", ints = pads}, {name = "strides", ints = {stride}}}, result)
end

-- _conv_transpose2d(x, w, b, sh, sw, ph, pw, oph, opw, groups, dh, dw) -> ConvTranspose
local function conv_transpose2d(tr, args, result)
  local x, w, b, sh, sw, ph, pw, oph, opw, groups, dh, dw = table.unpack(args, 1, 12)
  local inputs = {tr:operand(x), tr:operand(w)}
  if b ~= nil then inputs[3] = tr:operand(b) end
  return tr:node("ConvTranspose", inputs, {{name = "dilations", ints = {dh, dw}}, {name = "group", i = groups},
    {name = "kernel_shape", ints = {w:size(3), w:size(4)}}, {name = "output_padding", ints = {oph, opw}},
    {name = "pads", ints = {ph, pw, ph, pw}}, {name = "strides", ints = {sh, sw}}}, result)
end

-- _adaptive_avg_pool2d(x, oh, ow): GlobalAveragePool for 1 x 1, AveragePool
-- when the output divides the input (then every window has one size);
-- other sizes have no ONNX operator.
local function adaptive_avg_pool2d(tr, args, result)
  local x, oh, ow = args[1], args[2], args[3]
  local h, w = x:size(-2), x:size(-1)
  if oh == 1 and ow == 1 then return tr:node("GlobalAveragePool", {tr:operand(x)}, nil, result) end
  if oh == 0 or ow == 0 or h % oh ~= 0 or w % ow ~= 0 then
    error(string.format("torch.onnx.export: adaptive_avg_pool2d from %dx%d to %dx%d cannot be exported (ONNX has " ..
      "no adaptive pooling: the output size must divide the input size)", h, w, oh, ow), 0)
  end
  local k = {h // oh, w // ow}
  return tr:node("AveragePool", {tr:operand(x)}, {{name = "kernel_shape", ints = k}, {name = "pads", ints = {0, 0, 0, 0}},
    {name = "strides", ints = k}}, result)
end

-- _interpolate(x, mode, oh, ow, scale_h, scale_w, align_corners) -> Resize,
-- with the coordinate rules PyTorch's own exporter uses: nearest is
-- asymmetric + floor, bilinear pytorch_half_pixel (align_corners: align_corners).
-- Given scale factors go in as scales, computed sizes as sizes.
local function interpolate(tr, args, result)
  local x, mode, oh, ow, sh, sw, align = table.unpack(args, 1, 7)
  if mode == "nearest-exact" then
    error("torch.onnx.export: interpolate with mode 'nearest-exact' cannot be exported by ember", 0)
  end
  local attrs
  if mode == "nearest" then
    attrs = {{name = "coordinate_transformation_mode", s = "asymmetric"}, {name = "mode", s = "nearest"},
             {name = "nearest_mode", s = "floor"}}
  else
    attrs = {{name = "coordinate_transformation_mode", s = align and "align_corners" or "pytorch_half_pixel"},
             {name = "mode", s = "linear"}}
  end
  local one_d = x:dim() == 3
  local inputs = {tr:operand(x), ""}
  if sw > 0 and (one_d or sh > 0) then
    local sc = one_d and {1.0, 1.0, sw} or {1.0, 1.0, sh, sw}
    inputs[3] = tr:add_initializer(tr:unique(tr:prefix() .. "/Constant_output"), torch.tensor(sc))
  else
    inputs[3] = ""
    inputs[4] = tr:ints(one_d and {x:size(1), x:size(2), ow} or {x:size(1), x:size(2), oh, ow})
  end
  return tr:node("Resize", inputs, attrs, result)
end

-- _pad(x, pads, mode, value) -> Pad: ONNX lists the starts of every axis,
-- then the ends; PyTorch (before, after) pairs from the last dim backwards.
local PAD_MODES = {constant = "constant", reflect = "reflect", replicate = "edge"}
local function pad(tr, args, result)
  local x, pads, mode, value = args[1], args[2], args[3], args[4]
  local r = x:dim()
  local onnx_pads = {}
  for i = 1, 2 * r do onnx_pads[i] = 0 end
  for i = 1, #pads // 2 do
    local axis = r - i + 1   -- 1-based
    onnx_pads[axis], onnx_pads[r + axis] = pads[2 * i - 1], pads[2 * i]
  end
  local inputs = {tr:operand(x), tr:ints(onnx_pads)}
  if mode == "constant" then inputs[3] = tr:operand(value or 0, x.dtype) end
  return tr:node("Pad", inputs, {{name = "mode", s = PAD_MODES[mode]}}, result)
end

-- _dropout2d(x, p, training): the identity in eval mode
local function dropout2d(tr, args, result)
  if args[3] and args[2] ~= 0 then
    error("torch.onnx.export: dropout2d in training mode (nn.Dropout2d passes self.training; export runs in " ..
      "eval mode)", 0)
  end
  return passthrough(tr, args, result)
end

-- Operation name -> how it is exported. The same table serves torch.NAME,
-- Tensor:NAME and F.NAME (F's functions call torch's). The elementwise ops
-- come from the op table's rows (their onnx column), the rest are listed.
local EXPORTERS = {
  matmul = elementwise("MatMul"), mm = elementwise("MatMul"),
  pow = pow,
  softmax = softmax("Softmax"), log_softmax = softmax("LogSoftmax"),
  flatten = reshape, view = reshape, reshape = reshape, narrow = narrow,
  linear = linear, conv2d = conv2d, batch_norm = batch_norm, dropout = dropout,
  max_pool2d = pool("MaxPool"), avg_pool2d = pool("AveragePool"),
  layer_norm = layer_norm, embedding = embedding, group_norm = group_norm,
  contiguous = passthrough, clone = passthrough, detach = passthrough, float = to, to = to,
  _conv1d = conv1d, _conv_transpose2d = conv_transpose2d, _adaptive_avg_pool2d = adaptive_avg_pool2d,
  _interpolate = interpolate, _pad = pad, _dropout2d = dropout2d,
  masked_fill = masked_fill, tile = tile, ["repeat"] = tile, tril = trilu(false), triu = trilu(true),
  flip = flip, addmm = addmm, chunk = pieces, split = pieces, tensor_split = pieces,
}

-- The engine's private functions (torch.core._NAME, called by the Lua
-- layers) are traced too, so that one without an exporter stops the export
-- instead of leaving an untraced result that would become a constant.
local CORE_PRIVATE = {}
for k, v in pairs(core) do
  if type(k) == "string" and k:sub(1, 1) == "_" and type(v) == "function" then CORE_PRIVATE[k] = k end
end

-- --- installing the tracer for one forward pass -------------------------------

-- The originals, taken before any wrapping: the tracer itself must not be traced.
local is_tensor, rawequal_ = torch.is_tensor, rawequal

-- Wraps every function of tbl for one forward pass (saved keeps the
-- originals; with alias, only its keys). An operation in EXPORTERS (under its own name or alias[name])
-- applied to a traced tensor records its nodes. Any other function may run
-- as long as what it returns is traceable: a tensor result computed from a
-- traced tensor must already have a name (the function was made of
-- recorded operations), and must not be one of its traced arguments
-- modified in place. Otherwise the export stops with an error naming it.
local function wrap_table(tr, tbl, label, saved, alias)
  local keys = {}
  for key, fn in pairs(tbl) do
    if type(fn) == "function" and type(key) == "string" and (not alias or alias[key]) then keys[#keys + 1] = key end
  end
  for _, key in ipairs(keys) do
    local fn = tbl[key]
    local exporter = EXPORTERS[alias and alias[key] or key]
    if key:sub(-1) == "_" then exporter = nil end   -- in-place: never exported
    saved[#saved + 1] = {tbl, key, fn}
    local function traced_args(args)
      for i = 1, args.n do
        if is_tensor(args[i]) and tr.names[args[i]] then return true end
      end
      return false
    end
    local function unsupported()
      error(string.format("torch.onnx.export: %s%s is not supported by the ONNX exporter " ..
        "(it was applied to a tensor computed from the input)", label, key), 0)
    end
    if exporter then
      tbl[key] = function(...)
        if tr.depth > 0 then return fn(...) end
        local args = table.pack(...)
        tr.depth = tr.depth + 1
        local results = table.pack(pcall(fn, ...))
        local r = results[2]
        if results[1] and traced_args(args) and (is_tensor(r) or (type(r) == "table" and is_tensor(r[1]))) then
          results = table.pack(pcall(function()
            exporter(tr, args, results[2])
            return table.unpack(results, 2, results.n)
          end))
        end
        tr.depth = tr.depth - 1
        if not results[1] then error(results[2], 0) end
        return table.unpack(results, 2, results.n)
      end
    else
      tbl[key] = function(...)
        if tr.depth > 0 then return fn(...) end
        local results = table.pack(fn(...))
        local r = results[1]
        if type(r) == "table" and is_tensor(r[1]) and traced_args(table.pack(...)) then
          for _, t in ipairs(r) do   -- a list of tensors (meshgrid, where(cond)): each must be traced
            if is_tensor(t) and not tr.names[t] then unsupported() end
          end
        end
        if is_tensor(r) then
          local args = table.pack(...)
          if traced_args(args) then
            if not tr.names[r] then unsupported() end
            for i = 1, args.n do
              if rawequal_(args[i], r) and key ~= "contiguous" then unsupported() end
            end
          end
        end
        return table.unpack(results, 1, results.n)
      end
    end
  end
end

-- The operators (x + y, -x) and the op each one calls, from the op table.
local META_ALIAS = {}
for _, row in ipairs(core._ops) do
  if row.meta then META_ALIAS[row.meta] = row.name end
  if row.onnx and not row.hand then
    local export = row.kind == "unary" and unary(row.onnx) or elementwise(row.onnx)
    EXPORTERS[row.name] = export
    for _, a in ipairs(row.aliases) do EXPORTERS[a] = export end
  end
end

local function run_traced(tr, model, inputs)
  local saved = {}
  tr.depth = 0
  local tensor_mt = getmetatable(torch.zeros(1))
  require("torch.lazy").load_families(torch)   -- torch.einsum, layer_norm, x:outer...: wrapped too
  wrap_table(tr, torch, "torch.", saved)
  wrap_table(tr, torch.linalg, "torch.linalg.", saved)   -- its norms: not exported, never baked in
  wrap_table(tr, torch.Tensor, "Tensor:", saved)
  wrap_table(tr, tensor_mt, "the operator ", saved, META_ALIAS)
  wrap_table(tr, core, "torch.core.", saved, CORE_PRIVATE)
  -- properties that make tensors (x.T, x.data, ...) are not traced
  local old_index = tensor_mt.__index
  tensor_mt.__index = function(t, k)
    local v = old_index(t, k)
    if tr.depth == 0 and is_tensor(v) and tr.names[t] and not tr.names[v] then
      error("torch.onnx.export: the property ." .. tostring(k) .. " is not supported by the ONNX exporter", 0)
    end
    return v
  end
  local old_hook = Module._call_hook
  Module._call_hook = function(m, ...)
    tr.scope[#tr.scope + 1] = tr.module_names[m] or tr.scope[#tr.scope] or ""
    local r = table.pack(pcall(m.forward, m, ...))
    tr.scope[#tr.scope] = nil
    if not r[1] then error(r[2], 0) end
    return table.unpack(r, 2, r.n)
  end

  local outputs = table.pack(pcall(function() return model(table.unpack(inputs)) end))

  Module._call_hook = old_hook
  tensor_mt.__index = old_index
  for i = #saved, 1, -1 do
    local s = saved[i]
    s[1][s[2]] = s[3]
  end
  if not outputs[1] then error(outputs[2], 0) end
  return table.pack(table.unpack(outputs, 2, outputs.n))
end

-- --- the public function -------------------------------------------------------

-- dynamic_axes[name] -> {dim (1-based) = "name"}: {"batch"} names dim 1;
-- {1, 3} makes dims 1 and 3 dynamic with generated names.
local function axes_for(dynamic_axes, name)
  local spec = dynamic_axes and dynamic_axes[name]
  if spec == nil then return {} end
  if type(spec) ~= "table" then
    error("torch.onnx.export: dynamic_axes." .. name .. " must be a table like {\"batch\"} or {1}", 0)
  end
  local out = {}
  for k, v in pairs(spec) do
    if type(k) ~= "number" or k ~= math.floor(k) then
      error("torch.onnx.export: dynamic_axes." .. name .. ": keys must be dims", 0)
    end
    if type(v) == "number" then
      out[v] = name .. "_dynamic_axes_" .. v
    elseif type(v) == "string" then
      out[k] = v
    else
      error("torch.onnx.export: dynamic_axes." .. name .. ": values must be names or dims", 0)
    end
  end
  for dim in pairs(out) do
    if dim < 1 then
      error(string.format("torch.onnx.export: dynamic_axes.%s: dim %d; dims are 1-based in ember " ..
        "(dim 1 is the batch, PyTorch's 0)", name, dim), 0)
    end
  end
  return out
end

local function value_info(name, t, axes)
  local shape = {}
  for i, n in ipairs(t:size()) do
    if axes[i] then shape[i] = axes[i] else shape[i] = n end
  end
  for dim in pairs(axes) do
    if dim > #shape then
      error(string.format("torch.onnx.export: dynamic_axes.%s: dim %d, but %s has %d dims", name, dim, name,
        #shape), 0)
    end
  end
  local code = ELEM[tostring(t.dtype):gsub("^torch%.", "")]
  return {name = name, elem_type = code, shape = shape}
end

local EXPORT = options.spec("torch.onnx.export", "input_names output_names dynamic_axes opset_version doc_string "
  .. "graph_name", "export_params verbose training operator_export_type do_constant_folding keep_initializers_as_inputs "
  .. "custom_opsets export_modules_as_functions")
--- torch.onnx.export(model, example_input, path[, opts])
-- Writes model as an ONNX file by running it once on example_input (a
-- tensor, or a list of tensors for a forward with several inputs) in eval
-- mode under no_grad and recording each operation. opts: input_names
-- ({"input"}), output_names ({"output"}), dynamic_axes (sizes that may
-- change, per input/output name, dims 1-based: {input = {"batch"}, output =
-- {"batch"}} lets dim 1 vary), opset_version (13-17, default 17),
-- doc_string, graph_name. The model's training mode is restored
-- afterwards. The file passes onnx.checker and runs in ONNX Runtime;
-- `ember inspect` shows it.
-- Example:
--   torch.onnx.export(model, torch.randn(1, 784), "mnist.onnx",
--     {input_names = {"image"}, output_names = {"logits"},
--      dynamic_axes = {image = {"batch"}, logits = {"batch"}}})
function onnx.export(model, example_input, path, opts)
  opts = EXPORT:check(opts)
  if not Module.is_module(model) then
    error("torch.onnx.export: expected a module as the first argument, got " .. type(model), 2)
  end
  if type(path) ~= "string" then error("torch.onnx.export: expected a file path as the third argument", 2) end
  local inputs
  if torch.is_tensor(example_input) then
    inputs = {example_input}
  elseif type(example_input) == "table" and #example_input > 0 then
    inputs = example_input
    for i, t in ipairs(inputs) do
      if not torch.is_tensor(t) then error("torch.onnx.export: example input " .. i .. " is not a tensor", 2) end
    end
  else
    error("torch.onnx.export: expected an example input tensor (or a list of tensors), got " ..
      type(example_input), 2)
  end
  local opset = opts.opset_version or DEFAULT_OPSET
  if math.type(opset) ~= "integer" or opset < MIN_OPSET or opset > MAX_OPSET then
    error(string.format("torch.onnx.export: opset_version %s is not supported (ember writes %d to %d)",
      tostring(opset), MIN_OPSET, MAX_OPSET), 2)
  end
  local input_names, output_names = opts.input_names or {}, opts.output_names or {}

  local tr = new_trace(model)
  tr.opset = opset
  local was_training = model.training
  model:eval()
  local ok, outputs = pcall(torch.no_grad, function()
    for i, t in ipairs(inputs) do
      local name = input_names[i] or (#inputs == 1 and "input" or ("input_" .. i))
      tr.names[t] = name
    end
    return run_traced(tr, model, inputs)
  end)
  model:train(was_training)
  if not ok then error(outputs, 2) end

  local spec = {ir_version = 8, opset = opset, producer_name = "ember", producer_version = torch.__version__,
                graph_name = opts.graph_name or "main_graph", doc_string = opts.doc_string,
                nodes = tr.nodes, initializers = tr.initializers, inputs = {}, outputs = {}}
  for i, t in ipairs(inputs) do
    local name = tr.names[t]
    spec.inputs[i] = value_info(name, t, axes_for(opts.dynamic_axes, name))
  end
  local rename = {}
  for i = 1, outputs.n do
    local t = outputs[i]
    if not torch.is_tensor(t) or not tr.names[t] then
      error("torch.onnx.export: output " .. i .. " of the forward is not a tensor computed from the input", 2)
    end
    local want = output_names[i] or (outputs.n == 1 and "output" or ("output_" .. i))
    local have = tr.names[t]
    local produced = false
    for _, nd in ipairs(tr.nodes) do
      if nd.outputs[1] == have then produced = true end
    end
    if produced and not rename[have] then
      rename[have] = want
    else   -- an input or an initializer returned as it is, or an output returned twice
      tr.nodes[#tr.nodes + 1] = {op_type = "Identity", name = "/Identity_" .. i, inputs = {have}, outputs = {want}}
    end
    spec.outputs[i] = value_info(want, t, axes_for(opts.dynamic_axes, want))
  end
  for _, nd in ipairs(tr.nodes) do
    for j, v in ipairs(nd.inputs) do nd.inputs[j] = rename[v] or v end
    for j, v in ipairs(nd.outputs) do nd.outputs[j] = rename[v] or v end
  end
  for k in pairs(opts.dynamic_axes or {}) do
    local known = false
    for _, v in ipairs(spec.inputs) do known = known or v.name == k end
    for _, v in ipairs(spec.outputs) do known = known or v.name == k end
    if not known then
      error("torch.onnx.export: dynamic_axes names '" .. tostring(k) .. "', which is no input or output name", 2)
    end
  end
  core._onnx.write(spec, path)
end

--- torch.onnx.describe(path) -> table
-- What an ONNX file holds, as plain Lua values: ir_version, producer_name,
-- opset_import ({{domain =, version =}}), graph = {inputs, outputs (name,
-- elem_type, shape with names for dynamic dims), initializers (name,
-- data_type, dims), nodes (op_type, name, inputs, outputs, attributes)}.
-- Refuses anything that is not an ONNX model with a clear error.
-- Example: local g = torch.onnx.describe("mnist.onnx").graph; print(#g.nodes)
function onnx.describe(path)
  if type(path) ~= "string" then error("torch.onnx.describe: expected a file path", 2) end
  return core._onnx.read(path)
end

return onnx
