-- torch.options — options tables of the functions written in Lua, checked by
-- the engine's one checker (src/bind/lua_options.c), the same one the C
-- functions use. A function declares its options once, beside its code, and
-- checks the table on entry, before reading any field:
--
--   local CONV2D = options.spec("nn.Conv2d", "stride padding dilation groups bias",
--                               "padding_mode device dtype")
--   function Conv2d:__init(in_channels, out_channels, kernel_size, opts)
--     opts = CONV2D:check(opts)      -- {} when nil; an error otherwise
--
-- known: the options ember implements; pytorch_only: PyTorch's options it
-- does not implement (an error that says so, never a silent default). Both
-- are space-separated names. The error names the function and the key and
-- suggests the closest valid option: "nn.Conv2d: unknown option 'strid'
-- (did you mean 'stride'?)". It is raised at the user's line (the first
-- caller outside ember's Lua library).
--
-- Every spec made here is listed in options.specs (by function name), which
-- tests/lua/test_options.lua walks.
local core = require "torch.core"

local options = {specs = {}}

local Spec = {}
Spec.__index = Spec

local libdir = debug.getinfo(1, "S").source:match("^@(.*)/torch/options%.lua$")

--- options.user_level() -> level
-- For error(msg, level) in the function that calls it: the level of the
-- first caller outside ember's Lua library (the user's line), else that
-- function's caller. Other modules raise their argument errors with it too.
local function user_level()
  if libdir then
    for level = 3, 40 do
      local info = debug.getinfo(level, "S")
      if not info then break end
      if info.what ~= "C" and info.source:sub(2, #libdir + 1) ~= libdir then return level - 1 end
    end
  end
  return 3
end

options.user_level = user_level

--- options.spec(fn, known[, pytorch_only]) -> spec
-- Declares the options of function fn (its name as a user calls it).
function options.spec(fn, known, pytorch_only)
  assert(type(fn) == "string" and type(known) == "string", "options.spec(fn, known[, pytorch_only])")
  local spec = setmetatable({fn = fn, known = known, pytorch_only = pytorch_only or ""}, Spec)
  options.specs[fn] = spec
  return spec
end

--- spec:check(opts) -> opts, or {} when opts is nil
-- Raises for a key that is not one of the options, a PyTorch option that
-- ember does not implement, or opts that is not a table.
function Spec:check(opts)
  local msg = core._options_problem(opts, self.fn, self.known, self.pytorch_only)
  if msg then error(msg, user_level()) end
  return opts or {}
end

--- spec:has(name) -> boolean: whether name is one of the options ember implements
function Spec:has(name)
  for w in self.known:gmatch("%S+") do
    if w == name then return true end
  end
  return false
end

--- options.namespace(t, name[, lazy]) -> t
-- Makes t (a namespace such as torch or optim) answer a name it does not
-- have with an error that suggests the closest one, as Python's
-- AttributeError does: "torch has no 'zeroes' (did you mean torch.zeros?)".
-- lazy(t, k), when given, is asked first (modules loaded on first use); its
-- names (a list, lazy_names) count for the suggestion. Names starting with
-- "__" (metamethod probes by tools) are nil, as in any table.
function options.namespace(t, name, lazy, lazy_names)
  setmetatable(t, {__index = function(tbl, k)
    if lazy then
      local v = lazy(tbl, k)
      if v ~= nil then return v end
    end
    if type(k) ~= "string" or k:sub(1, 2) == "__" then return nil end
    local names = {}
    for key in pairs(tbl) do
      if type(key) == "string" then names[#names + 1] = key end
    end
    for _, key in ipairs(lazy_names or {}) do names[#names + 1] = key end
    local best = core._closest(k, table.concat(names, " "))
    error(string.format("%s has no '%s'%s", name, k, best and (" (did you mean " .. name .. "." .. best .. "?)") or ""),
      2)
  end})
  return t
end

--- options.closest(name, words) -> the closest of the space-separated words, or nil
-- The same "did you mean" rule as the options' (torch.zeroes -> zeros).
function options.closest(name, words) return core._closest(name, words) end

return options
