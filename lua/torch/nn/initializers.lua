-- nn.init — filling tensors with initial values, as torch.nn.init does. The
-- default layer initialisation uses kaiming_uniform_ with a = sqrt(5), which
-- comes down to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the arithmetic follows
-- PyTorch's step by step so the drawn numbers are the same for a seed.
local torch = require "torch"

local init = {}

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

--- nn.init.calculate_gain(nonlinearity[, param]) -> number
-- The recommended scale for an activation: 1 for "linear", "sigmoid" and
-- "conv*", 5/3 for "tanh", sqrt(2) for "relu", sqrt(2 / (1 + slope^2)) for
-- "leaky_relu" (param = slope, default 0.01).
-- Example: nn.init.calculate_gain("relu")  --> 1.4142135623731
function init.calculate_gain(nonlinearity, param)
  if nonlinearity == "linear" or nonlinearity == "sigmoid" or nonlinearity:match("^conv") then return 1 end
  if nonlinearity == "tanh" then return 5.0 / 3 end
  if nonlinearity == "relu" then return math.sqrt(2.0) end
  if nonlinearity == "leaky_relu" then
    local slope = param or 0.01
    return math.sqrt(2.0 / (1 + slope ^ 2))
  end
  error("calculate_gain: unsupported nonlinearity " .. tostring(nonlinearity), 2)
end

local function no_grad(fn) return torch.no_grad(fn) end

--- nn.init.uniform_(t[, a = 0[, b = 1]]) -> t
-- Fills t in place with draws from U(a, b), without recording gradients
-- (so it works on parameters). Example: nn.init.uniform_(layer.weight, -0.1, 0.1)
function init.uniform_(t, a, b) return no_grad(function() return t:uniform_(a or 0, b or 1) end) end

--- nn.init.normal_(t[, mean = 0[, std = 1]]) -> t
-- Fills t in place with draws from N(mean, std^2), without recording gradients.
-- Example: nn.init.normal_(layer.weight, 0, 0.01)
function init.normal_(t, mean, std) return no_grad(function() return t:normal_(mean or 0, std or 1) end) end

--- nn.init.zeros_(t) -> t
-- Fills t with 0 in place, without recording gradients (e.g. a bias).
function init.zeros_(t) return no_grad(function() return t:zero_() end) end

--- nn.init.ones_(t) -> t
-- Fills t with 1 in place, without recording gradients.
function init.ones_(t) return no_grad(function() return t:fill_(1) end) end

--- nn.init.constant_(t, v) -> t
-- Fills t with the number v in place, without recording gradients.
-- Example: nn.init.constant_(layer.bias, 0.1)
function init.constant_(t, v) return no_grad(function() return t:fill_(v) end) end

--- nn.init.kaiming_uniform_(t[, {a = 0, mode = "fan_in", nonlinearity =}]) -> t
-- He initialisation: fills t from U(-bound, bound), bound =
-- gain * sqrt(3 / fan) (fan: fan_in or fan_out by mode, gain from
-- calculate_gain(nonlinearity, a); nonlinearity defaults to "leaky_relu").
-- PyTorch's keyword arguments become an options table.
-- Example: nn.init.kaiming_uniform_(layer.weight, {nonlinearity = "relu"})
function init.kaiming_uniform_(t, opts)
  opts = opts or {}
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local fan = (opts.mode or "fan_in") == "fan_in" and fan_in or fan_out
  local gain = init.calculate_gain(opts.nonlinearity or "leaky_relu", opts.a or 0)
  local std = gain / math.sqrt(fan)
  local bound = math.sqrt(3.0) * std
  return init.uniform_(t, -bound, bound)
end

--- nn.init.xavier_uniform_(t[, gain = 1]) -> t
-- Glorot initialisation: fills t from U(-a, a), a = gain * sqrt(6 /
-- (fan_in + fan_out)). Often used with tanh or sigmoid layers.
function init.xavier_uniform_(t, gain)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local std = (gain or 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
  local a = math.sqrt(3.0) * std
  return init.uniform_(t, -a, a)
end

return init
