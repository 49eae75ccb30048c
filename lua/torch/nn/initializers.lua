-- nn.init — filling tensors with initial values, as torch.nn.init does. The
-- default layer initialisation uses kaiming_uniform_ with a = sqrt(5), which
-- comes down to U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the arithmetic follows
-- PyTorch's step by step so the drawn numbers are the same for a seed.
local torch = require "torch"

local init = {}

--- fan_in, fan_out of a weight: dims 2 and 1, times the receptive field.
function init.calculate_fan_in_and_fan_out(t)
  local d = t:dim()
  if d < 2 then
    error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions", 2)
  end
  local receptive = 1
  for i = 3, d do receptive = receptive * t:size(i) end
  return t:size(2) * receptive, t:size(1) * receptive
end

--- calculate_gain(nonlinearity[, param])
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

function init.uniform_(t, a, b) return no_grad(function() return t:uniform_(a or 0, b or 1) end) end
function init.normal_(t, mean, std) return no_grad(function() return t:normal_(mean or 0, std or 1) end) end
function init.zeros_(t) return no_grad(function() return t:zero_() end) end
function init.ones_(t) return no_grad(function() return t:fill_(1) end) end
function init.constant_(t, v) return no_grad(function() return t:fill_(v) end) end

--- kaiming_uniform_(t[, {a=0, mode="fan_in", nonlinearity="leaky_relu"}])
function init.kaiming_uniform_(t, opts)
  opts = opts or {}
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local fan = (opts.mode or "fan_in") == "fan_in" and fan_in or fan_out
  local gain = init.calculate_gain(opts.nonlinearity or "leaky_relu", opts.a or 0)
  local std = gain / math.sqrt(fan)
  local bound = math.sqrt(3.0) * std
  return init.uniform_(t, -bound, bound)
end

--- xavier_uniform_(t[, gain])
function init.xavier_uniform_(t, gain)
  local fan_in, fan_out = init.calculate_fan_in_and_fan_out(t)
  local std = (gain or 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
  local a = math.sqrt(3.0) * std
  return init.uniform_(t, -a, a)
end

return init
