-- nn.init — filling tensors with initial values, as torch.nn.init does. The
-- default layer initialisation uses kaiming_uniform_ with a = sqrt(5), which
-- comes down to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the arithmetic follows
-- PyTorch's step by step so the drawn numbers are the same for a seed.
local torch = require "torch"
local args = require "torch.nn.args"

local init = {}

-- The parameters after the tensor, in PyTorch's order with its defaults:
-- positionally or as a trailing options table.
local GAIN = args.declare("nn.init.calculate_gain", {{"param", args.NONE}})
local UNIFORM = args.declare("nn.init.uniform_", {{"a", 0.0}, {"b", 1.0}}, "generator")
local NORMAL = args.declare("nn.init.normal_", {{"mean", 0.0}, {"std", 1.0}}, "generator")
local CONSTANT = args.declare("nn.init.constant_", {{"val", args.NONE}})
local KAIMING = args.declare("nn.init.kaiming_uniform_", {{"a", 0}, {"mode", "fan_in"},
  {"nonlinearity", "leaky_relu"}}, "generator")
local XAVIER = args.declare("nn.init.xavier_uniform_", {{"gain", 1.0}}, "generator")

local function number(decl, name, v)
  if type(v) ~= "number" then decl:error("%s must be a number, got %s", name, tostring(v)) end
  return v
end

--- nn.init.calculate_fan_in_and_fan_out(t) -> fan_in, fan_out
-- The sizes of dims 2 and 1 of a weight, each times the receptive field
-- (the product of dims 3..): a Linear (out, in) gives in, out; a Conv2d
-- (out, in, kh, kw) gives in*kh*kw, out*kh*kw.
-- PyTorch's nn.init._calculate_fan_in_and_fan_out.
-- Example: nn.init.calculate_fan_in_and_fan_out(torch.empty(3, 4))  --> 4  3
function init.calculate_fan_in_and_fan_out(t)
  local d = t:dim()
  if d < 2 then
    error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", 2)
  end
  local receptive = 1
  for i = 3, d do receptive = receptive * t:size(i) end
  return t:size(2) * receptive, t:size(1) * receptive
end

local LINEAR_FNS = {linear = true, conv1d = true, conv2d = true, conv3d = true, conv_transpose1d = true,
  conv_transpose2d = true, conv_transpose3d = true, sigmoid = true}

--- nn.init.calculate_gain(nonlinearity[, param]) -> number
-- The recommended scale for an activation: 1 for "linear", "sigmoid" and
-- "conv*", 5/3 for "tanh", sqrt(2) for "relu", sqrt(2 / (1 + slope^2)) for
-- "leaky_relu" (param = slope, default 0.01), 3/4 for "selu".
-- Example: nn.init.calculate_gain("relu")  --> 1.4142135623731
function init.calculate_gain(nonlinearity, ...)
  local param = GAIN:parse(...).param
  if LINEAR_FNS[nonlinearity] then return 1 end
  if nonlinearity == "tanh" then return 5.0 / 3 end
  if nonlinearity == "relu" then return math.sqrt(2.0) end
  if nonlinearity == "leaky_relu" then
    if param ~= nil and type(param) ~= "number" then GAIN:error("negative_slope %s not a valid number", tostring(param)) end
    local slope = param or 0.01
    return math.sqrt(2.0 / (1 + slope ^ 2))
  end
  if nonlinearity == "selu" then return 3.0 / 4 end
  GAIN:error("Unsupported nonlinearity %s", tostring(nonlinearity))
end

local function no_grad(fn) return torch.no_grad(fn) end

--- nn.init.uniform_(t[, a = 0[, b = 1]]) -> t
-- Fills t in place with draws from U(a, b), without recording gradients
-- (so it works on parameters). a, b also as {a =, b =}.
-- Example: nn.init.uniform_(layer.weight, -0.1, 0.1)
function init.uniform_(t, ...)
  local o = UNIFORM:parse(...)
  local a, b = number(UNIFORM, "a", o.a), number(UNIFORM, "b", o.b)
  return no_grad(function() return t:uniform_(a, b) end)
end

--- nn.init.normal_(t[, mean = 0[, std = 1]]) -> t
-- Fills t in place with draws from N(mean, std^2), without recording
-- gradients. mean, std also as {mean =, std =}.
-- Example: nn.init.normal_(layer.weight, 0, 0.01)
function init.normal_(t, ...)
  local o = NORMAL:parse(...)
  local mean, std = number(NORMAL, "mean", o.mean), number(NORMAL, "std", o.std)
  return no_grad(function() return t:normal_(mean, std) end)
end

--- nn.init.zeros_(t) -> t
-- Fills t with 0 in place, without recording gradients (e.g. a bias).
function init.zeros_(t) return no_grad(function() return t:zero_() end) end

--- nn.init.ones_(t) -> t
-- Fills t with 1 in place, without recording gradients.
function init.ones_(t) return no_grad(function() return t:fill_(1) end) end

--- nn.init.constant_(t, v) -> t
-- Fills t with the number v in place, without recording gradients.
-- Example: nn.init.constant_(layer.bias, 0.1)
function init.constant_(t, ...)
  local v = number(CONSTANT, "val", CONSTANT:parse(...).val)
  return no_grad(function() return t:fill_(v) end)
end

--- nn.init.kaiming_uniform_(t[, {a = 0, mode = "fan_in", nonlinearity =}]) -> t
-- He initialisation: fills t from U(-bound, bound), bound =
-- gain * sqrt(3 / fan) (fan: fan_in or fan_out by mode, gain from
-- calculate_gain(nonlinearity, a); nonlinearity defaults to "leaky_relu").
-- PyTorch's keyword arguments become an options table; positionally
-- (t, a, mode, nonlinearity) too.
-- Example: nn.init.kaiming_uniform_(layer.weight, {nonlinearity = "relu"})
function init.kaiming_uniform_(t, ...)
  local o = KAIMING:parse(...)
  if o.mode ~= "fan_in" and o.mode ~= "fan_out" then
    KAIMING:error("Mode %s not supported, please use one of fan_in, fan_out", tostring(o.mode))
  end
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local fan = o.mode == "fan_in" and fan_in or fan_out
  local gain = init.calculate_gain(o.nonlinearity, number(KAIMING, "a", o.a))
  local std = gain / math.sqrt(fan)
  local bound = math.sqrt(3.0) * std
  return init.uniform_(t, -bound, bound)
end

--- nn.init.xavier_uniform_(t[, gain = 1]) -> t
-- Glorot initialisation: fills t from U(-a, a), a = gain * sqrt(6 /
-- (fan_in + fan_out)). Often used with tanh or sigmoid layers. Also
-- xavier_uniform_(t, {gain =}).
function init.xavier_uniform_(t, ...)
  local gain = number(XAVIER, "gain", XAVIER:parse(...).gain)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local std = gain * math.sqrt(2.0 / (fan_in + fan_out))
  local a = math.sqrt(3.0) * std
  return init.uniform_(t, -a, a)
end

return require("torch.options").namespace(init, "nn.init")
