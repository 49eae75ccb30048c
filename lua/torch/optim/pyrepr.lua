-- optim.pyrepr — a value as Python's str() shows it, for print(optimizer)
-- (PyTorch's Optimizer.__repr__ formats each hyper-parameter with str()):
-- floats in Python's shortest round-trip form (0.1, 1e-08, 1.0), ints,
-- True/False/None, tuples "(0.9, 0.999)", lists "[0.1, 0.2]", strings bare
-- at the top and quoted inside a tuple or list. Not a general printer.
local torch = require "torch"

local function float_repr(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" elseif x == -math.huge then return "-inf" end
  local s
  for p = 1, 17 do
    s = string.format("%." .. (p - 1) .. "e", x)
    if tonumber(s) == x then break end
  end
  local sign, int, frac, e = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
  e = tonumber(e)
  local digits = int .. frac
  if e >= -4 and e < 16 then
    local decimals = math.max(#digits - 1 - e, 0)
    local out = string.format("%." .. decimals .. "f", x)
    if not out:find("%.") then out = out .. ".0" end
    return out
  end
  local mant = #digits > 1 and (digits:sub(1, 1) .. "." .. digits:sub(2)) or digits
  return string.format("%s%se%s%02d", sign, mant, e < 0 and "-" or "+", math.abs(e))
end

local function repr(v, nested)
  if v == nil or v == torch.None then return "None" end
  if type(v) == "boolean" then return v and "True" or "False" end
  if math.type(v) == "integer" then return tostring(v) end
  if math.type(v) == "float" then return float_repr(v) end
  if type(v) == "string" then return nested and ("'" .. v .. "'") or v end
  if torch.is_tensor(v) then return tostring(v) end
  if type(v) == "table" then
    local parts = {}
    for i = 1, #v do parts[i] = repr(v[i], true) end
    if torch.is_tuple(v) then
      return "(" .. table.concat(parts, ", ") .. (#v == 1 and ",)" or ")")
    end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  return tostring(v)
end

return {repr = function(v) return repr(v, false) end, float = float_repr}
