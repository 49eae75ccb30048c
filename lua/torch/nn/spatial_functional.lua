-- nn.functional's spatial functions: conv1d, conv_transpose2d,
-- adaptive_avg_pool2d, adaptive_max_pool2d, dropout2d, interpolate, pad,
-- unfold, fold. Each checks its arguments against PyTorch's parameter list
-- (torch.nn.args: positional in PyTorch's order or a trailing options
-- table) and calls one engine function (src/bind/lua_nn_spatial.c).
-- torch.nn.functional adds them to F; the layers over them (nn.Conv1d,
-- nn.Upsample, ...) are in torch.nn.spatial.
local torch = require "torch"
local core = require "torch.core"
local args = require "torch.nn.args"

local S = {}

-- A size of n values (n = 1 or 2): a number for all, or a table of n. min,
-- when given, is the smallest value allowed; without it any integer passes
-- (the engine checks the range with PyTorch's message).
local function sizes(decl, what, v, n, min)
  local p = {}
  if type(v) == "table" then   -- a list or a torch.Size
    if #v == n then for i = 1, n do p[i] = v[i] end end
  else
    for i = 1, n do p[i] = v end
  end
  for i = 1, n do
    if math.type(p[i]) ~= "integer" or (min and p[i] < min) then
      local shape = n == 1 and "{l}" or "{h, w}"
      decl:error("%s must be %s integer or a table of %d %s, got %s", what,
        not min and "an" or min > 0 and "a positive" or "a non-negative", n, shape,
        type(v) == "table" and "a table" or tostring(v))
    end
  end
  return p
end
S._sizes = sizes

-- Errors of the engine functions (and of the F functions, for the layers)
-- raised again as `name: message` at the user's line: the message without
-- its position and without the inner labels ("F.conv1d: conv1d: ..."), so
-- that it names what the user called and reads as PyTorch's.
local function rethrow(name, ok, ...)
  if ok then return ... end
  local msg = tostring((...)):gsub("^[^\n]-:%d+: ", "")
  for _ = 1, 2 do msg = msg:gsub("^[%w_%.]+: ", "") end
  args.error(name .. ": " .. msg)
end
--- S._call(name, f, ...) -> f(...), its errors labelled with name (torch.nn.spatial uses it too)
function S._call(name, f, ...) return rethrow(name, pcall(f, ...)) end
local call = S._call

local function check_tensor(decl, what, v, optional)
  if optional and v == nil then return end
  if not torch.is_tensor(v) then decl:error("%s must be a tensor, got %s", what, type(v)) end
end

-- x's shape as PyTorch's messages write it: [2, 3]
local function shape_str(x)
  local dims = {}
  for i = 1, x:dim() do dims[i] = x:size(i) end
  return "[" .. table.concat(dims, ", ") .. "]"
end

local function check_bool(decl, what, v)
  if type(v) ~= "boolean" then decl:error("%s must be a boolean, got %s", what, tostring(v)) end
end

local CONV1D = args.declare("F.conv1d", {{"bias", args.NONE}, {"stride", 1}, {"padding", 0}, {"dilation", 1},
  {"groups", 1}})

--- F.conv1d(x, weight[, bias[, stride = 1[, padding = 0[, dilation = 1[, groups = 1]]]]]) -> Tensor
-- 1-D convolution (PyTorch's cross-correlation) over the last dim:
-- x (N, C_in, L) or (C_in, L), weight (C_out, C_in / groups, k), bias
-- (C_out). stride, padding and dilation are an integer or a table of one;
-- padding may be "valid" (none) or "same" (the output keeps L; stride 1
-- only). Output length floor((L + 2 padding - dilation (k - 1) - 1) / stride) + 1.
-- Options positionally in PyTorch's order or as a trailing table.
-- Example:
--   F.conv1d(torch.ones(1, 1, 5), torch.ones(1, 1, 3))  --> tensor([[[3., 3., 3.]]])
function S.conv1d(x, weight, ...)
  local o = CONV1D:parse(...)
  check_tensor(CONV1D, "input", x)
  check_tensor(CONV1D, "weight", weight)
  check_tensor(CONV1D, "bias", o.bias, true)
  local stride = sizes(CONV1D, "stride", o.stride, 1)[1]
  local dilation = sizes(CONV1D, "dilation", o.dilation, 1)[1]
  local padding = o.padding
  if type(padding) ~= "string" then padding = sizes(CONV1D, "padding", padding, 1)[1] end
  if math.type(o.groups) ~= "integer" then CONV1D:error("groups must be an integer, got %s", tostring(o.groups)) end
  return call("F.conv1d", core._conv1d, x, weight, o.bias, stride, padding, dilation, o.groups)
end

local CONV_T2D = args.declare("F.conv_transpose2d", {{"bias", args.NONE}, {"stride", 1}, {"padding", 0},
  {"output_padding", 0}, {"groups", 1}, {"dilation", 1}})

--- F.conv_transpose2d(x, weight[, bias[, stride[, padding[, output_padding[, groups[, dilation]]]]]]) -> Tensor
-- The transposed 2-D convolution (the gradient of conv2d with respect to
-- its input; "deconvolution"): x (N, C_in, H, W) or (C_in, H, W), weight
-- (C_in, C_out / groups, kH, kW), bias (C_out). Output
-- H' = (H - 1) stride - 2 padding + dilation (kH - 1) + output_padding + 1.
-- Sizes are an integer or {h, w}; defaults stride 1, padding 0,
-- output_padding 0 (smaller than the stride), groups 1, dilation 1.
-- Example:
--   F.conv_transpose2d(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), nil, 2):size()  --> torch.Size([1, 1, 4, 4])
function S.conv_transpose2d(x, weight, ...)
  local o = CONV_T2D:parse(...)
  check_tensor(CONV_T2D, "input", x)
  check_tensor(CONV_T2D, "weight", weight)
  check_tensor(CONV_T2D, "bias", o.bias, true)
  if type(o.padding) == "string" then
    CONV_T2D:error("padding='%s' is not supported for transposed convolutions (an integer or {h, w})", o.padding)
  end
  local s = sizes(CONV_T2D, "stride", o.stride, 2)
  local p = sizes(CONV_T2D, "padding", o.padding, 2)
  local op = sizes(CONV_T2D, "output_padding", o.output_padding, 2)
  local d = sizes(CONV_T2D, "dilation", o.dilation, 2)
  if math.type(o.groups) ~= "integer" then CONV_T2D:error("groups must be an integer, got %s", tostring(o.groups)) end
  return call("F.conv_transpose2d", core._conv_transpose2d, x, weight, o.bias, s[1], s[2], p[1], p[2], op[1], op[2], o.groups, d[1], d[2])
end

-- output_size of the adaptive poolings: an integer, or {h, w} where
-- torch.None keeps that size of the input.
local function output_size(decl, x, v)
  local p
  if type(v) == "table" then   -- a list or a torch.Size
    local n = 0
    for k in pairs(v) do if math.type(k) == "integer" and k > n then n = k end end
    if n ~= 2 then decl:error("output_size must be 2 (an integer or {h, w}), got %d values", n) end
    p = {v[1], v[2]}
  else
    p = {v, v}
  end
  for i = 1, 2 do
    if p[i] == nil or rawequal(p[i], torch.None) then
      p[i] = x:size(x:dim() - 2 + i)
    elseif math.type(p[i]) ~= "integer" or p[i] < 0 then
      decl:error("output_size must be a non-negative integer, {h, w} or torch.None, got %s", tostring(p[i]))
    end
  end
  return p
end
S._output_size = output_size

local ADAPTIVE_AVG = args.declare("F.adaptive_avg_pool2d", {})

--- F.adaptive_avg_pool2d(x, output_size) -> Tensor
-- The mean of each of oh x ow windows that tile x (N, C, H, W) or (C, H, W):
-- window i of an axis covers [floor(i H / oh), ceil((i + 1) H / oh)), so the
-- output has exactly output_size (an integer, or {h, w}; torch.None keeps
-- the input's size on that axis), whatever the input's. output_size 1 is
-- the global average (the mean over H and W, kept; MeanBackward1, as PyTorch).
-- Example:
--   F.adaptive_avg_pool2d(torch.arange(16.0):view(1, 1, 4, 4), 2)
--   --> tensor([[[[ 2.5000,  4.5000], [10.5000, 12.5000]]]])
function S.adaptive_avg_pool2d(x, output, ...)
  ADAPTIVE_AVG:parse(...)
  check_tensor(ADAPTIVE_AVG, "input", x)
  if x:dim() ~= 3 and x:dim() ~= 4 then
    ADAPTIVE_AVG:error("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got %s", shape_str(x))
  end
  local p = output_size(ADAPTIVE_AVG, x, output)
  return call("F.adaptive_avg_pool2d", core._adaptive_avg_pool2d, x, p[1], p[2])
end

local ADAPTIVE_MAX = args.declare("F.adaptive_max_pool2d", {{"return_indices", false}})

--- F.adaptive_max_pool2d(x, output_size[, return_indices = false]) -> Tensor[, indices]
-- The maximum of each of oh x ow windows that tile x (N, C, H, W) or
-- (C, H, W), windows as F.adaptive_avg_pool2d. With return_indices, also
-- the 0-based position iy W + ix of each maximum in its plane (int64), as
-- F.max_pool2d's indices.
-- Example:
--   F.adaptive_max_pool2d(torch.arange(16.0):view(1, 1, 4, 4), 2)
--   --> tensor([[[[ 5.,  7.], [13., 15.]]]])
function S.adaptive_max_pool2d(x, output, ...)
  local o = ADAPTIVE_MAX:parse(...)
  check_tensor(ADAPTIVE_MAX, "input", x)
  check_bool(ADAPTIVE_MAX, "return_indices", o.return_indices)
  if x:dim() ~= 3 and x:dim() ~= 4 then
    ADAPTIVE_MAX:error("adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: %s", shape_str(x))
  end
  local p = output_size(ADAPTIVE_MAX, x, output)
  local y, idx = call("F.adaptive_max_pool2d", core._adaptive_max_pool2d, x, p[1], p[2])
  if o.return_indices then return y, idx end
  return y
end

local DROPOUT2D = args.declare("F.dropout2d", {{"p", 0.5}, {"training", true}, {"inplace", false}})

--- F.dropout2d(x[, p = 0.5[, training = true]]) -> Tensor
-- Channel dropout: zeroes each whole channel x[n][c] (N, C, H, W) with
-- probability p and scales the others by 1 / (1 - p); training = false
-- returns x. The draws are PyTorch's (torch.manual_seed gives the same
-- channels). As PyTorch 1.13, a 3-D input is taken as (N, C, L).
-- Example: F.dropout2d(torch.ones(1, 2, 2, 2), 0.5, false):sum()  --> tensor(8.)
function S.dropout2d(x, ...)
  local o = DROPOUT2D:parse(...)
  check_tensor(DROPOUT2D, "input", x)
  if o.inplace ~= false then DROPOUT2D:error("inplace=%s is not implemented in ember (only inplace=false)", tostring(o.inplace)) end
  check_bool(DROPOUT2D, "training", o.training)
  if type(o.p) ~= "number" or not (o.p >= 0 and o.p <= 1) then
    DROPOUT2D:error("dropout probability has to be between 0 and 1, but got %s", tostring(o.p))
  end
  return call("F.dropout2d", core._dropout2d, x, o.p, o.training)
end

local INTERPOLATE = args.declare("F.interpolate", {{"size", args.NONE}, {"scale_factor", args.NONE},
  {"mode", "nearest"}, {"align_corners", args.NONE}, {"recompute_scale_factor", args.NONE}, {"antialias", false}})

local MODES = {nearest = true, ["nearest-exact"] = true, bilinear = true, area = true,
  linear = false, bicubic = false, trilinear = false}

-- n values from a number or a table of n
local function per_dim(decl, what, v, n, input_dims)
  if type(v) == "table" then   -- a list or a torch.Size
    if #v ~= n then
      if what == "size" then
        decl:error("Input and output must have the same number of spatial dimensions, but got input with spatial " ..
          "dimensions of %s and output size of {%s}. Please provide input tensor in (N, C, d1, d2, ...,dK) format " ..
          "and output size in (o1, o2, ...,oK) format.", input_dims, table.concat(v, ", "))
      end
      decl:error("Input and scale_factor must have the same number of spatial dimensions, but got input with " ..
        "spatial dimensions of %s and scale_factor of {%s}", input_dims, table.concat(v, ", "))
    end
    return {table.unpack(v, 1, n)}
  end
  local out = {}
  for i = 1, n do out[i] = v end
  return out
end

--- F.interpolate(x[, size[, scale_factor[, mode = "nearest"[, align_corners[, recompute_scale_factor]]]]]) -> Tensor
-- Resizes x (N, C, H, W), or (N, C, L) for the nearest modes, to size (an
-- integer or {h, w}) or by scale_factor (a number or {sh, sw}; the output
-- is floor(H scale_factor)). Give one of size and scale_factor. mode:
-- "nearest" (PyTorch's: the source pixel floor(i / scale)),
-- "nearest-exact", "bilinear" (align_corners = false by default: pixels are
-- areas; true: the corner pixels line up) or "area" (adaptive average
-- pooling). "linear", "bicubic" and "trilinear" are PyTorch's, not ember's
-- (an error). recompute_scale_factor = true computes the weights from the
-- sizes instead of the given scale_factor, as PyTorch.
-- Example:
--   F.interpolate(torch.tensor({{{1.0, 2.0}}}), {scale_factor = 2})  --> tensor([[[1., 1., 2., 2.]]])
function S.interpolate(x, ...)
  local o = INTERPOLATE:parse(...)
  check_tensor(INTERPOLATE, "input", x)
  local mode = o.mode
  if type(mode) ~= "string" or MODES[mode] == nil then
    INTERPOLATE:error("Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for the modes: nearest | " ..
      "linear | bilinear | bicubic | trilinear | area | nearest-exact (got %s)", x:dim(), tostring(mode))
  end
  if o.antialias ~= false then INTERPOLATE:error("antialias=%s is not implemented in ember (only false)", tostring(o.antialias)) end
  local align = o.align_corners
  if align ~= nil then
    check_bool(INTERPOLATE, "align_corners", align)
    if mode == "nearest" or mode == "nearest-exact" or mode == "area" then
      INTERPOLATE:error("align_corners option can only be set with the interpolating modes: linear | bilinear | " ..
        "bicubic | trilinear")
    end
  end
  align = align == true
  local dim = x:dim() - 2
  if dim < 1 then
    INTERPOLATE:error("expected input with a batch and a channel dim and 1 to 3 spatial dims, got %s", shape_str(x))
  end
  local spatial = {}
  for i = 3, x:dim() do spatial[#spatial + 1] = x:size(i) end
  local input_dims = "[" .. table.concat(spatial, ", ") .. "]"
  if o.size ~= nil and o.scale_factor ~= nil then INTERPOLATE:error("only one of size or scale_factor should be defined") end
  if o.size == nil and o.scale_factor == nil then INTERPOLATE:error("either size or scale_factor should be defined") end
  local out, scales = {}, {0, 0}
  if o.size ~= nil then
    out = per_dim(INTERPOLATE, "size", o.size, dim, input_dims)
    for i = 1, dim do
      if math.type(out[i]) ~= "integer" then INTERPOLATE:error("size must be integers, got %s", tostring(out[i])) end
    end
  else
    local sf = per_dim(INTERPOLATE, "scale_factor", o.scale_factor, dim, input_dims)
    for i = 1, dim do
      if type(sf[i]) ~= "number" then INTERPOLATE:error("scale_factor must be numbers, got %s", tostring(sf[i])) end
      out[i] = math.floor(x:size(2 + i) * sf[i])
    end
    if o.recompute_scale_factor ~= true then
      for i = 1, dim do scales[i] = sf[i] end
    end
  end
  local need = {linear = 3, bilinear = 4, bicubic = 4, trilinear = 5, area = 4}
  if MODES[mode] == false and x:dim() == need[mode] then
    INTERPOLATE:error("mode '%s' is PyTorch's but not implemented in ember (nearest, nearest-exact, bilinear, area)",
      mode)
  elseif need[mode] and x:dim() ~= need[mode] then
    INTERPOLATE:error("Got %dD input, but %s mode needs %dD input%s", x:dim(), mode, need[mode],
      mode == "area" and " in ember (PyTorch's 1-D and 3-D area modes are not implemented)" or "")
  elseif dim == 3 then
    INTERPOLATE:error("5-D input (3-D interpolation) is PyTorch's but not implemented in ember")
  end
  if mode == "area" then return S.adaptive_avg_pool2d(x, {out[1], out[2]}) end
  if dim == 1 then return call("F.interpolate", core._interpolate, x, mode, 1, out[1], 0, scales[1], align) end
  return call("F.interpolate", core._interpolate, x, mode, out[1], out[2], scales[1], scales[2], align)
end

local PAD = args.declare("F.pad", {{"mode", "constant"}, {"value", args.NONE}})

--- F.pad(x, pad[, mode = "constant"[, value = 0]]) -> Tensor
-- Pads x: pad = {before, after} for the last dim, then {before, after,
-- before, after} for the last two, and so on (PyTorch's order: last dim
-- first); negative values crop. mode "constant" fills with value (any
-- number of dims); "reflect" mirrors x without repeating the edge and
-- "replicate" repeats the edge, for the last dim (2 values, 2-D or 3-D x)
-- or the last two (4 values, 3-D or 4-D x). "circular" is PyTorch's, not
-- ember's (an error).
-- Example:
--   F.pad(torch.tensor({1.0, 2.0}), {1, 2})                        --> tensor([0., 1., 2., 0., 0.])
--   F.pad(torch.tensor({{{1.0, 2.0, 3.0}}}), {2, 0}, "reflect")     --> tensor([[[3., 2., 1., 2., 3.]]])
function S.pad(x, pad, ...)
  local o = PAD:parse(...)
  check_tensor(PAD, "input", x)
  if type(pad) ~= "table" or getmetatable(pad) ~= nil then
    PAD:error("pad must be a table of integers {before, after, ...}, got %s", type(pad))
  end
  for i = 1, #pad do
    if math.type(pad[i]) ~= "integer" then PAD:error("pad must be integers, got %s at position %d", tostring(pad[i]), i) end
  end
  local mode = o.mode
  if mode == "circular" then PAD:error("mode 'circular' is PyTorch's but not implemented in ember (constant, reflect, replicate)") end
  if mode ~= "constant" and mode ~= "reflect" and mode ~= "replicate" then
    PAD:error("Unrecognised padding mode %s", tostring(mode))
  end
  if mode ~= "constant" and o.value ~= nil and o.value ~= 0 then   -- PyTorch accepts 0
    PAD:error('Padding mode "%s" doesn\'t take in value argument', mode)
  end
  if o.value ~= nil and type(o.value) ~= "number" then PAD:error("value must be a number, got %s", tostring(o.value)) end
  return call("F.pad", core._pad, x, pad, mode, o.value or 0)
end

local UNFOLD = args.declare("F.unfold", {{"dilation", 1}, {"padding", 0}, {"stride", 1}})

--- F.unfold(x, kernel_size[, dilation = 1[, padding = 0[, stride = 1]]]) -> Tensor
-- The sliding blocks of x (N, C, H, W) as columns (im2col):
-- (N, C kH kW, L), L the number of block positions, each column one block
-- flattened channel by channel. Sizes are an integer or {h, w}. F.fold
-- is its adjoint.
-- Example:
--   F.unfold(torch.arange(9.0):view(1, 1, 3, 3), 2)
--   --> tensor([[[0., 1., 3., 4.], [1., 2., 4., 5.], [3., 4., 6., 7.], [4., 5., 7., 8.]]])
function S.unfold(x, kernel_size, ...)
  local o = UNFOLD:parse(...)
  check_tensor(UNFOLD, "input", x)
  local k = sizes(UNFOLD, "kernel_size", kernel_size, 2, 1)
  local d, p, s = sizes(UNFOLD, "dilation", o.dilation, 2, 1), sizes(UNFOLD, "padding", o.padding, 2, 0),
    sizes(UNFOLD, "stride", o.stride, 2, 1)
  return call("F.unfold", core._unfold, x, k[1], k[2], d[1], d[2], p[1], p[2], s[1], s[2])
end

local FOLD = args.declare("F.fold", {{"dilation", 1}, {"padding", 0}, {"stride", 1}})

--- F.fold(x, output_size, kernel_size[, dilation = 1[, padding = 0[, stride = 1]]]) -> Tensor
-- Sums columns of blocks x (N, C kH kW, L) back into images (N, C, H, W),
-- output_size = {H, W}; overlapping blocks add up (col2im, the adjoint of
-- F.unfold).
-- Example:
--   F.fold(torch.ones(1, 4, 4), {3, 3}, 2)  --> tensor([[[[1., 2., 1.], [2., 4., 2.], [1., 2., 1.]]]])
function S.fold(x, output, kernel_size, ...)
  local o = FOLD:parse(...)
  check_tensor(FOLD, "input", x)
  local out = sizes(FOLD, "output_size", output, 2, 1)
  local k = sizes(FOLD, "kernel_size", kernel_size, 2, 1)
  local d, p, s = sizes(FOLD, "dilation", o.dilation, 2, 1), sizes(FOLD, "padding", o.padding, 2, 0),
    sizes(FOLD, "stride", o.stride, 2, 1)
  return call("F.fold", core._fold, x, out[1], out[2], k[1], k[2], d[1], d[2], p[1], p[2], s[1], s[2])
end

return S
