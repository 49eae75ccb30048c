-- torch.nn.args — PyTorch's calling convention for the nn constructors and
-- functions written in Lua: the parameters after the required ones may come
-- positionally, in PyTorch's order, or by name in one trailing options
-- table, or both (a name given twice is an error, as Python's "got multiple
-- values"). Each function declares its parameters once, in order and with
-- their defaults; the options check (torch.options), the positional order,
-- the defaults and what print(layer) leaves out are all derived from that
-- one list:
--
--   local CONV2D = args.declare("nn.Conv2d", {
--     {"stride", 1}, {"padding", 0}, {"dilation", 1}, {"groups", 1}, {"bias", true},
--     {"padding_mode", "zeros"}}, "device dtype")
--   function Conv2d:__init(in_channels, out_channels, kernel_size, ...)
--     local o = CONV2D:parse(...)   -- o.stride, o.padding, ... (defaults filled in)
--
-- pytorch_only: PyTorch's parameters ember does not implement (an error that
-- says so, by name or by position). A default of args.NONE is PyTorch's None
-- (the value is nil in the result). Not here: checking the values' types
-- and ranges (each function does that, with PyTorch's messages).
local torch = require "torch"
local options = require "torch.options"

local args = {NONE = {}}

local Decl = {}
Decl.__index = Decl

-- errors are raised at the user's line, as torch.options raises its own
local user_level = options.user_level

--- args.declare(fn, params[, pytorch_only[, max_positional]]) -> declaration
-- params: {{name, default}, ...} in PyTorch's positional order; the first
-- max_positional of them (all by default) may be given positionally.
function args.declare(fn, params, pytorch_only, max_positional)
  local names, defaults = {}, {}
  for i, p in ipairs(params) do
    names[i] = p[1]
    if p[2] ~= args.NONE then defaults[p[1]] = p[2] end
  end
  local pt = {}
  for w in (pytorch_only or ""):gmatch("%S+") do pt[#pt + 1] = w end
  return setmetatable({fn = fn, names = names, defaults = defaults, pytorch_only = pt,
                       max_positional = max_positional or #names,
                       spec = options.spec(fn, table.concat(names, " "), pytorch_only)}, Decl)
end

-- A trailing plain table without a [1] is the options table ({h, w} pairs
-- and tensors are values).
local function is_options(v)
  return type(v) == "table" and getmetatable(v) == nil and rawget(v, 1) == nil
end

--- decl:parse(...) -> table of every parameter (defaults filled in)
-- The arguments after the required ones: positional values, then
-- optionally the options table. torch.None stands for PyTorch's None.
function Decl:parse(...)
  local n = select("#", ...)
  local vals = table.pack(...)
  local opts
  if n > 0 and is_options(vals[n]) then
    opts = vals[n]
    n = n - 1
  end
  opts = self.spec:check(opts)
  while n > 0 and vals[n] == nil do n = n - 1 end
  if n > self.max_positional then
    if n <= self.max_positional + #self.pytorch_only and self.max_positional == #self.names then
      -- a positional PyTorch-only parameter: the checker's own message
      self.spec:check({[self.pytorch_only[n - self.max_positional]] = vals[n]})
    end
    error(string.format("%s: takes at most %d positional arguments after the required ones, but %d were given " ..
      "(options go in a trailing table: {name = value})", self.fn, self.max_positional, n), user_level())
  end
  local out = {}
  for k, v in pairs(opts) do out[k] = v end
  for i = 1, n do
    local name = self.names[i]
    if vals[i] ~= nil then
      if out[name] ~= nil then
        error(string.format("%s: got multiple values for argument '%s' (positionally and in the options table)",
          self.fn, name), user_level())
      end
      out[name] = vals[i]
    end
  end
  for k, v in pairs(out) do
    if rawequal(v, torch.None) and self.defaults[k] == nil then out[k] = nil end
  end
  for k, v in pairs(self.defaults) do
    if out[k] == nil then out[k] = v end
  end
  return out
end

--- decl:default(name) -> PyTorch's default of parameter name (nil for None)
function Decl:default(name) return self.defaults[name] end

--- decl:error(fmt, ...) raises fn .. ": " .. message at the user's line
function Decl:error(fmt, ...)
  error(self.fn .. ": " .. string.format(fmt, ...), user_level())
end

--- args.error(message) raises message at the user's line (the first
-- caller outside ember's Lua library)
function args.error(message) error(message, user_level()) end

return args
